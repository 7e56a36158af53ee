namespace Cairn.Storage.Shards;

/// <summary>
/// Keys of a shard file: series key, separator, field key — InfluxDB's composite key, so one series'
/// fields sit next to each other in the sorted index and a series is a prefix.
/// </summary>
public static class ShardKey
{
    /// <summary>InfluxDB's keyFieldSeparator.</summary>
    public static ReadOnlySpan<byte> Separator => "#!~#"u8;

    /// <summary>The longest key the format stores (a uint16 length; also InfluxDB's MaxKeyLength).</summary>
    public const int MaxLength = ushort.MaxValue;

    /// <summary>Series key + separator + field key.</summary>
    public static byte[] Compose(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> fieldKey)
    {
        var key = new byte[seriesKey.Length + Separator.Length + fieldKey.Length];
        seriesKey.CopyTo(key);
        Separator.CopyTo(key.AsSpan(seriesKey.Length));
        fieldKey.CopyTo(key.AsSpan(seriesKey.Length + Separator.Length));
        return key;
    }

    /// <summary>The prefix every key of <paramref name="seriesKey"/> starts with: series key + separator.</summary>
    public static byte[] SeriesPrefix(ReadOnlySpan<byte> seriesKey)
    {
        var prefix = new byte[seriesKey.Length + Separator.Length];
        seriesKey.CopyTo(prefix);
        Separator.CopyTo(prefix.AsSpan(seriesKey.Length));
        return prefix;
    }
}
