using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Results;
using Cairn.Storage.Engine;
using Cairn.Storage.Index;

namespace Cairn.Http.Statements;

// SHOW … CARDINALITY. Without EXACT and without any clause, series and measurement cardinality are the
// database-wide "cardinality estimation" (exact here: the distinct count over every shard). Everything else
// is what InfluxDB's rewrite into SELECT count(…) answers: one "count" per measurement (series cardinality
// with clauses but no EXACT keeps the column name "cardinality estimation"), or one unnamed count of
// measurements, over the default (or named) retention policy.
public sealed partial class StatementExecutor
{
    private static readonly string[] CountColumns = ["count"];
    private static readonly string[] EstimationColumns = ["cardinality estimation"];

    private ValueTask<string?> ShowCardinalityAsync(ShowCardinalityStatement s, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken) =>
        WithClusterShardsAsync([Database(s.Database, options)], shards => ShowCardinality(s, options, result, shards), cancellationToken);

    private ValueTask<string?> ShowTagValuesCardinalityAsync(ShowTagValuesCardinalityStatement s, ExecutionOptions options, QueryResult result,
        CancellationToken cancellationToken) =>
        WithClusterShardsAsync([Database(s.Database, options)], shards => ShowTagValuesCardinality(s, options, result, shards), cancellationToken);

    private string? ShowCardinality(ShowCardinalityStatement s, ExecutionOptions options, QueryResult result, IShardCatalog shards)
    {
        var state = _meta.Current;
        bool estimate = !s.Exact && s.Sources is null && s.Condition is null && s.Dimensions.Count == 0 && s.Limit == 0 && s.Offset == 0;
        if (estimate && s.Kind is CardinalityKind.Series or CardinalityKind.Measurement)
        {
            string name = Database(s.Database, options);
            if (name.Length == 0) return DatabaseNameRequired;
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var shard in shards.Shards(name))
            {
                foreach (var m in shard.Index.Measurements())
                {
                    if (s.Kind == CardinalityKind.Measurement)
                    {
                        distinct.Add(m);
                        continue;
                    }
                    foreach (uint id in shard.Index.SeriesIds(m))
                        if (shard.Index.SeriesKey(id) is { } key) distinct.Add(Encoding.UTF8.GetString(key));
                }
            }
            var row = new ResultSeries("", EstimationColumns);
            row.Values.Add([(long)distinct.Count]);
            result.Series.Add(row);
            return null;
        }

        if (ConditionSplit.HasTimeExpr(s.Condition))
        {
            return s.Kind switch
            {
                CardinalityKind.Series => "SHOW SERIES EXACT CARDINALITY doesn't support time in WHERE clause",
                CardinalityKind.Measurement => "SHOW MEASUREMENT EXACT CARDINALITY doesn't support time in WHERE clause",
                CardinalityKind.TagKey => "SHOW TAG KEY EXACT CARDINALITY doesn't support time in WHERE clause",
                _ => "SHOW FIELD KEY CARDINALITY doesn't support time in WHERE clause",
            };
        }
        if (s.Dimensions.Count > 0) return "not implemented: GROUP BY in SHOW CARDINALITY";
        if (!TryDatabase(state, s.Database, options, out var db, out var error)) return error;
        if (!TagFilter.TryCompile(s.Condition, out var filter, out error)) return error;
        if (!TryQueryScopes(db, s.Sources, options, out var scopes, out error)) return error;

        // Each measurement is one row of one value: an OFFSET skips it, a LIMIT keeps it.
        bool skip = s.Offset > 0;
        var counts = new SortedDictionary<string, HashSet<string>>(Utf8Order.Instance);
        ForEachMeasurement(shards, state, db.Name, scopes, QueryTimeRange.Unbounded, (shard, m) =>
        {
            var scope = new MeasurementScope(shard.Index, m);
            var ids = filter.Evaluate(scope);
            if (ids.Length == 0) return;
            if (!counts.TryGetValue(m, out var distinct)) counts[m] = distinct = new HashSet<string>(StringComparer.Ordinal);
            switch (s.Kind)
            {
                case CardinalityKind.Series:
                    foreach (uint id in ids)
                        if (shard.Index.SeriesKey(id) is { } key) distinct.Add(Encoding.UTF8.GetString(key));
                    break;
                case CardinalityKind.TagKey:
                    foreach (var key in shard.Index.TagKeys(m))
                        if (SeriesIdSets.Intersect(ids, scope.WithKey(key)).Length > 0) distinct.Add(key);
                    break;
                case CardinalityKind.FieldKey:
                    foreach (var (key, _) in shard.Index.Fields(m)) distinct.Add(key);
                    break;
            }
        });

        if (s.Kind == CardinalityKind.Measurement)
        {
            if (counts.Count == 0 || skip) return null;
            var row = new ResultSeries("", CountColumns);
            row.Values.Add([(long)counts.Count]);
            result.Series.Add(row);
            return null;
        }
        if (skip) return null;
        var columns = s.Kind == CardinalityKind.Series && !s.Exact ? EstimationColumns : CountColumns;
        foreach (var (m, distinct) in counts)
        {
            if (distinct.Count == 0) continue;
            var row = new ResultSeries(m, columns);
            row.Values.Add([(long)distinct.Count]);
            result.Series.Add(row);
        }
        return null;
    }

    private string? ShowTagValuesCardinality(ShowTagValuesCardinalityStatement s, ExecutionOptions options, QueryResult result, IShardCatalog shards)
    {
        var state = _meta.Current;
        if (s.Dimensions.Count > 0) return "not implemented: GROUP BY in SHOW CARDINALITY";
        if (!TryDatabase(state, s.Database, options, out var db, out var error)) return error;
        if (!ConditionSplit.TrySplit(s.Condition, Now(), out var rest, out var range, out error)) return error;
        if (!TagValueFilters(rest, out var filter, out var valueFilter, out error, missingTagIsEmpty: false)) return error;
        if (!SourceScope.TryKeyMatcher(s.Op, s.TagKeyExpr, out var keyMatcher, out error)) return error;
        if (!TryQueryScopes(db, s.Sources, options, out var scopes, out error)) return error;
        if (s.Offset > 0) return null;

        // count(distinct(_tagValue)): values are counted once whatever key carries them.
        foreach (var (m, pairs) in CollectTagValues(shards, state, db.Name, scopes, range, filter, valueFilter, keyMatcher))
        {
            var values = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, value) in pairs) values.Add(value);
            if (values.Count == 0) continue;
            var row = new ResultSeries(m, CountColumns);
            row.Values.Add([(long)values.Count]);
            result.Series.Add(row);
        }
        return null;
    }
}
