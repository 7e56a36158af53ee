using System.Globalization;
using NLog;

namespace Cairn.Query.Execution;

/// <summary>
/// The queries running on this node (InfluxDB's TaskManager): ids for <c>SHOW QUERIES</c> and
/// <c>KILL QUERY</c>, and the <c>[cluster]</c> limits <c>max-concurrent-queries</c>, <c>query-timeout</c>
/// and <c>log-queries-after</c>.
/// </summary>
public sealed class QueryRegistry
{
    private static readonly Logger Log = LogManager.GetLogger("query");
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, RunningQuery> _running = [];
    private readonly TimeProvider _time;
    private ulong _nextId = 1;

    public QueryRegistry(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>0: no limit.</summary>
    public int MaxConcurrentQueries { get; init; }

    /// <summary>Zero: no timeout.</summary>
    public TimeSpan QueryTimeout { get; init; }

    /// <summary>Zero: never log slow queries.</summary>
    public TimeSpan LogQueriesAfter { get; init; }

    /// <summary>Registers a query; null with <paramref name="error"/> when <c>max-concurrent-queries</c> is reached.</summary>
    public RunningQuery? Attach(string text, string database, CancellationToken requestAborted, out string? error)
    {
        lock (_lock)
        {
            if (MaxConcurrentQueries > 0 && _running.Count >= MaxConcurrentQueries)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"max-concurrent-queries limit exceeded({_running.Count}, {MaxConcurrentQueries})");
                return null;
            }
            var query = new RunningQuery(this, _nextId++, text, database, _time.GetUtcNow(), requestAborted, QueryTimeout, LogQueriesAfter, _time);
            _running[query.Id] = query;
            error = null;
            return query;
        }
    }

    /// <summary>Cancels a running query; false when no query has that id.</summary>
    public bool Kill(ulong id)
    {
        RunningQuery? query;
        lock (_lock) _running.TryGetValue(id, out query);
        if (query is null) return false;
        query.Kill();
        return true;
    }

    /// <summary>The running queries, by id.</summary>
    public IReadOnlyList<(ulong Id, string Query, string Database, TimeSpan Duration, string Status)> Snapshot()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
            return [.. _running.Values.OrderBy(q => q.Id).Select(q => (q.Id, q.Text, q.Database, now - q.Started, q.Killed ? "killed" : "running"))];
    }

    internal void Detach(RunningQuery query)
    {
        lock (_lock) _running.Remove(query.Id);
    }

    /// <summary>InfluxDB's TaskManager warns once, while the query still runs, when <c>log-queries-after</c> passes.</summary>
    internal static void LogSlow(RunningQuery query) =>
        Log.Warn("Detected slow query: {0} (qid: {1}, database: {2}, threshold: {3})", query.Text, query.Id, query.Database,
            Parsing.GoFormat.DurationString(query.LogAfter.Ticks * 100));

    /// <summary>Go's rounding of a running query's duration for SHOW QUERIES, then <c>Duration.String()</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        long ns = duration.Ticks * 100;
        if (ns >= 1_000_000_000) ns -= ns % 1_000_000_000;
        else if (ns >= 1_000_000) ns -= ns % 1_000_000;
        else if (ns >= 1_000) ns -= ns % 1_000;
        return Parsing.GoFormat.DurationString(ns);
    }
}

/// <summary>One registered query: its id, its cancellation (client gone, KILL QUERY, query-timeout).</summary>
public sealed class RunningQuery : IDisposable
{
    private readonly QueryRegistry _registry;
    private readonly CancellationTokenSource _cancel;
    private int _killed;
    private int _detached;

    private readonly ITimer? _slowTimer;
    private int _loggedSlow;

    internal RunningQuery(QueryRegistry registry, ulong id, string text, string database, DateTimeOffset started,
        CancellationToken requestAborted, TimeSpan timeout, TimeSpan logAfter, TimeProvider time)
    {
        _registry = registry;
        Id = id;
        Text = text;
        Database = database;
        Started = started;
        LogAfter = logAfter;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        if (timeout > TimeSpan.Zero) _cancel.CancelAfter(timeout);
        Timeout = timeout;
        if (logAfter > TimeSpan.Zero)
            _slowTimer = time.CreateTimer(static state => ((RunningQuery)state!).OnSlow(), this, logAfter, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>True once the slow-query warning was logged (the query ran past <c>log-queries-after</c>).</summary>
    public bool LoggedSlow => Volatile.Read(ref _loggedSlow) != 0;

    private void OnSlow()
    {
        if (Volatile.Read(ref _detached) != 0 || Interlocked.Exchange(ref _loggedSlow, 1) != 0) return;
        QueryRegistry.LogSlow(this);
    }

    public ulong Id { get; }
    public string Text { get; }
    public string Database { get; }
    public DateTimeOffset Started { get; }
    public TimeSpan Timeout { get; }
    internal TimeSpan LogAfter { get; }

    /// <summary>Cancelled when the query must stop.</summary>
    public CancellationToken Token => _cancel.Token;

    public bool Killed => Volatile.Read(ref _killed) != 0;

    internal void Kill()
    {
        Volatile.Write(ref _killed, 1);
        _cancel.Cancel();
    }

    /// <summary>InfluxDB's text for why the query stopped early.</summary>
    public string InterruptionReason => Killed ? "query interrupted" : "query-timeout limit exceeded";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _detached, 1) != 0) return;
        _slowTimer?.Dispose();
        _registry.Detach(this);
        _cancel.Dispose();
    }
}
