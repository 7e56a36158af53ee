namespace Cairn.Http.Statements;

/// <summary>
/// Orders strings as their UTF-8 bytes compare (Go's string order, which InfluxDB sorts names and keys by).
/// UTF-16 ordinal order differs only between surrogates and U+E000–U+FFFF; those are remapped.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            char a = x[i], b = y[i];
            if (a == b) continue;
            return Fix(a).CompareTo(Fix(b));
        }
        return x.Length.CompareTo(y.Length);
    }

    private static int Fix(char c) => c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;
}

/// <summary>
/// InfluxDB's order of series keys (<c>CompareSeriesKeys</c>): by the unescaped measurement, then tag by
/// tag (key, then value, bytewise), a key set that is a prefix of another first.
/// </summary>
internal sealed class SeriesKeyOrder : IComparer<string>
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (byte[] Name, (byte[] Key, byte[] Value)[] Tags)> _parsed = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = Parse(x);
        var b = Parse(y);
        int c = a.Name.AsSpan().SequenceCompareTo(b.Name);
        if (c != 0) return c;
        for (int i = 0; i < a.Tags.Length && i < b.Tags.Length; i++)
        {
            c = a.Tags[i].Key.AsSpan().SequenceCompareTo(b.Tags[i].Key);
            if (c != 0) return c;
            c = a.Tags[i].Value.AsSpan().SequenceCompareTo(b.Tags[i].Value);
            if (c != 0) return c;
        }
        c = a.Tags.Length.CompareTo(b.Tags.Length);
        return c != 0 ? c : string.CompareOrdinal(x, y);
    }

    private (byte[] Name, (byte[] Key, byte[] Value)[] Tags) Parse(string key)
    {
        if (_parsed.TryGetValue(key, out var parsed)) return parsed;
        var bytes = System.Text.Encoding.UTF8.GetBytes(key);
        if (!Cairn.Storage.Engine.SeriesKeyParser.TryParse(bytes, out var name, out var tags)) return (bytes, []);
        var list = new (byte[] Key, byte[] Value)[tags.Count];
        for (int i = 0; i < list.Length; i++) list[i] = (tags.Key(i).ToArray(), tags.Value(i).ToArray());
        parsed = (name, list);
        if (_parsed.Count < 100_000) _parsed[key] = parsed;
        return parsed;
    }
}
