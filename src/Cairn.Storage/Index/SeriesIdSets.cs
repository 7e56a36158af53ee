namespace Cairn.Storage.Index;

/// <summary>
/// Set operations on series id sets, which the index hands out as ascending <c>uint</c> arrays without
/// duplicates. Every result is a new array in the same form.
/// </summary>
public static class SeriesIdSets
{
    /// <summary>The ids in both <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static uint[] Intersect(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var result = new uint[Math.Min(a.Length, b.Length)];
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j]) i++;
            else if (a[i] > b[j]) j++;
            else
            {
                result[n++] = a[i];
                i++;
                j++;
            }
        }
        return n == result.Length ? result : result[..n];
    }

    /// <summary>The ids in <paramref name="a"/> or <paramref name="b"/>.</summary>
    public static uint[] Union(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var result = new uint[a.Length + b.Length];
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j]) result[n++] = a[i++];
            else if (a[i] > b[j]) result[n++] = b[j++];
            else
            {
                result[n++] = a[i];
                i++;
                j++;
            }
        }
        while (i < a.Length) result[n++] = a[i++];
        while (j < b.Length) result[n++] = b[j++];
        return n == result.Length ? result : result[..n];
    }

    /// <summary>The ids in <paramref name="a"/> and not in <paramref name="b"/>.</summary>
    public static uint[] Except(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var result = new uint[a.Length];
        int i = 0, j = 0, n = 0;
        while (i < a.Length)
        {
            if (j == b.Length || a[i] < b[j]) result[n++] = a[i++];
            else if (a[i] > b[j]) j++;
            else
            {
                i++;
                j++;
            }
        }
        return n == result.Length ? result : result[..n];
    }
}
