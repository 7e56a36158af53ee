using CsCheck;

namespace Cairn.Storage.Tests.Encoding;

/// <summary>Input shapes for the property tests: block sizes on the Simple-8b run boundaries, and series from tame to hostile.</summary>
internal static class Generators
{
    /// <summary>0, 1, 2, the 120/240 run selector edges, a full block of 1000, and anything up to 1100.</summary>
    public static readonly Gen<int> Sizes = Gen.Frequency(
        (3, Gen.OneOf(0, 1, 2, 119, 120, 121, 239, 240, 241, 1000)),
        (2, Gen.Int[0, 1100]));

    private static readonly Gen<long> Extreme = Gen.OneOf(long.MinValue, long.MaxValue, 0L, -1L, 1L, long.MinValue + 1, long.MaxValue - 1);

    /// <summary>A mix of shapes: uniform, constant, small and large random walks, extremes, runs broken by outliers.</summary>
    public static Gen<long[]> Longs(Gen<int> sizes) => sizes.SelectMany(n => Gen.OneOf(
        Gen.Long.Array[n],
        Gen.Long.Select(v => Enumerable.Repeat(v, n).ToArray()),
        RandomWalk(n, Gen.Long, Gen.Long[-3, 3]),
        RandomWalk(n, Gen.Long, Gen.Long[-1_000_000, 1_000_000]),
        RandomWalk(n, Gen.Long[0, 100], Gen.Long[-2, 2]),
        Extreme.Array[n],
        Runs(n)));

    public static readonly Gen<long[]> AnyLongs = Longs(Sizes);

    /// <summary>Timestamps of the kinds a TSDB sees: regular, regular with gaps and jitter, irregular, and arbitrary.</summary>
    public static readonly Gen<long[]> TimestampSeries = Sizes.SelectMany(n => Gen.OneOf(
        Regular(n),
        from start in Gen.Long[-1L << 62, 1L << 62]
        from interval in Gen.OneOf(1L, 1_000L, 1_000_000L, 10_000_000_000L)
        from jitter in Gen.Long[-5, 5].Array[n]
        from gaps in Gen.Int[0, 20].Array[n]
        select Build(n, i => unchecked(start + interval * i + jitter[i] * (interval / 10) + (gaps[i] == 0 ? interval : 0))),
        from start in Gen.Long
        from steps in Gen.Long[1, 1L << 40].Array[n]
        select Walk(start, steps),
        Gen.Long.Array[n].Select(a => { Array.Sort(a); return a; }),
        Longs(Gen.Const(n))));

    public static Gen<long[]> Regular(int n) =>
        from start in Gen.Long[0, 2_000_000_000_000_000_000]
        from interval in Gen.OneOf(1L, 10_000_000_000L, 60_000_000_000L, 3_600_000_000_000L, 12_345L)
        select Build(n, i => start + interval * i);

    private static Gen<long[]> RandomWalk(int n, Gen<long> starts, Gen<long> steps) =>
        from start in starts
        from step in steps.Array[n]
        select Walk(start, step);

    /// <summary>Runs of equal values (lengths around the 120/240 run selectors) separated by outliers.</summary>
    private static Gen<long[]> Runs(int n) =>
        from value in Gen.OneOf(Gen.Const(0L), Gen.Const(1L), Gen.Long)
        from runLength in Gen.OneOf(Gen.OneOf(60, 119, 120, 121, 239, 240, 241), Gen.Int[1, 300])
        from outlier in Gen.Long
        select Build(n, i => (i + 1) % (runLength + 1) == 0 ? outlier : value);

    public static readonly Gen<double> SpecialDoubles = Gen.OneOf(
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.MaxValue, double.MinValue,
        double.Epsilon, -double.Epsilon, 2.2250738585072009e-308 /* largest subnormal */, 1.0, -1.0,
        BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001) /* NaN with a payload */,
        BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0001)) /* negative signalling NaN */);

    /// <summary>Arbitrary bit patterns, special values, decimals with 0-4 places, and random walks.</summary>
    public static readonly Gen<double[]> Doubles = Sizes.SelectMany(n => Gen.OneOf(
        Gen.Long.Select(BitConverter.Int64BitsToDouble).Array[n],
        Gen.Double.Array[n],
        Gen.Double.Special.Array[n],
        SpecialDoubles.Array[n],
        Gen.OneOf(Gen.Const(0.0), SpecialDoubles, Gen.Double).Select(v => Enumerable.Repeat(v, n).ToArray()),
        from places in Gen.Int[0, 4]
        from start in Gen.Double[-1000, 1000]
        from steps in Gen.Double[-2, 2].Array[n]
        select Array.ConvertAll(Walk(start, steps), v => Math.Round(v, places)),
        from start in Gen.Double[0, 100]
        from steps in Gen.Double[-1, 1].Array[n]
        select Walk(start, steps),
        from mantissas in Gen.Long[-(1L << 53), 1L << 53].Array[n]
        from scale in Gen.Int[0, 15]
        select Build(n, i => mantissas[i] / Math.Pow(10, scale))));

    /// <summary>Strings: empty, ASCII, any BMP character but surrogates, astral pairs, repeated values, and a few huge ones.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (2, Gen.Const("")),
        (5, Gen.Char['a', 'z'].Array[0, 20].Select(chars => new string(chars))),
        (5, Gen.Int[1, 0x10FFFF].Where(c => c < 0xD800 || c > 0xDFFF).Select(char.ConvertFromUtf32).Array[0, 10].Select(string.Concat)),
        (2, Gen.OneOf("cpu", "ok", "ERROR: disk full", "ünïcödé ✓", "日本語", "🦀🦀")),
        (1, Gen.Int[1000, 70_000].Select(length => new string('x', length))));

    public static readonly Gen<string[]> Strings = Sizes.SelectMany(n => Gen.OneOf(
        Text.Array[n],
        Text.Select(s => Enumerable.Repeat(s, n).ToArray())));

    public static readonly Gen<bool[]> Booleans = Sizes.SelectMany(n => Gen.OneOf(
        Gen.Bool.Array[n],
        Gen.Bool.Select(b => Enumerable.Repeat(b, n).ToArray()),
        from every in Gen.Int[1, 50] select Build(n, i => i % every == 0)));

    private static T[] Build<T>(int n, Func<int, T> value)
    {
        var result = new T[n];
        for (int i = 0; i < n; i++)
            result[i] = value(i);
        return result;
    }

    /// <summary>start, then start plus each running sum of steps[1..] (steps[0] is unused), wrapping.</summary>
    private static long[] Walk(long start, long[] steps)
    {
        var result = new long[steps.Length];
        long value = start;
        for (int i = 0; i < steps.Length; i++)
        {
            if (i > 0)
                value = unchecked(value + steps[i]);
            result[i] = value;
        }
        return result;
    }

    private static double[] Walk(double start, double[] steps)
    {
        var result = new double[steps.Length];
        double value = start;
        for (int i = 0; i < steps.Length; i++)
        {
            if (i > 0)
                value += steps[i];
            result[i] = value;
        }
        return result;
    }
}
