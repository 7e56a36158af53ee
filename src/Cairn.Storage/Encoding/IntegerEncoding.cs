using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// int64 value columns. Each value is stored as the zigzag of its difference from the previous one
/// (the first from zero), so a slowly moving series becomes a stream of small numbers. The encoder
/// tries every algorithm that applies and keeps the smallest:
/// <list type="bullet">
/// <item>run-length when every difference is the same (constants, counters that tick evenly);</item>
/// <item>Simple-8b over the differences, as InfluxDB's TSM does;</item>
/// <item>a per-block Huffman code over the differences (<see cref="Huffman"/>): skewed small steps,
/// like a gauge's random walk, in ~2.3 bits where Simple-8b needs 3-4;</item>
/// <item>zstd over the differences as varints: repeating patterns the other two cannot see;</item>
/// <item>raw 8-byte values when nothing else is smaller.</item>
/// </list>
/// Huffman decodes ~3× slower than Simple-8b, so it is kept only when at least 1/8 smaller; zstd's
/// fixed cost per frame makes it ~10× slower on a block, so it must at least halve the best of the others.
/// Differences are taken modulo 2^64, so every int64 sequence round-trips exactly.
/// </summary>
public static class IntegerEncoding
{
    internal const byte RawAlgorithm = 0;
    internal const byte RunLengthAlgorithm = 1;
    internal const byte Simple8bAlgorithm = 2;
    internal const byte ZstdAlgorithm = 3;
    internal const byte HuffmanAlgorithm = 4;

    // Below these sizes a code table or a zstd frame costs more than it can save.
    private const int EntropyMinValues = 64;
    private const int EntropyMinCandidateBytes = 64;

    /// <summary>Appends the encoded column for <paramref name="values"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<long> values, IBufferWriter<byte> output, EncodingWorkspace workspace) =>
        EncodeColumn(values, ColumnType.Integer, output, workspace);

    /// <summary>
    /// Decodes <paramref name="column"/> (exactly one encoded column) into <paramref name="destination"/>,
    /// which must hold <see cref="ColumnHeader.Count"/> values; returns the count.
    /// </summary>
    /// <exception cref="CorruptBlockException">The column does not decode.</exception>
    public static int Decode(ReadOnlySpan<byte> column, Span<long> destination, EncodingWorkspace workspace)
    {
        CorruptBlockReason reason = DecodeColumn(column, ColumnType.Integer, destination, workspace, out int count);
        if (reason != CorruptBlockReason.None)
            CorruptBlockException.Throw(reason, column);
        return count;
    }

    /// <summary>As <see cref="Decode"/>, but returns false instead of throwing on a corrupt column.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> column, Span<long> destination, EncodingWorkspace workspace, out int count) =>
        DecodeColumn(column, ColumnType.Integer, destination, workspace, out count) == CorruptBlockReason.None;

    internal static void EncodeColumn(ReadOnlySpan<long> values, ColumnType type, IBufferWriter<byte> output, EncodingWorkspace workspace)
    {
        int n = values.Length;
        ColumnHeader.ThrowIfTooMany(n);
        if (n == 0)
        {
            WriteHeaderOnly(output, EncodingOf(type, RawAlgorithm), 0);
            return;
        }

        ulong first = ZigZag.Encode(values[0]);
        Span<ulong> deltas = workspace.Deltas(n - 1);
        ulong widest = 0;
        bool constant = true;
        long previous = values[0];
        for (int i = 1; i < n; i++)
        {
            long value = values[i];
            ulong delta = ZigZag.Encode(unchecked(value - previous));
            deltas[i - 1] = delta;
            widest |= delta;
            constant &= delta == deltas[0];
            previous = value;
        }

        int headerSize = ColumnHeader.Size(n);
        int rawSize = n * 8;
        if (n >= 2 && constant && Varint.Size(first) + Varint.Size(deltas[0]) <= rawSize)
        {
            WriteRunLength(output, EncodingOf(type, RunLengthAlgorithm), n, first, deltas[0]);
            return;
        }

        int packedSize = int.MaxValue;
        Span<byte> words = default;
        if (widest <= Simple8b.MaxValue)
        {
            words = workspace.Words(Simple8b.MaxEncodedLength(n - 1));
            int length = Simple8b.Encode(deltas, words);
            words = words[..length];
            packedSize = Varint.Size(first) + length;
        }

        int best = Math.Min(rawSize, packedSize);
        if (n >= EntropyMinValues && best >= EntropyMinCandidateBytes)
        {
            Span<byte> lengths = stackalloc byte[Huffman.SymbolCount];
            int huffmanSize = Varint.Size(first) + Huffman.Plan(deltas, lengths);
            bool huffman = huffmanSize * 8L <= best * 7L;
            if (huffman)
                best = huffmanSize;

            Span<byte> varints = workspace.Varints(n * Varint.MaxLength);
            int length = Varint.Write(varints, first);
            foreach (ulong delta in deltas)
                length += Varint.Write(varints[length..], delta);
            int frameLength = ZstdFrame.Compress(workspace, varints[..length], out Span<byte> frame);
            if (frameLength * 2L <= best)
            {
                WritePayload(output, EncodingOf(type, ZstdAlgorithm), n, frame);
                return;
            }

            if (huffman)
            {
                Span<byte> span = output.GetSpan(headerSize + huffmanSize + 8);
                int o = ColumnHeader.Write(span, EncodingOf(type, HuffmanAlgorithm), n);
                o += Varint.Write(span[o..], first);
                o += Huffman.Encode(deltas, lengths, span[o..]);
                output.Advance(o);
                return;
            }
        }

        if (packedSize <= rawSize)
        {
            Span<byte> span = output.GetSpan(headerSize + packedSize);
            int o = ColumnHeader.Write(span, EncodingOf(type, Simple8bAlgorithm), n);
            o += Varint.Write(span[o..], first);
            words.CopyTo(span[o..]);
            output.Advance(o + words.Length);
        }
        else
        {
            WriteRaw(output, EncodingOf(type, RawAlgorithm), values);
        }
    }

