using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Cairn.Cluster;

/// <summary>
/// Builds the payload of a cluster RPC request or response: little-endian integers, strings and byte runs with
/// a u32 length prefix (docs/rpc.md, "Cluster service").
/// </summary>
public sealed class WireWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public WireWriter(int capacity = 256) => _buffer = new ArrayBufferWriter<byte>(Math.Max(16, capacity));

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public int Length => _buffer.WrittenCount;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public WireWriter U8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    public WireWriter Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public WireWriter U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public WireWriter I32(int value) => U32((uint)value);

    public WireWriter U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public WireWriter I64(long value) => U64((ulong)value);

    public WireWriter F64(double value) => I64(BitConverter.DoubleToInt64Bits(value));

    public WireWriter Bytes(ReadOnlySpan<byte> value)
    {
        U32((uint)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
        return this;
    }

    public WireWriter String(string? value)
    {
        value ??= "";
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var span = _buffer.GetSpan(4 + max);
        int n = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)n);
        _buffer.Advance(4 + n);
        return this;
    }
}

/// <summary>Reads what <see cref="WireWriter"/> wrote; a short or malformed payload throws <see cref="InvalidDataException"/>.</summary>
public struct WireReader(ReadOnlyMemory<byte> payload)
{
    private readonly ReadOnlyMemory<byte> _payload = payload;
    private int _at;

    public readonly bool AtEnd => _at >= _payload.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _at + count > _payload.Length) throw new InvalidDataException("cluster message truncated");
        var span = _payload.Span.Slice(_at, count);
        _at += count;
        return span;
    }

    public byte U8() => Take(1)[0];

    public bool Bool() => U8() != 0;

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int I32() => (int)U32();

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public long I64() => (long)U64();

    public double F64() => BitConverter.Int64BitsToDouble(I64());

    /// <summary>A length-prefixed byte run, as a slice of the payload (no copy).</summary>
    public ReadOnlyMemory<byte> Bytes()
    {
        int length = checked((int)U32());
        if (length < 0 || _at + length > _payload.Length) throw new InvalidDataException("cluster message truncated");
        var slice = _payload.Slice(_at, length);
        _at += length;
        return slice;
    }

    public string String() => Encoding.UTF8.GetString(Bytes().Span);
}
