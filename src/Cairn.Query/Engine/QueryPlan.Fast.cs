using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

internal sealed partial class QueryPlan
{
    /// <summary>
    /// Set by the engine when the measurement's shards never hold the same point twice (one database and retention
    /// policy), so their values can be folded as they are read instead of merged by time first.
    /// </summary>
    public bool ShardsDisjoint { get; init; }

    /// <summary>The partial states of one GROUP BY group: per window start, one <see cref="FieldPartial"/> per leaf call.</summary>
    private sealed class PartialGroup(string[] tags, int calls)
    {
        public readonly string[] Tags = tags;
        public readonly Dictionary<long, FieldPartial[]> Windows = [];
        public long MinTime = long.MaxValue;
        private long _lastWindow = long.MinValue;
        private FieldPartial[]? _last;

        public FieldPartial[] At(long window)
        {
            if (_last is not null && window == _lastWindow) return _last;
            if (!Windows.TryGetValue(window, out var partials)) Windows[window] = partials = new FieldPartial[calls];
            _lastWindow = window;
            return _last = partials;
        }
    }

    /// <summary>
    /// The aggregate path without rows: when every call is a simple aggregate of one field (count, sum, mean, min,
    /// max, first, last, spread), the fields are plain calls and the condition names only tags, each series' values
    /// are folded straight into typed per-window partials of its group, then filled and emitted as the row path does.
    /// False when the query needs the row path.
    /// </summary>
    private bool TryRunWithPartials(string measurement, List<IShardReader> shards, List<ResultSeries> output)
    {
        if (!ShardsDisjoint || _raw || _transformCalls.Count > 0 || _leafCalls.Count == 0) return false;
        foreach (var f in _fields)
            if (!OnlyCalls(f.Expr)) return false;

        var fieldTypes = new Dictionary<string, FieldType>(StringComparer.Ordinal);
        var tagKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            if (shard is SubqueryShard) return false;
            foreach (var (key, type) in shard.Fields(measurement))
            {
                // A field with another type in another shard needs the row path's casts.
                if (fieldTypes.TryGetValue(key, out var seen) && seen != type) return false;
                fieldTypes[key] = type;
            }
            foreach (var key in shard.TagKeys(measurement)) tagKeys.Add(key);
        }

        // The fields read, and for each the leaf calls it feeds.
        var fields = new List<(string Name, FieldType Type, List<int> Calls)>();
        for (int i = 0; i < _leafCalls.Count; i++)
        {
            var call = _leafCalls[i];
            if (call.Args.Count != 1 || call.Args[0] is not VarRef { Type: not DataType.Tag } arg) return false;
            if (!fieldTypes.TryGetValue(arg.Name, out var type) || !FieldPartial.Supports(call.Name, type)) return false;
            if (arg.Type is not (DataType.Unknown or DataType.AnyField) && arg.Type != DataTypeOf(type)) return false;
            int at = fields.FindIndex(f => f.Name == arg.Name);
            if (at < 0) fields.Add((arg.Name, type, [i]));
            else fields[at].Calls.Add(i);
        }
        if (condition is not null && !OnlyTags(condition, fieldTypes)) return false;

