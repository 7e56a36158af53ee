using System.Diagnostics;
using Cairn.Query.Ast;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

/// <summary>
/// EXPLAIN: the iterators InfluxDB's query engine would build for the prepared statement (query/select.go
/// buildCursor), and for each, what it reads per source measurement and shard (tsm1's IteratorCost: series after the
/// tag conditions, then per series the cost of the iterator's field, of each auxiliary field and of each field in
/// the condition).
/// </summary>
internal sealed partial class QueryPlan
{
    /// <summary>Adds the plan's iterators and their reads over <paramref name="sources"/> (per FROM source, its measurements in its shards).</summary>
    public void Describe(IReadOnlyList<List<(string Measurement, IShardReader Shard)>> sources, QueryStatistics into)
    {
        var fieldTypes = new SortedDictionary<string, FieldType>(StringComparer.Ordinal);
        var tagKeys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            foreach (var (measurement, shard) in source)
            {
                foreach (var (key, type) in shard.Fields(measurement)) fieldTypes.TryAdd(key, type);
                foreach (var key in shard.TagKeys(measurement)) tagKeys.Add(key);
            }
        }

        var typedFields = new List<Field>(_fields.Count);
        foreach (var f in _fields) typedFields.Add(f with { Expr = SelectTypes.Resolve(f.Expr, fieldTypes, tagKeys) });
        var typedCondition = condition is null ? null : SelectTypes.Resolve(condition, fieldTypes, tagKeys);
        into.Condition = typedCondition?.ToString();
        into.Statement = (stmt with { Fields = new NodeList<Field>([.. typedFields]), Condition = typedCondition }).ToString();

