using Cairn.Query.Ast;
using Cairn.Query.Results;

namespace Cairn.Query.Engine;

/// <summary>
/// integral() as influxql runs it: one streaming reducer per group over a single merge of every source's points
/// (groups one after another, in output order), emitting a window's area when the next window's first point arrives.
/// A group's last window is emitted only when the whole input ends, when the reducers are closed one by one in Go map
/// order; so those last windows come after every group's other windows, each a series entry of its own unless it
/// follows its own group's entry, and LIMIT and OFFSET count each entry separately (influxql's limit iterator starts
/// again whenever the series changes).
/// </summary>
internal sealed partial class QueryPlan
{
    /// <summary>One group of a lone integral(): the windows streamed while reading, and the one emitted at the end.</summary>
    private sealed record IntegralGroup(string Measurement, string[] Tags, List<object?[]> Streamed, object?[]? AtClose);

    private readonly List<IntegralGroup> _integralGroups = [];

    /// <summary>The statement's only field when it is a bare integral() call: the streaming path answers it.</summary>
    private Call? LoneIntegral => _fields is [{ Expr: Call { Name: "integral", Args: [VarRef, ..] } call }] ? call : null;

    /// <summary>Runs a lone integral() over one group's rows (ascending); its rows wait for <see cref="AppendIntegralStreams"/>.</summary>
    private void StreamIntegralGroup(Call call, string measurement, string[] tags, List<RowRef> rows, Dictionary<string, int> slots)
    {
        var streamed = new List<object?[]>();
        var emitted = StreamIntegral(call, rows, slots, out var atClose, out _);
        foreach (var (time, area) in emitted)
            streamed.Add(Row(time, _ => area, null, slots));
        object?[]? last = atClose is { } c ? Row(c.Time, _ => c.Value, null, slots) : null;
        _integralGroups.Add(new IntegralGroup(measurement, tags, streamed, last));
    }

    /// <summary>
    /// Appends the lone integral()'s series once every measurement has run: each group's streamed windows in group
    /// order, then each group's last window, last group first. InfluxDB collects those last windows in Go's map order
    /// and hands them out from the end of the batch; a map of up to eight groups is one bucket filled in insertion
    /// order whose iteration starts at a random slot, so the likeliest order is the groups' order reversed, and
    /// InfluxDB 1.6.7 answers the other rotations now and then (see docs/conformance.md).
    /// </summary>
    internal void AppendIntegralStreams(List<ResultSeries> output)
    {
        var items = new List<(IntegralGroup Group, object?[] Row)>();
        foreach (var group in _integralGroups)
            foreach (var row in group.Streamed) items.Add((group, row));
        for (int g = _integralGroups.Count - 1; g >= 0; g--)
            if (_integralGroups[g].AtClose is { } row) items.Add((_integralGroups[g], row));
        _integralGroups.Clear();
        for (int i = 0; i < items.Count;)
        {
            var group = items[i].Group;
            var run = new List<object?[]>();
            for (; i < items.Count && ReferenceEquals(items[i].Group, group); i++) run.Add(items[i].Row);
            AddSeries(group.Measurement, group.Tags, run, output);
        }
    }

    /// <summary>
    /// integral() as influxql's streaming reducer computes it over the group's points in merge order (descending for
    /// ORDER BY time DESC): trapezoids of <c>0.5 × (v + prev) × (Δt / unit)</c>, negative when time runs backwards. A
    /// point at or past the current window's far edge (its end, or its start going backwards) closes the window with
    /// the area up to that edge (the value there interpolated linearly) and emits it at the window's near edge (its
    /// start, or its end going backwards), then opens the point's window; so windows without points are skipped, and
    /// a point right on a window's start closes that window twice going backwards (the second time with 0).
    /// <paramref name="atClose"/> is what the reducer emits when its input ends: the last window, unless its only point
    /// sits at its near edge. The integer reducer (<paramref name="integer"/> tells whether it ran) keeps the previous
    /// point's value when it closes a window: the rest of the step, to the new point, is a trapezoid of the value
    /// interpolated at the edge and that previous value. Without GROUP BY time the float reducer has no window and
    /// emits at 0; the integer one has the range's (from the range's start to one past its end, the start 0 when
    /// unset), so going backwards it emits at one past the range's end, and again with 0 after a point on its start.
    /// </summary>
    private List<(long Time, double Value)> StreamIntegral(Call call, List<RowRef> rows, Dictionary<string, int> slots,
        out (long Time, double Value)? atClose, out bool integer)
    {
        integer = false;
        atClose = null;
        long unit = call.Args.Count == 2 && call.Args[1] is DurationLiteral d ? d.Nanoseconds : 1_000_000_000L;
        var emitted = new List<(long Time, double Value)>();
        bool havePrev = false, windowed = false;
        long prevTime = 0, near = 0, far = 0;
        double prevValue = 0, sum = 0;
        void Open(long t)
        {
            var (start, end) = Interval > 0 ? WindowBounds(t) : (_range.Min, _range.Max + 1);
            (near, far) = Ascending ? (start, end) : (end, start);
            if (Interval == 0 && near == QueryTimeRange.MinTime) near = 0;
        }
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[Ascending ? i : rows.Count - 1 - i];
            if (_range.MinSet is { } from && r.Time < from) continue;
            var v = Evaluate(call.Args[0], r, slots, null);
            if (v is null || !ValueMath.IsNumber(v)) continue;
            double value = ValueMath.ToDouble(v);
            if (!havePrev)
            {
                havePrev = true;
                integer = v is not double;
                prevTime = r.Time;
                prevValue = value;
                windowed = Interval > 0 || integer;
                if (windowed) Open(r.Time);
                continue;
            }
            if (r.Time == prevTime)
            {
                prevValue = value;
                continue;
            }
            if (windowed && (Ascending ? r.Time >= far : r.Time <= far))
            {
                if (prevTime != far)
                {
                    double atEdge = (value - prevValue) / (r.Time - prevTime) * (far - prevTime) + prevValue;
                    sum += 0.5 * (atEdge + prevValue) * ((double)(far - prevTime) / unit);
                    // The integer reducer carries the interpolated value into the rest of the step instead.
                    if (integer) value = atEdge;
                    else prevValue = atEdge;
                    prevTime = far;
                }
                emitted.Add((near, sum));
                Open(r.Time);
                sum = 0;
            }
            sum += 0.5 * (value + prevValue) * ((double)(r.Time - prevTime) / unit);
            prevTime = r.Time;
            prevValue = ValueMath.ToDouble(v);
        }
        if (havePrev && prevTime != near) atClose = (near, sum);
        return emitted;
    }
}
