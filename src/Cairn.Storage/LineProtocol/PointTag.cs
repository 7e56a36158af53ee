namespace Cairn.Storage.LineProtocol;

/// <summary>An unescaped tag key and value of a <see cref="ParsedPoint"/>.</summary>
public readonly ref struct PointTag
{
    internal PointTag(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The tag key, unescaped.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The tag value, unescaped; never empty.</summary>
    public ReadOnlySpan<byte> Value { get; }
}
