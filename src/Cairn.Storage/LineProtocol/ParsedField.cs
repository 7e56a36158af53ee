using System.Diagnostics;

namespace Cairn.Storage.LineProtocol;

/// <summary>
/// An unescaped field key, the value's type, and the value. Read the accessor that matches
/// <see cref="Type"/>; the others reinterpret the same 64 bits.
/// </summary>
public readonly ref struct ParsedField
{
    private readonly long _bits;

    internal ParsedField(ReadOnlySpan<byte> key, FieldType type, long bits, ReadOnlySpan<byte> text)
    {
        Key = key;
        Type = type;
        _bits = bits;
        StringUtf8 = text;
    }

    /// <summary>The field key, unescaped (<c>\,</c> <c>\ </c> <c>\=</c> <c>\"</c>).</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value's type.</summary>
    public FieldType Type { get; }

    /// <summary>The value of a <see cref="FieldType.Float"/> field: finite, never NaN.</summary>
    public double Float
    {
        get
        {
            Debug.Assert(Type == FieldType.Float, "read the accessor of the field's type");
            return BitConverter.Int64BitsToDouble(_bits);
        }
    }

    /// <summary>The value of an <see cref="FieldType.Integer"/> field.</summary>
    public long Integer
    {
        get
        {
            Debug.Assert(Type == FieldType.Integer, "read the accessor of the field's type");
            return _bits;
        }
    }

    /// <summary>The value of an <see cref="FieldType.Unsigned"/> field.</summary>
    public ulong Unsigned
    {
        get
        {
            Debug.Assert(Type == FieldType.Unsigned, "read the accessor of the field's type");
            return (ulong)_bits;
        }
    }

    /// <summary>The value of a <see cref="FieldType.Boolean"/> field.</summary>
    public bool Boolean
    {
        get
        {
            Debug.Assert(Type == FieldType.Boolean, "read the accessor of the field's type");
            return _bits != 0;
        }
    }

    /// <summary>The bytes of a <see cref="FieldType.String"/> value, unescaped (<c>\"</c> <c>\\</c>); empty otherwise.</summary>
    public ReadOnlySpan<byte> StringUtf8 { get; }

    /// <summary>A <see cref="FieldType.String"/> value as a string (invalid UTF-8 becomes U+FFFD).</summary>
    public string StringValue() => System.Text.Encoding.UTF8.GetString(StringUtf8);
}