    internal static CorruptBlockReason DecodeColumn(
        ReadOnlySpan<byte> column, ColumnType type, Span<long> destination, EncodingWorkspace workspace, out int count)
    {
        count = 0;
        CorruptBlockReason reason = ColumnHeader.Read(column, type, out ColumnHeader header);
        if (reason != CorruptBlockReason.None)
            return reason;
        int n = header.Count;
        if (destination.Length < n)
            ThrowDestinationTooSmall(n);
        Span<long> values = destination[..n];
        ReadOnlySpan<byte> payload = column[header.Length..];
        reason = ((byte)header.Encoding & 0xF) switch
        {
            RawAlgorithm => DecodeRaw(payload, values),
            RunLengthAlgorithm => DecodeRunLength(payload, values),
            Simple8bAlgorithm => DecodeSimple8b(payload, values),
            ZstdAlgorithm => DecodeZstd(payload, values, workspace),
            HuffmanAlgorithm => DecodeHuffman(payload, values, workspace),
            _ => CorruptBlockReason.UnknownEncoding,
        };
        if (reason == CorruptBlockReason.None)
            count = n;
        return reason;
    }

    // Raw — payload: n × int64 little-endian.
    internal static CorruptBlockReason DecodeRaw(ReadOnlySpan<byte> payload, Span<long> values)
    {
        long expected = values.Length * 8L;
        if (payload.Length != expected)
            return payload.Length < expected ? CorruptBlockReason.Truncated : CorruptBlockReason.TrailingBytes;
        if (BitConverter.IsLittleEndian)
        {
            payload.CopyTo(MemoryMarshal.AsBytes(values));
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadInt64LittleEndian(payload.Slice(i * 8, 8));
        }
        return CorruptBlockReason.None;
    }

