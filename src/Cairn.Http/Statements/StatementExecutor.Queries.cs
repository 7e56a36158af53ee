using System.Diagnostics;
using System.Globalization;
using Cairn.Common;
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

    private string? ShowQueries(QueryResult result)
    {
        var series = new ResultSeries("", ["qid", "query", "database", "duration", "status"]);
        foreach (var (id, text, database, duration, status) in Queries.Snapshot())
            series.Values.Add([(long)id, text, database, QueryRegistry.FormatDuration(duration), status]);
        result.Series.Add(series);
        return null;
    }

    private string? KillQuery(KillQueryStatement s) =>
        Queries.Kill(s.QueryId) ? null : string.Create(CultureInfo.InvariantCulture, $"no such query id: {s.QueryId}");

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
