using Cairn.Query.Ast;
using Cairn.Query.Results;
using Cairn.Storage;

namespace Cairn.Query.Engine;

internal sealed partial class QueryPlan
{
    /// <summary>
    /// The rows of an aggregate query for one group (rows sorted by time): each call reduced per window, fill applied to
    /// the aggregates, transformations over the windows, then one row per window (or per selected point).
    /// </summary>
    private List<object?[]> AggregateRows(List<RowRef> rows, Dictionary<string, int> slots, GroupSeries group)
    {
        var output = new List<object?[]>();
        if (rows.Count == 0 || _percentileStreamEnded) return output;

        var windows = BuildWindows(rows[0].Time, () => rows.Select(r => r.Time), out int firstOutput, out int lastOutput);

        // Rows of each window.
        var windowRows = new List<(int Start, int End)>(windows.Count);
        {
            int at = 0;
            for (int w = 0; w < windows.Count; w++)
            {
                if (Interval == 0)
                {
                    windowRows.Add((0, rows.Count));
                    break;
                }
                long end = WindowEnd(windows[w]);
                while (at < rows.Count && rows[at].Time < windows[w]) at++;
                int s = at;
                while (at < rows.Count && rows[at].Time < end) at++;
                windowRows.Add((s, at));
            }
        }

        // Leaf aggregates per window.
        var leaf = new Dictionary<Call, List<Sample>[]>(ReferenceEqualityComparer.Instance);
        bool anySample = false, anyOutput = false, integerIntegralAny = false;
        var samples = new List<Sample>();
        foreach (var call in _leafCalls)
        {
            bool rangeOnly = ReadsRangeOnly(call);
            var perWindow = new List<Sample>[windows.Count];
            bool stored = !rows.Exists(static r => r.FromSubquery);
            // mean and sum of floats: InfluxDB's per-shard, per-series reduce levels decide the rounding (see LevelMeansAndSums).
            var leveled = group.Leveled.GetValueOrDefault(call);
            bool integerIntegral = false;
            Dictionary<long, double>? integral = null;
            if (stored && call.Name == "integral" && Ascending)
            {
                integral = [];
                var streamed = StreamIntegral(call, rows, slots, out var last, out integerIntegral);
                foreach (var (t, area) in streamed) integral[Interval > 0 ? t : 0] = area;
                if (last is { } l) integral[Interval > 0 ? l.Time : 0] = l.Value;
            }
            integerIntegralAny |= integerIntegral;
            // Reducers that see the points in input order get InfluxDB's (descending for ORDER BY time DESC).
            bool inputOrdered = !Ascending && (call.Name is "stddev" or "distinct" || (call.Name == "count" && call.Args[0] is Call { Name: "distinct" } or Distinct));
            for (int w = 0; w < windows.Count; w++)
            {
                samples.Clear();
                var (s, e) = windowRows[w];
                while (rangeOnly && s < e && rows[s].Time < _range.Min) s++;
                while (rangeOnly && e > s && rows[e - 1].Time > _range.Max) e--;
                CollectSamples(call, rows, s, e, slots, samples);
                perWindow[w] = [];
                // A call outside the transformations reads only the query's range, not the extra windows before it.
                if (!_nestedCalls.Contains(call) && compiler.ExtraIntervals > 0 && _range.MinSet is { } from)
                    samples.RemoveAll(smp => smp.Time < from);
                anySample |= samples.Count > 0;
                if (integral is not null)
                {
                    if (integral.TryGetValue(Interval > 0 ? windows[w] : 0, out double area)) perWindow[w].Add(new Sample(windows[w], area, -1));
                    continue;
                }
                if (leveled is not null && samples.Count > 0 && (call.Name == "mean" || samples[0].Value is double)
                    && leveled.TryGetValue(Interval > 0 ? windows[w] : 0, out double value))
                {
                    perWindow[w].Add(new Sample(windows[w], value, -1));
                    continue;
                }
                if (inputOrdered) samples.Reverse();
                ReduceCall(call, rows, samples, windows[w], perWindow[w]);
            }
            anyOutput |= Array.Exists(perWindow, static l => l.Count > 0);
            if (LonePercentile && !_percentileStreamStarted && FirstWindowWithPoints(windowRows) is int first)
            {
                _percentileStreamStarted = true;
                _percentileStreamEnded = perWindow[first].Count == 0;
                if (_percentileStreamEnded) return output;
            }
            if (Interval > 0) Fill(call, windows, perWindow);
            leaf[call] = perWindow;
        }
        // A series none of whose calls yields a value (the measurement lacks the fields, or percentile() finds no
        // rank in any window) has no rows, filled or not: InfluxDB's fill iterator never sees it.
        if (_leafCalls.Count > 0 && (!anySample || !anyOutput)) return output;

        // Transformations.
        var transformed = new Dictionary<Call, List<(long Time, object Value)>>(ReferenceEqualityComparer.Instance);
        for (int i = _transformCalls.Count - 1; i >= 0; i--)
        {
            var call = _transformCalls[i];
            var input = new List<(long, object)>();
            long unit = Interval > 0 ? Interval : 1_000_000_000L;
            if (call.Args[0] is Call inner && leaf.TryGetValue(inner, out var innerWindows))
            {
                bool extraWindows = Transforms.ReadsWindowBefore(call.Name);
                for (int w = 0; w < windows.Count; w++)
                {
                    if (!extraWindows && (w < firstOutput || w > lastOutput)) continue;
                    foreach (var smp in innerWindows[w])
                        if (smp.Value is not null) input.Add((windows[w], smp.Value));
                }
            }
            else if (call.Args[0] is Call innerTransform && transformed.TryGetValue(innerTransform, out var nested))
            {
                input.AddRange(nested);
            }
            else
            {
                foreach (var r in rows)
                {
                    var v = Evaluate(call.Args[0], r, slots, null);
                    if (v is not null && ValueMath.IsNumber(v)) input.Add((r.Time, v));
                }
            }
            // influxql moves the input's start back one interval from its minimum time, which wraps around:
            // without a lower time bound these transformations see no input.
            if (Interval > 0 && Ascending && _range.MinSet is null && Transforms.ReadsWindowBefore(call.Name)) input.Clear();
            if (!Ascending) input.Reverse();
            var result = Transforms.Apply(call, input, Ascending, unit);
            if (!Ascending) result.Reverse();
            transformed[call] = result;
        }

        bool rawTransform = Interval == 0 && _transformCalls.Count > 0;
        if (rawTransform)
        {
            // One row per point: points of several series at the same time each get a row (the n-th point of
            // every call at a time shares the n-th row), as influxql's cursor pairs them.
            var times = new SortedDictionary<long, List<Dictionary<Call, object?>>>();
            foreach (var call in _topCalls)
            {
                if (!transformed.TryGetValue(call, out var points)) continue;
                var seen = new Dictionary<long, int>();
                foreach (var (t, v) in points)
                {
                    if (!times.TryGetValue(t, out var atTime)) times[t] = atTime = [];
                    int n = seen.TryGetValue(t, out int count) ? count : 0;
                    seen[t] = n + 1;
                    if (atTime.Count == n) atTime.Add(new(ReferenceEqualityComparer.Instance));
                    atTime[n][call] = v;
                }
            }
            foreach (var (t, atTime) in times)
                foreach (var map in atTime) output.Add(Row(t, c => map.TryGetValue(c, out var v) ? v : null, null, slots));
            return output;
        }

        // Several sample() calls (sample(*, n)) answer rows at the sampled points' times, merged by time.
        if (_topCalls.Count > 1 && _transformCalls.Count == 0 && _topCalls.TrueForAll(static c => c.Name == "sample"))
        {
            for (int w = firstOutput; w < windows.Count; w++)
            {
                var times = new SortedDictionary<long, Dictionary<Call, object?>>();
                foreach (var call in _topCalls)
                {
                    foreach (var smp in leaf[call][w])
                    {
                        if (!times.TryGetValue(smp.Time, out var map)) times[smp.Time] = map = new(ReferenceEqualityComparer.Instance);
                        map[call] = smp.Value;
                    }
                }
                foreach (var (t, map) in times) output.Add(Row(t, c => map.TryGetValue(c, out var v) ? v : null, null, slots));
            }
            return output;
        }

        EmitWindows(windows, firstOutput, lastOutput, leaf, transformed, rows, slots, integerIntegralAny, output);
        return output;
    }

