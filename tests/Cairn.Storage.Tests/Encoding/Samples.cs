namespace Cairn.Storage.Tests.Encoding;

/// <summary>Deterministic series of known shape, for tests that need a particular encoding chosen.</summary>
internal static class Samples
{
    public const long Start = 1_700_000_000_000_000_000L;
    public const long TenSeconds = 10_000_000_000L;

    public static long[] Regular(int n) => Build(n, i => Start + i * TenSeconds);

    public static long[] RegularWithGaps(int n) => Build(n, i => Start + (i + i / 97) * TenSeconds);

    /// <summary>10 s apart, each stamped up to ±5 ms late or early, in nanoseconds.</summary>
    public static long[] Jittered(int n)
    {
        var random = new Random(17);
        return Build(n, i => Start + i * TenSeconds + random.NextInt64(-5_000_000, 5_000_000));
    }

    /// <summary>Millisecond-precision event times with irregular gaps.</summary>
    public static long[] Irregular(int n)
    {
        var random = new Random(42);
        long t = Start;
        return Build(n, _ => t += random.NextInt64(1, 1 << 20) * 1_000_000);
    }

    public static long[] RandomLongs(int n)
    {
        var random = new Random(3);
        return Build(n, _ => random.NextInt64(long.MinValue, long.MaxValue));
    }

    public static double[] RandomBits(int n)
    {
        var random = new Random(9);
        return Build(n, _ => BitConverter.Int64BitsToDouble(random.NextInt64()));
    }

    public static long[] SmallWalk(int n)
    {
        var random = new Random(7);
        long v = 50;
        return Build(n, _ => v += random.Next(-3, 4));
    }

    /// <summary>A 50-value random pattern over and over: wide steps, but the same ones each period.</summary>
    public static long[] Repeating(int n)
    {
        var random = new Random(13);
        long[] pattern = Build(50, _ => random.NextInt64(0, 1_000_000));
        return Build(n, i => pattern[i % pattern.Length]);
    }

    public static double[] FloatWalk(int n)
    {
        var random = new Random(5);
        double v = 50;
        return Build(n, _ => v += random.NextDouble() - 0.5);
    }

    public static double[] DecimalWalk(int n)
    {
        var random = new Random(11);
        double v = 50;
        return Build(n, _ => Math.Round(v = Math.Clamp(v + random.NextDouble() * 2 - 1, 0, 100), 2));
    }

    /// <summary>
    /// One TSBS cpu-only field: a random walk with N(0, 1) steps clamped to [0, 100], starting
    /// uniformly in it, written as int64 by truncation (as TSBS's ToPointAllInt64 does).
    /// </summary>
    public static long[] TsbsCpu(int n, int seed) => Array.ConvertAll(TsbsCpuState(n, seed), v => (long)v);

    /// <summary>The float state behind <see cref="TsbsCpu"/>: full-precision doubles.</summary>
    public static double[] TsbsCpuState(int n, int seed)
    {
        var random = new Random(seed);
        double state = random.NextDouble() * 100;
        return Build(n, _ => state = Math.Clamp(state + Normal(random), 0, 100));
    }

    private static double Normal(Random random)
    {
        // Box-Muller
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static T[] Build<T>(int n, Func<int, T> value)
    {
        var result = new T[n];
        for (int i = 0; i < n; i++)
            result[i] = value(i);
        return result;
    }
}
