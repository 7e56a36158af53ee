using System.Diagnostics.CodeAnalysis;
using System.Text;
using Cairn.Cluster;
using Cairn.Cluster.Schema;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.Index;

namespace Cairn.Http.Statements;

// SHOW MEASUREMENTS / SERIES / TAG KEYS / TAG VALUES / FIELD KEYS: answered from the shards' series indexes,
// the union over the shards a statement reads (series keys and tag values deduplicated), sorted as Go sorts
// bytes. SHOW SERIES and SHOW FIELD KEYS read one retention policy per source, as InfluxDB's rewrite into
// SELECT makes them do (the source's, else the rp parameter, else the database default); the others read all.
public sealed partial class StatementExecutor
{
    private static readonly string[] MeasurementColumns = ["name"];
    private static readonly string[] MeasurementWithPolicyColumns = ["name", "database", "retention policy"];
    private static readonly string[] SeriesColumns = ["key"];
    private static readonly string[] TagKeyColumns = ["tagKey"];
    private static readonly string[] TagValueColumns = ["key", "value"];
    private static readonly string[] FieldKeyColumns = ["fieldKey", "fieldType"];

    // Each statement runs over the shards of its database(s) across the cluster: this node's, and the others' indexes
    // fetched from an owner each (ClusterShardCatalog). On a single server it runs over the store as it is.
    private ValueTask<string?> ShowMeasurementsAsync(ShowMeasurementsStatement s, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken) =>
        WithClusterShardsAsync(s.WildcardDatabase ? [.. _meta.Current.Databases.Select(d => d.Name)] : [Database(s.Database, options)],
            shards => ShowMeasurements(s, options, result, shards), cancellationToken);

    private ValueTask<string?> ShowSeriesAsync(ShowSeriesStatement s, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken) =>
        WithClusterShardsAsync([Database(s.Database, options)], shards => ShowSeries(s, options, result, shards), cancellationToken);

    private ValueTask<string?> ShowTagKeysAsync(ShowTagKeysStatement s, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken) =>
        WithClusterShardsAsync([Database(s.Database, options)], shards => ShowTagKeys(s, options, result, shards), cancellationToken);

    private ValueTask<string?> ShowTagValuesAsync(ShowTagValuesStatement s, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken) =>
        WithClusterShardsAsync([Database(s.Database, options)], shards => ShowTagValues(s, options, result, shards), cancellationToken);

    private ValueTask<string?> ShowFieldKeysAsync(ShowFieldKeysStatement s, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken) =>
        WithClusterShardsAsync([Database(s.Database, options)], shards => ShowFieldKeys(s, options, result, shards), cancellationToken);

    /// <summary>
    /// Runs <paramref name="run"/> over the shards of <paramref name="databases"/>: this node's store when the node is
    /// not in a cluster, else every shard meta lists, remote ones read from an owner (an error names a shard none answered for).
    /// </summary>
    private async ValueTask<string?> WithClusterShardsAsync(string[] databases, Func<IShardCatalog, string?> run, CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        if (Cluster is not { } cluster || !cluster.IsClustered(state)) return run(_shards);
        ClusterShardCatalog catalog;
        try
        {
            catalog = await ClusterShardCatalog.GatherAsync(cluster, state, databases, cancellationToken).ConfigureAwait(false);
        }
        catch (ShardUnavailableException e)
        {
            return e.Message;
        }
        using (catalog) return run(catalog);
    }

