using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cairn.Integration.Tests;

/// <summary>
/// EXPLAIN and EXPLAIN ANALYZE through the published binary over data whose layout is known: two shards, three series,
/// 1500 + 1500 + 10 points snapshotted into one file per shard (1000 points a block), then points left in the cache.
/// </summary>
public partial class ExplainTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 946_684_800L * Second; // 2000-01-01T00:00:00Z, a Saturday: the week's shard ends 2000-01-03
    private const long NextWeek = T0 + 7 * 86_400 * Second;

    private static string Points()
    {
        var lines = new StringBuilder();
        foreach (var host in new[] { "a", "b" })
            for (int i = 0; i < 1500; i++) lines.Append($"cpu,host={host} value={i}.5 {T0 + i * Second}\n");
        for (int i = 0; i < 10; i++) lines.Append($"cpu,host=a value={i}.25 {NextWeek + i * Second}\n");
        return lines.ToString();
    }

    private static async Task<List<string>> PlanAsync(HttpClient http, string query)
    {
        var (status, body) = await DataNode.QueryAsync(http, query, "ex");
        if (status != HttpStatusCode.OK) throw new InvalidOperationException(body);
        var series = JsonNode.Parse(body)!["results"]![0]!["series"]?[0] ?? throw new InvalidOperationException(body);
        return [.. series["values"]!.AsArray().Select(v => (string)v![0]!)];
    }

    private static long Figure(List<string> lines, string name) =>
        long.Parse(lines.Single(l => l.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..]);

    [Test]
    public async Task Explain_CountsShardsSeriesFilesBlocksAndCache_AnalyzeReportsWhatWasRead()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var (_, ready) = await sandbox.StartAsync(
            sandbox.LoopbackToml(Sandbox.LicenseToml(license), dataExtra: "cache-snapshot-write-cold-duration = \"2s\""),
            new Dictionary<string, string> { ["CAIRN_ENGINE_MAINTENANCE_INTERVAL"] = "100ms" });
        using var http = Sandbox.Http(ready["http"]);
        await DataNode.QueryAsync(http, "CREATE DATABASE ex");
        var (written, error) = await DataNode.WriteAsync(http, "ex", Points());
        await Assert.That(written).IsEqualTo(HttpStatusCode.NoContent).Because(error);

        // Cold for 2s, each shard's cache becomes one file.
        var plan = await PlanAsync(http, "EXPLAIN SELECT value FROM cpu");
        var clock = Stopwatch.StartNew();
        while (Figure(plan, "CACHED VALUES") != 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
            plan = await PlanAsync(http, "EXPLAIN SELECT value FROM cpu");
        }
        await Assert.That(string.Join(" | ", plan.Take(7))).IsEqualTo(string.Join(" | ",
            "EXPRESSION: <nil>", "AUXILIARY FIELDS: value::float", "NUMBER OF SHARDS: 2", "NUMBER OF SERIES: 3", "CACHED VALUES: 0",
            // One file per series field with a block in range; 2 + 2 blocks in the first shard, 1 in the second.
            "NUMBER OF FILES: 3", "NUMBER OF BLOCKS: 5"));
        long allBytes = Figure(plan, "SIZE OF BLOCKS");
        await Assert.That(allBytes).IsGreaterThan(0);

        // A tag condition drops series; a time range drops blocks; a field condition reads its field again.
        var hostA = await PlanAsync(http, "EXPLAIN SELECT count(value) FROM cpu WHERE host = 'a'");
        await Assert.That(hostA[0]).IsEqualTo("EXPRESSION: count(value::float)");
        await Assert.That(Figure(hostA, "NUMBER OF SERIES")).IsEqualTo(2);
        await Assert.That(Figure(hostA, "NUMBER OF BLOCKS")).IsEqualTo(3);
        var firstBlock = await PlanAsync(http, "EXPLAIN SELECT value FROM cpu WHERE time < '2000-01-01T00:10:00Z'");
        await Assert.That(Figure(firstBlock, "NUMBER OF BLOCKS")).IsEqualTo(2);
        await Assert.That(Figure(firstBlock, "NUMBER OF FILES")).IsEqualTo(2);
        await Assert.That(Figure(firstBlock, "SIZE OF BLOCKS")).IsLessThan(allBytes);
        var filtered = await PlanAsync(http, "EXPLAIN SELECT value FROM cpu WHERE value > 1");
        await Assert.That(Figure(filtered, "NUMBER OF BLOCKS")).IsEqualTo(10);

        // New points stay in the cache for the next 2s.
        var (again, againError) = await DataNode.WriteAsync(http, "ex", string.Join('\n', Enumerable.Range(0, 7).Select(i => $"cpu,host=b value=1 {T0 + (2000 + i) * Second}")));
        await Assert.That(again).IsEqualTo(HttpStatusCode.NoContent).Because(againError);
        var cached = await PlanAsync(http, "EXPLAIN SELECT value FROM cpu WHERE host = 'b'");
        await Assert.That(Figure(cached, "CACHED VALUES")).IsEqualTo(7).Because("the snapshot ran within 2s of the write: " + string.Join(" | ", cached));
        await Assert.That(Figure(cached, "NUMBER OF BLOCKS")).IsEqualTo(2);

        // ANALYZE runs the query and shows one create_iterator per shard with its cursors and decoded blocks.
        var tree = await PlanAsync(http, "EXPLAIN ANALYZE SELECT value FROM cpu WHERE host = 'a'");
        await Assert.That(tree[0]).IsEqualTo(".");
        await Assert.That(tree[1]).IsEqualTo("└── select");
        var times = tree.Skip(2).Take(3).Select(l => TimeLine().Match(l)).ToList();
        await Assert.That(times.All(m => m.Success)).IsTrue().Because(string.Join("\n", tree.Take(5)));
        await Assert.That(string.Join(",", times.Select(m => m.Groups[1].Value))).IsEqualTo("execution_time,planning_time,total_time");
        await Assert.That(tree).Contains(l => l.EndsWith("statement: SELECT value::float FROM ex.autogen.cpu WHERE host::tag = 'a'", StringComparison.Ordinal));
        await Assert.That(tree.Count(l => l.EndsWith("create_iterator", StringComparison.Ordinal))).IsEqualTo(2);
        await Assert.That(Sum(tree, "cursors_aux")).IsEqualTo(2);
        await Assert.That(Sum(tree, "float_blocks_decoded")).IsEqualTo(3);
        await Assert.That(Sum(tree, "float_blocks_size_bytes")).IsGreaterThan(0);
        await Assert.That(Sum(tree, "integer_blocks_decoded")).IsEqualTo(0);
        await Assert.That(tree[^1]).IsEqualTo("");
    }

    /// <summary>EXPLAIN over data still in the caches of both servers: the plans are byte for byte those of influxd 1.6.7.</summary>
    [Test]
    public async Task Explain_OnCachedData_AnswersAsInfluxDb167()
    {
        var influxdTask = InfluxdProcess.StartAsync();
        await using var sandbox = new Sandbox();
        var cairn = sandbox.Run([], Sandbox.LoopbackEnvironment());
        var ready = await cairn.WaitForReadyAsync();
        await using var influxd = await influxdTask;
        using var cairnHttp = Sandbox.Http(ready["http"]);
        using var influxHttp = Sandbox.Http(influxd.HostPort);
        const string data = "cpu,host=a,region=west value=1,load=3i 946684800000000000\ncpu,host=a,region=west value=2 946684810000000000\n"
            + "cpu,host=b,region=east value=4,load=5i 946684805000000000\nmem,host=a free=7i,ok=true 946684800000000000\n";
        foreach (var http in new[] { cairnHttp, influxHttp })
        {
            await DataNode.QueryAsync(http, "CREATE DATABASE ex");
            var (status, body) = await DataNode.WriteAsync(http, "ex", data);
            await Assert.That(status).IsEqualTo(HttpStatusCode.NoContent).Because(body);
        }
        string[] queries =
        [
            "EXPLAIN SELECT value FROM cpu", "EXPLAIN SELECT * FROM cpu", "EXPLAIN SELECT value, host FROM cpu WHERE host = 'a'",
            "EXPLAIN SELECT count(value) FROM cpu", "EXPLAIN SELECT mean(value) FROM cpu WHERE load > 1 GROUP BY host",
            "EXPLAIN SELECT median(value) FROM cpu", "EXPLAIN SELECT max(value), host FROM cpu", "EXPLAIN SELECT value * 2 FROM cpu WHERE value > 1",
            "EXPLAIN SELECT * FROM cpu, mem", "EXPLAIN SELECT value FROM /c.*/", "EXPLAIN SELECT value FROM nothing",
            "EXPLAIN SELECT count(value) FROM cpu WHERE time >= '2000-01-01T00:00:05Z' AND time < '2000-01-01T00:01:00Z' GROUP BY time(10s)",
        ];
        // EXPLAIN ANALYZE the same, but for the durations it measures.
        string[] analyzed =
        [
            "EXPLAIN ANALYZE SELECT value FROM cpu", "EXPLAIN ANALYZE SELECT count(value), max(value) FROM cpu WHERE host = 'a' GROUP BY host",
            "EXPLAIN ANALYZE SELECT median(value) FROM cpu WHERE value > 1", "EXPLAIN ANALYZE SELECT max(value), host FROM cpu",
            "EXPLAIN ANALYZE SELECT * FROM cpu, mem", "EXPLAIN ANALYZE SELECT value FROM nothing",
        ];
        var differences = new StringBuilder();
        foreach (var query in queries.Concat(analyzed))
        {
            var ours = await DataNode.QueryAsync(cairnHttp, query, "ex");
            var theirs = await DataNode.QueryAsync(influxHttp, query, "ex");
            ours.Body = Duration().Replace(ours.Body, "_time: D");
            theirs.Body = Duration().Replace(theirs.Body, "_time: D");
            // The order of 1.6.7's EXPLAIN ANALYZE scanners for several calls varies from run to run (a CI run saw
            // max before count, others count before max): ask again, and take Cairn's answer when influxd gives it too.
            for (int again = 0; ours != theirs && analyzed.Contains(query) && again < 20; again++)
            {
                theirs = await DataNode.QueryAsync(influxHttp, query, "ex");
                theirs.Body = Duration().Replace(theirs.Body, "_time: D");
            }
            if (ours != theirs) differences.Append("\n• ").Append(query).Append("\n    cairn:  ").Append(ours.Body).Append("\n    influx: ").Append(theirs.Body);
        }
        await Assert.That(differences.ToString()).IsEmpty().Because("EXPLAIN answers differ:" + differences);
        var (_, tree) = await DataNode.QueryAsync(cairnHttp, analyzed[0], "ex");
        await Assert.That(tree).Contains("create_iterator").And.Contains("cursors_aux: 2").And.Contains("\"columns\":[\"EXPLAIN ANALYZE\"]");
        var (_, plan) = await DataNode.QueryAsync(cairnHttp, queries[0], "ex");
        await Assert.That(plan).Contains("[\"CACHED VALUES: 3\"]");
    }

    [GeneratedRegex(@"_time: [0-9.]+(ns|µs|ms|s|m[0-9.]+s|h[0-9m.]+s)")]
    private static partial Regex Duration();

    private static long Sum(List<string> tree, string name) =>
        tree.Select(l => l.Trim('│', '├', '└', '─', ' ', '\u00a0')).Where(l => l.StartsWith(name + ": ", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(name.Length + 2)..]));

    /// <summary>A Go duration that is not zero: "75.223µs", "1.5ms", "2s".</summary>
    [GeneratedRegex(@"^    ├── (execution_time|planning_time|total_time): (?!0s$)[0-9.]+(ns|µs|ms|s|m[0-9.]+s)$")]
    private static partial Regex TimeLine();
}
