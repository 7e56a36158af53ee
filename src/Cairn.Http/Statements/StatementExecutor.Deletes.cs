using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Engine;

namespace Cairn.Http.Statements;

// DROP MEASUREMENT, DROP SERIES and DELETE: applied to every local shard of the database (of one policy for
// DELETE FROM rp.m), as InfluxDB's TSDBStore.DeleteSeries does. DELETE's time range also picks the shards
// and bounds what each deletes; DROP SERIES deletes all time.
public sealed partial class StatementExecutor
{
    private async ValueTask<string?> DropMeasurementAsync(DropMeasurementStatement s, ExecutionOptions options, CancellationToken cancellationToken)
    {
        if (!TryDatabase(_meta.Current, "", options, out var db, out var error)) return error;
        foreach (var shard in _shards.Shards(db.Name))
            await shard.DeleteMeasurementAsync(s.Name, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<string?> DeleteSeriesAsync(NodeList<Source>? sources, Expr? condition, bool drop, ExecutionOptions options, CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        if (!TryDatabase(state, "", options, out var db, out var error)) return error;
        if (drop && ConditionSplit.HasTimeExpr(condition)) return "DROP SERIES doesn't support time in WHERE clause";
        if (!ConditionSplit.TrySplit(condition, Now(), out var rest, out var range, out error)) return error;
        if (!TagFilter.TryCompile(rest, out var filter, out error)) return error;
        if (!TrySchemaScopes(sources, null, out var scopes, out error)) return error;
        var compared = new HashSet<string>(StringComparer.Ordinal);
        filter.CollectKeys(compared);

        long min = range.Min, max = range.Max;
        foreach (var scope in scopes)
        {
            foreach (var shard in SelectShards(state, db.Name, scope.RetentionPolicy, range))
            {
                var ids = new List<uint>();
                foreach (var m in shard.Index.Measurements())
                {
                    if (!scope.Matches(m)) continue;
                    // A name that is a field of the measurement (and not a tag) cannot be answered from the index.
                    if (compared.Count > 0 && ComparesField(shard.Index, m, compared))
                        return "shard " + shard.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ": fields not supported in WHERE clause during deletion";
                    ids.AddRange(filter.Evaluate(new MeasurementScope(shard.Index, m)));
                }
                if (ids.Count == 0) continue;
                await shard.DeleteSeriesAsync(ids, min, max, cancellationToken).ConfigureAwait(false);
            }
        }
        return null;
    }

    private static bool ComparesField(Cairn.Storage.Index.SeriesIndex index, string measurement, HashSet<string> compared)
    {
        var tagKeys = index.TagKeys(measurement);
        foreach (var (field, _) in index.Fields(measurement))
        {
            if (compared.Contains(field) && Array.IndexOf(tagKeys, field) < 0) return true;
        }
        return false;
    }
}
