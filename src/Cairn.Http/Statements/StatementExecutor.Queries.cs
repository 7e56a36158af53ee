using System.Diagnostics;
using System.Globalization;
using Cairn.Cluster;
using Cairn.Cluster.Schema;
using Cairn.Common;
using Cairn.Common.Net.Rpc;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Execution;
using Cairn.Query.Results;
using Cairn.Storage.Engine;

namespace Cairn.Http.Statements;

// SHOW QUERIES, KILL QUERY (this node's QueryRegistry), SHOW STATS and SHOW DIAGNOSTICS.
public sealed partial class StatementExecutor
{
    private static readonly DateTimeOffset ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>The queries running on this node; the endpoint registers every query here.</summary>
    public QueryRegistry Queries { get; init; } = new();

    private static readonly string[] QueryColumns = ["qid", "query", "database", "duration", "status"];
    private static readonly string[] ClusterQueryColumns = ["qid", "node_id", "tcp_host", "query", "database", "duration", "status"];

    /// <summary>
    /// SHOW QUERIES: this node's queries (OSS columns) on a single server; in a cluster the queries of every data node,
    /// with Enterprise's node_id and tcp_host columns, by node then qid. A node that cannot be reached fails the statement.
    /// </summary>
    private async ValueTask<string?> ShowQueriesAsync(QueryResult result, CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        if (Cluster is not { } cluster || !cluster.IsClustered(state))
        {
            var series = new ResultSeries("", QueryColumns);
            foreach (var q in LocalQueries())
                series.Values.Add([(long)q.Id, q.Text, q.Database, QueryRegistry.FormatDuration(q.Duration), q.Status]);
            result.Series.Add(series);
            return null;
        }

        var nodes = state.DataNodes.OrderBy(n => n.Id).ToList();
        var lists = new Task<List<NodeQuery>>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            lists[i] = nodes[i].Id == cluster.LocalNodeId
                ? Task.FromResult(LocalQueries())
                : ListRemoteQueriesAsync(cluster, nodes[i], cancellationToken);
        }
        try
        {
            await Task.WhenAll(lists).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            for (int i = 0; i < nodes.Count; i++)
                if (lists[i].IsFaulted || lists[i].IsCanceled) return DataNodeFanout.Describe(nodes[i]) + ": " + (lists[i].Exception?.InnerException?.Message ?? "timed out");
            return e.Message;
        }
        var rows = new ResultSeries("", ClusterQueryColumns);
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (var q in lists[i].Result)
            {
                rows.Values.Add([(long)q.Id, (long)nodes[i].Id, nodes[i].TcpAddr, q.Text, q.Database,
                    QueryRegistry.FormatDuration(q.Duration), q.Status]);
            }
        }
        result.Series.Add(rows);
        return null;
    }

    private List<NodeQuery> LocalQueries()
    {
        var list = new List<NodeQuery>();
        foreach (var (id, text, database, duration, status) in Queries.Snapshot()) list.Add(new NodeQuery(id, text, database, duration, status));
        return list;
    }

    private static async Task<List<NodeQuery>> ListRemoteQueriesAsync(ClusterContext cluster, NodeInfo node, CancellationToken cancellationToken)
    {
        var payload = await cluster.Client.CallAsync(node.TcpAddr, ClusterMethod.ListQueries, QueryMessages.ListRequest(),
            cluster.Timeouts.ShardReaderTimeout, cancellationToken).ConfigureAwait(false);
        return QueryMessages.ReadListResponse(payload);
    }

    /// <summary>
    /// KILL QUERY qid [ON "host:port"]: without ON, or ON this node's RPC address, kills here; ON another data node's
    /// RPC address, asks that node (which answers its own "no such query id").
    /// </summary>
    private async ValueTask<string?> KillQueryAsync(KillQueryStatement s, CancellationToken cancellationToken)
    {
        string noSuchQuery = string.Create(CultureInfo.InvariantCulture, $"no such query id: {s.QueryId}");
        var state = _meta.Current;
        // A single server kills here whatever ON names, as before clustering.
        if (s.Host.Length == 0 || Cluster is not { } cluster || !cluster.IsClustered(state)) return Queries.Kill(s.QueryId) ? null : noSuchQuery;
        NodeInfo? target = null;
        foreach (var node in state.DataNodes)
            if (string.Equals(node.TcpAddr, s.Host, StringComparison.OrdinalIgnoreCase)) target = node;
        if (target is null) return "no data node with TCP address \"" + s.Host + "\"";
        if (target.Id == cluster.LocalNodeId) return Queries.Kill(s.QueryId) ? null : noSuchQuery;
        try
        {
            var payload = await cluster.Client.CallAsync(target.TcpAddr, ClusterMethod.KillQuery, QueryMessages.KillRequest(s.QueryId),
                cluster.Timeouts.ShardReaderTimeout, cancellationToken).ConfigureAwait(false);
            return QueryMessages.ReadKillResponse(payload) ? null : noSuchQuery;
        }
        catch (RpcException e)
        {
            return DataNodeFanout.Describe(target) + ": " + e.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DataNodeFanout.Describe(target) + ": timed out";
        }
    }

    /// <summary>
    /// Registers this executor's cluster methods on the node's cluster service: ExecuteLocal (fanned-out deletes and
    /// drops), ListQueries and KillQuery (SHOW QUERIES / KILL QUERY … ON), and ShardIndex (meta queries).
    /// </summary>
    public void RegisterClusterMethods()
    {
        if (Cluster is not { } cluster) return;
        cluster.Service.Handle(ClusterMethod.ExecuteLocal, ExecuteLocalAsync);
        cluster.Service.Handle(ClusterMethod.ListQueries, (request, _) =>
        {
            QueryMessages.ReadListRequest(request);
            return ValueTask.FromResult(QueryMessages.ListResponse(LocalQueries()));
        });
        cluster.Service.Handle(ClusterMethod.KillQuery, (request, _) =>
            ValueTask.FromResult(QueryMessages.KillResponse(Queries.Kill(QueryMessages.ReadKillRequest(request)))));
        ClusterShardCatalog.RegisterHandler(cluster);
    }

    /// <summary>SHOW STATS [FOR 'module']: runtime, database, shard and subscriber statistics, columns sorted.</summary>
    private string? ShowStats(ShowStatsStatement s, QueryResult result)
    {
        var modules = new List<(string Name, List<KeyValuePair<string, string>> Tags, SortedDictionary<string, object?> Values)>();
        var gc = GC.GetGCMemoryInfo();
        modules.Add(("runtime", [], new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Alloc"] = GC.GetTotalMemory(false),
            ["HeapSys"] = gc.HeapSizeBytes,
            ["NumGC"] = (long)GC.CollectionCount(0),
            ["NumGoroutine"] = (long)ThreadPool.ThreadCount,
            ["PauseTotalNs"] = (long)GC.GetTotalPauseDuration().Ticks * 100,
            ["Sys"] = Environment.WorkingSet,
            ["TotalAlloc"] = GC.GetTotalAllocatedBytes(),
        }));
        foreach (var db in _meta.Current.Databases)
        {
            var shards = _shards.Shards(db.Name);
            var measurements = new HashSet<string>(StringComparer.Ordinal);
            long series = 0;
            foreach (var shard in shards)
            {
                foreach (var m in shard.Index.Measurements()) measurements.Add(m);
                series += shard.Index.SeriesCount;
            }
            modules.Add(("database", [new("database", db.Name)], new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["numMeasurements"] = (long)measurements.Count,
                ["numSeries"] = series,
            }));
            foreach (var shard in shards)
            {
                if (shard is not Shard concrete) continue;
                var stats = concrete.Statistics;
                modules.Add(("shard",
                    [new("database", shard.Database), new("engine", "cairn"), new("id", shard.Id.ToString(CultureInfo.InvariantCulture)),
                     new("path", concrete.DataDirectory), new("retentionPolicy", shard.RetentionPolicy), new("walPath", concrete.WalDirectory)],
                    new SortedDictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["cacheBytes"] = stats.CacheBytes,
                        ["diskBytes"] = stats.DiskBytes,
                        ["seriesN"] = (long)stats.SeriesCount,
                        ["snapshots"] = stats.Snapshots,
                        ["compactions"] = stats.Compactions,
                        ["fullCompactions"] = stats.FullCompactions,
                    }));
            }
        }
        modules.Add(("subscriber", [], new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["createFailures"] = 0L,
            ["pointsWritten"] = 0L,
            ["writeFailures"] = 0L,
        }));

        foreach (var (name, tags, values) in modules)
        {
            if (s.Module.Length > 0 && !string.Equals(s.Module, name, StringComparison.Ordinal)) continue;
            var row = new ResultSeries(name, [.. values.Keys], tags);
            row.Values.Add([.. values.Values]);
            result.Series.Add(row);
        }
        return null;
    }

    /// <summary>SHOW DIAGNOSTICS [FOR 'module']: build, network, runtime and system, as InfluxDB's monitor reports them.</summary>
    private string? ShowDiagnostics(ShowDiagnosticsStatement s, QueryResult result)
    {
        var now = _time.GetUtcNow();
        var uptime = now - ProcessStarted;
        var modules = new (string Name, string[] Columns, object?[] Row)[]
        {
            ("build", ["Branch", "Build Time", "Commit", "Version"], ["main", BuildInfo.BuildDate, BuildInfo.Commit, BuildInfo.ServerVersion]),
            ("network", ["hostname"], [Environment.MachineName]),
            ("runtime", ["GOARCH", "GOMAXPROCS", "GOOS", "version"],
                [System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(), (long)Environment.ProcessorCount, "linux", BuildInfo.Runtime]),
            ("system", ["PID", "currentTime", "started", "uptime"],
                [(long)Environment.ProcessId, GoFormatTime(now), GoFormatTime(ProcessStarted), Query.Parsing.GoFormat.DurationString((long)(uptime.Ticks * 100))]),
        };
        foreach (var (name, columns, row) in modules)
        {
            if (s.Module.Length > 0 && !string.Equals(s.Module, name, StringComparison.Ordinal)) continue;
            var series = new ResultSeries(name, columns);
            series.Values.Add(row);
            result.Series.Add(series);
        }
        return null;
    }

    private static string GoFormatTime(DateTimeOffset time) =>
        Query.Parsing.GoFormat.Rfc3339Nano((time - DateTimeOffset.UnixEpoch).Ticks * 100);
}
