using Cairn.Cluster;
using Cairn.Cluster.Schema;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Parsing;

namespace Cairn.Http.Statements;

// DROP MEASUREMENT, DROP SERIES and DELETE: applied to every local shard of the database (of one policy for
// DELETE FROM rp.m), as InfluxDB's TSDBStore.DeleteSeries does. DELETE's time range also picks the shards
// and bounds what each deletes; DROP SERIES deletes all time.
//
// In a cluster the coordinator runs the statement on its own shards, then on every other data node's own shards
// (ClusterMethod.ExecuteLocal: the statement text, the database and the coordinator's now()); a node that cannot be
// reached fails the statement with its name, as Enterprise answers. DROP DATABASE, DROP RETENTION POLICY and DROP
// SHARD fan out the same way before meta changes once.
public sealed partial class StatementExecutor
{
    private async ValueTask<string?> DropMeasurementAsync(DropMeasurementStatement s, ExecutionOptions options, CancellationToken cancellationToken)
    {
        if (!TryDatabase(_meta.Current, "", options, out var db, out var error)) return error;
        await DropMeasurementLocalAsync(s.Name, db.Name, cancellationToken).ConfigureAwait(false);
        return await FanOutAsync(s, db.Name, Now(), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask DropMeasurementLocalAsync(string measurement, string database, CancellationToken cancellationToken)
    {
        foreach (var shard in _shards.Shards(database))
            await shard.DeleteMeasurementAsync(measurement, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<string?> DeleteSeriesAsync(NodeList<Source>? sources, Expr? condition, bool drop, ExecutionOptions options, CancellationToken cancellationToken)
    {
        if (!TryDatabase(_meta.Current, "", options, out var db, out var error)) return error;
        long now = Now();
        error = await DeleteSeriesLocalAsync(sources, condition, drop, db.Name, now, cancellationToken).ConfigureAwait(false);
        if (error is not null) return error;
        Statement statement = drop ? new DropSeriesStatement(sources, condition) : new DeleteSeriesStatement(sources, condition);
        return await FanOutAsync(statement, db.Name, now, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<string?> DeleteSeriesLocalAsync(NodeList<Source>? sources, Expr? condition, bool drop, string database, long now,
        CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        if (drop && ConditionSplit.HasTimeExpr(condition)) return "DROP SERIES doesn't support time in WHERE clause";
        if (!ConditionSplit.TrySplit(condition, now, out var rest, out var range, out var error)) return error;
        if (!TagFilter.TryCompile(rest, out var filter, out error)) return error;
        if (!TrySchemaScopes(sources, null, out var scopes, out error)) return error;
        var compared = new HashSet<string>(StringComparer.Ordinal);
        filter.CollectKeys(compared);

        long min = range.Min, max = range.Max;
        foreach (var scope in scopes)
        {
            foreach (var shard in SelectShards(_shards, state, database, scope.RetentionPolicy, range))
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

    /// <summary>
    /// Runs <paramref name="statement"/> on every other data node's own shards; null on a single server or when every
    /// node did. The caller has already run it on this node's shards.
    /// </summary>
    private async ValueTask<string?> FanOutAsync(Statement statement, string database, long now, CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        if (Cluster is not { } cluster || !cluster.IsClustered(state)) return null;
        return await DataNodeFanout.ExecuteOnPeersAsync(cluster, state, statement.ToString(), database, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers <see cref="ClusterMethod.ExecuteLocal"/>: a coordinator's delete or drop, run on this node's shards only.
    /// </summary>
    private async ValueTask<ReadOnlyMemory<byte>> ExecuteLocalAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var (text, database, now) = ExecuteLocalMessage.ReadRequest(request);
        if (!InfluxQLParser.TryParseStatement(text, null, out var statement, out var parseError))
            throw new InvalidDataException("execute-local: " + parseError);
        string? error = null;
        switch (statement)
        {
            case DropMeasurementStatement s:
                await DropMeasurementLocalAsync(s.Name, database, cancellationToken).ConfigureAwait(false);
                break;
            case DropSeriesStatement s:
                error = await DeleteSeriesLocalAsync(s.Sources, s.Condition, drop: true, database, now, cancellationToken).ConfigureAwait(false);
                break;
            case DeleteSeriesStatement s:
                error = await DeleteSeriesLocalAsync(s.Sources, s.Condition, drop: false, database, now, cancellationToken).ConfigureAwait(false);
                break;
            case DropDatabaseStatement s:
                await _shards.DeleteDatabaseAsync(s.Name, cancellationToken).ConfigureAwait(false);
                break;
            case DropRetentionPolicyStatement s:
                await _shards.DeleteRetentionPolicyAsync(s.Database, s.Name, cancellationToken).ConfigureAwait(false);
                break;
            case DropShardStatement s:
                await _shards.DeleteShardAsync(s.Id, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ClusterRejectedException("execute-local: not a delete or drop: " + text);
        }
        return ExecuteLocalMessage.Response(error);
    }
}