    private string? ShowMeasurements(ShowMeasurementsStatement s, ExecutionOptions options, QueryResult result, IShardCatalog shards)
    {
        if (ConditionSplit.HasTimeExpr(s.Condition)) return "SHOW MEASUREMENTS doesn't support time in WHERE clause";
        if (s.WildcardDatabase && !s.WildcardRetentionPolicy)
        {
            return s.RetentionPolicy.Length == 0
                ? "query 'SHOW MEASUREMENTS ON *' not supported. use 'ON *.*' or specify a database"
                : "query 'SHOW MEASUREMENTS ON *.rp' not supported. use 'ON *.*' or specify a database";
        }
        if (!TagFilter.TryCompile(s.Condition, out var filter, out var error)) return error;
        SourceScope? matcher = null;
        if (s.Source is { } source && !SourceScope.TryCreate(source, "", out matcher, out error)) return error;

        var state = _meta.Current;
        if (!s.WildcardDatabase && !s.WildcardRetentionPolicy && s.RetentionPolicy.Length == 0)
        {
            string db = Database(s.Database, options);
            if (db.Length == 0) return DatabaseNameRequired;
            var names = MeasurementNames(shards.Shards(db), matcher, filter);
            var page = Page(names, s.Offset, s.Limit);
            if (page.Count == 0) return null;
            var series = new ResultSeries("measurements", MeasurementColumns);
            foreach (var name in page) series.Values.Add([name]);
            result.Series.Add(series);
            return null;
        }

        // ON db.rp, db.* or *.*: one row per measurement and policy.
        var rows = new List<(string Database, string Policy, string Name)>();
        IEnumerable<string> databases = s.WildcardDatabase
            ? state.Databases.Select(d => d.Name)
            : [Database(s.Database, options)];
        foreach (var db in databases)
        {
            if (db.Length == 0) return DatabaseNameRequired;
            IEnumerable<string> policies = s.WildcardRetentionPolicy
                ? state.Database(db)?.RetentionPolicies.Select(rp => rp.Name) ?? []
                : [s.RetentionPolicy];
            foreach (var rp in policies)
                foreach (var name in MeasurementNames(shards.Shards(db, rp), matcher, filter)) rows.Add((db, rp, name));
        }
        rows.Sort((a, b) =>
        {
            int c = Utf8Order.Instance.Compare(a.Database, b.Database);
            if (c == 0) c = Utf8Order.Instance.Compare(a.Policy, b.Policy);
            return c != 0 ? c : Utf8Order.Instance.Compare(a.Name, b.Name);
        });
        var selected = Page(rows, s.Offset, s.Limit);
        if (selected.Count == 0) return null;
        var withPolicy = new ResultSeries("measurements", MeasurementWithPolicyColumns);
        foreach (var (db, rp, name) in selected) withPolicy.Values.Add([name, db, rp]);
        result.Series.Add(withPolicy);
        return null;
    }

    private static SortedSet<string> MeasurementNames(IReadOnlyList<IShardView> shards, SourceScope? matcher, TagFilter filter)
    {
        var names = new SortedSet<string>(Utf8Order.Instance);
        foreach (var shard in shards)
        {
            foreach (var m in shard.Index.Measurements())
            {
                if (matcher is not null && !matcher.Matches(m)) continue;
                if (names.Contains(m)) continue;
                if (ReferenceEquals(filter, TagFilter.All) || filter.MatchesMeasurement(new MeasurementScope(shard.Index, m))) names.Add(m);
            }
        }
        return names;
    }

    private string? ShowSeries(ShowSeriesStatement s, ExecutionOptions options, QueryResult result, IShardCatalog shards)
    {
        var state = _meta.Current;
        if (!TryDatabase(state, s.Database, options, out var db, out var error)) return error;
        if (!ConditionSplit.TrySplit(s.Condition, Now(), out var rest, out var range, out error)) return error;
        if (!TagFilter.TryCompile(rest, out var filter, out error)) return error;
        if (!TryQueryScopes(db, s.Sources, options, out var scopes, out error)) return error;

        var keys = new SortedSet<string>(new SeriesKeyOrder());
        ForEachMeasurement(shards, state, db.Name, scopes, range, (shard, m) =>
        {
            foreach (uint id in filter.Evaluate(new MeasurementScope(shard.Index, m)))
                if (shard.Index.SeriesKey(id) is { } key) keys.Add(Encoding.UTF8.GetString(key));
        });
        var page = Page(keys, s.Offset, s.Limit);
        if (page.Count == 0) return null;
        var series = new ResultSeries("", SeriesColumns);
        foreach (var key in page) series.Values.Add([key]);
        result.Series.Add(series);
        return null;
    }

    private string? ShowTagKeys(ShowTagKeysStatement s, ExecutionOptions options, QueryResult result, IShardCatalog shards)
    {
        var state = _meta.Current;
        if (!TryDatabase(state, s.Database, options, out var db, out var error)) return error;
        if (!ConditionSplit.TrySplit(s.Condition, Now(), out var rest, out var range, out error)) return error;
        if (!TagFilter.TryCompile(rest, out var filter, out error)) return error;
        if (!SourceScope.TryKeyMatcher(s.TagKeyOp, s.TagKeyExpr, out var keyMatcher, out error)) return error;
        if (!TrySchemaScopes(s.Sources, null, out var scopes, out error)) return error;

        var byMeasurement = new SortedDictionary<string, SortedSet<string>>(Utf8Order.Instance);
        ForEachMeasurement(shards, state, db.Name, scopes, range, (shard, m) =>
        {
            var scope = new MeasurementScope(shard.Index, m);
            bool all = ReferenceEquals(filter, TagFilter.All);
            var ids = all ? [] : filter.Evaluate(scope);
            if (!all && ids.Length == 0) return;
            foreach (var key in shard.Index.TagKeys(m))
            {
                if (!keyMatcher(key)) continue;
                if (!all && SeriesIdSets.Intersect(ids, scope.WithKey(key)).Length == 0) continue;
                Add(byMeasurement, m, key);
            }
        });

        var measurements = Page(byMeasurement.Where(e => e.Value.Count > 0).ToList(), s.SOffset, s.SLimit);
        foreach (var (m, keys) in measurements)
        {
            var page = Page(keys, s.Offset, s.Limit);
            if (page.Count == 0) continue;
            var series = new ResultSeries(m, TagKeyColumns);
            foreach (var key in page) series.Values.Add([key]);
            result.Series.Add(series);
        }
        return null;
    }