    // influxql's percentile() reducer answers nothing for a window too small to hold the rank, and its reduce iterator
    // then reports the end of its input. Later in the stream that mostly reads as an empty window (the fill iterator
    // asks again), but when it is the first window the statement reads (the first group's first window with points,
    // in the iterator's order) nothing has started, so InfluxDB 1.6.7 answers no series at all. Mirrored for the
    // lone-call form only (with other calls the column's iterator ends while the others go on). Not mirrored: with
    // fill(none) and GROUP BY time, a later group whose first window has no rank ends the answer there.
    private bool _percentileStreamStarted, _percentileStreamEnded;

    private bool LonePercentile =>
        _leafCalls.Count == 1 && _transformCalls.Count == 0 && _fields.Count == 1 && _fields[0].Expr is Call { Name: "percentile" };

    /// <summary>The first window, in the order the iterators read them, that holds points of the group.</summary>
    private int? FirstWindowWithPoints(List<(int Start, int End)> windowRows)
    {
        for (int i = 0; i < windowRows.Count; i++)
        {
            int w = Ascending ? i : windowRows.Count - 1 - i;
            if (windowRows[w].End > windowRows[w].Start) return w;
        }
        return null;
    }

    // Sample.Row of the cells the row scanner fills for a call without any point in the series (see Fill): unlike a
    // fill iterator's points (Row -2) they are no points of the call's iterator, so its LIMIT does not count them.
    private const int ScannerDefaultRow = -3;

