using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Query.Ast;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

/// <summary>One point of a series after the condition: its time, the values of the fields the query reads, its series.</summary>
internal sealed record RowRef(long Time, object?[] Values, SeriesEntry Series, bool FromSubquery = false, int Shard = 0);

/// <summary>
/// The series of one GROUP BY group as InfluxDB's tag set holds them: every series whose tags do not rule out the
/// condition, sorted by key, with the shards whose index has each. InfluxDB creates one cursor per such series and
/// shard, so they shape the order in which points are merged, even those without points.
/// </summary>
internal sealed record GroupSeries(List<SeriesEntry> Members, HashSet<string>[] ShardKeys, bool RegexSource)
{
    /// <summary>mean() and sum() per window through InfluxDB's reduce levels, computed over all the measurement's groups at once.</summary>
    public Dictionary<Call, Dictionary<long, double>> Leveled { get; } = new(ReferenceEqualityComparer.Instance);
}

/// <summary>
/// A compiled SELECT over its measurements: the expanded fields and column names, the GROUP BY tags and window,
/// and the run over one measurement's shards that yields its series.
/// </summary>
internal sealed partial class QueryPlan(SelectStatement stmt, SelectCompiler compiler, Expr? condition, QueryTimeRange range, long now)
{
    private const long MaxFilledWindows = 1_000_000;

    private readonly Dictionary<string, Regex> _regexes = new(StringComparer.Ordinal);
    private readonly List<Field> _fields = [];
    private readonly List<string> _dimensions = [];
    private string[] _columns = [];
    private QueryTimeRange _range = range;
    private bool _raw;
    private readonly List<Call> _leafCalls = [];
    private readonly List<Call> _transformCalls = [];
    private readonly List<Call> _topCalls = [];
    private readonly HashSet<Call> _nestedCalls = new(ReferenceEqualityComparer.Instance);

    private long Interval => compiler.Interval;

    private bool Ascending => stmt.TimeAscending;

    // The fields of every measurement the statement reads, with their types: a call's column type comes from them.
    private IReadOnlyDictionary<string, FieldType> _statementFieldTypes = new Dictionary<string, FieldType>();

    public bool TryPrepare(SortedDictionary<string, List<IShardReader>> measurements, [NotNullWhen(false)] out string? error)
    {
        error = null;
        var fieldTypes = new SortedDictionary<string, FieldType>(StringComparer.Ordinal);
        var tagKeys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (name, shards) in measurements)
        {
            foreach (var shard in shards)
            {
                foreach (var (key, type) in shard.Fields(name)) fieldTypes.TryAdd(key, type);
                foreach (var key in shard.TagKeys(name)) tagKeys.Add(key);
            }
        }
        _statementFieldTypes = fieldTypes;

        foreach (var d in stmt.Dimensions)
        {
            switch (d.Expr)
            {
                case VarRef v: if (!_dimensions.Contains(v.Name)) _dimensions.Add(v.Name); break;
                case Wildcard:
                    foreach (var k in tagKeys) if (!_dimensions.Contains(k)) _dimensions.Add(k);
                    break;
                case RegexLiteral r:
                    if (!GoRegex.TryCompile(r.Pattern, out var dimRegex, out error)) return false;
                    foreach (var k in tagKeys) if (dimRegex.IsMatch(k) && !_dimensions.Contains(k)) _dimensions.Add(k);
                    break;
            }
        }
        _dimensions.Sort(StringComparer.Ordinal);

        string timeName = "time";
        foreach (var f in stmt.Fields)
        {
            switch (f.Expr)
            {
                case VarRef { Name: "time" }:
                    if (f.Alias.Length != 0) timeName = f.Alias;
                    break;
                case Wildcard w:
                    ExpandWildcard(w.Type, null, fieldTypes, tagKeys);
                    break;
                case RegexLiteral r:
                    if (!GoRegex.TryCompile(r.Pattern, out var regex, out error)) return false;
                    ExpandWildcard(WildcardType.All, regex, fieldTypes, tagKeys);
                    break;
                case Distinct dist:
                    _fields.Add(new Field(new Call("distinct", new NodeList<Expr>([new VarRef(dist.Name)])), f.Alias));
                    break;
                case Call { Args.Count: > 0 } c when c.Args[0] is Wildcard or RegexLiteral && !ValueMath.IsMathFunction(c.Name):
                    Regex? argRegex = null;
                    if (c.Args[0] is RegexLiteral ar && !GoRegex.TryCompile(ar.Pattern, out argRegex, out error)) return false;
                    foreach (var (key, type) in fieldTypes)
                    {
                        if (argRegex is not null && !argRegex.IsMatch(key)) continue;
                        if (!Accepts(c.Name, type)) continue;
                        var args = new List<Expr>(c.Args) { [0] = new VarRef(key) };
                        _fields.Add(new Field(new Call(c.Name, new NodeList<Expr>([.. args])), (f.Alias.Length != 0 ? f.Alias : c.Name) + "_" + key));
                    }
                    break;
                default:
                    _fields.Add(f);
                    if (f.Expr is Call { Name: "top" or "bottom", Args.Count: > 2 } tb)
                    {
                        for (int i = 1; i < tb.Args.Count - 1; i++) _fields.Add(new Field(tb.Args[i]));
                    }
                    break;
            }
        }
        if (_fields.Count == 0) return true;

