using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Cairn.Meta.Store;

/// <summary>
/// Writes the primitives of the meta formats: fixed-width little-endian integers and strings as a
/// u32 byte length followed by UTF-8. A string that is not valid UTF-16 throws: it could not name anything
/// (<see cref="MetaNames"/> refuses it), and the format stores only valid UTF-8.
/// </summary>
internal sealed class MetaBinaryWriter(int capacity = 256)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private byte[] _buffer = new byte[Math.Max(capacity, 16)];
    private int _length;

    public int Length => _length;
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Byte(byte value) => Take(1)[0] = value;

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void Count(int count) => UInt32((uint)count);

    public void String(string value)
    {
        int n = StrictUtf8.GetByteCount(value);
        UInt32((uint)n);
        StrictUtf8.GetBytes(value, Take(n));
    }

    /// <summary>A u32 length and the bytes.</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        UInt32((uint)value.Length);
        value.CopyTo(Take(value.Length));
    }

    /// <summary>Reserves 4 bytes for a length or checksum filled in later by <see cref="PatchUInt32"/>.</summary>
    public int Reserve4()
    {
        int at = _length;
        UInt32(0);
        return at;
    }

    public void PatchUInt32(int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(at, 4), value);

    public byte[] ToArray() => Written.ToArray();

    private Span<byte> Take(int n)
    {
        if (_buffer.Length - _length < n) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        var span = _buffer.AsSpan(_length, n);
        _length += n;
        return span;
    }
}

/// <summary>Reads what <see cref="MetaBinaryWriter"/> wrote; anything short or malformed is corruption.</summary>
internal ref struct MetaBinaryReader(ReadOnlySpan<byte> data, string what)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _data = data;
    private readonly string _what = what;
    private int _at;

    public readonly int Remaining => _data.Length - _at;

    public byte Byte() => Take(1)[0];

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => Fail<bool>($"invalid boolean {b}"),
    };

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>A count of items each at least <paramref name="minItemBytes"/> long, bounded by what is left.</summary>
    public int Count(int minItemBytes)
    {
        uint n = UInt32();
        if (n > (uint)(Remaining / Math.Max(minItemBytes, 1))) Fail<int>($"count {n} exceeds the remaining {Remaining} bytes");
        return (int)n;
    }

    public string String()
    {
        uint n = UInt32();
        if (n > (uint)Remaining) Fail<string>($"string of {n} bytes exceeds the remaining {Remaining}");
        var bytes = Take((int)n);
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return Fail<string>("string is not valid UTF-8"); }
    }

    public byte[] Bytes()
    {
        uint n = UInt32();
        if (n > (uint)Remaining) Fail<int>($"{n} bytes exceed the remaining {Remaining}");
        return Take((int)n).ToArray();
    }

    public readonly void End()
    {
        if (Remaining != 0) Fail<int>($"{Remaining} unexpected trailing bytes");
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > Remaining) Fail<int>($"truncated: needs {n} bytes at offset {_at}, {Remaining} left");
        var span = _data.Slice(_at, n);
        _at += n;
        return span;
    }

    [DoesNotReturn]
    public readonly T Fail<T>(string detail) => throw new InvalidDataException($"{_what}: {detail}");
}
