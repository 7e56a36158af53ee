using Cairn.Http.Tests.Support;
using Cairn.Query.Execution;

namespace Cairn.Http.Tests.Statements;

/// <summary>SHOW QUERIES, KILL QUERY and the query limits; SHOW STATS and SHOW DIAGNOSTICS.</summary>
public class QueryManagementTests
{
    [Test]
    public async Task ShowQueries_ListsItselfAsRunning()
    {
        await using var server = await TestServer.StartAsync();
        using var running = server.Executor.Queries.Attach("SHOW QUERIES", "db0", CancellationToken.None, out _);
        var body = await server.Query("SHOW QUERIES");
        await Assert.That(body).StartsWith("{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"qid\",\"query\",\"database\",\"duration\",\"status\"],\"values\":[[1,\"SHOW QUERIES\",\"db0\",\"");
        await Assert.That(body).EndsWith("\",\"running\"]]}]}]}");
    }

    [Test]
    public async Task KillQuery_CancelsTheQuery_UnknownIdIsAnError()
    {
        await using var server = await TestServer.StartAsync();
        using var running = server.Executor.Queries.Attach("SELECT * FROM slow", "db0", CancellationToken.None, out _);
        await Assert.That(await server.Query("KILL QUERY 1")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await Assert.That(running!.Token.IsCancellationRequested).IsTrue();
        await Assert.That(running.InterruptionReason).IsEqualTo("query interrupted");
        await Assert.That(await server.Query("KILL QUERY 42")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"no such query id: 42\"}]}");
    }

    [Test]
    public async Task Registry_LogQueriesAfter_WarnsWhileTheQueryRuns_OnlyOnce()
    {
        var registry = new QueryRegistry { LogQueriesAfter = TimeSpan.FromMilliseconds(30) };
        using var slow = registry.Attach("SELECT * FROM slow", "db0", CancellationToken.None, out _);
        using var quick = registry.Attach("SELECT 1", "db0", CancellationToken.None, out _);
        quick!.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!slow!.LoggedSlow && DateTime.UtcNow < deadline) await Task.Delay(10);
        await Assert.That(slow.LoggedSlow).IsTrue().Because("InfluxDB logs a slow query when the threshold passes, before it ends");
        await Assert.That(quick.LoggedSlow).IsFalse();
        await Assert.That(registry.Snapshot().Count).IsEqualTo(1);
    }

    [Test]
    public async Task Registry_MaxConcurrentQueries_RefusesWithInfluxText_TimeoutCancels()
    {
        var registry = new QueryRegistry { MaxConcurrentQueries = 1, QueryTimeout = TimeSpan.FromMilliseconds(50) };
        using var first = registry.Attach("a", "", CancellationToken.None, out _);
        var second = registry.Attach("b", "", CancellationToken.None, out var error);
        await Assert.That(second).IsNull();
        await Assert.That(error).IsEqualTo("max-concurrent-queries limit exceeded(1, 1)");
        await Task.Delay(200);
        await Assert.That(first!.Token.IsCancellationRequested).IsTrue();
        await Assert.That(first.InterruptionReason).IsEqualTo("query-timeout limit exceeded");
        first.Dispose();
        using var third = registry.Attach("c", "", CancellationToken.None, out error);
        await Assert.That(third).IsNotNull();
    }

    [Test]
    public async Task DurationFormat_RoundsAsInfluxDB()
    {
        await Assert.That(QueryRegistry.FormatDuration(TimeSpan.FromTicks(654))).IsEqualTo("65µs");
        await Assert.That(QueryRegistry.FormatDuration(TimeSpan.FromMilliseconds(1234.5678))).IsEqualTo("1s");
        await Assert.That(QueryRegistry.FormatDuration(TimeSpan.FromMilliseconds(12.3456))).IsEqualTo("12ms");
    }

    [Test]
    public async Task ShowStats_HasTheSubscriberModule_AndFiltersByModule()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0");
        var all = await server.Query("SHOW STATS");
        await Assert.That(all).Contains("\"name\":\"subscriber\"");
        await Assert.That(all).Contains("\"name\":\"database\",\"tags\":{\"database\":\"db0\"},\"columns\":[\"numMeasurements\",\"numSeries\"],\"values\":[[0,0]]");
        var one = await server.Query("SHOW STATS FOR 'subscriber'");
        await Assert.That(one).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"subscriber\",\"columns\":[\"createFailures\",\"pointsWritten\",\"writeFailures\"],\"values\":[[0,0,0]]}]}]}");
    }

    [Test]
    public async Task ShowDiagnostics_HasBuildAndSystem()
    {
        await using var server = await TestServer.StartAsync();
        var body = await server.Query("SHOW DIAGNOSTICS FOR 'build'");
        await Assert.That(body).StartsWith("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"build\",\"columns\":[\"Branch\",\"Build Time\",\"Commit\",\"Version\"],\"values\":[[\"main\",");
        await Assert.That(await server.Query("SHOW DIAGNOSTICS")).Contains("\"name\":\"system\",\"columns\":[\"PID\",\"currentTime\",\"started\",\"uptime\"]");
    }
}
