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