    // Run-length — payload:
    //   offset  size   meaning
    //   0       1..10  zigzag(first value), varint
    //   ..      1..10  zigzag(difference between consecutive values), varint
    private static CorruptBlockReason DecodeRunLength(ReadOnlySpan<byte> payload, Span<long> values)
    {
        int position = 0;
        if (!Varint.TryRead(payload, ref position, out ulong first))
            return Varint.FailureReason(payload, position);
        if (!Varint.TryRead(payload, ref position, out ulong delta))
            return Varint.FailureReason(payload, position);
        if (position != payload.Length)
            return CorruptBlockReason.TrailingBytes;
        long value = ZigZag.Decode(first);
        long step = ZigZag.Decode(delta);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = value;
            value = unchecked(value + step);
        }
        return CorruptBlockReason.None;
    }

    // Simple-8b — payload:
    //   offset  size   meaning
    //   0       1..10  zigzag(first value), varint
    //   ..      8 × w  Simple-8b words holding the n-1 zigzag differences
    private static CorruptBlockReason DecodeSimple8b(ReadOnlySpan<byte> payload, Span<long> values)
    {
        if (values.IsEmpty)
            return payload.IsEmpty ? CorruptBlockReason.None : CorruptBlockReason.TrailingBytes;
        int position = 0;
        if (!Varint.TryRead(payload, ref position, out ulong first))
            return Varint.FailureReason(payload, position);
        Span<ulong> deltas = MemoryMarshal.Cast<long, ulong>(values[1..]);
        CorruptBlockReason reason = Simple8b.Decode(payload[position..], deltas);
        if (reason != CorruptBlockReason.None)
            return reason;
        values[0] = ZigZag.Decode(first);
        AccumulateZigZagDeltas(values);
        return CorruptBlockReason.None;
    }

    // Huffman — payload:
    //   offset  size   meaning
    //   0       1..10  zigzag(first value), varint
    //   ..      ..     the n-1 zigzag differences, Huffman-coded (table and bit stream: see Huffman)
    private static CorruptBlockReason DecodeHuffman(ReadOnlySpan<byte> payload, Span<long> values, EncodingWorkspace workspace)
    {
        if (values.IsEmpty)
            return CorruptBlockReason.CountOutOfRange;
        int position = 0;
        if (!Varint.TryRead(payload, ref position, out ulong first))
            return Varint.FailureReason(payload, position);
        CorruptBlockReason reason = Huffman.Decode(
            payload[position..], MemoryMarshal.Cast<long, ulong>(values[1..]), workspace.HuffmanTable);
        if (reason != CorruptBlockReason.None)
            return reason;
        values[0] = ZigZag.Decode(first);
        AccumulateZigZagDeltas(values);
        return CorruptBlockReason.None;
    }

    // zstd — payload: one zstd frame of n varints: zigzag(first value), then the n-1 zigzag differences.
    private static CorruptBlockReason DecodeZstd(ReadOnlySpan<byte> payload, Span<long> values, EncodingWorkspace workspace)
    {
        if (values.IsEmpty)
            return CorruptBlockReason.CountOutOfRange;
        CorruptBlockReason reason = ZstdFrame.Decompress(
            workspace, payload, values.Length, (long)values.Length * Varint.MaxLength, out int length);
        if (reason != CorruptBlockReason.None)
            return reason;
        ReadOnlySpan<byte> varints = workspace.Decompressed(length);
        Span<ulong> raw = MemoryMarshal.Cast<long, ulong>(values);
        int position = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (!Varint.TryRead(varints, ref position, out raw[i]))
                return CorruptBlockReason.InvalidPayload;
        }
        if (position != varints.Length)
            return CorruptBlockReason.TrailingBytes;
        values[0] = ZigZag.Decode(raw[0]);
        AccumulateZigZagDeltas(values);
        return CorruptBlockReason.None;
    }

    /// <summary>values[0] is decoded; values[1..] hold zigzag differences, replaced in place by running sums.</summary>
    private static void AccumulateZigZagDeltas(Span<long> values)
    {
        long value = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            value = unchecked(value + ZigZag.Decode((ulong)values[i]));
            values[i] = value;
        }
    }

    internal static ColumnEncoding EncodingOf(ColumnType type, byte algorithm) => (ColumnEncoding)(((byte)type << 4) | algorithm);

    internal static void WriteHeaderOnly(IBufferWriter<byte> output, ColumnEncoding encoding, int count)
    {
        Span<byte> span = output.GetSpan(ColumnHeader.MaxLength);
        output.Advance(ColumnHeader.Write(span, encoding, count));
    }

    internal static void WritePayload(IBufferWriter<byte> output, ColumnEncoding encoding, int count, ReadOnlySpan<byte> payload)
    {
        Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + payload.Length);
        int o = ColumnHeader.Write(span, encoding, count);
        payload.CopyTo(span[o..]);
        output.Advance(o + payload.Length);
    }

    internal static void WriteRaw(IBufferWriter<byte> output, ColumnEncoding encoding, ReadOnlySpan<long> values)
    {
        Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + values.Length * 8);
        int o = ColumnHeader.Write(span, encoding, values.Length);
        Span<byte> payload = span.Slice(o, values.Length * 8);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(payload);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteInt64LittleEndian(payload.Slice(i * 8, 8), values[i]);
        }
        output.Advance(o + payload.Length);
    }

    private static void WriteRunLength(IBufferWriter<byte> output, ColumnEncoding encoding, int count, ulong first, ulong delta)
    {
        Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + 2 * Varint.MaxLength);
        int o = ColumnHeader.Write(span, encoding, count);
        o += Varint.Write(span[o..], first);
        o += Varint.Write(span[o..], delta);
        output.Advance(o);
    }

    internal static void ThrowDestinationTooSmall(int count) =>
        throw new ArgumentException($"The destination must hold the column's {count} values.", "destination");
}