        foreach (var f in _fields) CollectCalls(f.Expr, topLevel: true);
        _raw = _leafCalls.Count == 0 && _transformCalls.Count == 0;
        _columns = ColumnNames(timeName);

        if (Interval > 0 && _range.MaxSet is null) _range = _range with { MaxSet = now };
        error = (TopLevel ? SelectTypes.Validate(_fields, fieldTypes, tagKeys) : null) ?? CheckBuckets();
        return error is null;
    }

    private void ExpandWildcard(WildcardType type, Regex? regex, SortedDictionary<string, FieldType> fieldTypes, SortedSet<string> tagKeys)
    {
        // Sorted by name, a field before a tag of the same name (the column names then get _1).
        var names = new List<(string Name, int Kind, Expr Expr)>();
        if (type != WildcardType.Tag)
        {
            foreach (var (key, _) in fieldTypes)
                if (regex is null || regex.IsMatch(key)) names.Add((key, 0, new VarRef(key)));
        }
        if (type != WildcardType.Field)
        {
            foreach (var key in tagKeys)
            {
                if (_dimensions.Contains(key) || (regex is not null && !regex.IsMatch(key))) continue;
                names.Add((key, 1, new VarRef(key, DataType.Tag)));
            }
        }
        names.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var c && c != 0 ? c : a.Kind.CompareTo(b.Kind));
        foreach (var (_, _, expr) in names) _fields.Add(new Field(expr));
    }

    private static bool Accepts(string call, FieldType type) => call switch
    {
        "count" or "first" or "last" or "distinct" or "mode" or "sample" => true,
        "min" or "max" => type != FieldType.String,
        _ => type is FieldType.Float or FieldType.Integer or FieldType.Unsigned,
    };

    private void CollectCalls(Expr expr, bool topLevel)
    {
        switch (expr)
        {
            case ParenExpr p: CollectCalls(p.Expr, topLevel); break;
            case BinaryExpr b:
                CollectCalls(b.Lhs, topLevel);
                CollectCalls(b.Rhs, topLevel);
                break;
            case Call c when ValueMath.IsMathFunction(c.Name):
                foreach (var a in c.Args) CollectCalls(a, topLevel);
                break;
            case Call c when Aggregates.IsTransform(c.Name):
                _transformCalls.Add(c);
                if (topLevel) _topCalls.Add(c);
                if (c.Args[0] is Call inner) CollectCalls(inner, topLevel: false);
                break;
            case Call c:
                _leafCalls.Add(c);
                if (topLevel) _topCalls.Add(c);
                else _nestedCalls.Add(c);
                break;
        }
    }

    private string[] ColumnNames(string timeName)
    {
        var columns = new string[_fields.Count + 1];
        columns[0] = timeName;
        var names = new Dictionary<string, int>(StringComparer.Ordinal) { [timeName] = 1 };
        for (int i = 0; i < _fields.Count; i++)
        {
            if (_fields[i].Alias.Length == 0) continue;
            columns[i + 1] = _fields[i].Alias;
            names[_fields[i].Alias] = 1;
        }
        for (int i = 0; i < _fields.Count; i++)
        {
            if (columns[i + 1] is not null) continue;
            string name = FieldName(_fields[i].Expr);
            if (names.TryGetValue(name, out int count))
            {
                while (true)
                {
                    string resolved = name + "_" + count;
                    if (!names.ContainsKey(resolved))
                    {
                        names[name] = count + 1;
                        name = resolved;
                        break;
                    }
                    count++;
                }
            }
            names[name] = names.TryGetValue(name, out int c) ? c + 1 : 1;
            columns[i + 1] = name;
        }
        return columns;
    }

    private static string FieldName(Expr expr) => expr switch
    {
        Call c => c.Name,
        VarRef v => v.Name,
        ParenExpr p => FieldName(p.Expr),
        BinaryExpr b => string.Join("_", BinaryNames(b)),
        _ => "",
    };

    private static List<string> BinaryNames(Expr expr)
    {
        var names = new List<string>();
        void Visit(Expr e)
        {
            switch (e)
            {
                case VarRef v: names.Add(v.Name); break;
                case Call c: names.Add(c.Name); break;
                case BinaryExpr b: Visit(b.Lhs); Visit(b.Rhs); break;
                case ParenExpr p: Visit(p.Expr); break;
            }
        }
        Visit(expr);
        return names;
    }

    // ---- running over one measurement ----

    public string? Run(string measurement, List<IShardReader> shards, List<ResultSeries> output)
    {
        if (_fields.Count == 0) return null;
        if (TryRunWithPartials(measurement, shards, output, out string? partialsError)) return partialsError;
        var fieldTypes = new Dictionary<string, FieldType>(StringComparer.Ordinal);
        var tagKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            foreach (var (key, type) in shard.Fields(measurement)) fieldTypes.TryAdd(key, type);
            foreach (var key in shard.TagKeys(measurement)) tagKeys.Add(key);
        }

        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in _fields) CollectFieldRefs(f.Expr, fieldTypes, slots);
        if (condition is not null) CollectFieldRefs(condition, fieldTypes, slots);
        _conditionFields = new HashSet<string>(slots.Keys, StringComparer.Ordinal);
        _rawSlots = slots;
        var slotNames = new string[slots.Count];
        foreach (var (name, slot) in slots) slotNames[slot] = name;

        // A raw query whose columns are all tags selects nothing.
        if (_raw && !HasFieldColumn(slots) && !shards.Exists(static s => s is SubqueryShard)) return null;

        var series = new SortedDictionary<string, SeriesEntry>(StringComparer.Ordinal);
        // Tag equalities ANDed at the top of the condition rule series out before any value is read.
        var required = new List<(string Tag, string Value, bool Equal)>();
        var anyOf = new List<List<(string Tag, string Value)>>();
        if (condition is not null) CollectTagConjuncts(condition, tagKeys, fieldTypes, required, anyOf);
        var shardKeys = new HashSet<string>[shards.Count];
        var matched = new List<SeriesEntry>();
        for (int i = 0; i < shards.Count; i++)
        {
            shardKeys[i] = new HashSet<string>(StringComparer.Ordinal);
            matched.Clear();
            foreach (var s in CandidateSeries(shards[i], measurement, required, anyOf))
                if (MatchesTagConjuncts(s, required, anyOf)) matched.Add(s);
            if (shards[i] is not SubqueryShard && CheckSeries(matched) is { } tooMany) return tooMany;
            foreach (var s in matched)
            {
                string key = Encoding.UTF8.GetString(s.Key);
                series.TryAdd(key, s);
                shardKeys[i].Add(key);
            }
        }

        // The shards of one shard group count as one (their first index), as the one shard a single server keeps.
        _units = ShardUnits(shards);
        var unitKeys = UnitKeys(shardKeys, _units);

        // A raw LIMIT without field conditions: each shard hands over at most offset + limit + 1 rows of a tag set (the
        // storage limit), so no series needs more rows than that from a shard, at the end the query reads from.
        _fieldTerms = null;
        _rowsPerShard = _raw && stmt.Limit > 0 && !shards.Exists(static s => s is SubqueryShard) && (condition is null || OnlyTags(condition, fieldTypes))
            ? (int)Math.Min(stmt.Offset + stmt.Limit + 1, int.MaxValue) : 0;
        long readMin = ReadStart(), readMax = _range.Max;
        // Transformations read extra windows before the range (after it with ORDER BY time DESC), as influxql does.
        if (Interval > 0 && compiler.ExtraIntervals > 0 && !Ascending && readMax < QueryTimeRange.MaxTime - compiler.ExtraIntervals * Interval)
            readMax += compiler.ExtraIntervals * Interval;

        bool regexSource = stmt.Sources.Any(static s => s is Measurement { Regex: not null });
        var groups = new SortedDictionary<string, (string[] Tags, List<RowRef> Rows, List<SeriesEntry> Members)>(StringComparer.Ordinal);
        foreach (var (_, entry) in series)
        {
            if (condition is not null && TagVerdict(condition, entry) == false) continue;
            var rows = LoadRows(entry, shards, slotNames, readMin, readMax, slots);
            if (CountPoints(rows.Count) is { } tooMany) return tooMany;
            var (k, tagValues) = GroupKey(entry);
            if (!groups.TryGetValue(k, out var group)) groups[k] = group = (tagValues, [], []);
            group.Rows.AddRange(rows);
            group.Members.Add(entry);
        }

        if ((stmt.SLimit > 0 || stmt.SOffset > 0) && !shards.Exists(static s => s is SubqueryShard)) LimitSeriesPerShard(groups, unitKeys);

        var ordered = new List<(string[] Tags, List<RowRef> Rows, List<SeriesEntry> Members)>(groups.Values);
        // ORDER BY time DESC also reverses the order of the series.
        if (!Ascending) ordered.Reverse();
        // The groups' rows in InfluxDB's order first: the shard level of mean() and sum() merges all groups at once.
        var prepared = new List<(string[] Tags, List<RowRef> Rows, GroupSeries Series)>(ordered.Count);
        foreach (var (tags, groupRows, members) in ordered)
        {
            var rows = groupRows;
            if (rows.Count == 0) continue;
            var groupSeries = new GroupSeries(members, unitKeys, regexSource);
            // InfluxDB's storage iterators yield only times where a selected field has a value; rows that only hold
            // condition fields would disturb the merge order.
            if (!rows.Exists(static r => r.FromSubquery)) rows = KeepSelected(rows, slots);
            if (rows.Count == 0) continue;
            prepared.Add((tags, InfluxOrder(rows, groupSeries), groupSeries));
        }
        if (!_raw) LevelMeansAndSums(prepared.ConvertAll(static g => (g.Rows, g.Series)), slots);
        foreach (var (tags, rows, groupSeries) in prepared)
        {
            var sorted = rows;
            if (LoneIntegral is { } integral && !rows.Exists(static r => r.FromSubquery))
            {
                StreamIntegralGroup(integral, measurement, tags, sorted, slots);
                continue;
            }
            if ((_raw || TopBottomReadsLimited) && (stmt.Limit > 0 || stmt.Offset > 0) && !shards.Exists(static s => s is SubqueryShard))
                sorted = StorageLimit(sorted, slots);
            _fieldPresence = null;
            var values = _raw ? RawRows(sorted, slots) : AggregateRows(sorted, slots, groupSeries);
            if (values.Count == 0) continue;
            AppendSeries(measurement, tags, values, output, _fieldPresence);
        }
        return null;
    }

    /// <summary>Adds one group's rows (ascending) as a series: reversed for ORDER BY time DESC, then OFFSET and LIMIT.</summary>
    private void AppendSeries(string measurement, string[] tags, List<object?[]> values, List<ResultSeries> output, List<bool[]>? presence = null)
    {
        if (!Ascending) values.Reverse();
        if (presence is not null)
        {
            // Several calls: OFFSET and LIMIT count each call's points, then the rows are joined by time.
            if (!Ascending) presence.Reverse();
            LimitPerField(values, presence);
            values.RemoveAll(static row => row is null);
            AddSeries(measurement, tags, values, output, limited: true);
            return;
        }
        AddSeries(measurement, tags, values, output);
    }

    /// <summary>Adds rows already in output order as a series, after OFFSET and LIMIT unless <paramref name="limited"/>.</summary>
    private void AddSeries(string measurement, string[] tags, List<object?[]> values, List<ResultSeries> output, bool limited = false)
    {
        if (values.Count == 0) return;
        if (!limited)
        {
            int offset = (int)Math.Min(stmt.Offset, int.MaxValue);
            if (offset >= values.Count) return;
            if (offset > 0) values.RemoveRange(0, offset);
            if (stmt.Limit > 0 && values.Count > stmt.Limit) values.RemoveRange((int)stmt.Limit, values.Count - (int)stmt.Limit);
        }
        KeyValuePair<string, string>[]? tagPairs = null;
        if (_dimensions.Count > 0)
        {
            tagPairs = new KeyValuePair<string, string>[_dimensions.Count];
            for (int i = 0; i < _dimensions.Count; i++) tagPairs[i] = new(_dimensions[i], tags[i]);
        }
        var result = new ResultSeries(measurement, _columns, tagPairs);
        result.Values.AddRange(values);
        output.Add(result);
    }

    // LIMIT and OFFSET apply to each field's iterator (influxql's buildFieldIterator wraps each in a limit iterator)
    // before the cursor joins the fields' points by time. When the fields' points fall in different windows
    // (fill(none), a transformation starting a window later) each field keeps its own, so a row can hold one field's
    // point and not another's. Modelled for statements whose fields are all calls.
    private List<bool[]>? _fieldPresence;

    private bool PerFieldLimits =>
        (stmt.Limit > 0 || stmt.Offset > 0) && _fields.Count > 1 && _fields.TrueForAll(f => f.Expr is Call c && _topCalls.Exists(t => ReferenceEquals(t, c)));

    /// <summary>
    /// Keeps, per field, its points from OFFSET on up to LIMIT of them (in output order), nulls the others and
    /// sets to null the rows left without any point; <paramref name="presence"/> says which cells hold a point.
    /// </summary>
    private void LimitPerField(List<object?[]> values, List<bool[]> presence)
    {
        long offset = stmt.Offset, limit = stmt.Limit > 0 ? stmt.Limit : long.MaxValue;
        var kept = new bool[values.Count];
        for (int f = 0; f < _fields.Count; f++)
        {
            long seen = 0;
            for (int r = 0; r < values.Count; r++)
            {
                if (!presence[r][f]) continue;
                long n = seen++;
                if (n >= offset && n - offset < limit) kept[r] = true;
                else values[r]![f + 1] = null;
            }
        }
        for (int r = 0; r < values.Count; r++)
            if (!kept[r]) values[r] = null!;
    }

    private bool HasFieldColumn(Dictionary<string, int> slots)
    {
        foreach (var f in _fields)
        {
            if (RefersToField(f.Expr, slots)) return true;
        }
        return false;
    }

    private static bool RefersToField(Expr e, Dictionary<string, int> slots) => e switch
    {
        VarRef v => v.Type != DataType.Tag && slots.ContainsKey(v.Name),
        BinaryExpr b => RefersToField(b.Lhs, slots) || RefersToField(b.Rhs, slots),
        ParenExpr p => RefersToField(p.Expr, slots),
        Call c => c.Args.Any(a => RefersToField(a, slots)),
        _ => false,
    };

    private static void CollectFieldRefs(Expr expr, Dictionary<string, FieldType> fieldTypes, Dictionary<string, int> slots)
    {
        switch (expr)
        {
            case VarRef v when v.Type != DataType.Tag && fieldTypes.ContainsKey(v.Name):
                slots.TryAdd(v.Name, slots.Count);
                break;
            case BinaryExpr b:
                CollectFieldRefs(b.Lhs, fieldTypes, slots);
                CollectFieldRefs(b.Rhs, fieldTypes, slots);
                break;
            case ParenExpr p:
                CollectFieldRefs(p.Expr, fieldTypes, slots);
                break;
            case Call c:
                foreach (var a in c.Args) CollectFieldRefs(a, fieldTypes, slots);
                break;
            case Distinct d when fieldTypes.ContainsKey(d.Name):
                slots.TryAdd(d.Name, slots.Count);
                break;
        }
    }

    /// <summary>
    /// The <c>tag = 'v'</c> and <c>tag != 'v'</c> terms joined by AND at the top of <paramref name="condition"/>,
    /// for names that are tags and not fields: a series failing one has no row that passes the condition.
    /// </summary>
    private static void CollectTagConjuncts(Expr condition, ICollection<string> tagKeys, IReadOnlyDictionary<string, FieldType> fieldTypes,
        List<(string Tag, string Value, bool Equal)> into, List<List<(string Tag, string Value)>> anyOf)
    {
        switch (condition)
        {
            case ParenExpr p:
                CollectTagConjuncts(p.Expr, tagKeys, fieldTypes, into, anyOf);
                break;
            case BinaryExpr { Op: BinaryOperator.And } and:
                CollectTagConjuncts(and.Lhs, tagKeys, fieldTypes, into, anyOf);
                CollectTagConjuncts(and.Rhs, tagKeys, fieldTypes, into, anyOf);
                break;
            case BinaryExpr { Op: BinaryOperator.Or }:
                // (tag = 'a' OR tag = 'b' …): a series must match one of the terms.
                var terms = new List<(string Tag, string Value)>();
                if (CollectTagDisjuncts(condition, tagKeys, fieldTypes, terms)) anyOf.Add(terms);
                break;
            case BinaryExpr { Op: BinaryOperator.Eq or BinaryOperator.Neq } cmp when IsTagTerm(cmp, tagKeys, fieldTypes, out var tag, out var value):
                into.Add((tag, value, cmp.Op == BinaryOperator.Eq));
                break;
        }
    }

    /// <summary>True when every leaf of the OR tree is <c>tag = 'v'</c>; the terms go to <paramref name="terms"/>.</summary>
    private static bool CollectTagDisjuncts(Expr expr, ICollection<string> tagKeys, IReadOnlyDictionary<string, FieldType> fieldTypes, List<(string Tag, string Value)> terms)
    {
        switch (expr)
        {
            case ParenExpr p:
                return CollectTagDisjuncts(p.Expr, tagKeys, fieldTypes, terms);
            case BinaryExpr { Op: BinaryOperator.Or } or:
                return CollectTagDisjuncts(or.Lhs, tagKeys, fieldTypes, terms) && CollectTagDisjuncts(or.Rhs, tagKeys, fieldTypes, terms);
            case BinaryExpr { Op: BinaryOperator.Eq } cmp when IsTagTerm(cmp, tagKeys, fieldTypes, out var tag, out var value):
                terms.Add((tag, value));
                return true;
            default:
                return false;
        }
    }

    private static bool IsTagTerm(BinaryExpr cmp, ICollection<string> tagKeys, IReadOnlyDictionary<string, FieldType> fieldTypes, out string tag, out string value)
    {
        tag = value = "";
        if (cmp.Lhs is not VarRef name || cmp.Rhs is not StringLiteral literal) return false;
        if (!tagKeys.Contains(name.Name) || fieldTypes.ContainsKey(name.Name) || name.Type is not (DataType.Unknown or DataType.Tag)) return false;
        tag = name.Name;
        value = literal.Value;
        return true;
    }

    /// <summary>
    /// The series of a shard that may pass the tag terms: through the index's postings of one <c>tag = 'v'</c> term, or
    /// of every term of an OR of them; all series when no term narrows them (a term on <c>''</c> matches missing tags).
    /// </summary>
    private static IEnumerable<SeriesEntry> CandidateSeries(IShardReader shard, string measurement,
        List<(string Tag, string Value, bool Equal)> required, List<List<(string Tag, string Value)>> anyOf)
    {
        foreach (var (tag, value, equal) in required)
            if (equal && value.Length != 0) return shard.Series(measurement, tag, value);
        foreach (var terms in anyOf)
        {
            if (!terms.TrueForAll(static t => t.Value.Length != 0)) continue;
            var union = new List<SeriesEntry>();
            foreach (var (tag, value) in terms) union.AddRange(shard.Series(measurement, tag, value));
            return union;
        }
        return shard.Series(measurement);
    }

    private static bool MatchesTagConjuncts(SeriesEntry series, List<(string Tag, string Value, bool Equal)> required, List<List<(string Tag, string Value)>> anyOf)
    {
        foreach (var (tag, value, equal) in required)
            if (string.Equals(series.Tag(tag) ?? "", value, StringComparison.Ordinal) != equal) return false;
        foreach (var terms in anyOf)
        {
            bool matched = false;
            foreach (var (tag, value) in terms)
                if (string.Equals(series.Tag(tag) ?? "", value, StringComparison.Ordinal)) { matched = true; break; }
            if (!matched) return false;
        }
        return true;
    }

    /// <summary>Per shard index of the measurement being run, its unit (see <see cref="ShardUnits"/>).</summary>
    private int[]? _units;

    private List<RowRef> LoadRows(SeriesEntry entry, List<IShardReader> shards, string[] slotNames, long min, long max, Dictionary<string, int> slots)
    {
        var byTime = new SortedDictionary<long, object?[]>();
        var shardOf = new Dictionary<long, int>();
        List<(long Time, object?[] Values)>? subqueryRows = null;
        for (int shardIndex = 0; shardIndex < shards.Count; shardIndex++)
        {
            var shard = shards[shardIndex];
            if (shard is SubqueryShard sub)
            {
                // Rows of a subquery stay apart even at equal times (several inner series may share a name and tags).
                subqueryRows ??= [];
                subqueryRows.AddRange(sub.Rows(entry, slotNames, min, max));
                continue;
            }
            var reads = new ShardValues?[slotNames.Length];
            // A field comparison ANDed at the top of the condition is tried first: when no value of its field passes,
            // no row of this shard can, and the other fields are not read.
            if (!AnyPasses(entry, shard, slotNames, min, max, slots, reads)) continue;
            for (int slot = 0; slot < slotNames.Length; slot++)
            {
                if (reads[slot] is not null) continue;
                reads[slot] = _rowsPerShard > 0 ? ReadEdge(shard, entry.Key, slotNames[slot], min, max, _rowsPerShard) : shard.Read(entry.Key, slotNames[slot], min, max);
            }
            long keepFrom = long.MinValue, keepTo = long.MaxValue;
            if (_rowsPerShard > 0) (keepFrom, keepTo) = RowsKept(reads, _rowsPerShard);
            for (int slot = 0; slot < slotNames.Length; slot++)
            {
                var values = reads[slot];
                if (values is null) continue;
                for (int i = 0; i < values.Count; i++)
                {
                    long t = values.Times[i];
                    if (t < keepFrom || t > keepTo) continue;
                    if (!byTime.TryGetValue(t, out var row)) byTime[t] = row = new object?[slotNames.Length];
                    shardOf[t] = _units is { } units && shardIndex < units.Length ? units[shardIndex] : shardIndex;
                    row[slot] = Box(values, i);
                }
            }
        }
        var rows = new List<RowRef>(byTime.Count);
        IEnumerable<(long Time, object?[] Values)> all = subqueryRows ?? (IEnumerable<(long, object?[])>)byTime.Select(static p => (p.Key, p.Value));
        foreach (var (t, values) in all)
        {
            var row = new RowRef(t, values, entry, subqueryRows is not null, shardOf.GetValueOrDefault(t));
            if (condition is not null && Evaluate(condition, row, slots, null, forCondition: true) is not true) continue;
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// The first <paramref name="count"/> values of a series field in query order (the last ones for ORDER BY time
    /// DESC), ascending, collected from the shard's runs without keeping the rest.
    /// </summary>
    private ShardValues? ReadEdge(IShardReader shard, byte[] seriesKey, string field, long min, long max, int count)
    {
        FieldType? type = null;
        var times = new List<long>();
        var bits = new List<long>();
        var strings = new List<string>();
        bool ascending = Ascending;
        shard.Scan(seriesKey, field, min, max, (t, runTimes, runBits, runStrings) =>
        {
            type = t;
            int take = ascending ? Math.Min(count - times.Count, runTimes.Length) : Math.Min(count, runTimes.Length);
            if (take <= 0) return;
            int from = ascending ? 0 : runTimes.Length - take;
            for (int i = from; i < from + take; i++)
            {
                times.Add(runTimes[i]);
                if (t == FieldType.String) strings.Add(runStrings[i]);
                else bits.Add(runBits[i]);
            }
            if (!ascending && times.Count > count)
            {
                int drop = times.Count - count;
                times.RemoveRange(0, drop);
                if (t == FieldType.String) strings.RemoveRange(0, drop);
                else bits.RemoveRange(0, drop);
            }
        });
        return type is { } found ? new ShardValues(found, [.. times], [.. bits], [.. strings]) : null;
    }

    /// <summary>
    /// False when a <c>field op literal</c> term ANDed at the top of the condition holds for no value of its field in
    /// this shard (read into <paramref name="reads"/>, so it is not read twice); true otherwise.
    /// </summary>
    private bool AnyPasses(SeriesEntry entry, IShardReader shard, string[] slotNames, long min, long max, Dictionary<string, int> slots, ShardValues?[] reads)
    {
        if (condition is null) return true;
        _fieldTerms ??= FieldTerms(condition, slots);
        foreach (var (slot, term) in _fieldTerms)
        {
            var values = reads[slot] ??= shard.Read(entry.Key, slotNames[slot], min, max);
            if (values is null) return false;
            var cells = new object?[slotNames.Length];
            var row = new RowRef(0, cells, entry);
            bool any = false;
            for (int i = 0; i < values.Count && !any; i++)
            {
                cells[slot] = Box(values, i);
                any = Evaluate(term, row, slots, null, forCondition: true) is true;
            }
            if (!any) return false;
        }
        return true;
    }

    /// <summary>The condition's top-level AND terms comparing one field with a literal, with the field's slot (set per measurement).</summary>
    private List<(int Slot, BinaryExpr Term)>? _fieldTerms;

    private static List<(int Slot, BinaryExpr Term)> FieldTerms(Expr condition, Dictionary<string, int> slots)
    {
        var terms = new List<(int, BinaryExpr)>();
        void Visit(Expr e)
        {
            switch (e)
            {
                case ParenExpr p: Visit(p.Expr); break;
                case BinaryExpr { Op: BinaryOperator.And } and: Visit(and.Lhs); Visit(and.Rhs); break;
                case BinaryExpr { Op: BinaryOperator.Eq or BinaryOperator.Neq or BinaryOperator.Lt or BinaryOperator.Lte or BinaryOperator.Gt or BinaryOperator.Gte,
                    Lhs: VarRef { Type: not DataType.Tag } field, Rhs: IntegerLiteral or NumberLiteral } cmp
                    when slots.TryGetValue(field.Name, out int slot):
                    terms.Add((slot, cmp));
                    break;
            }
        }
        Visit(condition);
        return terms;
    }

    /// <summary>Value <paramref name="i"/> of a read as the row path holds values (double, long, ulong, bool or string).</summary>
    private static object Box(ShardValues values, int i) => values.Type switch
    {
        FieldType.Float => BitConverter.Int64BitsToDouble(values.Bits[i]),
        FieldType.Integer => values.Bits[i],
        FieldType.Unsigned => (ulong)values.Bits[i],
        FieldType.Boolean => values.Bits[i] != 0,
        _ => values.Strings[i],
    };

    /// <summary>Rows a series hands over per shard for a raw LIMIT (0: all); see <see cref="RowsKept"/>.</summary>
    private int _rowsPerShard;

    /// <summary>
    /// The time span holding a series' first <paramref name="count"/> rows of a shard in query order (the last ones
    /// for ORDER BY time DESC): a row is a time where any field has a value, so the span ends at the count-th time of
    /// the union of each field's first (or last) count times.
    /// </summary>
    private (long From, long To) RowsKept(ShardValues?[] reads, int count)
    {
        var times = new SortedSet<long>();
        foreach (var values in reads)
        {
            if (values is null) continue;
            int n = Math.Min(count, values.Count);
            for (int i = 0; i < n; i++) times.Add(Ascending ? values.Times[i] : values.Times[values.Count - 1 - i]);
        }
        if (times.Count < count) return (long.MinValue, long.MaxValue);
        var ordered = Ascending ? times : times.Reverse();
        long bound = ordered.ElementAt(count - 1);
        return Ascending ? (long.MinValue, bound) : (bound, long.MaxValue);
    }

    private object? Evaluate(Expr expr, RowRef? row, Dictionary<string, int> slots, Func<Call, object?>? calls, bool forCondition = false)
    {
        switch (expr)
        {
            case VarRef v:
                if (row is null) return null;
                if (v.Type != DataType.Tag && slots.TryGetValue(v.Name, out int slot)) return Cast(row.Values[slot], v.Type);
                return row.Series.Tag(v.Name) ?? (forCondition ? "" : null);
            case ParenExpr p: return Evaluate(p.Expr, row, slots, calls, forCondition);
            case BinaryExpr b:
                var lhs = Evaluate(b.Lhs, row, slots, calls, forCondition);
                var rhs = Evaluate(b.Rhs, row, slots, calls, forCondition);
                return ValueMath.Binary(b.Op, lhs, rhs);
            case IntegerLiteral i: return i.Value;
            case NumberLiteral n: return n.Value;
            case StringLiteral s: return s.Value;
            case BooleanLiteral bl: return bl.Value;
            case DurationLiteral d: return d.Nanoseconds;
            case UnsignedLiteral u: return u.Value;
            case RegexLiteral r:
                if (!_regexes.TryGetValue(r.Pattern, out var regex))
                {
                    if (!GoRegex.TryCompile(r.Pattern, out regex, out _)) return null;
                    _regexes[r.Pattern] = regex;
                }
                return regex;
            case Call c when ValueMath.IsMathFunction(c.Name):
                var args = new object?[c.Args.Count];
                for (int i = 0; i < args.Length; i++) args[i] = Evaluate(c.Args[i], row, slots, calls, forCondition);
                return ValueMath.MathCall(c.Name, args);
            case Call c:
                return calls?.Invoke(c);
            default:
                return null;
        }
    }

    private static object? Cast(object? value, DataType type) => (type, value) switch
    {
        (DataType.Float, long l) => (double)l,
        (DataType.Float, ulong u) => (double)u,
        (DataType.Integer, double d) => (long)d,
        (DataType.Unknown or DataType.AnyField, _) => value,
        (DataType.Float, double) or (DataType.Integer, long) or (DataType.Unsigned, ulong) or (DataType.String, string) or (DataType.Boolean, bool) => value,
        _ => null,
    };

    // ---- raw rows ----

    private List<object?[]> RawRows(List<RowRef> rows, Dictionary<string, int> slots)
    {
        // A row is there when a field the SELECT reads has a value (condition-only fields do not make rows).
        var selected = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in _fields) CollectSelectedSlots(f.Expr, slots, selected);
        var output = new List<object?[]>(rows.Count);
        foreach (var row in rows)
        {
            var cells = new object?[_fields.Count + 1];
            cells[0] = Time(row.Time);
            bool any = row.FromSubquery;
            foreach (var (_, slot) in selected)
            {
                if (row.Values[slot] is not null) any = true;
            }
            for (int i = 0; i < _fields.Count; i++) cells[i + 1] = Normalize(Evaluate(_fields[i].Expr, row, slots, null));
            if (any) output.Add(cells);
        }
        return output;
    }

    private QueryWindows? _windows;

    /// <summary>The statement's GROUP BY time windows (interval, offset, tz()).</summary>
    private QueryWindows Windows => _windows ??= new QueryWindows(Interval, compiler.Offset, stmt.Location);

    private int ZoneSeconds(long t) => Windows.ZoneSeconds(t);

    /// <summary>A time cell, shown in the tz() zone when the query names one.</summary>
    private ResultTime Time(long t) => new(t, ZoneSeconds(t));

    private static void CollectSelectedSlots(Expr e, Dictionary<string, int> slots, Dictionary<string, int> selected)
    {
        switch (e)
        {
            case VarRef v when v.Type != DataType.Tag && slots.TryGetValue(v.Name, out int slot): selected.TryAdd(v.Name, slot); break;
            case BinaryExpr b: CollectSelectedSlots(b.Lhs, slots, selected); CollectSelectedSlots(b.Rhs, slots, selected); break;
            case ParenExpr p: CollectSelectedSlots(p.Expr, slots, selected); break;
            case Call c: foreach (var a in c.Args) CollectSelectedSlots(a, slots, selected); break;
            case Distinct d when slots.TryGetValue(d.Name, out int slot): selected.TryAdd(d.Name, slot); break;
        }
    }

    private static object? Normalize(object? v) => v switch
    {
        double d when !double.IsFinite(d) => null,
        Regex => null,
        _ => v,
    };
}