        foreach (var (expression, call, aux, field) in Iterators(typedFields))
        {
            var iterator = new IteratorStatistics(expression, call, [.. aux.Select(static a => a.ToString())]);
            foreach (var source in sources)
            {
                var reads = new List<ShardReadStatistics>();
                foreach (var (measurement, shard) in source) reads.Add(ReadOf(measurement, shard, field, aux));
                iterator.Sources.Add(reads);
            }
            into.Iterators.Add(iterator);
        }
    }

    /// <summary>
    /// The iterators of buildCursor: one over the auxiliary fields for a raw query (none when no name has a type),
    /// else one per distinct selected call whose type is known, reading what that call reads from storage.
    /// </summary>
    private List<(string? Expression, string? Call, VarRef[] Aux, string? Field)> Iterators(List<Field> typedFields)
    {
        var refs = new SortedSet<(string Name, DataType Type)>();
        foreach (var f in typedFields) CollectAuxRefs(f.Expr, insideCall: false, refs);
        var aux = refs.Select(static r => new VarRef(r.Name, r.Type)).ToArray();
        var iterators = new List<(string?, string?, VarRef[], string?)>();
        if (_raw)
        {
            if (refs.Any(r => r.Type != DataType.Unknown)) iterators.Add((null, null, aux, null));
            return iterators;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in typedFields)
        {
            foreach (var call in TopLevelCalls(f.Expr))
            {
                string text = call.ToString();
                if (!seen.Add(text) || SelectTypes.TypeOf(call) == DataType.Unknown) continue;
                var read = StorageExpression(call);
                string? field = read switch
                {
                    VarRef v => v.Name,
                    Call { Args.Count: > 0 } c when c.Args[0] is VarRef v => v.Name,
                    _ => null,
                };
                iterators.Add((read.ToString(), text, aux, field));
            }
        }
        return iterators;
    }

    /// <summary>The names outside calls (a raw query's, a selector's auxiliary fields).</summary>
    private static void CollectAuxRefs(Expr expr, bool insideCall, SortedSet<(string, DataType)> refs)
    {
        switch (expr)
        {
            case VarRef v when !insideCall: refs.Add((v.Name, v.Type)); break;
            case ParenExpr p: CollectAuxRefs(p.Expr, insideCall, refs); break;
            case BinaryExpr b:
                CollectAuxRefs(b.Lhs, insideCall, refs);
                CollectAuxRefs(b.Rhs, insideCall, refs);
                break;
            case Call c when ValueMath.IsMathFunction(c.Name):
                foreach (var a in c.Args) CollectAuxRefs(a, insideCall, refs);
                break;
        }
    }

    private static IEnumerable<Call> TopLevelCalls(Expr expr)
    {
        switch (expr)
        {
            case ParenExpr p:
                foreach (var c in TopLevelCalls(p.Expr)) yield return c;
                break;
            case BinaryExpr b:
                foreach (var c in TopLevelCalls(b.Lhs)) yield return c;
                foreach (var c in TopLevelCalls(b.Rhs)) yield return c;
                break;
            case Call c when ValueMath.IsMathFunction(c.Name):
                foreach (var a in c.Args)
                    foreach (var inner in TopLevelCalls(a)) yield return inner;
                break;
            case Call c:
                yield return c;
                break;
        }
    }

    /// <summary>
    /// What the storage iterator of a call reads (buildCallIterator): count, min, max, sum, first, last and mean run in
    /// the storage engine on their field; count(distinct()) and the other calls read their argument, a transformation
    /// the call it wraps.
    /// </summary>
    private static Expr StorageExpression(Call call)
    {
        if (call.Args.Count == 0) return call;
        if (call.Name == "count" && call.Args[0] is Call { Name: "distinct" } distinct) return StorageExpression(distinct);
        if (call.Name is "count" or "min" or "max" or "sum" or "first" or "last" or "mean") return call;
        return call.Args[0] is Call inner ? StorageExpression(inner) : call.Args[0];
    }

    /// <summary>One create_iterator: the shard's series of the measurement that pass the tag conditions, and what reading them costs.</summary>
    private ShardReadStatistics ReadOf(string measurement, IShardReader shard, string? field, VarRef[] aux)
    {
        long started = Stopwatch.GetTimestamp();
        var types = new Dictionary<string, FieldType>(StringComparer.Ordinal);
        foreach (var (key, type) in shard.Fields(measurement)) types[key] = type;
        var tags = new HashSet<string>(shard.TagKeys(measurement), StringComparer.Ordinal);

        var required = new List<(string Tag, string Value, bool Equal)>();
        var anyOf = new List<List<(string Tag, string Value)>>();
        var conditionSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        if (condition is not null)
        {
            CollectTagConjuncts(condition, tags, types, required, anyOf);
            CollectFieldRefs(condition, types, conditionSlots);
        }
        var series = new List<SeriesEntry>();
        foreach (var s in shard.Series(measurement))
            if (MatchesTagConjuncts(s, required, anyOf)) series.Add(s);

        // Only the fields of this measurement open cursors (tags come from the series key).
        var auxFields = new List<string>();
        foreach (var a in aux)
            if (a.Type != DataType.Tag && types.ContainsKey(a.Name)) auxFields.Add(a.Name);
        bool hasField = field is not null && types.ContainsKey(field);

        long min = ReadStart(), max = _range.Max;
        var total = default(ReadCost);
        var byType = new Dictionary<FieldType, ReadCost>();
        void Add(SeriesEntry s, string name)
        {
            var cost = shard.Cost(s.Key, name, min, max);
            total += cost;
            var type = types[name];
            byType[type] = (byType.TryGetValue(type, out var sum) ? sum : default) + cost;
        }
        foreach (var s in series)
        {
            if (hasField) Add(s, field!);
            foreach (var name in auxFields) Add(s, name);
            foreach (var name in conditionSlots.Keys) Add(s, name);
        }
        long elapsed = (long)(Stopwatch.GetElapsedTime(started).Ticks * 100L);
        return new ShardReadStatistics(measurement, shard.ShardId, series.Count, hasField ? series.Count : 0, (long)series.Count * auxFields.Count,
            (long)series.Count * conditionSlots.Count, total, byType, elapsed);
    }
}
