using System.Buffers;
using System.Runtime.CompilerServices;
using ZstdSharp;

namespace Cairn.Storage.Encoding;

/// <summary>
/// Per-worker state for the column encoders and decoders: one zstd compressor and decompressor, and
/// scratch buffers that grow to the largest block seen and are then reused, so encoding and decoding
/// allocate nothing in steady state. Not thread-safe: one per compaction, flush or query worker.
/// </summary>
public sealed class EncodingWorkspace : IDisposable
{
    /// <summary>
    /// zstd level 1: the fastest standard level. On the small inputs of one block (a few KB) higher
    /// levels gain a few percent at several times the cost, and compaction throughput matters more.
    /// </summary>
    public const int DefaultZstdLevel = 1;

    // zstd contexts are large; a reader that never meets a string column never pays for them.
    private readonly int _zstdLevel;
    private Compressor? _compressor;
    private Decompressor? _decompressor;

    // One buffer per role; an encoder never uses a role that something it calls also uses.
    private ulong[] _deltas = [];
    private ulong[] _deltasAlternative = [];
    private long[] _mantissas = [];
    private byte[] _words = [];
    private byte[] _wordsAlternative = [];
    private byte[] _varints = [];
    private byte[] _compressed = [];
    private byte[] _bits = [];
    private byte[] _payload = [];
    private byte[] _decompressed = [];
    private ushort[] _huffmanTable = [];
    private readonly ArrayBufferWriter<byte> _nested = new();

    public EncodingWorkspace(int zstdLevel = DefaultZstdLevel) => _zstdLevel = zstdLevel;

    internal Compressor Compressor => _compressor ??= new Compressor(_zstdLevel);

    internal Decompressor Decompressor => _decompressor ??= new Decompressor();

    internal Span<ulong> Deltas(int length) => Grow(ref _deltas, length);

    internal Span<ulong> DeltasAlternative(int length) => Grow(ref _deltasAlternative, length);

    internal Span<long> Mantissas(int length) => Grow(ref _mantissas, length);

    internal Span<byte> Words(int length) => Grow(ref _words, length);

    internal Span<byte> WordsAlternative(int length) => Grow(ref _wordsAlternative, length);

    internal Span<byte> Varints(int length) => Grow(ref _varints, length);

    internal Span<byte> Compressed(int length) => Grow(ref _compressed, length);

    internal Span<byte> Bits(int length) => Grow(ref _bits, length);

    internal Span<byte> Payload(int length) => Grow(ref _payload, length);

    /// <summary>Decompressed bytes; string decoding hands out spans over this until the next decode.</summary>
    internal Span<byte> Decompressed(int length) => Grow(ref _decompressed, length);

    /// <summary>The Huffman decoder's lookup table.</summary>
    internal Span<ushort> HuffmanTable => Grow(ref _huffmanTable, Huffman.TableLength);

    /// <summary>The float encoder's staging area for a nested integer column.</summary>
    internal ArrayBufferWriter<byte> Nested
    {
        get
        {
            _nested.ResetWrittenCount();
            return _nested;
        }
    }

    public void Dispose()
    {
        _compressor?.Dispose();
        _decompressor?.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Span<T> Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[Math.Max(length, (int)Math.Min(2L * buffer.Length, Array.MaxLength))];
        return buffer.AsSpan(0, length);
    }
}