    /// <summary>Whether each field (all calls, see PerFieldLimits) has a point in a row.</summary>
    private bool[] FieldPresence(Func<Call, bool> hasPoint)
    {
        var cells = new bool[_fields.Count];
        for (int i = 0; i < _fields.Count; i++) cells[i] = hasPoint((Call)_fields[i].Expr);
        return cells;
    }

    /// <summary>
    /// Appends the output rows of one group: per window from <paramref name="firstOutput"/> to
    /// <paramref name="lastOutput"/>, the calls' results (or one row per selected point for top/bottom/sample/distinct
    /// and a lone selector without GROUP BY time), with transformation points off those windows as rows of their own.
    /// <paramref name="integerIntegral"/>: an integral() reduced integers (its time outside GROUP BY time differs).
    /// </summary>
    private void EmitWindows(List<long> windows, int firstOutput, int lastOutput, Dictionary<Call, List<Sample>[]> leaf,
        Dictionary<Call, List<(long Time, object Value)>> transformed, List<RowRef> rows, Dictionary<string, int> slots,
        bool integerIntegral, List<object?[]> output)
    {
        var transformedAt = new Dictionary<Call, Dictionary<long, object>>(ReferenceEqualityComparer.Instance);
        foreach (var (call, points) in transformed)
        {
            var at = new Dictionary<long, object>(points.Count);
            foreach (var (t, v) in points) at.TryAdd(t, v);
            transformedAt[call] = at;
        }

        bool stored0 = !rows.Exists(static r => r.FromSubquery);
        bool pointRows = _topCalls.Count == 1 && _leafCalls.Count == 1 && _transformCalls.Count == 0 &&
            (_topCalls[0].Name is "top" or "bottom" or "sample" or "distinct" || (Interval == 0 && Aggregates.IsSelector(_topCalls[0].Name)));

        // Transformation points off the emitted windows (in an extra window, or holt_winters' forecasts): rows of
        // their own, the aggregates there null, merged by time with the windows' rows.
        var offWindow = new SortedSet<long>();
        foreach (var (_, points) in transformed)
        {
            foreach (var (t, _) in points)
            {
                int at = windows.BinarySearch(t);
                if (at < firstOutput || at > lastOutput) offWindow.Add(t);
            }
        }
        var offTimes = new List<long>(offWindow);
        int nextOff = 0;
        var presence = !pointRows && PerFieldLimits ? new List<bool[]>() : null;
        void EmitOffWindow(long before)
        {
            for (; nextOff < offTimes.Count && offTimes[nextOff] < before; nextOff++)
            {
                long t = offTimes[nextOff];
                output.Add(Row(t, c => transformedAt.TryGetValue(c, out var points) && points.TryGetValue(t, out var v) ? v : null, null, slots));
                presence?.Add(FieldPresence(c => transformedAt.TryGetValue(c, out var points) && points.ContainsKey(t)));
            }
        }

        for (int w = firstOutput; w <= lastOutput; w++)
        {
            EmitOffWindow(windows[w]);
            if (pointRows)
            {
                var call = _topCalls[0];
                // top(), bottom() and distinct() list a window's points in their reducer's order even under ORDER BY
                // time DESC (only the windows are reversed); the rows are reversed once at the end, so add them
                // backwards here.
                var points = leaf[call][w];
                if (!Ascending && call.Name is "top" or "bottom" or "distinct") points = [.. Enumerable.Reverse(points)];
                foreach (var smp in points)
                {
                    long time = call.Name == "distinct" ? windows[w] : smp.Time;
                    if (Interval == 0 && call.Name == "distinct") time = windows[w];
                    var row = smp.Row >= 0 ? rows[smp.Row] : null;
                    output.Add(Row(time, c => ReferenceEquals(c, call) ? smp.Value : null, row, slots));
                }
                continue;
            }
            bool any = false;
            foreach (var call in _topCalls)
            {
                if (leaf.TryGetValue(call, out var lw) ? lw[w].Count > 0 : transformedAt[call].ContainsKey(windows[w])) any = true;
            }
            if (!any) continue;
            int window = w;
            RowRef? selected = null;
            if (_leafCalls.Count == 1 && _transformCalls.Count == 0 && Aggregates.IsSelector(_leafCalls[0].Name)
                && leaf[_leafCalls[0]][w] is [{ Row: >= 0 } point, ..])
                selected = rows[point.Row];
            // integral() outside GROUP BY time keeps its reducer's time (influxql applies no interval to it): 0 for
            // floats, the range's start (0 without one) for integers.
            long rowTime = Interval == 0 && _topCalls.TrueForAll(static c => c.Name == "integral") && stored0 && !integerIntegral ? 0 : windows[w];
            output.Add(Row(rowTime, c =>
            {
                if (leaf.TryGetValue(c, out var lw)) return lw[window].Count > 0 ? lw[window][0].Value : null;
                if (transformedAt.TryGetValue(c, out var points) && points.TryGetValue(windows[window], out var v)) return v;
                return null;
            }, selected, slots));
            presence?.Add(FieldPresence(c => leaf.TryGetValue(c, out var lw)
                ? lw[window].Count > 0 && lw[window][0].Row != ScannerDefaultRow
                : transformedAt.TryGetValue(c, out var points) && points.ContainsKey(windows[window])));
        }
        EmitOffWindow(long.MaxValue);
        FillAuxiliaryCells(output);
        _fieldPresence = presence;
    }