    private string? ShowTagValues(ShowTagValuesStatement s, ExecutionOptions options, QueryResult result, IShardCatalog shards)
    {
        var state = _meta.Current;
        if (!TryDatabase(state, s.Database, options, out var db, out var error)) return error;
        if (!TrySingleRetentionPolicy(s.Sources, out string? policy, out error)) return error;
        if (!ConditionSplit.TrySplit(s.Condition, Now(), out var rest, out var range, out error)) return error;
        if (!TagValueFilters(rest, out var filter, out var valueFilter, out error)) return error;
        if (!SourceScope.TryKeyMatcher(s.Op, s.TagKeyExpr, out var keyMatcher, out error)) return error;
        if (!TrySchemaScopes(s.Sources, policy, out var scopes, out error)) return error;

        var byMeasurement = CollectTagValues(shards, state, db.Name, scopes, range, filter, valueFilter, keyMatcher);
        foreach (var (m, pairs) in byMeasurement)
        {
            var page = Page(pairs, s.Offset, s.Limit);
            if (page.Count == 0) continue;
            var series = new ResultSeries(m, TagValueColumns);
            foreach (var (key, value) in page) series.Values.Add([key, value]);
            result.Series.Add(series);
        }
        return null;
    }

    private static SortedDictionary<string, SortedSet<(string Key, string Value)>> CollectTagValues(IShardCatalog shards, MetaState state, string database,
        IReadOnlyList<SourceScope> scopes, QueryTimeRange range, TagFilter filter, Func<string, bool> valueFilter, Func<string, bool> keyMatcher)
    {
        var byMeasurement = new SortedDictionary<string, SortedSet<(string, string)>>(Utf8Order.Instance);
        ForEachMeasurement(shards, state, database, scopes, range, (shard, m) =>
        {
            bool all = ReferenceEquals(filter, TagFilter.All);
            var ids = all ? [] : filter.Evaluate(new MeasurementScope(shard.Index, m));
            if (!all && ids.Length == 0) return;
            foreach (var key in shard.Index.TagKeys(m))
            {
                if (!keyMatcher(key)) continue;
                foreach (var value in shard.Index.TagValues(m, key))
                {
                    if (!valueFilter(value)) continue;
                    if (!all && SeriesIdSets.Intersect(ids, shard.Index.SeriesIdsForTag(m, key, value)).Length == 0) continue;
                    if (!byMeasurement.TryGetValue(m, out var pairs))
                        byMeasurement[m] = pairs = new SortedSet<(string, string)>(KeyValueOrder.Instance);
                    pairs.Add((key, value));
                }
            }
        });
        return byMeasurement;
    }

    /// <summary>Splits a SHOW TAG VALUES condition: <c>value</c> comparisons test the values, the rest the series.</summary>
    private static bool TagValueFilters(Expr? condition, [NotNullWhen(true)] out TagFilter? filter,
        [NotNullWhen(true)] out Func<string, bool>? valueFilter, [NotNullWhen(false)] out string? error, bool missingTagIsEmpty = true)
    {
        valueFilter = null;
        // influxdb's _name and _tagKey (what its rewrite turns FROM and WITH KEY into) are not tags; "__name__" is.
        var seriesPart = ExprPruning.Keep(condition, b => ExprPruning.ComparedName(b) is not ("_name" or "_tagKey" or ValueFilter.ValueName));
        var valuePart = ExprPruning.Keep(condition, b => ExprPruning.ComparedName(b) == ValueFilter.ValueName);
        if (!TagFilter.TryCompile(seriesPart, out filter, out error, missingTagIsEmpty)) return false;
        return ValueFilter.TryCompile(valuePart, out valueFilter, out error);
    }

