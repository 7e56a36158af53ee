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

    /// <summary>
    /// Splits <paramref name="key"/> at its first separator, as InfluxDB's SeriesAndFieldFromCompositeKey
    /// does; false when it has none.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> seriesKey, out ReadOnlySpan<byte> fieldKey)
    {
        int at = key.IndexOf(Separator);
        if (at < 0)
        {
            seriesKey = fieldKey = default;
            return false;
        }
        seriesKey = key[..at];
        fieldKey = key[(at + Separator.Length)..];
        return true;
    }

    /// <summary>
    /// Ordinal comparison of the composite key <paramref name="seriesKey"/> + separator + <paramref name="fieldKey"/>
    /// with <paramref name="key"/>, without composing it. With <paramref name="prefixOnly"/>, the composite key is
    /// first cut to the length of <paramref name="key"/> (0 then means "starts with").
    /// </summary>
    internal static int Compare(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> fieldKey, ReadOnlySpan<byte> key, bool prefixOnly = false) =>
        Compare(new Parts(seriesKey, Separator, fieldKey), new Parts(key, default, default), prefixOnly);

    /// <summary>Ordinal comparison of two composite keys given as their parts.</summary>
    internal static int Compare(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> fieldKey, ReadOnlySpan<byte> otherSeriesKey, ReadOnlySpan<byte> otherFieldKey)
    {
        // Usually the same series (a merge's inputs share most of them): then the fields decide.
        if (seriesKey.SequenceEqual(otherSeriesKey))
            return fieldKey.SequenceCompareTo(otherFieldKey);
        return Compare(new Parts(seriesKey, Separator, fieldKey), new Parts(otherSeriesKey, Separator, otherFieldKey), prefixOnly: false);
    }

    private static int Compare(Parts x, Parts y, bool prefixOnly)
    {
        while (true)
        {
            if (y.IsEmpty) return x.IsEmpty || prefixOnly ? 0 : 1;
            if (x.IsEmpty) return -1;
            int n = Math.Min(x.Head.Length, y.Head.Length);
            int c = x.Head[..n].SequenceCompareTo(y.Head[..n]);
            if (c != 0) return c;
            x.Skip(n);
            y.Skip(n);
        }
    }

    /// <summary>A byte string held as up to three spans, read front to back.</summary>
    private ref struct Parts
    {
        private ReadOnlySpan<byte> _second;
        private ReadOnlySpan<byte> _third;

        public Parts(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
        {
            Head = first;
            _second = second;
            _third = third;
            Refill();
        }

        /// <summary>The next bytes; empty only when all are consumed.</summary>
        public ReadOnlySpan<byte> Head { get; private set; }

        public readonly bool IsEmpty => Head.IsEmpty;

        public void Skip(int count)
        {
            Head = Head[count..];
            Refill();
        }

        private void Refill()
        {
            while (Head.IsEmpty && !(_second.IsEmpty && _third.IsEmpty))
            {
                Head = _second;
                _second = _third;
                _third = default;
            }
        }
    }
}