    /// <summary>
    /// The windows of a group, ascending: with fill, every window from the range's start (or the group's first point,
    /// <paramref name="firstTime"/>) to the range's end, with the transformations' extra windows before them (after
    /// them with ORDER BY time DESC); with fill(none), the windows of <paramref name="times"/>. Without GROUP BY time,
    /// one window at the range's start. Rows are emitted for windows <paramref name="firstOutput"/> to
    /// <paramref name="lastOutput"/>.
    /// </summary>
    private List<long> BuildWindows(long firstTime, Func<IEnumerable<long>> times, out int firstOutput, out int lastOutput)
    {
        var windows = new List<long>();
        firstOutput = lastOutput = 0;
        if (Interval <= 0)
        {
            windows.Add(_range.MinSet ?? 0);
            return windows;
        }
        long first = Window(_range.MinSet ?? firstTime);
        long last = Window(_range.Max);
        int extra = compiler.ExtraIntervals;
        long start = Ascending ? first - extra * Interval : first;
        long end = Ascending ? last : last + extra * Interval;
        if (stmt.Fill != FillOption.None && (end - start) / Interval < MaxFilledWindows)
        {
            for (long w = start; w <= end;)
            {
                windows.Add(w);
                long next = Window(WindowEnd(w));
                w = next > w ? next : w + Interval;
            }
        }
        else
        {
            var set = new SortedSet<long>();
            foreach (var t in times()) set.Add(Window(t));
            windows.AddRange(set);
        }
        firstOutput = windows.BinarySearch(first);
        if (firstOutput < 0) firstOutput = ~firstOutput;
        lastOutput = windows.Count - 1;
        while (lastOutput >= firstOutput && windows[lastOutput] > last) lastOutput--;
        return windows;
    }

