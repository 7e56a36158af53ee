using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>
/// Issue 6, parts 4-5: meta queries gathered from every data node's shards, deletes and drops fanned out to every
/// data node, and SHOW QUERIES / KILL QUERY … ON across nodes. 3 meta + 2 data nodes of the published binary; the
/// answers are compared with a single <c>--role both</c> server given the same points.
/// </summary>
[NotInParallel("cluster")]
public class ClusterSchemaTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private const long Hour = 3_600_000_000_000;
    private const long Base = 1_600_000_000_000_000_000 / Hour * Hour; // an hour boundary in 2020: no precreation, no retention

    private static readonly string[] MetaQueries =
    [
        "SHOW MEASUREMENTS",
        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(cpu|mem)$/ WHERE host = 'h1'",
        "SHOW MEASUREMENTS ON db.h",
        "SHOW MEASUREMENTS ON *.*",
        "SHOW SERIES",
        "SHOW SERIES FROM cpu WHERE region = 'west'",
        "SHOW SERIES LIMIT 3 OFFSET 2",
        "SHOW TAG KEYS",
        "SHOW TAG KEYS FROM mem",
        "SHOW TAG VALUES WITH KEY = host",
        "SHOW TAG VALUES FROM cpu, disk WITH KEY IN (host, region) WHERE host != 'h3'",
        "SHOW FIELD KEYS",
        "SHOW FIELD KEYS FROM disk",
        "SHOW SERIES CARDINALITY",
        "SHOW SERIES EXACT CARDINALITY",
        "SHOW SERIES EXACT CARDINALITY FROM cpu",
        "SHOW MEASUREMENT CARDINALITY",
        "SHOW MEASUREMENT EXACT CARDINALITY",
        "SHOW TAG KEY CARDINALITY",
        "SHOW TAG KEY EXACT CARDINALITY",
        "SHOW FIELD KEY CARDINALITY",
        "SHOW FIELD KEY EXACT CARDINALITY",
        "SHOW TAG VALUES CARDINALITY WITH KEY = host",
        "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = region",
    ];

    [Test]
    public async Task MetaQueries_ThroughEachNode_EqualASingleServer_DeletesAndDropsReachEveryNode()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2);
        await c.FormAsync();
        await c.ShowEventuallyAsync(c.Meta[0], c.Data.Select(n => n.Tcp), Within);
        await using var single = new Sandbox();
        var (_, ready) = await single.StartAsync(single.LoopbackToml(Sandbox.LicenseToml(await single.ValidLicenseAsync())));
        using var reference = Sandbox.Http(ready["http"]);

        const string setup = "CREATE DATABASE db WITH DURATION INF REPLICATION 1 SHARD DURATION 1h NAME h";
        await Ok(reference, setup);
        await Ok(c.Data[0].Client, setup);
        await ClusterHarness.EventuallyAsync(c.Data[1], "SHOW RETENTION POLICIES ON db", ["\"h\""], Within);

        // Four one-hour shard groups. Each group's points go through the node that owns its first shard (groups take
        // turns, by group id), so the data is spread over both nodes whether a node writes what it receives into the
        // group's first shard locally or to the owners by series hash.
        for (int hour = 0; hour < 4; hour++)
        {
            int nextGroup = await MaxShardGroupIdAsync(c.Data[0]) + 1;
            var writer = c.Data[nextGroup % c.Data.Count];
            string points = Points(hour);
            await Written(writer.Client, points);
            await Written(reference, points);
            await EventuallyGroupsAsync(c.Data, nextGroup);
        }
        foreach (var node in c.Data)
            await Assert.That(ShardDirectories(c, node, "db").Count).IsGreaterThan(0).Because(node.Name + " holds none of the data");

        await AssertSameAnswersAsync(c, reference, MetaQueries);
        var series = await Query(c.Data[1].Client, "SHOW SERIES");
        foreach (var key in new[] { "cpu,host=h1,region=west", "cpu,host=h4,region=east", "mem,host=h3", "disk,host=h2,path=/var" })
            await Assert.That(series).Contains(key);

        // Deletes through one node remove the data of every node.
        await Ok(reference, "DROP SERIES FROM cpu WHERE host = 'h1'");
        await Ok(c.Data[0].Client, "DROP SERIES FROM cpu WHERE host = 'h1'");
        string delete = "DELETE FROM mem WHERE time < " + (Base + 2 * Hour).ToString(CultureInfo.InvariantCulture);
        await Ok(reference, delete);
        await Ok(c.Data[1].Client, delete);
        await Ok(reference, "DROP MEASUREMENT disk");
        await Ok(c.Data[1].Client, "DROP MEASUREMENT disk");
        await AssertSameAnswersAsync(c, reference, MetaQueries);
        foreach (var node in c.Data)
        {
            var after = await Query(node.Client, "SHOW SERIES");
            await Assert.That(after).DoesNotContain("cpu,host=h1,").Because(node.Name);
            await Assert.That(after).DoesNotContain("disk").Because(node.Name);
            await Assert.That(after).DoesNotContain("mem,host=h0").Because(node.Name); // mem of hours 0 and 1 only
            await Assert.That(after).Contains("mem,host=h3").Because(node.Name);
        }

        // DROP SHARD through one node removes the shard on the node that holds it.
        var held = ShardDirectories(c, c.Data[1], "db").First();
        string shardId = Path.GetFileName(held);
        await Ok(c.Data[0].Client, "DROP SHARD " + shardId);
        await Assert.That(Directory.Exists(held)).IsFalse().Because("d2 kept shard " + shardId);
        await Assert.That(Rows(await Query(c.Data[0].Client, "SHOW SHARDS")).Any(r => r[0].GetInt64().ToString(CultureInfo.InvariantCulture) == shardId)).IsFalse();

        // DROP RETENTION POLICY through one node removes that policy's shards on every node.
        await Ok(c.Data[0].Client, "CREATE RETENTION POLICY r2 ON db DURATION INF REPLICATION 1 SHARD DURATION 1h");
        await ClusterHarness.EventuallyAsync(c.Data[1], "SHOW RETENTION POLICIES ON db", ["\"r2\""], Within);
        for (int hour = 10; hour < 12; hour++)
        {
            int nextGroup = await MaxShardGroupIdAsync(c.Data[0]) + 1;
            var writer = c.Data[nextGroup % c.Data.Count];
            var (status, body) = await DataNode.WriteAsync(writer.Client, "db", "other,host=x v=1 " + (Base + hour * Hour).ToString(CultureInfo.InvariantCulture), "rp=r2");
            await Assert.That((int)status).IsEqualTo(204).Because(body);
            await EventuallyGroupsAsync(c.Data, nextGroup);
        }
        foreach (var node in c.Data)
            await Assert.That(Directory.Exists(Path.Combine(c.Sandbox.PathOf(node.Name), "data", "db", "r2"))).IsTrue().Because(node.Name + " holds no r2 shard");
        await Ok(c.Data[1].Client, "DROP RETENTION POLICY r2 ON db");
        foreach (var node in c.Data)
            await Assert.That(Directory.Exists(Path.Combine(c.Sandbox.PathOf(node.Name), "data", "db", "r2"))).IsFalse().Because(node.Name + " kept r2");

        // DROP DATABASE through one node removes the shard directories of every node.
        await Ok(c.Data[1].Client, "DROP DATABASE db");
        foreach (var node in c.Data)
        {
            await Assert.That(ShardDirectories(c, node, "db").Count).IsEqualTo(0).Because(node.Name + " kept shards of the dropped database");
            await Assert.That(Directory.Exists(Path.Combine(c.Sandbox.PathOf(node.Name), "data", "db"))).IsFalse().Because(node.Name);
        }
        var clock = Stopwatch.StartNew();
        string databases;
        while ((databases = await Query(c.Data[0].Client, "SHOW DATABASES")).Contains("\"db\"") && clock.Elapsed < Within) await Task.Delay(50);
        await Assert.That(databases).DoesNotContain("\"db\"");
    }

    [Test]
    public async Task DeleteWithADataNodeDown_AnswersAnErrorNamingIt()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2);
        await c.FormAsync();
        await c.ShowEventuallyAsync(c.Meta[0], c.Data.Select(n => n.Tcp), Within);
        await Ok(c.Data[0].Client, "CREATE DATABASE db");
        await Written(c.Data[0].Client, "cpu,host=a v=1 " + Base.ToString(CultureInfo.InvariantCulture));
        await c.KillAsync(c.Data[1]);

        var body = await Query(c.Data[0].Client, "DROP SERIES FROM cpu");
        await Assert.That(body).Contains("\"error\"");
        await Assert.That(body).Contains(c.Data[1].Tcp);
    }

    [Test]
    public async Task ShowQueries_ListsEveryNodesQueries_KillQueryOn_StopsAQueryOnAnotherNode()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2);
        await c.FormAsync();
        await c.ShowEventuallyAsync(c.Meta[0], c.Data.Select(n => n.Tcp), Within);
        var (a, b) = (c.Data[0], c.Data[1]);
        await Ok(a.Client, "CREATE DATABASE q WITH REPLICATION 1");
        await ClusterHarness.EventuallyAsync(b, "SHOW DATABASES", ["\"q\""], Within);

        // A slow query on b (seconds): nested subqueries over 400 000 points b holds, one row per second out.
        using var writes = new HttpClient { BaseAddress = new Uri("http://" + b.Http), Timeout = TimeSpan.FromMinutes(1) };
        for (int batch = 0; batch < 200; batch++)
        {
            var lines = new StringBuilder();
            for (int i = 0; i < 2000; i++)
            {
                long t = Base + ((long)batch * 2000 + i) * 1_000_000_000L;
                lines.Append("slow,s=").Append(i % 50).Append(" v=").Append(i).Append(' ').Append(t).Append('\n');
            }
            await Written(writes, lines.ToString());
        }
        const string slow = "SELECT count(v) FROM (SELECT v * 2 AS v FROM (SELECT v + 1 AS v FROM (SELECT v FROM slow))) GROUP BY time(1s) fill(0)";
        using var bClient = new HttpClient { BaseAddress = new Uri("http://" + b.Http), Timeout = TimeSpan.FromMinutes(2) };
        var running = Task.Run(() => DataNode.QueryAsync(bClient, slow, "q"));

        // SHOW QUERIES through a lists the query running on b, with b's node id and RPC address.
        JsonElement row = default;
        var clock = Stopwatch.StartNew();
        string shown = "";
        while (clock.Elapsed < Within && !running.IsCompleted)
        {
            shown = await Query(a.Client, "SHOW QUERIES");
            var found = Rows(shown).FirstOrDefault(r => r[3].GetString() == slow);
            if (found.ValueKind == JsonValueKind.Array)
            {
                row = found;
                break;
            }
            await Task.Delay(20);
        }
        await Assert.That(row.ValueKind).IsEqualTo(JsonValueKind.Array).Because("SHOW QUERIES on a never listed the query on b: " + shown);
        using (var doc = JsonDocument.Parse(shown))
        {
            var columns = doc.RootElement.GetProperty("results")[0].GetProperty("series")[0].GetProperty("columns").EnumerateArray().Select(x => x.GetString() ?? "").ToArray();
            await Assert.That(columns).IsEquivalentTo(new[] { "qid", "node_id", "tcp_host", "query", "database", "duration", "status" });
        }
        await Assert.That(row[2].GetString()).IsEqualTo(b.Tcp);
        await Assert.That(row[4].GetString()).IsEqualTo("q");
        await Assert.That(row[6].GetString()).IsEqualTo("running");
        // SHOW QUERIES itself runs on a and is listed under a's address.
        await Assert.That(Rows(shown).Any(r => r[3].GetString() == "SHOW QUERIES" && r[2].GetString() == a.Tcp)).IsTrue().Because(shown);
        long qid = row[0].GetInt64();

        var killed = await Query(a.Client, $"KILL QUERY {qid} ON \"{b.Tcp}\"");
        await Assert.That(killed).DoesNotContain("error");
        var (_, answer) = await running.WaitAsync(Within);
        await Assert.That(answer).Contains("query interrupted");

        var unknown = await Query(a.Client, "KILL QUERY 1 ON \"127.0.0.1:1\"");
        await Assert.That(unknown).Contains("no data node with TCP address");
        var gone = await Query(a.Client, $"KILL QUERY {qid} ON \"{b.Tcp}\"");
        await Assert.That(gone).Contains("no such query id: " + qid);
    }

    /// <summary>Hour <paramref name="hour"/>'s points: cpu every hour, mem in hours 0-1 and 3, disk in hour 2.</summary>
    private static string Points(int hour)
    {
        long t = Base + hour * Hour;
        var sb = new StringBuilder();
        for (int h = 0; h < 5; h++)
        {
            string region = (h + hour) % 2 == 0 ? "west" : "east";
            sb.Append(CultureInfo.InvariantCulture, $"cpu,host=h{h},region={region} usage={h}.5,idle={hour}i {t + h}\n");
            if (hour != 2) sb.Append(CultureInfo.InvariantCulture, $"mem,host=h{h + hour} free={h}i {t + h}\n");
        }
        if (hour == 2)
        {
            sb.Append(CultureInfo.InvariantCulture, $"disk,host=h2,path=/var used=1i,ro=false {t}\n");
            sb.Append(CultureInfo.InvariantCulture, $"disk,host=h3,path=/home used=2i,label=\"x\" {t}\n");
        }
        return sb.ToString();
    }

    private static async Task AssertSameAnswersAsync(ClusterHarness c, HttpClient reference, IEnumerable<string> queries)
    {
        foreach (var q in queries)
        {
            var expected = await Query(reference, q);
            foreach (var node in c.Data)
            {
                var actual = await Query(node.Client, q);
                await Assert.That(actual).IsEqualTo(expected).Because($"{q} through {node.Name}");
            }
        }
    }

    private static async Task<int> MaxShardGroupIdAsync(ClusterHarness.Node node)
    {
        var body = await Query(node.Client, "SHOW SHARD GROUPS");
        int max = 0;
        foreach (var row in Rows(body)) max = Math.Max(max, (int)row[0].GetInt64());
        return max;
    }

    /// <summary>Waits until every node's meta view has shard group <paramref name="groupId"/>, so the next id is predictable.</summary>
    private static async Task EventuallyGroupsAsync(IEnumerable<ClusterHarness.Node> nodes, int groupId)
    {
        foreach (var node in nodes)
        {
            var clock = Stopwatch.StartNew();
            while (await MaxShardGroupIdAsync(node) < groupId)
            {
                if (clock.Elapsed > Within) throw new TimeoutException($"{node.Name} never saw shard group {groupId}");
                await Task.Delay(50);
            }
        }
    }

    private static List<string> ShardDirectories(ClusterHarness c, ClusterHarness.Node node, string database)
    {
        var dir = Path.Combine(c.Sandbox.PathOf(node.Name), "data", database);
        return Directory.Exists(dir) ? [.. Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Where(d => ulong.TryParse(Path.GetFileName(d), out _))] : [];
    }

    private static List<JsonElement> Rows(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var rows = new List<JsonElement>();
        foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            if (!result.TryGetProperty("series", out var series)) continue;
            foreach (var s in series.EnumerateArray())
                if (s.TryGetProperty("values", out var values))
                    foreach (var v in values.EnumerateArray()) rows.Add(v.Clone());
        }
        return rows;
    }

    private static async Task<string> Query(HttpClient http, string q)
    {
        var (_, body) = await DataNode.QueryAsync(http, q, "db");
        return body;
    }

    private static async Task Ok(HttpClient http, string q)
    {
        var body = await Query(http, q);
        if (body.Contains("\"error\"")) throw new InvalidOperationException($"{q}: {body}");
    }

    private static async Task Written(HttpClient http, string points)
    {
        var (status, body) = await DataNode.WriteAsync(http, points.Contains("slow,") ? "q" : "db", points);
        if ((int)status != 204) throw new InvalidOperationException($"write answered {(int)status}: {body}");
    }
}
