using Cairn.Query.Ast;

namespace Cairn.Query.Engine;

/// <summary>One value of a field at a time, with the index of the row it came from (for auxiliary fields).</summary>
internal readonly record struct Sample(long Time, object? Value, int Row);

/// <summary>
/// Mergeable partial state of the simple aggregates (count, sum, mean as sum and count, min, max, first, last):
/// a shard computes it over its values, a coordinator merges the partials of every shard, then finishes.
/// </summary>
internal sealed class PartialAggregate
{
    public long Count;
    public double FloatSum;
    public Int128 IntegerSum;
    public ulong UnsignedSum;
    public bool SawFloat;
    public bool SawUnsigned;
    public Sample? Min;
    public Sample? Max;
    public Sample? First;
    public Sample? Last;

    public void Add(in Sample s)
    {
        Count++;
        switch (s.Value)
        {
            case double d: FloatSum += d; SawFloat = true; break;
            case long l: IntegerSum += l; break;
            case ulong u: UnsignedSum = unchecked(UnsignedSum + u); SawUnsigned = true; break;
        }
        if (Min is not { } min || Less(s, min)) Min = s;
        if (Max is not { } max || Greater(s, max)) Max = s;
        // Equal times: influxql keeps the greater value, except that first() prefers false and last() true.
        if (First is not { } first || s.Time < first.Time || (s.Time == first.Time && (s.Value is bool b ? !b && first.Value is true : ValueMath.Order(s.Value, first.Value) > 0))) First = s;
        if (Last is not { } last || s.Time > last.Time || (s.Time == last.Time && (s.Value is bool c ? c && last.Value is false : ValueMath.Order(s.Value, last.Value) > 0))) Last = s;
    }

    public void Merge(PartialAggregate other)
    {
        Count += other.Count;
        FloatSum += other.FloatSum;
        IntegerSum += other.IntegerSum;
        UnsignedSum = unchecked(UnsignedSum + other.UnsignedSum);
        SawFloat |= other.SawFloat;
        SawUnsigned |= other.SawUnsigned;
        if (other.Min is { } min && (Min is not { } a || Less(min, a))) Min = min;
        if (other.Max is { } max && (Max is not { } b || Greater(max, b))) Max = max;
        if (other.First is { } first && (First is not { } c || first.Time < c.Time)) First = first;
        if (other.Last is { } last && (Last is not { } d || last.Time > d.Time)) Last = last;
    }

    // Ties keep the earlier point, as influxql's min/max reducers do.
    private static bool Less(in Sample a, in Sample b)
    {
        int c = ValueMath.Order(a.Value, b.Value);
        return c < 0 || (c == 0 && a.Time < b.Time);
    }

    private static bool Greater(in Sample a, in Sample b)
    {
        int c = ValueMath.Order(a.Value, b.Value);
        return c > 0 || (c == 0 && a.Time < b.Time);
    }

    public object? Sum()
    {
        // Each arm boxed as its own type: a conditional expression would widen them all to double.
        if (Count == 0) return null;
        if (SawFloat) return FloatSum;
        if (SawUnsigned) return UnsignedSum;
        return (long)IntegerSum;
    }

    public object? Mean()
    {
        if (Count == 0) return null;
        if (SawFloat) return FloatSum / Count;
        if (SawUnsigned) return (double)UnsignedSum / Count;
        Int128 q = IntegerSum / Count, r = IntegerSum % Count;
        // An exact integer mean stays exact (a float64 would round 2^63-1 up).
        if (r == 0 && q >= long.MinValue && q <= long.MaxValue) return (long)q;
        return (double)q + (double)r / Count;
    }
}

/// <summary>The aggregate and selector functions over the values of one window.</summary>
internal static class Aggregates
{
    /// <summary>Functions whose single result is a chosen point, whose time a lone selector reports.</summary>
    public static bool IsSelector(string name) => name is "first" or "last" or "min" or "max" or "percentile" or "top" or "bottom" or "sample";

    public static bool IsAggregate(string name) => name is "count" or "sum" or "mean" or "median" or "mode" or "stddev" or "spread"
        or "distinct" or "integral" or "first" or "last" or "min" or "max" or "percentile" or "top" or "bottom" or "sample";

