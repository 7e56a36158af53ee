using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>Element-wise equality for the immutable arrays inside meta records (records compare arrays by reference).</summary>
internal static class Sequences
{
    public static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b)
    {
        var x = a.AsSpan();
        var y = b.AsSpan();
        if (x.Length != y.Length) return false;
        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < x.Length; i++)
            if (!comparer.Equals(x[i], y[i])) return false;
        return true;
    }

    public static ImmutableArray<T> OrEmpty<T>(this ImmutableArray<T> array) => array.IsDefault ? [] : array;
}
