using Cairn.Cluster;
using Cairn.Cluster.Query;
using Cairn.Meta.Store;
using Cairn.Cluster.Write;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Results;
using Cairn.Storage.Engine;
using Cairn.Storage.LineProtocol;

namespace Cairn.Http.Statements;

public sealed partial class StatementExecutor
{
    /// <summary>The node's points writer (replicating to shard owners), for SELECT … INTO; a local-only one when null.</summary>
    public PointsWriter? Writer { get; init; }

    /// <summary><c>[cluster] max-select-series</c>, <c>max-select-point</c> and <c>max-select-buckets</c>.</summary>
    public SelectLimits SelectLimits { get; init; } = SelectLimits.None;

    /// <summary>Runs a SELECT through the query engine over this node's shards; SELECT … INTO writes its rows back.</summary>
    private async ValueTask<string?> SelectAsync(SelectStatement statement, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken)
    {
        var context = new SelectContext(Resolver(_meta.Current, options, cancellationToken), Now()) { Limits = SelectLimits, CancellationToken = cancellationToken };
        if (statement.Target is not { } target) return ReadingShards(() => SelectEngine.Execute(statement, context, result));

        List<ResultSeries>? series = null;
        string? error = ReadingShards(() =>
        {
            series = SelectEngine.ExecuteForInto(statement, context, out string? failed);
            return failed;
        });
        if (series is null) return error;
        if (_shards is not TsdbStore store) return "not implemented: SELECT INTO";
        string database = Database(target.Measurement.Database, options);
        if (database.Length == 0) return DatabaseNameRequired;
        var tagColumns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in statement.Fields)
        {
            if (field.Expr is not Call { Name: "top" or "bottom" } call) continue;
            for (int i = 1; i < call.Args.Count - 1; i++)
                if (call.Args[i] is VarRef tag) tagColumns.Add(tag.Name);
        }
        var (body, points) = IntoPoints.Encode(series, target.Measurement.Name, tagColumns);
        if (points > 0)
        {
            var outcome = await (Writer ?? new PointsWriter(_meta, store)).WriteAsync(database, target.Measurement.RetentionPolicy, body, Precision.Nanosecond, cancellationToken)
                .ConfigureAwait(false);
            if (outcome.Error is not null) return outcome.Error;
        }
        var written = new ResultSeries("result", ["time", "written"]);
        written.Values.Add([new ResultTime(0), (long)points]);
        result.Series.Add(written);
        return null;
    }

    /// <summary>
    /// EXPLAIN and EXPLAIN ANALYZE of a SELECT: its measurement sources qualified with the database and retention
    /// policy they resolve to (as InfluxDB's plan prints them), then planned (and for ANALYZE run) by the engine.
    /// </summary>
    private string? Explain(ExplainStatement explain, ExecutionOptions options, QueryResult result, CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        var statement = explain.Statement;
        var sources = new List<Source>(statement.Sources.Count);
        foreach (var source in statement.Sources)
        {
            if (source is Measurement m && TryDatabase(state, m.Database, options, out var db, out _) && TryPolicy(db, m.RetentionPolicy, options, out string rp, out _))
                sources.Add(m with { Database = db.Name, RetentionPolicy = rp });
            else
                sources.Add(source);
        }
        var context = new SelectContext(Resolver(state, options, cancellationToken), Now()) { Limits = SelectLimits, CancellationToken = cancellationToken };
        return ReadingShards(() => SelectEngine.Explain(statement with { Sources = NodeList.Create<Source>([.. sources]) }, context, explain.Analyze, result));
    }

    /// <summary>
    /// The shards of a FROM source: its database (or the db parameter) and policy (or rp, or the default). On a data
    /// node of a cluster, the shards meta lists for the policy: read here when this node owns and holds them, skipped
    /// when it owns but does not hold them (no write reached it: no data), read from their owners otherwise.
    /// </summary>
    private ShardResolver Resolver(MetaState state, ExecutionOptions options, CancellationToken cancellationToken = default) =>
        (string database, string retentionPolicy, out IReadOnlyList<IShardReader> shards, out string? error) =>
        {
            shards = [];
            if (!TryDatabase(state, database, options, out var db, out error)) return false;
            if (!TryPolicy(db, retentionPolicy, options, out string rp, out error)) return false;
            var list = new List<IShardReader>();
            var local = _shards.Shards(db.Name, rp);
            // Each listed shard's group: its id and time range (a statement with a time range reads the groups it overlaps).
            var groups = new Dictionary<ulong, ShardGroupInfo>();
            var listed = new List<(ShardInfo Shard, ShardGroupInfo Group)>();
            foreach (var group in db.RetentionPolicy(rp)?.ShardGroups ?? [])
                if (!group.Deleted)
                    foreach (var shard in group.Shards)
                    {
                        groups[shard.Id] = group;
                        listed.Add((shard, group));
                    }
            if (Cluster is { } cluster && cluster.IsClustered(state))
            {
                var failures = new OwnerFailures();
                var held = new Dictionary<ulong, IShardView>();
                foreach (var shard in local) held[shard.Id] = shard;
                // Shard id order, as a single node reads its shards.
                listed.Sort(static (a, b) => a.Shard.Id.CompareTo(b.Shard.Id));
                foreach (var (shard, group) in listed)
                {
                    if (cluster.IsLocal(state, shard))
                    {
                        if (held.TryGetValue(shard.Id, out var view))
                            list.Add(new ShardViewReader(view) { ShardGroupId = group.Id, GroupRange = (group.StartTime, group.EndTime) });
                        continue;
                    }
                    list.Add(new RemoteShardReader(cluster, shard.Id, group.Id, ShardOwners.ForRead(cluster, state, shard, localHasShard: false), failures,
                        cancellationToken) { GroupRange = (group.StartTime, group.EndTime) });
                }
            }
            else
            {
                foreach (var shard in local)
                {
                    list.Add(groups.TryGetValue(shard.Id, out var group)
                        ? new ShardViewReader(shard) { GroupRange = (group.StartTime, group.EndTime) }
                        : new ShardViewReader(shard));
                }
            }
            shards = list;
            return true;
        };

    /// <summary>
    /// Runs a read of the engine, answering a shard no owner could serve as the statement's error (InfluxDB answers a
    /// shard mapping failure as the statement's error too) instead of failing the request.
    /// </summary>
    private static string? ReadingShards(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (ShardUnavailableException e)
        {
            return e.Message;
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions is [ShardUnavailableException unavailable, ..])
        {
            return unavailable.Message;
        }
    }

    /// <summary>
    /// A SELECT's series as InfluxDB's emitter hands them out: one result per run of at most
    /// <paramref name="chunkSize"/> rows of one series. A series cut short is <c>partial</c>, and so is every result
    /// but the statement's last.
    /// </summary>
    internal static IEnumerable<QueryResult> Chunks(QueryResult result, int chunkSize)
    {
        if (chunkSize <= 0) chunkSize = ExecutionOptions.DefaultChunkSize;
        var chunks = new List<QueryResult>();
        foreach (var series in result.Series)
        {
            int start = 0;
            do
            {
                int count = Math.Min(chunkSize, series.Values.Count - start);
                var part = new ResultSeries(series.Name, series.Columns, series.Tags) { Partial = start + count < series.Values.Count };
                part.Values.AddRange(series.Values.GetRange(start, count));
                var chunk = new QueryResult(result.StatementId) { Partial = true };
                chunk.Series.Add(part);
                chunks.Add(chunk);
                start += count;
            }
            while (start < series.Values.Count);
        }
        chunks[0].Messages.AddRange(result.Messages);
        chunks[^1].Partial = false;
        return chunks;
    }
}
