using System.Text;
using Cairn.Query.Ast;

namespace Cairn.Query.Engine;

/// <summary>
/// The order InfluxDB merges a group's points in, and the arithmetic of its shard-pushed aggregates (see
/// <see cref="MergeOrder"/>). InfluxDB reads one cursor per (shard, series) and merges:
/// <list type="bullet">
/// <item>field values (raw rows, and the input of every aggregate that is not pushed to the shards: stddev, distinct,
/// median, …): a sorted merge per shard over the tag set's series (key order, reversed for ORDER BY time DESC),
/// then the shards in time order; the top-level options always ask for ordered output;</item>
/// <item>mean and sum: reduced per (shard, series, window) over the points in cursor order, the series partials
/// merged in <c>GOMAXPROCS</c> runs and reduced per shard, the shard partials of every group merged at once (one heap
/// over the shards) and reduced again, then once more per regex source and once more per statement. A mean partial
/// of n ≥ 2 points re-enters as <c>mean * n</c>, so even a lone input is re-rounded at every level.</item>
/// </list>
/// </summary>
internal sealed partial class QueryPlan
{
    private readonly record struct Partial(long Window, double Value, long Count);

    /// <summary>
    /// What the tags of <paramref name="series"/> say about <paramref name="condition"/>: false when no point of the
    /// series can pass (InfluxDB's index leaves it out of the tag set), true when every point passes, null when the
    /// fields decide.
    /// </summary>
    private bool? TagVerdict(Expr condition, SeriesEntry series)
    {
        switch (condition)
        {
            case ParenExpr p:
                return TagVerdict(p.Expr, series);
            case BooleanLiteral b:
                return b.Value;
            case BinaryExpr { Op: BinaryOperator.And } and:
            {
                bool? l = TagVerdict(and.Lhs, series), r = TagVerdict(and.Rhs, series);
                if (l == false || r == false) return false;
                return l == true && r == true ? true : null;
            }
            case BinaryExpr { Op: BinaryOperator.Or } or:
            {
                bool? l = TagVerdict(or.Lhs, series), r = TagVerdict(or.Rhs, series);
                if (l == true || r == true) return true;
                return l == false && r == false ? false : null;
            }
            case BinaryExpr { Lhs: VarRef name, Rhs: StringLiteral or RegexLiteral } cmp
                when name.Type is DataType.Unknown or DataType.Tag && name.Name != "time" && !_conditionFields.Contains(name.Name):
                return Evaluate(cmp, new RowRef(0, [], series), NoSlots, null, forCondition: true) is true;
            default:
                return null;
        }
    }

    private static readonly Dictionary<string, int> NoSlots = new(StringComparer.Ordinal);

    /// <summary>The fields of the measurement being run that the condition names (set by <see cref="Run"/>).</summary>
    private HashSet<string> _conditionFields = new(StringComparer.Ordinal);

    /// <summary>
    /// The rows of a group ascending by time, points of equal time in the order InfluxDB's sorted merge emits them (for
    /// ORDER BY time DESC the reverse of its descending order, so reversing the result gives InfluxDB's rows).
    /// </summary>
    private List<RowRef> InfluxOrder(List<RowRef> rows, GroupSeries group)
    {
        if (rows.Exists(static r => r.FromSubquery)) return [.. rows.OrderBy(static r => r.Time)];
        var perShard = PerShardInputs(rows, group);
        var output = new List<RowRef>(rows.Count);
        Func<RowRef, RowRef, bool>? tieLess = _raw ? AuxLess : null;
        foreach (var (_, inputs) in perShard) output.AddRange(MergeOrder.Sorted(inputs, static r => r.Time, Ascending, tieLess));
        if (!Ascending) output.Reverse();
        return output;
    }

    /// <summary>
    /// influxql's sorted merge of raw rows at equal times: the auxiliary fields (the selected variables, sorted by
    /// name) compared while both are strings, the first unequal pair deciding (reversed for ORDER BY time DESC); any other
    /// type leaves the order undecided.
    /// </summary>
    private bool AuxLess(RowRef x, RowRef y)
    {
        foreach (var v in AuxRefs())
        {
            if (AuxValue(v, x) is not string a || AuxValue(v, y) is not string b) return false;
            int c = string.CompareOrdinal(a, b);
            if (c != 0) return Ascending ? c < 0 : c > 0;
        }
        return false;
    }

    private object? AuxValue(VarRef v, RowRef row)
    {
        if (v.Type != DataType.Tag && _rawSlots is { } slots && slots.TryGetValue(v.Name, out int slot)) return row.Values[slot];
        return row.Series.Tag(v.Name) is { Length: > 0 } tag ? tag : null;
    }