    private string? ShowFieldKeys(ShowFieldKeysStatement s, ExecutionOptions options, QueryResult result, IShardCatalog shards)
    {
        var state = _meta.Current;
        if (!TryDatabase(state, s.Database, options, out var db, out var error)) return error;
        if (!TryQueryScopes(db, s.Sources, options, out var scopes, out error)) return error;

        var byMeasurement = CollectFields(shards, state, db.Name, scopes, QueryTimeRange.Unbounded);
        foreach (var (m, fields) in byMeasurement)
        {
            var page = Page(fields, s.Offset, s.Limit);
            if (page.Count == 0) continue;
            var series = new ResultSeries(m, FieldKeyColumns);
            foreach (var (key, type) in page) series.Values.Add([key, FieldTypeName(type)]);
            result.Series.Add(series);
        }
        return null;
    }

    private static SortedDictionary<string, SortedDictionary<string, FieldType>> CollectFields(IShardCatalog shards, MetaState state, string database, IReadOnlyList<SourceScope> scopes, QueryTimeRange range)
    {
        var byMeasurement = new SortedDictionary<string, SortedDictionary<string, FieldType>>(Utf8Order.Instance);
        ForEachMeasurement(shards, state, database, scopes, range, (shard, m) =>
        {
            foreach (var (key, type) in shard.Index.Fields(m))
            {
                if (!byMeasurement.TryGetValue(m, out var fields)) byMeasurement[m] = fields = new SortedDictionary<string, FieldType>(Utf8Order.Instance);
                fields.TryAdd(key, type); // the first shard's type wins when shards disagree
            }
        });
        return byMeasurement;
    }

    private static string FieldTypeName(FieldType type) => type switch
    {
        FieldType.Float => "float",
        FieldType.Integer => "integer",
        FieldType.Unsigned => "unsigned",
        FieldType.Boolean => "boolean",
        FieldType.String => "string",
        _ => "unknown",
    };

    // ---- shared plumbing ----

    /// <summary>The statement's database (or the db parameter): "database name required" / "database not found: x".</summary>
    private static bool TryDatabase(MetaState state, string statementDatabase, ExecutionOptions options,
        [NotNullWhen(true)] out DatabaseInfo? db, [NotNullWhen(false)] out string? error)
    {
        string name = Database(statementDatabase, options);
        db = null;
        error = null;
        if (name.Length == 0) error = DatabaseNameRequired;
        else if ((db = state.Database(name)) is null) error = MetaErrorTexts.DatabaseNotFound(name);
        return error is null;
    }

    /// <summary>
    /// Sources as a SELECT reads them (InfluxDB rewrites SHOW SERIES, SHOW FIELD KEYS and the exact cardinalities
    /// into SELECTs): each source's policy, else the rp parameter, else the database default, which must exist.
    /// </summary>
    private static bool TryQueryScopes(DatabaseInfo db, NodeList<Source>? sources, ExecutionOptions options,
        [NotNullWhen(true)] out IReadOnlyList<SourceScope>? scopes, [NotNullWhen(false)] out string? error)
    {
        scopes = null;
        var list = new List<SourceScope>();
        if (sources is null || sources.Count == 0)
        {
            if (!TryPolicy(db, "", options, out string rp, out error)) return false;
            list.Add(SourceScope.AllMeasurements(rp));
            scopes = list;
            return true;
        }
        foreach (var source in sources)
        {
            string explicitPolicy = source is Measurement m ? m.RetentionPolicy : "";
            if (!TryPolicy(db, explicitPolicy, options, out string rp, out error)) return false;
            if (!SourceScope.TryCreate(source, rp, out var scope, out error)) return false;
            list.Add(scope);
        }
        scopes = list;
        error = null;
        return true;
    }

    private static bool TryPolicy(DatabaseInfo db, string explicitPolicy, ExecutionOptions options, out string policy, [NotNullWhen(false)] out string? error)
    {
        policy = explicitPolicy.Length != 0 ? explicitPolicy : options.RetentionPolicy.Length != 0 ? options.RetentionPolicy : db.DefaultRetentionPolicy;
        error = policy.Length == 0 ? MetaErrorTexts.DefaultRetentionPolicyNotSet(db.Name)
            : db.RetentionPolicy(policy) is null ? MetaErrorTexts.RetentionPolicyNotFound(policy)
            : null;
        return error is null;
    }