    /// <summary>
    /// influxql's row scanner gives a missing auxiliary field (a variable selected next to a selector) the fill
    /// default: fill(value) puts the value itself (uncast), fill(previous) keeps the row before's, in output order.
    /// </summary>
    private void FillAuxiliaryCells(List<object?[]> rows)
    {
        if (Interval <= 0 || stmt.Fill is not (FillOption.Number or FillOption.Previous)) return;
        object? value = stmt.FillValue switch { IntegerLiteral i => i.Value, NumberLiteral n => n.Value, _ => null };
        for (int f = 0; f < _fields.Count; f++)
        {
            if (_fields[f].Expr is not VarRef) continue;
            object? previous = null;
            for (int k = 0; k < rows.Count; k++)
            {
                var cells = rows[Ascending ? k : rows.Count - 1 - k];
                if (cells[f + 1] is null) cells[f + 1] = stmt.Fill == FillOption.Number ? value : previous;
                previous = cells[f + 1];
            }
        }
    }

    private object?[] Row(long time, Func<Call, object?> calls, RowRef? aux, Dictionary<string, int> slots)
    {
        var cells = new object?[_fields.Count + 1];
        cells[0] = Time(time);
        for (int i = 0; i < _fields.Count; i++) cells[i + 1] = Normalize(Evaluate(_fields[i].Expr, aux, slots, calls));
        return cells;
    }

    private long Window(long t) => Interval <= 0 ? t : WindowBounds(t).Start;

    private long WindowEnd(long windowStart) => !Windows.HasZone ? windowStart + Interval : WindowBounds(windowStart).End;

    /// <summary>influxql's IteratorOptions.Window: the window of <paramref name="t"/>, aligned in the tz() zone.</summary>
    private (long Start, long End) WindowBounds(long t) => Windows.Bounds(t);

    private void CollectSamples(Call call, List<RowRef> rows, int start, int end, Dictionary<string, int> slots, List<Sample> samples)
    {
        var arg = call.Args.Count > 0 ? call.Args[0] : null;
        if (arg is Call { Name: "distinct" } d) arg = d.Args[0];
        else if (arg is Distinct dist) arg = new VarRef(dist.Name);
        if (arg is null) return;
        for (int i = start; i < end; i++)
        {
            var v = Evaluate(arg, rows[i], slots, null);
            if (v is null) continue;
            samples.Add(new Sample(rows[i].Time, v, i));
        }
    }

