using Cairn.Query.Ast;

namespace Cairn.Query.Engine;

/// <summary>
/// The transformations that turn a series of values (raw points, or one aggregate per window) into another:
/// derivative, difference, cumulative_sum, moving_average, elapsed and their non-negative variants, and the
/// technical-analysis functions (<see cref="TechnicalAnalysis"/>).
/// </summary>
internal static class Transforms
{
    /// <summary>The transformations whose input over GROUP BY windows starts one window early (influxql's select.go).</summary>
    public static bool ReadsWindowBefore(string name) => name is "derivative" or "non_negative_derivative" or "difference"
        or "non_negative_difference" or "moving_average" or "elapsed"
        || (TechnicalAnalysis.Handles(name) && name is not ("holt_winters" or "holt_winters_with_fit"));

    /// <summary>
    /// Applies <paramref name="call"/> to <paramref name="input"/> (non-null values in output order).
    /// <paramref name="defaultUnit"/> is derivative's unit when the call gives none (the GROUP BY interval, else 1s).
    /// </summary>
    public static List<(long Time, object Value)> Apply(Call call, List<(long Time, object Value)> input, bool ascending, long defaultUnit)
    {
        var output = new List<(long, object)>();
        switch (call.Name)
        {
            case "derivative":
            case "non_negative_derivative":
            {
                bool nonNegative = call.Name[0] == 'n';
                long unit = call.Args.Count == 2 && call.Args[1] is DurationLiteral d ? d.Nanoseconds : defaultUnit;
                var points = FirstAtEachTime(input);
                for (int i = 1; i < points.Count; i++)
                {
                    var (pt, pv) = points[i - 1];
                    var (ct, cv) = points[i];
                    double elapsed = ascending ? ct - pt : pt - ct;
                    double value = (ValueMath.ToDouble(cv) - ValueMath.ToDouble(pv)) / (elapsed / unit);
                    if (nonNegative && value < 0) continue;
                    output.Add((ct, value));
                }
                return output;
            }
            case "difference":
            case "non_negative_difference":
            {
                bool nonNegative = call.Name[0] == 'n';
                var points = FirstAtEachTime(input);
                for (int i = 1; i < points.Count; i++)
                {
                    var (pt, pv) = points[i - 1];
                    var (ct, cv) = points[i];
                    object diff = (cv, pv) switch
                    {
                        // Boxed arm by arm: the switch's natural type would widen the integers to double.
                        (long a, long b) => (object)unchecked(a - b),
                        (ulong a, ulong b) => (object)unchecked(a - b),
                        _ => (object)(ValueMath.ToDouble(cv) - ValueMath.ToDouble(pv)),
                    };
                    if (nonNegative && ValueMath.ToDouble(diff) < 0) continue;
                    output.Add((ct, diff));
                }
                return output;
            }
            case "cumulative_sum":
            {
                object? sum = null;
                foreach (var (t, v) in input)
                {
                    sum = sum is null ? v : ValueMath.Binary(BinaryOperator.Add, sum, v);
                    output.Add((t, sum!));
                }
                return output;
            }
            case "moving_average":
            {
                int n = (int)((IntegerLiteral)call.Args[1]).Value;
                var window = new Queue<double>();
                double sum = 0;
                foreach (var (t, v) in input)
                {
                    double x = ValueMath.ToDouble(v);
                    // influxql's ring buffer: the oldest value leaves the sum before the new one enters.
                    if (window.Count == n) sum -= window.Dequeue();
                    window.Enqueue(x);
                    sum += x;
                    if (window.Count == n) output.Add((t, sum / n));
                }
                return output;
            }
            case "elapsed":
            {
                long unit = call.Args.Count == 2 && call.Args[1] is DurationLiteral d ? d.Nanoseconds : 1;
                for (int i = 1; i < input.Count; i++)
                {
                    long elapsed = input[i].Time - input[i - 1].Time;
                    output.Add((input[i].Time, elapsed / unit));
                }
                return output;
            }
            default:
                return TechnicalAnalysis.Handles(call.Name) ? TechnicalAnalysis.Apply(call, input, defaultUnit) : output;
        }
    }

    /// <summary>
    /// The points derivative() and difference() see: influxql's reducers drop a point whose time equals the current
    /// one's (several series merged into one group), so the first point at each time stays and is the next one's
    /// previous point.
    /// </summary>
    private static List<(long Time, object Value)> FirstAtEachTime(List<(long Time, object Value)> input)
    {
        var points = new List<(long Time, object Value)>(input.Count);
        foreach (var p in input)
            if (points.Count == 0 || points[^1].Time != p.Time) points.Add(p);
        return points;
    }
}