    public static bool IsTransform(string name) => name is "derivative" or "non_negative_derivative" or "difference" or "non_negative_difference"
        or "cumulative_sum" or "moving_average" or "elapsed" or "exponential_moving_average" or "double_exponential_moving_average"
        or "triple_exponential_moving_average" or "relative_strength_index" or "triple_exponential_derivative"
        or "kaufmans_efficiency_ratio" or "kaufmans_adaptive_moving_average" or "chande_momentum_oscillator"
        or "holt_winters" or "holt_winters_with_fit";

    /// <summary>
    /// Reduces the samples of one window (sorted by time) to the call's results. A selector's result carries the time
    /// and row of the chosen point; the others carry <paramref name="windowTime"/> and row -1.
    /// </summary>
    public static void Reduce(Call call, List<Sample> input, long windowTime, List<Sample> output)
    {
        if (input.Count == 0)
        {
            return;
        }
        switch (call.Name)
        {
            case "count":
                output.Add(new Sample(windowTime, (long)input.Count, -1));
                return;
            case "sum":
            case "mean":
            case "min":
            case "max":
            case "first":
            case "last":
            {
                var p = new PartialAggregate();
                foreach (var s in input) p.Add(s);
                switch (call.Name)
                {
                    case "sum": if (p.Sum() is { } sum) output.Add(new Sample(windowTime, sum, -1)); return;
                    case "mean": if (p.Mean() is { } mean) output.Add(new Sample(windowTime, mean, -1)); return;
                    case "min": output.Add(p.Min!.Value); return;
                    case "max": output.Add(p.Max!.Value); return;
                    case "first": output.Add(p.First!.Value); return;
                    default: output.Add(p.Last!.Value); return;
                }
            }
            case "spread":
            {
                var p = new PartialAggregate();
                foreach (var s in input) p.Add(s);
                object? spread = (p.Max!.Value.Value, p.Min!.Value.Value) switch
                {
                    // Boxed arm by arm: the switch's natural type would widen the integers to double.
                    (long a, long b) => (object)unchecked(a - b),
                    (ulong a, ulong b) => (object)unchecked(a - b),
                    var (a, b) => (object)(ValueMath.ToDouble(a) - ValueMath.ToDouble(b)),
                };
                output.Add(new Sample(windowTime, spread, -1));
                return;
            }
            case "stddev":
            {
                if (input.Count < 2)
                {
                    output.Add(new Sample(windowTime, double.NaN, -1));
                    return;
                }
                // influxql's running mean, over the points in merge order.
                double mean = 0;
                int count = 0;
                foreach (var s in input) mean += (ValueMath.ToDouble(s.Value) - mean) / ++count;
                double variance = 0;
                foreach (var s in input)
                {
                    double d = ValueMath.ToDouble(s.Value) - mean;
                    variance += d * d;
                }
                output.Add(new Sample(windowTime, Math.Sqrt(variance / (input.Count - 1)), -1));
                return;
            }
            case "median":
            {
                var sorted = SortedByValue(input);
                int n = sorted.Count;
                if (n % 2 == 1)
                {
                    output.Add(new Sample(windowTime, sorted[n / 2].Value is double d ? d : ValueMath.ToDouble(sorted[n / 2].Value), -1));
                    return;
                }
                double lo = ValueMath.ToDouble(sorted[n / 2 - 1].Value), hi = ValueMath.ToDouble(sorted[n / 2].Value);
                output.Add(new Sample(windowTime, lo + (hi - lo) / 2, -1));
                return;
            }
            case "mode":
            {
                if (input[0].Value is bool)
                {
                    // influxql counts both values; a tie is true.
                    int trues = input.Count(static s => s.Value is true);
                    output.Add(new Sample(windowTime, trues >= input.Count - trues, -1));
                    return;
                }
                // influxql's mode reducer, rule for rule: Go's unstable sort by value, then runs of equal values. A
                // run's first point starts its count at 1 without competing (so a later lone value never wins); a
                // tie goes to the run whose first point (in that sort's order) is not later than the best's time.
                var sorted = new List<Sample>(input);
                GoSort.Sort(sorted, static (a, b) => ValueMath.Order(a.Value, b.Value) < 0);
                object? best = sorted[0].Value, current = best;
                long bestTime = sorted[0].Time, currentTime = bestTime;
                int bestCount = 0, run = 0;
                foreach (var s in sorted)
                {
                    if (ValueMath.Order(s.Value, current) != 0)
                    {
                        run = 1;
                        current = s.Value;
                        currentTime = s.Time;
                        continue;
                    }
                    run++;
                    if (bestCount > run || (bestCount == run && currentTime > bestTime)) continue;
                    bestCount = run;
                    best = s.Value;
                    bestTime = s.Time;
                }
                output.Add(new Sample(windowTime, best, -1));
                return;
            }
            case "distinct":
            {
                // influxql's distinct reducer keeps each value's first point in input order (the latest one under
                // ORDER BY time DESC) and emits them sorted by that point's time, then by value.
                var seen = new HashSet<object>();
                var firsts = new List<Sample>();
                foreach (var s in input)
                {
                    if (s.Value is { } v && seen.Add(v)) firsts.Add(s);
                }
                firsts.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : ValueMath.Order(a.Value, b.Value));
                foreach (var s in firsts) output.Add(new Sample(windowTime, s.Value, -1));
                return;
            }
            case "percentile":
            {
                double p = call.Args[1] switch { IntegerLiteral i => i.Value, NumberLiteral n => n.Value, _ => 0 };
                // By value alone with Go's unstable sort, as InfluxDB sorts: which of several tied points answers
                // (its time) is whichever that sort leaves at the rank.
                var sorted = new List<Sample>(input);
                GoSort.Sort(sorted, static (a, b) => ValueMath.Order(a.Value, b.Value) < 0);
                int index = (int)Math.Floor(sorted.Count * p / 100.0 + 0.5) - 1;
                if (index < 0 || index >= sorted.Count) return;
                output.Add(sorted[index]);
                return;
            }
            case "top":
            case "bottom":
                TopBottom(call, input, output);
                return;
            case "integral":
                Integral(call, input, windowTime, output);
                return;
            case "sample":
            {
                long n = ((IntegerLiteral)call.Args[1]).Value;
                if (input.Count <= n)
                {
                    output.AddRange(input);
                    return;
                }
                // A deterministic spread stands in for influxql's reservoir sample: the exact rows are random there.
                var picked = new List<Sample>();
                for (long i = 0; i < n; i++) picked.Add(input[(int)(i * input.Count / n)]);
                output.AddRange(picked);
                return;
            }
        }
    }

    private static List<Sample> SortedByValue(List<Sample> input)
    {
        var sorted = new List<Sample>(input);
        sorted.Sort(static (a, b) =>
        {
            int c = ValueMath.Order(a.Value, b.Value);
            return c != 0 ? c : a.Time.CompareTo(b.Time);
        });
        return sorted;
    }

    private static void TopBottom(Call call, List<Sample> input, List<Sample> output)
    {
        bool top = call.Name == "top";
        int n = (int)((IntegerLiteral)call.Args[^1]).Value;
        var sorted = new List<Sample>(input);
        sorted.Sort((a, b) =>
        {
            int c = ValueMath.Order(a.Value, b.Value);
            if (top) c = -c;
            return c != 0 ? c : a.Time.CompareTo(b.Time);
        });
        var picked = sorted.Count > n ? sorted.GetRange(0, n) : sorted;
        picked.Sort(static (a, b) => a.Time.CompareTo(b.Time));
        output.AddRange(picked);
    }

    private static void Integral(Call call, List<Sample> input, long windowTime, List<Sample> output)
    {
        long unit = call.Args.Count == 2 && call.Args[1] is DurationLiteral d ? d.Nanoseconds : 1_000_000_000L;
        double sum = 0;
        for (int i = 1; i < input.Count; i++)
        {
            var a = input[i - 1];
            var b = input[i];
            if (a.Time == b.Time) continue;
            sum += (ValueMath.ToDouble(a.Value) + ValueMath.ToDouble(b.Value)) / 2 * (b.Time - a.Time) / unit;
        }
        output.Add(new Sample(windowTime, sum, -1));
    }
}