    private static void ReduceCall(Call call, List<RowRef> rows, List<Sample> samples, long windowTime, List<Sample> output)
    {
        if (call.Name == "count" && call.Args[0] is Call { Name: "distinct" } or Distinct)
        {
            var distinct = new List<Sample>();
            Aggregates.Reduce(new Call("distinct", call.Args), samples, windowTime, distinct);
            if (samples.Count > 0) output.Add(new Sample(windowTime, (long)distinct.Count, -1));
            return;
        }
        if (call.Name is "top" or "bottom" && call.Args.Count > 2)
        {
            // One candidate per combination of the named tags: the best point of each.
            bool top = call.Name == "top";
            var best = new Dictionary<string, Sample>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var s in samples)
            {
                var key = new System.Text.StringBuilder();
                for (int i = 1; i < call.Args.Count - 1; i++)
                    key.Append(rows[s.Row].Series.Tag(((VarRef)call.Args[i]).Name) ?? "").Append('\0');
                string k = key.ToString();
                if (!best.TryGetValue(k, out var current))
                {
                    best[k] = s;
                    order.Add(k);
                    continue;
                }
                int c = ValueMath.Order(s.Value, current.Value);
                if (top ? c > 0 : c < 0) best[k] = s;
            }
            var candidates = new List<Sample>();
            foreach (var k in order) candidates.Add(best[k]);
            candidates.Sort(static (a, b) => a.Time.CompareTo(b.Time));
            Aggregates.Reduce(call, candidates, windowTime, output);
            return;
        }
        Aggregates.Reduce(call, samples, windowTime, output);
    }

    private void Fill(Call call, List<long> windows, List<Sample>[] perWindow)
    {
        // influxql wraps no fill iterator around these calls; integral() windows without an area have no row.
        if (call.Name is "top" or "bottom" or "sample" or "distinct" or "integral") return;
        var fill = stmt.Fill;
        object? value = null;
        if (fill == FillOption.Null && call.Name == "count")
        {
            fill = FillOption.Number;
            value = 0L;
        }
        else if (fill == FillOption.Number)
        {
            value = stmt.FillValue switch { IntegerLiteral i => i.Value, NumberLiteral n => n.Value, _ => null };
        }
        if (fill == FillOption.None) return;
        if (Array.TrueForAll(perWindow, static l => l.Count == 0))
        {
            // No value of the call in this series: InfluxDB's fill iterator never sees the series, and the row scanner
            // gives the column its default (the fill value in the column's type, else null).
            object? missing = stmt.Fill == FillOption.Number ? CastToColumnType(call, value) : null;
            for (int w = 0; w < windows.Count; w++) perWindow[w].Add(new Sample(windows[w], missing, ScannerDefaultRow));
            return;
        }
        object? previous = null;
        // fill(previous) carries values in output order: backwards for ORDER BY time DESC.
        for (int k = 0; k < windows.Count; k++)
        {
            int w = Ascending ? k : windows.Count - 1 - k;
            if (perWindow[w].Count > 0)
            {
                previous = perWindow[w][0].Value;
                continue;
            }
            object? filled = fill switch
            {
                FillOption.Number => CastLike(value, perWindow),
                FillOption.Previous => previous,
                FillOption.Linear => Linear(windows, perWindow, w),
                _ => null,
            };
            perWindow[w].Add(new Sample(windows[w], filled, -2));
        }
    }

    /// <summary>
    /// The fill value a series without any value of <paramref name="call"/> shows, as influxql's row scanner casts it to
    /// the column's type: count() is an integer and mean(), median(), stddev() floats whatever they read; other calls
    /// take their field's type across every measurement of the statement (so a field only another measurement has
    /// still casts). Integers truncate (<c>fill(-1.5)</c> is -1), strings and booleans keep the number, and a field no
    /// measurement has leaves the column null.
    /// </summary>
    private object? CastToColumnType(Call call, object? value)
    {
        DataType type = call.Name switch
        {
            "count" => DataType.Integer,
            "mean" or "median" or "stddev" => DataType.Float,
            _ => call.Args.Count > 0 && call.Args[0] is VarRef arg ? FieldDataType(arg) : DataType.AnyField,
        };
        return (type, value) switch
        {
            (DataType.Unknown, _) => null,
            (DataType.Integer, double d) => (long)d,
            (DataType.Unsigned, double d) => (ulong)d,
            (DataType.Unsigned, long l) => (ulong)l,
            (DataType.Float, long l) => (double)l,
            _ => value,
        };
    }

    private DataType FieldDataType(VarRef arg)
    {
        if (arg.Type is not (DataType.Unknown or DataType.AnyField)) return arg.Type;
        if (!_statementFieldTypes.TryGetValue(arg.Name, out var type)) return DataType.Unknown;
        return type switch
        {
            FieldType.Float => DataType.Float,
            FieldType.Integer => DataType.Integer,
            FieldType.Unsigned => DataType.Unsigned,
            FieldType.String => DataType.String,
            FieldType.Boolean => DataType.Boolean,
            _ => DataType.Unknown,
        };
    }

    /// <summary>
    /// fill(value) in the type of the call's results, as influxql's typed fill iterators cast it: an integer aggregate
    /// fills <c>fill(-1.5)</c> as -1 (truncated).
    /// </summary>
    private static object? CastLike(object? value, List<Sample>[] perWindow)
    {
        foreach (var window in perWindow)
        {
            if (window.Count == 0 || window[0].Row == -2) continue;
            return (window[0].Value, value) switch
            {
                (long, double d) => (long)d,
                (ulong, double d) => (ulong)d,
                (ulong, long l) => (ulong)l,
                (double, long l) => (double)l,
                (string, _) => "",
                (bool, _) => false,
                _ => value,
            };
        }
        return value;
    }

    /// <summary>
    /// fill(linear): the line through the nearest real values before and after, in output order (so the earlier
    /// window is "next" under ORDER BY time DESC), computed as influxql does: slope × distance + previous value.
    /// </summary>
    private object? Linear(List<long> windows, List<Sample>[] perWindow, int w)
    {
        int step = Ascending ? 1 : -1;
        int prev = w - step;
        while (prev >= 0 && prev < windows.Count && !IsReal(perWindow[prev])) prev -= step;
        int next = w + step;
        while (next >= 0 && next < windows.Count && !IsReal(perWindow[next])) next += step;
        if (prev < 0 || prev >= windows.Count || next < 0 || next >= windows.Count) return null;
        var pv = perWindow[prev][0].Value;
        var nv = perWindow[next][0].Value;
        // influxql interpolates over window numbers (time / interval, truncated), not nanoseconds: the slope and the
        // distance then round as InfluxDB's do.
        long at = windows[prev] / Interval;
        double dt = windows[next] / Interval - at, x = windows[w] / Interval - at;
        if (pv is long pl && nv is long nl) return (long)((double)(nl - pl) / dt * x + pl);
        double a = ValueMath.ToDouble(pv), b = ValueMath.ToDouble(nv);
        return (b - a) / dt * x + a;

        static bool IsReal(List<Sample> window) => window.Count > 0 && window[0].Row != -2 && window[0].Value is not null;
    }

    /// <summary>
    /// True when <paramref name="call"/> reads only the query's range though the rows reach beyond it: rows were read
    /// beyond the range for the transformations that start a window early, and any other aggregate reads only the
    /// range (influxql builds an iterator per call), which matters when it starts mid-window.
    /// </summary>
    private bool ReadsRangeOnly(Call call)
    {
        if (compiler.ExtraIntervals == 0 || Interval == 0) return false;
        foreach (var t in _transformCalls)
            if (Transforms.ReadsWindowBefore(t.Name) && ReferenceEquals(t.Args[0], call)) return false;
        return true;
    }

    /// <summary>The rows a leaf call reads: not the extra windows the transformations read around the range.</summary>
    private List<RowRef> CallRows(Call call, List<RowRef> rows)
    {
        if (ReadsRangeOnly(call)) return rows.FindAll(r => r.Time >= _range.Min && r.Time <= _range.Max);
        if (!_nestedCalls.Contains(call) && compiler.ExtraIntervals > 0 && _range.MinSet is { } rangeStart) return rows.FindAll(r => r.Time >= rangeStart);
        return rows;
    }
}