        var required = new List<(string Tag, string Value, bool Equal)>();
        var anyOf = new List<List<(string Tag, string Value)>>();
        if (condition is not null) CollectTagConjuncts(condition, tagKeys, fieldTypes, required, anyOf);
        var series = new SortedDictionary<string, SeriesEntry>(StringComparer.Ordinal);
        var noSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            foreach (var s in shard.Series(measurement))
            {
                if (!MatchesTagConjuncts(s, required, anyOf)) continue;
                string key = Encoding.UTF8.GetString(s.Key);
                if (series.ContainsKey(key)) continue;
                // The condition names only tags: it holds for every point of the series or for none.
                if (condition is not null && Evaluate(condition, new RowRef(0, [], s), noSlots, null, forCondition: true) is not true) continue;
                series.Add(key, s);
            }
        }

        var groups = new SortedDictionary<string, PartialGroup>(StringComparer.Ordinal);
        var calls = _leafCalls.Count;
        foreach (var (_, entry) in series)
        {
            PartialGroup? group = null;
            foreach (var (name, type, feeds) in fields)
            {
                foreach (var shard in shards)
                {
                    var values = shard.Read(entry.Key, name, _range.Min, _range.Max);
                    if (values is null || values.Count == 0 || values.Type != type) continue;
                    group ??= GroupOf(groups, entry, calls);
                    Fold(group, values, feeds);
                }
            }
        }

        var ordered = new List<PartialGroup>(groups.Values);
        if (!Ascending) ordered.Reverse();
        var noTransforms = new Dictionary<Call, List<(long Time, object Value)>>(ReferenceEqualityComparer.Instance);
        var callTypes = new FieldType[calls];
        foreach (var (_, type, feeds) in fields)
            foreach (int c in feeds) callTypes[c] = type;
        foreach (var group in ordered)
        {
            var windows = BuildWindows(group.MinTime, () => group.Windows.Keys, out int firstOutput);
            var leaf = new Dictionary<Call, List<Sample>[]>(ReferenceEqualityComparer.Instance);
            for (int c = 0; c < calls; c++)
            {
                var call = _leafCalls[c];
                var perWindow = new List<Sample>[windows.Count];
                for (int w = 0; w < windows.Count; w++)
                {
                    perWindow[w] = [];
                    long key = Interval > 0 ? windows[w] : 0;
                    if (group.Windows.TryGetValue(key, out var partials) && partials[c].Count > 0)
                        perWindow[w].Add(partials[c].Finish(call.Name, callTypes[c], windows[w]));
                }
                if (Interval > 0) Fill(call, windows, perWindow);
                leaf[call] = perWindow;
            }
            var rows = new List<object?[]>();
            EmitWindows(windows, firstOutput, leaf, noTransforms, [], noSlots, rows);
            AppendSeries(measurement, group.Tags, rows, output);
        }
        return true;
    }

    private PartialGroup GroupOf(SortedDictionary<string, PartialGroup> groups, SeriesEntry entry, int calls)
    {
        var tagValues = new string[_dimensions.Count];
        var key = new StringBuilder();
        for (int i = 0; i < _dimensions.Count; i++)
        {
            tagValues[i] = entry.Tag(_dimensions[i]) ?? "";
            key.Append(tagValues[i]).Append('\0');
        }
        string k = key.ToString();
        if (!groups.TryGetValue(k, out var group)) groups[k] = group = new PartialGroup(tagValues, calls);
        return group;
    }

    private void Fold(PartialGroup group, ShardValues values, List<int> feeds)
    {
        var times = values.Times;
        var bits = values.Bits;
        var strings = values.Type == FieldType.String ? values.Strings : null;
        var type = values.Type;
        if (times[0] < group.MinTime) group.MinTime = times[0];
        long windowStart = long.MaxValue, windowEnd = long.MinValue;
        FieldPartial[] partials = [];
        for (int i = 0; i < times.Length; i++)
        {
            long t = times[i];
            if (Interval <= 0)
            {
                if (i == 0) partials = group.At(0);
            }
            else if (t < windowStart || t >= windowEnd)
            {
                (windowStart, windowEnd) = WindowBounds(t);
                partials = group.At(windowStart);
            }
            long b = strings is null ? bits[i] : 0;
            string? text = strings?[i];
            foreach (int c in feeds) partials[c].Add(type, t, b, text);
        }
    }

    private static DataType DataTypeOf(FieldType type) => type switch
    {
        FieldType.Float => DataType.Float,
        FieldType.Integer => DataType.Integer,
        FieldType.Unsigned => DataType.Unsigned,
        FieldType.Boolean => DataType.Boolean,
        _ => DataType.String,
    };

    /// <summary>True when <paramref name="expr"/> reads fields only through calls (no auxiliary field or tag).</summary>
    private static bool OnlyCalls(Expr expr) => expr switch
    {
        Call c when ValueMath.IsMathFunction(c.Name) => c.Args.All(OnlyCalls),
        Call => true,
        BinaryExpr b => OnlyCalls(b.Lhs) && OnlyCalls(b.Rhs),
        ParenExpr p => OnlyCalls(p.Expr),
        VarRef => false,
        _ => true,
    };

    /// <summary>True when <paramref name="expr"/> names no field and calls nothing.</summary>
    private static bool OnlyTags(Expr expr, Dictionary<string, FieldType> fieldTypes) => expr switch
    {
        VarRef v => v.Type == DataType.Tag || !fieldTypes.ContainsKey(v.Name),
        BinaryExpr b => OnlyTags(b.Lhs, fieldTypes) && OnlyTags(b.Rhs, fieldTypes),
        ParenExpr p => OnlyTags(p.Expr, fieldTypes),
        Call => false,
        _ => true,
    };
}