    private List<VarRef>? _auxRefs;

    /// <summary>The slots of the measurement being run (set by <see cref="Run"/>).</summary>
    private Dictionary<string, int>? _rawSlots;

    /// <summary>
    /// The variables the fields select, each once: influxql's auxiliary fields, which it collects in a map and sorts
    /// by name, then type (so in <c>SELECT usage, host</c> the tag <c>host</c> is compared first).
    /// </summary>
    private List<VarRef> AuxRefs()
    {
        if (_auxRefs is not null) return _auxRefs;
        var refs = new List<VarRef>();
        var seen = new HashSet<(string, DataType)>();
        void Visit(Expr e)
        {
            switch (e)
            {
                case VarRef v: if (v.Name != "time" && seen.Add((v.Name, v.Type))) refs.Add(v); break;
                case BinaryExpr b: Visit(b.Lhs); Visit(b.Rhs); break;
                case ParenExpr p: Visit(p.Expr); break;
                case Call c: foreach (var a in c.Args) Visit(a); break;
            }
        }
        foreach (var f in _fields) Visit(f.Expr);
        refs.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var c && c != 0 ? c : a.Type.CompareTo(b.Type));
        return _auxRefs = refs;
    }

    /// <summary>
    /// Per shard (ascending by time, descending for ORDER BY time DESC) with its index, per member series in tag-set
    /// order, the group's rows of that series and shard in cursor order. Members the shard's index lacks are left out.
    /// </summary>
    private List<(int Shard, List<List<RowRef>> Inputs)> PerShardInputs(List<RowRef> rows, GroupSeries group)
    {
        var bySeries = new Dictionary<(int Shard, SeriesEntry Series), List<RowRef>>();
        var shardFirst = new SortedDictionary<int, long>();
        foreach (var r in rows)
        {
            if (!bySeries.TryGetValue((r.Shard, r.Series), out var list)) bySeries[(r.Shard, r.Series)] = list = [];
            list.Add(r);
            if (!shardFirst.TryGetValue(r.Shard, out long first) || r.Time < first) shardFirst[r.Shard] = r.Time;
        }
        var shards = new List<int>(shardFirst.Keys);
        shards.Sort((a, b) => shardFirst[a].CompareTo(shardFirst[b]));
        if (!Ascending) shards.Reverse();

        var members = new List<(SeriesEntry Entry, string Key)>(group.Members.Count);
        foreach (var m in group.Members) members.Add((m, Encoding.UTF8.GetString(m.Key)));
        if (!Ascending) members.Reverse();

        var result = new List<(int, List<List<RowRef>>)>(shards.Count);
        foreach (int shard in shards)
        {
            var inputs = new List<List<RowRef>>();
            foreach (var (entry, key) in members)
            {
                if (!group.ShardKeys[shard].Contains(key)) continue;
                if (!bySeries.TryGetValue((shard, entry), out var list))
                {
                    inputs.Add([]);
                    continue;
                }
                var ordered = new List<RowRef>(list);
                ordered.Sort(static (a, b) => a.Time.CompareTo(b.Time));
                if (!Ascending) ordered.Reverse();
                inputs.Add(ordered);
            }
            result.Add((shard, inputs));
        }
        return result;
    }

    private long WindowKey(long time) => Interval > 0 ? Window(time) : 0;

    /// <summary>
    /// mean() and sum() of a float (or, for mean, integer) field, per group and window, computed through InfluxDB's
    /// reduce levels so the float result is bit for bit InfluxDB's, stored in each group's <see cref="GroupSeries.Leveled"/>
    /// (keys are window starts, 0 without GROUP BY time). <paramref name="groups"/> are the measurement's groups in output
    /// order with their rows in InfluxDB's order: the shard level merges all of them at once (see
    /// <see cref="MergeShardLevel"/>).
    /// </summary>
    private void LevelMeansAndSums(List<(List<RowRef> Rows, GroupSeries Series)> groups, Dictionary<string, int> slots)
    {
        foreach (var call in _leafCalls)
        {
            if (call.Name is not ("mean" or "sum") || call.Args[0] is not VarRef) continue;
            bool mean = call.Name == "mean";
            var streams = new List<SortedDictionary<int, List<Partial>>>(groups.Count);
            var shardFirst = new Dictionary<int, long>();
            foreach (var (rows, group) in groups)
            {
                var perShard = new SortedDictionary<int, List<Partial>>();
                streams.Add(perShard);
                // Shard levels exist only over stored series; a subquery's rows are reduced as they come.
                if (rows.Exists(static r => r.FromSubquery)) continue;
                var callRows = CallRows(call, rows);
                foreach (var r in callRows)
                    if (!shardFirst.TryGetValue(r.Shard, out long first) || r.Time < first) shardFirst[r.Shard] = r.Time;
                foreach (var (shard, inputs) in PerShardInputs(callRows, group))
                {
                    var seriesPartials = new List<List<Partial>>(inputs.Count);
                    foreach (var input in inputs) seriesPartials.Add(ReduceSeries(call, input, slots, mean));
                    perShard[shard] = Reduce(MergeOrder.ParallelWindowed(seriesPartials, static p => p.Window, Ascending), mean);
                }
            }
            // The shards in time order, whatever the direction (tsdb lists a shard group's shards by time).
            var order = new List<int>(shardFirst.Keys);
            order.Sort((a, b) => shardFirst[a] != shardFirst[b] ? shardFirst[a].CompareTo(shardFirst[b]) : a.CompareTo(b));
            var merged = MergeShardLevel(streams, order, Ascending);
            for (int g = 0; g < groups.Count; g++)
            {
                if (streams[g].Count == 0) continue;
                var group = groups[g].Series;
                var levels = Reduce(merged[g], mean);
                if (group.RegexSource) levels = Reduce(levels, mean);
                levels = Reduce(levels, mean);
                var result = new Dictionary<long, double>(levels.Count);
                foreach (var p in levels) result[p.Window] = p.Value;
                group.Leveled[call] = result;
            }
        }
    }

    /// <summary>
    /// The shard level of mean() and sum(): tsdb merges the shards' iterators of a measurement with one merge iterator,
    /// each shard handing over every group's partials (groups in output order, windows in output order within a group),
    /// and the heap orders them by tags then window. The partials of one group and window thus reach the reducer in an
    /// order the other groups' partials help decide (they move the shards around in the heap), which changes the last
    /// bit of the sum. <paramref name="streams"/>: per group, per shard index, its shard partials; returns per group its
    /// partials in merge order.
    /// </summary>
    private static List<Partial>[] MergeShardLevel(List<SortedDictionary<int, List<Partial>>> streams, List<int> shardOrder, bool ascending)
    {
        var inputs = new List<List<(int Group, Partial Partial)>>(shardOrder.Count);
        foreach (int shard in shardOrder)
        {
            var input = new List<(int, Partial)>();
            for (int g = 0; g < streams.Count; g++)
                if (streams[g].TryGetValue(shard, out var partials))
                    foreach (var p in partials) input.Add((g, p));
            inputs.Add(input);
        }
        var output = new List<Partial>[streams.Count];
        for (int g = 0; g < output.Length; g++) output[g] = [];
        if (inputs.Count == 0) return output;
        var merged = MergeOrder.Windowed(inputs, (x, y) => x.Group != y.Group ? x.Group.CompareTo(y.Group)
            : ascending ? x.Partial.Window.CompareTo(y.Partial.Window) : y.Partial.Window.CompareTo(x.Partial.Window));
        foreach (var (g, p) in merged) output[g].Add(p);
        return output;
    }

    /// <summary>The first level: one series' points of one shard, in cursor order, reduced per window.</summary>
    private List<Partial> ReduceSeries(Call call, List<RowRef> points, Dictionary<string, int> slots, bool mean)
    {
        var output = new List<Partial>();
        long window = 0, count = 0;
        double sum = 0;
        foreach (var r in points)
        {
            var v = Evaluate(call.Args[0], r, slots, null);
            if (v is null || !ValueMath.IsNumber(v)) continue;
            long w = WindowKey(r.Time);
            if (count > 0 && w != window)
            {
                output.Add(new Partial(window, mean ? sum / count : sum, count));
                sum = 0;
                count = 0;
            }
            window = w;
            sum += ValueMath.ToDouble(v);
            count++;
        }
        if (count > 0) output.Add(new Partial(window, mean ? sum / count : sum, count));
        return output;
    }

    /// <summary>
    /// A reduce level over partials grouped by window: influxql's float mean reducer adds <c>value * n</c> for a
    /// partial of n ≥ 2 points and the value itself otherwise; the sum reducer adds the values.
    /// </summary>
    private static List<Partial> Reduce(List<Partial> input, bool mean)
    {
        var output = new List<Partial>();
        int i = 0;
        while (i < input.Count)
        {
            long window = input[i].Window, count = 0;
            double sum = 0;
            for (; i < input.Count && input[i].Window == window; i++)
            {
                var p = input[i];
                if (mean && p.Count >= 2) sum += p.Value * p.Count;
                else sum += p.Value;
                count += mean && p.Count < 2 ? 1 : p.Count;
            }
            output.Add(new Partial(window, mean ? sum / count : sum, count));
        }
        return output;
    }

    /// <summary>
    /// SLIMIT and SOFFSET as InfluxDB applies them: in each shard, over that shard's tag sets (the groups with a
    /// series in the shard's index that the condition's tags allow, points or not), sorted by their marshalled tags
    /// (<c>k1|k2|v1|v2</c>, empty values left out; the same order under ORDER BY time DESC). A group keeps only the
    /// rows of shards that selected it; nothing is limited again over the result.
    /// </summary>
    private void LimitSeriesPerShard(SortedDictionary<string, (string[] Tags, List<RowRef> Rows, List<SeriesEntry> Members)> groups, HashSet<string>[] shardKeys)
    {
        var sortKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, group) in groups)
        {
            var keys = new List<string>();
            var values = new List<string>();
            for (int i = 0; i < _dimensions.Count; i++)
            {
                if (group.Tags[i].Length == 0) continue;
                keys.Add(_dimensions[i]);
                values.Add(group.Tags[i]);
            }
            sortKeys[key] = string.Join('|', keys) + (keys.Count > 0 ? "|" : "") + string.Join('|', values);
        }
        int skip = (int)Math.Min(stmt.SOffset, int.MaxValue);
        int take = stmt.SLimit > 0 ? (int)Math.Min(stmt.SLimit, int.MaxValue) : int.MaxValue;
        var allowed = new HashSet<string>[shardKeys.Length];
        for (int shard = 0; shard < shardKeys.Length; shard++)
        {
            var present = new List<string>();
            foreach (var (key, group) in groups)
            {
                if (group.Members.Exists(m => shardKeys[shard].Contains(Encoding.UTF8.GetString(m.Key)))) present.Add(key);
            }
            present.Sort((a, b) => string.CompareOrdinal(sortKeys[a], sortKeys[b]));
            allowed[shard] = new HashSet<string>(present.Skip(skip).Take(take), StringComparer.Ordinal);
        }
        foreach (var (key, group) in groups) group.Rows.RemoveAll(r => !allowed[r.Shard].Contains(key));
    }

    /// <summary>
    /// The LIMIT a shard applies to a raw query before the rows are merged: InfluxDB's storage limit iterator passes
    /// a tag set's points while <c>n - offset ≤ limit</c>, so each shard hands over its first offset + limit + 1 rows
    /// (offset + 1 without LIMIT, which is why OFFSET alone leaves so few rows), and OFFSET/LIMIT then apply to the
    /// merged rows as usual.
    /// </summary>
    private List<RowRef> StorageLimit(List<RowRef> rows, Dictionary<string, int> slots)
    {
        long keep = stmt.Offset + stmt.Limit + 1;
        var selected = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in _fields) CollectSelectedSlots(f.Expr, slots, selected);
        var counts = new Dictionary<int, long>();
        var kept = new List<RowRef>(rows.Count);
        for (int k = 0; k < rows.Count; k++)
        {
            var r = rows[Ascending ? k : rows.Count - 1 - k];
            bool any = false;
            foreach (var (_, slot) in selected) any |= r.Values[slot] is not null;
            if (!any) continue;
            long n = counts.GetValueOrDefault(r.Shard) + 1;
            counts[r.Shard] = n;
            if (n <= keep) kept.Add(r);
        }
        if (!Ascending) kept.Reverse();
        return kept;
    }

    /// <summary>
    /// top() or bottom() of a bare field (no tag arguments) as the only call: influxql builds its input from the
    /// statement's iterator options with LIMIT and OFFSET still set (only the other calls clear them), so the shards
    /// apply the raw storage limit (<see cref="StorageLimit"/>) to the points top() or bottom() then choose from.
    /// </summary>
    private bool TopBottomReadsLimited =>
        _leafCalls.Count == 1 && _transformCalls.Count == 0 && _leafCalls[0] is { Name: "top" or "bottom", Args.Count: 2 };

    /// <summary>The rows where a field the SELECT reads has a value (condition-only rows dropped).</summary>
    private List<RowRef> KeepSelected(List<RowRef> rows, Dictionary<string, int> slots)
    {
        var selected = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in _fields) CollectSelectedSlots(f.Expr, slots, selected);
        return rows.FindAll(r =>
        {
            foreach (var (_, slot) in selected)
                if (r.Values[slot] is not null) return true;
            return false;
        });
    }
}
