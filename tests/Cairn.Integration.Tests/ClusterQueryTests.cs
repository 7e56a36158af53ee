using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Integration.Tests;

/// <summary>
/// Issue 6's distributed SELECT: 3 meta + 3 data nodes of the published binary, a database whose shards live on
/// different nodes; every SELECT through every data node answers as a single `--role both` node holding the same
/// points; a count over a million points of a remote shard moves only kilobytes; with replication 2, a killed or
/// stopped owner is failed over within <c>shard-reader-timeout</c>, and no owner at all answers the statement's error.
/// </summary>
[NotInParallel("cluster")]
public class ClusterQueryTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const long Minute = 60_000_000_000L;
    private const long T0 = 1577836800L * 1_000_000_000L; // 2020-01-01T00:00:00Z
    private const string ReaderTimeout = "[cluster]\nshard-reader-timeout = \"1s\"";

    /// <summary>The bytes a data node has read from its peers' answers (/debug/vars "rpc" rpcReadBytes).</summary>
    private static async Task<long> RpcReadBytesAsync(ClusterHarness.Node node)
    {
        using var http = node.Client;
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
        return doc.RootElement.GetProperty("rpc").GetProperty("values").GetProperty("rpcReadBytes").GetInt64();
    }

    private static string Rfc(long ns) => DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");

    /// <summary>Six hours of minutely points of six series (one without the region tag), with gaps; float values exact in binary.</summary>
    private static List<string> CpuPoints()
    {
        var lines = new List<string>();
        for (int h = 0; h < 6; h++)
        {
            string series = h == 5 ? "cpu,host=h5" : $"cpu,host=h{h},region={(h % 2 == 0 ? "east" : "west")}";
            for (int i = 0; i < 360; i++)
            {
                if (i % 11 == h) continue;
                double v = ((i * 7 + h * 3) % 40) * 0.25;
                long n = (i * 13 + h) % 17 - 8;
                string s = i % 3 == 0 ? $",s=\"s{i % 4}\"" : "";
                lines.Add($"{series} v={v.ToString(System.Globalization.CultureInfo.InvariantCulture)},n={n}i{s} {T0 + i * Minute + h * 1_000_000_000L}");
            }
        }
        return lines;
    }

    private static async Task WriteAllAsync(HttpClient http, string db, List<string> lines, int batch = 1000)
    {
        for (int i = 0; i < lines.Count; i += batch)
        {
            var (status, body) = await DataNode.WriteAsync(http, db, string.Join('\n', lines.Skip(i).Take(batch)));
            if ((int)status != 204) throw new InvalidOperationException($"write answered {(int)status}: {body}");
        }
    }

    private static async Task<string> Query(string http, string q, string db)
    {
        using var client = Sandbox.Http(http);
        client.Timeout = TimeSpan.FromSeconds(60);
        var (_, body) = await DataNode.QueryAsync(client, q, db);
        return body;
    }

    /// <summary>The node ids of the data nodes as `ctl show` lists them, by RPC address.</summary>
    private static async Task<Dictionary<string, ulong>> DataNodeIdsAsync(ClusterHarness c)
    {
        var show = await c.ShowEventuallyAsync(c.Meta[0], c.Data.Select(d => d.Tcp), Within);
        var ids = new Dictionary<string, ulong>();
        foreach (var line in show.Split('\n'))
        {
            var m = Regex.Match(line, @"^(\d+)\s+(\S+)");
            if (m.Success && c.Data.Any(d => d.Tcp == m.Groups[2].Value)) ids[m.Groups[2].Value] = ulong.Parse(m.Groups[1].Value);
        }
        return ids;
    }

    /// <summary>(shard id, owners) of a database, from SHOW SHARDS.</summary>
    private static async Task<List<(ulong Id, ulong[] Owners)>> ShardsAsync(string http, string db)
    {
        var body = await Query(http, "SHOW SHARDS", db);
        var shards = new List<(ulong, ulong[])>();
        using var doc = JsonDocument.Parse(body);
        foreach (var series in doc.RootElement.GetProperty("results")[0].GetProperty("series").EnumerateArray())
        {
            if (series.GetProperty("name").GetString() != db) continue;
            foreach (var row in series.GetProperty("values").EnumerateArray())
            {
                var owners = row[7].GetString() ?? "";
                shards.Add((row[0].GetUInt64(), owners.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ulong.Parse).ToArray()));
            }
        }
        return shards;
    }

    /// <summary>Waits until every data node's meta view lists <paramref name="count"/> shards of <paramref name="db"/>.</summary>
    private static async Task<List<(ulong Id, ulong[] Owners)>> ShardsEverywhereAsync(ClusterHarness c, string db, int count)
    {
        var clock = Stopwatch.StartNew();
        List<(ulong Id, ulong[] Owners)> shards = [];
        foreach (var d in c.Data)
        {
            while ((shards = await ShardsAsync(d.Http, db)).Count != count && clock.Elapsed < Within) await Task.Delay(100);
            if (shards.Count != count) throw new TimeoutException($"{d.Name} lists {shards.Count} shards of {db}, not {count}");
        }
        return shards;
    }

    private static ulong Fnv1a(byte[] key)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in key) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    [Test]
    public async Task Select_ThroughEveryDataNode_AnswersAsASingleNode_AndACountOfAMillionRemotePointsMovesKilobytes()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 3, dataSections: ReaderTimeout);
        await c.FormAsync();
        var ids = await DataNodeIdsAsync(c);
        await Assert.That(ids.Count).IsEqualTo(3);

        await using var sandbox = new Sandbox();
        var single = sandbox.Run([], Sandbox.LoopbackEnvironment());
        var ready = await single.WaitForReadyAsync();
        string reference = ready["http"];

        const string create = "CREATE DATABASE dq WITH DURATION INF REPLICATION 1 SHARD DURATION 1h NAME r1";
        await Query(reference, create, "dq");
        await Query(c.Data[0].Http, create, "dq");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["dq"], Within);
        var points = CpuPoints();
        using (var http = Sandbox.Http(reference)) await WriteAllAsync(http, "dq", points);
        // Half through one data node, half through another: the writer sends each point to its shard's owner.
        using (var http = c.Data[0].Client) await WriteAllAsync(http, "dq", points[..(points.Count / 2)]);
        using (var http = c.Data[1].Client) await WriteAllAsync(http, "dq", points[(points.Count / 2)..]);

        // Six groups of three shards, one owner each, spread over the three nodes.
        var shards = await ShardsEverywhereAsync(c, "dq", 18);
        await Assert.That(shards.SelectMany(s => s.Owners).Distinct().Count()).IsEqualTo(3);
        await Assert.That(shards.All(s => s.Owners.Length == 1)).IsTrue();

        string from = Rfc(T0), to = Rfc(T0 + 360 * Minute), mid = Rfc(T0 + 100 * Minute), mid2 = Rfc(T0 + 130 * Minute);
        string range = $" WHERE time >= '{from}' AND time < '{to}'";
        string[] queries =
        [
            $"SELECT * FROM cpu WHERE host = 'h1' AND time < '{Rfc(T0 + 90 * Minute)}'",
            $"SELECT v, n, host FROM cpu WHERE time >= '{mid}' AND time < '{mid2}'",
            "SELECT count(v), sum(v), mean(v), min(v), max(v), first(v), last(v), spread(v) FROM cpu",
            "SELECT count(n), sum(n), mean(n), min(n), max(n), first(s), last(s), count(s) FROM cpu GROUP BY host",
            "SELECT count(v), mean(v), max(n) FROM cpu" + range + " GROUP BY time(10m), host fill(0)",
            "SELECT mean(v), sum(v) FROM cpu" + range + " GROUP BY time(7m), region fill(previous)",
            "SELECT sum(n), min(n), last(s) FROM cpu GROUP BY region, host",
            "SELECT mean(v) FROM cpu" + range + " GROUP BY time(30m) ORDER BY time DESC LIMIT 5",
            "SELECT v FROM cpu WHERE host = 'h2' ORDER BY time DESC LIMIT 7",
            "SELECT * FROM cpu LIMIT 4 OFFSET 2",
            $"SELECT derivative(mean(v), 1m) FROM cpu WHERE time >= '{from}' AND time < '{Rfc(T0 + 180 * Minute)}' GROUP BY time(5m)",
            "SELECT derivative(v) FROM cpu WHERE host = 'h3' LIMIT 20",
            "SELECT percentile(v, 90), median(n) FROM cpu GROUP BY host",
            $"SELECT top(v, 3), host FROM cpu WHERE time < '{Rfc(T0 + 240 * Minute)}'",
            "SELECT bottom(n, host, 2) FROM cpu",
            "SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu GROUP BY time(10m), host)" + range + " GROUP BY time(1h)",
            "SELECT count(v) FROM cpu WHERE region = 'east' AND time >= '" + from + "' AND time < '" + to + "' GROUP BY time(1h) tz('America/New_York')",
            "SELECT distinct(s) FROM cpu",
            "SELECT mean(v) FROM cpu WHERE v > 5 GROUP BY host",
            "SELECT count(v) FROM cpu" + range + " GROUP BY time(1h), * fill(none)",
            $"SELECT count(v) FROM cpu WHERE time >= '{Rfc(T0 + 420 * Minute)}'",
            "SELECT mean(nope) FROM cpu",
        ];
        int answered = 0;
        foreach (var q in queries)
        {
            string expected = await Query(reference, q, "dq");
            foreach (var d in c.Data)
            {
                string actual = await Query(d.Http, q, "dq");
                await Assert.That(actual).IsEqualTo(expected).Because($"{q} through {d.Name}");
            }
            if (expected.Contains("\"values\"")) answered++;
        }
        await Assert.That(answered).IsGreaterThanOrEqualTo(queries.Length - 2);

        // A million points of one series: they live in one shard, on one node; the other two count them remotely.
        await Query(c.Data[0].Http, "CREATE DATABASE big WITH DURATION INF REPLICATION 1 SHARD DURATION 1h NAME r1", "big");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["big"], Within);
        // The first point makes the shard group; the rest go straight to the owner of the series' shard (the shard the
        // writer hashes it to), so the test measures reads, not forwarded writes.
        const string bigSeries = "big,k=x";
        using (var http = c.Data[0].Client)
        {
            var (status, answer) = await DataNode.WriteAsync(http, "big", $"{bigSeries} c=0i {T0}");
            await Assert.That((int)status).IsEqualTo(204).Because(answer);
        }
        var bigShards = await ShardsEverywhereAsync(c, "big", 3);
        var ownerId = bigShards.OrderBy(s => s.Id).ElementAt((int)(Fnv1a(Encoding.UTF8.GetBytes(bigSeries)) % 3)).Owners[0];
        var owner = c.Data.Single(d => ids[d.Tcp] == ownerId);
        using (var http = owner.Client)
        {
            http.Timeout = TimeSpan.FromSeconds(120);
            var body = new StringBuilder();
            for (int chunk = 0; chunk < 20; chunk++)
            {
                body.Clear();
                for (int i = Math.Max(1, chunk * 50_000); i < (chunk + 1) * 50_000; i++)
                    body.Append(bigSeries).Append(" c=").Append(i % 5).Append("i ").Append(T0 + i * 1_000_000L).Append('\n');
                var (status, answer) = await DataNode.WriteAsync(http, "big", body.ToString());
                await Assert.That((int)status).IsEqualTo(204).Because(answer);
            }
        }
        const string count = "SELECT count(c) FROM big";
        string countExpected = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"big\",\"columns\":[\"time\",\"count\"],\"values\":[[\"1970-01-01T00:00:00Z\",1000000]]}]}]}\n";
        int remoteCounts = 0;
        foreach (var d in c.Data)
        {
            long before = await RpcReadBytesAsync(d);
            string answer = await Query(d.Http, count, "big");
            long moved = await RpcReadBytesAsync(d) - before;
            await Assert.That(answer).IsEqualTo(countExpected).Because(d.Name);
            // Eight megabytes of values stay where they are: the owner answers one partial state.
            await Assert.That(moved).IsLessThan(64 * 1024).Because($"{d.Name} moved {moved} bytes");
            if (moved > 0) remoteCounts++;
        }
        await Assert.That(remoteCounts).IsGreaterThanOrEqualTo(2);

        // The same count with a field condition takes the row path: every value crosses the network.
        var remote = c.Data.First(d => d != owner);
        long rowsBefore = await RpcReadBytesAsync(remote);
        await Assert.That(await Query(remote.Http, "SELECT count(c) FROM big WHERE c >= 0", "big")).IsEqualTo(countExpected);
        await Assert.That(await RpcReadBytesAsync(remote) - rowsBefore).IsGreaterThan(8_000_000L);
    }

    private static async Task<long> ClusterRequestsAsync(ClusterHarness.Node node, string field)
    {
        using var http = node.Client;
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
        return doc.RootElement.GetProperty("cluster").GetProperty("values").GetProperty(field).GetInt64();
    }

    [Test]
    public async Task Select_PartialsTooLargeForOneAnswer_ComeInHalves_AndAnswerAsWhole()
    {
        // Partials over 8 MiB come in halves: eight series of 150,000 points, a mean per millisecond (32 bytes a window),
        // so a shard holding two or more of them answers in pieces. Two data nodes: each reads the other's shard.
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2);
        await c.FormAsync();
        await Query(c.Data[0].Http, "CREATE DATABASE big WITH DURATION INF REPLICATION 1 SHARD DURATION 1h NAME r1", "big");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["big"], Within);

        const int wideSeries = 8, widePoints = 150_000;
        using (var http = c.Data[0].Client)
        {
            http.Timeout = TimeSpan.FromSeconds(120);
            var body = new StringBuilder();
            for (int k = 0; k < wideSeries; k++)
                for (int first = 0; first < widePoints; first += 75_000)
                {
                    body.Clear();
                    for (int i = first; i < first + 75_000; i++)
                        body.Append("wide,k=s").Append(k).Append(" v=").Append(i % 7).Append("i ").Append(T0 + i * 1_000_000L).Append('\n');
                    var (status, answer) = await DataNode.WriteAsync(http, "big", body.ToString());
                    await Assert.That((int)status).IsEqualTo(204).Because(answer);
                }
        }
        long sum = 0;
        for (int i = 0; i < widePoints; i++) sum += i % 7;
        string wide = $"SELECT count(c), sum(c) FROM (SELECT mean(v) AS c FROM wide WHERE time >= {T0} AND time < {T0 + 3_600_000_000_000L} GROUP BY time(1ms), k)";
        string wideExpected = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"wide\",\"columns\":[\"time\",\"count\",\"sum\"],\"values\":[[\"1970-01-01T00:00:00Z\","
            + (wideSeries * widePoints) + "," + (wideSeries * sum) + "]]}]}]}\n";
        long mostRequests = 0;
        foreach (var d in c.Data)
        {
            var others = c.Data.Where(o => o != d).ToList();
            long before = 0, after = 0;
            foreach (var o in others) before += await ClusterRequestsAsync(o, "createIteratorReq");
            await Assert.That(await Query(d.Http, wide, "big")).IsEqualTo(wideExpected).Because(d.Name);
            foreach (var o in others) after += await ClusterRequestsAsync(o, "createIteratorReq");
            mostRequests = Math.Max(mostRequests, after - before);
        }
        // A whole answer is one request for the remote shard; a split adds the refused one and two halves.
        await Assert.That(mostRequests).IsGreaterThanOrEqualTo(3);

        // A time range no shard group overlaps asks no owner anything (InfluxDB maps shards by the time range).
        string later = $"SELECT count(v) FROM wide WHERE time >= {T0 + 10 * 3_600_000_000_000L} AND time < {T0 + 11 * 3_600_000_000_000L}";
        long asked = await ClusterRequestsAsync(c.Data[1], "fieldDimensionsReq") + await ClusterRequestsAsync(c.Data[1], "createIteratorReq");
        await Assert.That(await Query(c.Data[0].Http, later, "big")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}\n");
        await Assert.That(await ClusterRequestsAsync(c.Data[1], "fieldDimensionsReq") + await ClusterRequestsAsync(c.Data[1], "createIteratorReq"))
            .IsEqualTo(asked);
    }

    [Test]
    public async Task Select_OwnerKilledOrStopped_FailsOverWithinTheReaderTimeout_NoOwnerAnswersTheStatementError()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 3, dataSections: ReaderTimeout);
        await c.FormAsync();
        var ids = await DataNodeIdsAsync(c);
        await Query(c.Data[0].Http, "CREATE DATABASE ha WITH DURATION INF REPLICATION 2 SHARD DURATION 1d NAME r2", "ha");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["ha"], Within);
        var points = CpuPoints();
        using (var http = c.Data[0].Client) await WriteAllAsync(http, "ha", points);

        // One group, one shard, two owners: the third node reads it remotely. Both copies hold every point first.
        var shards = await ShardsEverywhereAsync(c, "ha", 1);
        var owners = shards[0].Owners;
        await Assert.That(owners.Length).IsEqualTo(2);
        var coordinator = c.Data.Single(d => !owners.Contains(ids[d.Tcp]));
        var (first, second) = (c.Data.Single(d => ids[d.Tcp] == owners[0]), c.Data.Single(d => ids[d.Tcp] == owners[1]));

        var clock = Stopwatch.StartNew();
        string total = $"[\"1970-01-01T00:00:00Z\",{points.Count}]";
        while (clock.Elapsed < Within && !(await Query(first.Http, "SELECT count(v) FROM cpu", "ha")).Contains(total)) await Task.Delay(200);
        while (clock.Elapsed < Within && !(await Query(second.Http, "SELECT count(v) FROM cpu", "ha")).Contains(total)) await Task.Delay(200);
        await Assert.That(await Query(second.Http, "SELECT count(v) FROM cpu", "ha")).Contains(total);
        await Assert.That(await Query(first.Http, "SELECT count(v) FROM cpu", "ha")).Contains(total);

        string[] queries =
        [
            "SELECT count(v), mean(v), max(n) FROM cpu GROUP BY time(1h), host",
            "SELECT v, n FROM cpu WHERE host = 'h4' LIMIT 30",
            "SELECT percentile(v, 50) FROM cpu GROUP BY region",
        ];
        var expected = new List<string>();
        foreach (var q in queries)
        {
            string answer = await Query(coordinator.Http, q, "ha");
            await Assert.That(answer).Contains("\"values\"").Because(q);
            await Assert.That(answer).IsEqualTo(await Query(first.Http, q, "ha")).Because(q);
            expected.Add(answer);
        }

        // An owner that does not answer (stopped): each query still answers, past at most one reader timeout per owner tried.
        first.Process!.Signal(19); // SIGSTOP
        try
        {
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < queries.Length; i++)
                {
                    clock.Restart();
                    string answer = await Query(coordinator.Http, queries[i], "ha");
                    await Assert.That(answer).IsEqualTo(expected[i]).Because(queries[i]);
                    await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(5)).Because(queries[i]);
                }
            }
        }
        finally
        {
            first.Process!.Signal(18); // SIGCONT
        }

        // An owner killed: the other answers.
        await c.KillAsync(first);
        for (int i = 0; i < queries.Length; i++)
            await Assert.That(await Query(coordinator.Http, queries[i], "ha")).IsEqualTo(expected[i]).Because(queries[i]);

        // No owner left: the statement's error names the shard.
        await c.KillAsync(second);
        string failed = await Query(coordinator.Http, queries[0], "ha");
        await Assert.That(failed).Contains($"shard {shards[0].Id}: no owner answered").Because(failed);
        await Assert.That(failed).Contains("\"statement_id\":0").Because(failed);
    }
}