    /// <summary>Sources as the index-backed statements read them: a named policy, or every policy ("").</summary>
    private static bool TrySchemaScopes(NodeList<Source>? sources, string? onlyPolicy,
        [NotNullWhen(true)] out IReadOnlyList<SourceScope>? scopes, [NotNullWhen(false)] out string? error)
    {
        scopes = null;
        error = null;
        var list = new List<SourceScope>();
        if (sources is null || sources.Count == 0)
        {
            list.Add(SourceScope.AllMeasurements(onlyPolicy ?? ""));
        }
        else
        {
            foreach (var source in sources)
            {
                string rp = onlyPolicy ?? (source is Measurement m ? m.RetentionPolicy : "");
                if (!SourceScope.TryCreate(source, rp, out var scope, out error)) return false;
                list.Add(scope);
            }
        }
        scopes = list;
        return true;
    }

    /// <summary>InfluxDB 1.11 reads one retention policy in SHOW TAG VALUES; two named policies are refused.</summary>
    private static bool TrySingleRetentionPolicy(NodeList<Source>? sources, out string? policy, [NotNullWhen(false)] out string? error)
    {
        policy = null;
        error = null;
        if (sources is null) return true;
        foreach (var source in sources)
        {
            if (source is not Measurement { RetentionPolicy.Length: > 0 } m) continue;
            if (policy is null) policy = m.RetentionPolicy;
            else if (policy != m.RetentionPolicy)
            {
                error = "only one retention policy allowed in SHOW TAG VALUES query: \"" + m.RetentionPolicy + "\", \"" + policy + "\"";
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> once per (shard, measurement) that some scope selects, over the shards of
    /// the scope's policy whose group overlaps <paramref name="range"/>.
    /// </summary>
    private static void ForEachMeasurement(IShardCatalog shards, MetaState state, string database, IReadOnlyList<SourceScope> scopes, QueryTimeRange range, Action<IShardView, string> visit)
    {
        var seen = new HashSet<(ulong, string)>();
        foreach (var scope in scopes)
        {
            foreach (var shard in SelectShards(shards, state, database, scope.RetentionPolicy, range))
            {
                foreach (var m in shard.Index.Measurements())
                {
                    if (scope.Matches(m) && seen.Add((shard.Id, m))) visit(shard, m);
                }
            }
        }
    }

    /// <summary>
    /// The shards of a database (of one policy unless <paramref name="retentionPolicy"/> is ""). With a time
    /// range, only shards whose live group overlaps it, as the meta client's ShardGroupsByTimeRange selects.
    /// </summary>
    private static IReadOnlyList<IShardView> SelectShards(IShardCatalog catalog, MetaState state, string database, string retentionPolicy, QueryTimeRange range)
    {
        var shards = catalog.Shards(database, retentionPolicy.Length == 0 ? null : retentionPolicy);
        if (range.IsUnbounded) return shards;
        var overlapping = new HashSet<ulong>();
        if (state.Database(database) is { } db)
        {
            foreach (var rp in db.RetentionPolicies)
            {
                foreach (var group in rp.ShardGroups)
                {
                    if (group.Deleted || !group.Overlaps(range.Min, range.Max)) continue;
                    foreach (var shard in group.Shards) overlapping.Add(shard.Id);
                }
            }
        }
        var selected = new List<IShardView>(shards.Count);
        foreach (var shard in shards)
            if (overlapping.Contains(shard.Id)) selected.Add(shard);
        return selected;
    }

    private static void Add(SortedDictionary<string, SortedSet<string>> map, string measurement, string item)
    {
        if (!map.TryGetValue(measurement, out var set)) map[measurement] = set = new SortedSet<string>(Utf8Order.Instance);
        set.Add(item);
    }

    /// <summary>OFFSET then LIMIT (0 means none), as the executor slices names, keys and values.</summary>
    private static List<T> Page<T>(IEnumerable<T> items, long offset, long limit)
    {
        var page = new List<T>();
        long skipped = 0;
        foreach (var item in items)
        {
            if (skipped < offset)
            {
                skipped++;
                continue;
            }
            if (limit > 0 && page.Count >= limit) break;
            page.Add(item);
        }
        return page;
    }

    private sealed class KeyValueOrder : IComparer<(string Key, string Value)>
    {
        public static readonly KeyValueOrder Instance = new();

        public int Compare((string Key, string Value) x, (string Key, string Value) y)
        {
            int c = Utf8Order.Instance.Compare(x.Key, y.Key);
            return c != 0 ? c : Utf8Order.Instance.Compare(x.Value, y.Value);
        }
    }
}
