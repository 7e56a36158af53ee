using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>
/// Issue 6's write acceptance on 3 meta + 2 or 3 data nodes of the published binary: replicated writes readable through
/// every node; a data node killed during a stream of writes loses and duplicates nothing once hinted handoff drains;
/// consistency=all with an owner down; hinted handoff's max-age and max-size.
/// </summary>
[NotInParallel("cluster")]
public class ClusterWriteTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const long Base = 1_700_000_000_000_000_000;

    [Test]
    public async Task Rf2_AWriteThroughAnyNode_IsReadableThroughEveryNode()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 3);
        await c.FormAsync();
        await ClusterHarness.QueryAsync(c.Data[0], "CREATE DATABASE db WITH REPLICATION 2");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);

        // Each node coordinates its own part: 3 × 40 series × 5 points, spread over a week so several groups exist.
        int expected = 0;
        for (int n = 0; n < c.Data.Count; n++)
        {
            var body = new StringBuilder();
            for (int s = 0; s < 40; s++)
                for (int t = 0; t < 5; t++, expected++)
                    body.Append($"cpu,node=n{n},host=h{s} v={n * 1000 + s * 10 + t} {Base + t * 36L * 3600 * 1_000_000_000}\n");
            await WriteOkAsync(c.Data[n], "db", body.ToString());
        }
        foreach (var d in c.Data)
        {
            await Assert.That(await CountAsync(d, "db", "SELECT count(v) FROM cpu")).IsEqualTo(expected).Because(d.Name);
            var one = await ClusterHarness.QueryAsync(d, "SELECT v FROM cpu WHERE node = 'n2' AND host = 'h7'", "db");
            await Assert.That(one).Contains("[\"2023-11-14T22:13:20Z\",2070]").Because(one);
        }
        // The groups' shards have two owners each, so every node holds some of them and none holds them all.
        var shards = await ClusterHarness.QueryAsync(c.Data[0], "SHOW SHARDS", "db");
        await Assert.That(System.Text.RegularExpressions.Regex.IsMatch(shards, "\"\\d+,\\d+\"\\]")).IsTrue().Because(shards);
        var vars = await DebugVarsAsync(c.Data[0]);
        await Assert.That(Value(vars, "write", "pointReqRemote")).IsGreaterThan(0);
        await Assert.That(Value(vars, "write", "writeDrop")).IsEqualTo(0);

        // A point the coordinator refuses (a tag named time) is dropped, answered as a partial write and counted.
        var (status, text) = await WriteAsync(c.Data[0], "db", $"cpu,time=x v=1 {Base}\ncpu,node=n0,host=h0 v=2 {Base}\n");
        await Assert.That(status).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(text).Contains("partial write").And.Contains("dropped=1");
        await Assert.That(Value(await DebugVarsAsync(c.Data[0]), "write", "writeDrop")).IsEqualTo(1);
    }

    [Test]
    public async Task FirstWriteOfManyTimestamps_MakesEachShardGroupOnce_AndAnswersAtOnce()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2);
        await c.FormAsync();
        await ClusterHarness.QueryAsync(c.Data[0], "CREATE DATABASE db WITH REPLICATION 1");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);

        // 50,000 distinct timestamps in one new week, then one point in each of the two weeks after: three groups to
        // make. The coordinator asked meta once per distinct timestamp before, which took minutes for such a body.
        var body = new StringBuilder();
        for (int i = 0; i < 50_000; i++) body.Append($"cpu,host=h{i % 4} v={i} {Base + i * 1_000_000L}\n");
        for (int week = 1; week <= 2; week++) body.Append($"cpu,host=h0 v=-{week} {Base + week * 7L * 24 * 3600 * 1_000_000_000}\n");
        using (var http = c.Data[0].Client)
        {
            http.Timeout = TimeSpan.FromSeconds(15);
            using var response = await http.PostAsync("/write?db=db", new StringContent(body.ToString()));
            await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.NoContent).Because(await response.Content.ReadAsStringAsync());
        }
        foreach (var d in c.Data)
            await Assert.That(await CountAsync(d, "db", "SELECT count(v) FROM cpu")).IsEqualTo(50_002).Because(d.Name);
        var shards = await ClusterHarness.QueryAsync(c.Data[0], "SHOW SHARDS", "db");
        using var doc = JsonDocument.Parse(shards);
        var groups = doc.RootElement.GetProperty("results")[0].GetProperty("series")[0].GetProperty("values").EnumerateArray()
            .Select(row => row[3].GetInt64()).Distinct().Count();
        await Assert.That(groups).IsEqualTo(3).Because(shards);
    }

    [Test]
    public async Task Rf2_ConcurrentBatchesThroughBothNodes_EveryOwnerHoldsEveryPoint()
    {
        // The answer (consistency one) leaves before the second owner's copy is written: that copy must still be whole.
        await using var c = await ClusterHarness.StartAsync(meta: 1, data: 2);
        await c.FormAsync();
        var (d1, d2) = (c.Data[0], c.Data[1]);
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db WITH REPLICATION 2");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);
        const int batches = 48, lines = 2000;
        int next = -1;
        var failures = new List<string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (int b = Interlocked.Increment(ref next); b < batches; b = Interlocked.Increment(ref next))
            {
                var body = new StringBuilder();
                for (int i = 0; i < lines; i++)
                {
                    int n = b * lines + i;
                    body.Append($"cpu,host=h{n % 500} v={n}i {Base + (n / 500) * 10_000_000_000L}\n");
                }
                var (status, text) = await WriteAsync(b % 2 == 0 ? d1 : d2, "db", body.ToString());
                if (status != HttpStatusCode.NoContent) lock (failures) failures.Add($"{(int)status} {text}");
            }
        })));
        await Assert.That(failures.Count).IsEqualTo(0).Because(string.Join("\n", failures.Take(3)));
        // Each node owns every shard and reads its own copy first.
        foreach (var d in c.Data)
            await ClusterHarness.EventuallyAsync(d, "SELECT count(v) FROM db..cpu", [$"\"values\":[[\"1970-01-01T00:00:00Z\",{batches * lines}]]"], Within);
        foreach (var d in c.Data)
        {
            var sum = await ClusterHarness.QueryAsync(d, "SELECT sum(v) FROM cpu", "db");
            long n = batches * (long)lines;
            await Assert.That(sum).Contains($",{n * (n - 1) / 2}]").Because($"{d.Name}: {sum}");
        }
    }

    [Test]
    public async Task KillDataNodeDuringWrites_ConsistencyOne_EveryAcknowledgedPointOnEveryOwner_NoneDuplicated()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 3, hintedHandoff: "retry-interval = \"200ms\"\nretry-max-interval = \"1s\"");
        await c.FormAsync();
        var (d1, d2, d3) = (c.Data[0], c.Data[1], c.Data[2]);
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db WITH REPLICATION 2");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);

        // One writer through d1 and d2 in turn, 20 series per batch, each point's value its own number.
        var acknowledged = new HashSet<long>();
        var sent = new HashSet<long>();
        long queriesAnswered = 0;
        var queryErrors = new List<string>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (int batch = 0; batch < 100_000 && !stop.IsCancellationRequested; batch++)
            {
                var body = new StringBuilder();
                var values = new List<long>();
                for (int s = 0; s < 20; s++)
                {
                    long v = batch * 20L + s;
                    values.Add(v);
                    body.Append($"m,host=h{s} v={v}i {Base + batch * 1_000_000_000L}\n");
                }
                lock (sent) sent.UnionWith(values);
                var coordinator = batch % 2 == 0 ? d1 : d2;
                using var http = coordinator.Client;
                http.Timeout = TimeSpan.FromSeconds(20);
                try
                {
                    using var response = await http.PostAsync("/write?db=db&consistency=one", new StringContent(body.ToString()));
                    if (response.StatusCode == HttpStatusCode.NoContent) lock (acknowledged) acknowledged.UnionWith(values);
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(5);
            }
        });
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, body) = await DataNode.QueryAsync(d2.Client, "SELECT count(v) FROM m", "db");
                if (status == HttpStatusCode.OK && !body.Contains("\"error\"")) Interlocked.Increment(ref queriesAnswered);
                else lock (queryErrors) queryErrors.Add(body);
                await Task.Delay(100);
            }
        });

        await Task.Delay(2000);
        await c.KillAsync(d3);
        long answeredBefore = Interlocked.Read(ref queriesAnswered);
        int ackedBefore;
        lock (acknowledged) ackedBefore = acknowledged.Count;
        await Task.Delay(3000);
        int ackedDuring;
        lock (acknowledged) ackedDuring = acknowledged.Count;
        // Writes keep succeeding and queries keep answering while d3 is down.
        await Assert.That(ackedDuring).IsGreaterThan(ackedBefore);
        await Assert.That(Interlocked.Read(ref queriesAnswered)).IsGreaterThan(answeredBefore);
        await c.StartAsync(d3);
        await Task.Delay(2000);
        await stop.CancelAsync();
        await Task.WhenAll(writer, reader);
        await Assert.That(queryErrors.Count).IsEqualTo(0).Because(string.Join("\n", queryErrors.Take(3)));

        // Hinted handoff drains on both coordinators.
        foreach (var d in new[] { d1, d2 })
        {
            var clock = Stopwatch.StartNew();
            while (QueueDepth(await DebugVarsAsync(d)) > 0 && clock.Elapsed < Within) await Task.Delay(200);
            await Assert.That(QueueDepth(await DebugVarsAsync(d))).IsEqualTo(0).Because(d.Name + " hinted handoff did not drain");
        }

        // d3's copies of what the others coordinated while it was down went through hinted handoff.
        long handedOff = 0;
        foreach (var d in new[] { d1, d2 }) handedOff += Value(await DebugVarsAsync(d), "write", "pointReqHH");
        await Assert.That(handedOff).IsGreaterThan(0);

        // Stop each node in turn and read everything through the others: every acknowledged point, nothing unsent, nothing twice.
        foreach (var down in c.Data)
        {
            await c.KillAsync(down);
            foreach (var through in c.Data.Where(d => d != down))
            {
                var values = await ValuesAsync(through, "db", "SELECT v FROM m");
                var distinct = new HashSet<long>(values);
                await Assert.That(values.Count).IsEqualTo(distinct.Count).Because($"duplicates through {through.Name} with {down.Name} down");
                var lost = acknowledged.Where(v => !distinct.Contains(v)).Take(5).ToList();
                await Assert.That(lost.Count).IsEqualTo(0).Because($"lost through {through.Name} with {down.Name} down: {string.Join(",", lost)}");
                await Assert.That(distinct.All(sent.Contains)).IsTrue().Because("a value that was never sent");
            }
            await c.StartAsync(down);
        }
    }

    [Test]
    public async Task ConsistencyAll_OwnerDown_PartialWrite_ThenHintedHandoffDelivers_MaxAgeDropsAndCounts()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2,
            hintedHandoff: "retry-interval = \"200ms\"\nretry-max-interval = \"500ms\"");
        await c.FormAsync();
        var (d1, d2) = (c.Data[0], c.Data[1]);
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db WITH REPLICATION 2");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);
        await WriteOkAsync(d1, "db", $"cpu v=1 {Base}");

        await c.KillAsync(d2);
        var (status, body) = await WriteAsync(d1, "db", $"cpu v=2 {Base + 1}", "consistency=all");
        await Assert.That(status).IsEqualTo(HttpStatusCode.InternalServerError);
        await Assert.That(body).IsEqualTo("{\"error\":\"partial write\"}\n");
        // consistency=one: d1 stored it, so the write succeeds; the copy for d2 waits in hinted handoff.
        (status, body) = await WriteAsync(d1, "db", $"cpu v=3 {Base + 2}", "consistency=one");
        await Assert.That(status).IsEqualTo(HttpStatusCode.NoContent).Because(body);
        var vars = await DebugVarsAsync(d1);
        await Assert.That(Value(vars, "write", "pointReqHH")).IsGreaterThanOrEqualTo(2);
        await Assert.That(Value(vars, "write", "writePartial")).IsGreaterThanOrEqualTo(1);

        await c.StartAsync(d2);
        // d2 reads its own copy of the shard first: both points arrive there through hinted handoff.
        await ClusterHarness.EventuallyAsync(d2, "SELECT count(v) FROM db..cpu", ["\"count\"],\"values\":[[\"1970-01-01T00:00:00Z\",3]]"], Within);
    }

    [Test]
    public async Task HintedHandoff_EntriesOlderThanMaxAge_AreDroppedAndCounted()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2,
            hintedHandoff: "max-age = \"1s\"\npurge-interval = \"200ms\"\nretry-interval = \"200ms\"");
        await c.FormAsync();
        var (d1, d2) = (c.Data[0], c.Data[1]);
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db WITH REPLICATION 2");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);
        await WriteOkAsync(d1, "db", $"cpu v=1 {Base}");
        await ClusterHarness.EventuallyAsync(d2, "SELECT count(v) FROM db..cpu", ["\"values\":[[\"1970-01-01T00:00:00Z\",1]]"], Within);

        await c.KillAsync(d2);
        var (status, body) = await WriteAsync(d1, "db", $"cpu v=2 {Base + 1}", "consistency=any");
        await Assert.That(status).IsEqualTo(HttpStatusCode.NoContent).Because(body);
        var clock = Stopwatch.StartNew();
        while (Dropped(await DebugVarsAsync(d1)) == 0 && clock.Elapsed < Within) await Task.Delay(200);
        await Assert.That(Dropped(await DebugVarsAsync(d1))).IsEqualTo(1);
        await Assert.That(QueueDepth(await DebugVarsAsync(d1))).IsEqualTo(0);

        // The dropped entry never reaches d2: its copy keeps the first point only.
        await c.StartAsync(d2);
        await Task.Delay(1500);
        var count = await ClusterHarness.QueryAsync(d2, "SELECT count(v) FROM cpu", "db");
        await Assert.That(count).Contains("\"values\":[[\"1970-01-01T00:00:00Z\",1]]").Because(count);
    }

    [Test]
    public async Task FullHintedHandoffQueue_RefusesWithQueueIsFull_AndTheNodeKeepsServing()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2, hintedHandoff: "max-size = 4096");
        await c.FormAsync();
        var (d1, d2) = (c.Data[0], c.Data[1]);
        // Replication 1: each group's two shards have one owner each, so about half the series belong to d2.
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db WITH REPLICATION 1");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], Within);
        await WriteOkAsync(d1, "db", Batch(0));
        await c.KillAsync(d2);

        // consistency=any: d2's points are queued until its queue passes max-size, then refused.
        string refusal = "";
        for (int i = 1; i < 200 && refusal.Length == 0; i++)
        {
            var (status, body) = await WriteAsync(d1, "db", Batch(i), "consistency=any");
            if (status != HttpStatusCode.NoContent) refusal = $"{(int)status} {body}";
        }
        await Assert.That(refusal).IsEqualTo("500 {\"error\":\"write failed: queue is full\"}\n");
        var vars = await DebugVarsAsync(d1);
        await Assert.That(Sum(vars, "hh_processor", "writeBlocked")).IsGreaterThanOrEqualTo(1);

        // The node keeps serving: pings, queries, and writes to its own shards.
        using (var http = d1.Client) await Assert.That((await http.GetAsync("/ping")).StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        var databases = await ClusterHarness.QueryAsync(d1, "SHOW DATABASES");
        await Assert.That(databases).Contains("\"db\"").Because(databases);
        var own = await OwnSeriesAsync(d1);
        await Assert.That(own).IsNotNull();
        await WriteOkAsync(d1, "db", $"cpu,host={own} v=1 {Base + 999}");

        static string Batch(int i)
        {
            var body = new StringBuilder();
            for (int s = 0; s < 20; s++) body.Append($"cpu,host=h{s} v={i} {Base + i * 1_000_000_000L}\n");
            return body.ToString();
        }
    }

    /// <summary>A host tag of a series whose shard d1 holds (its shard directory exists there and it answers alone).</summary>
    private static async Task<string?> OwnSeriesAsync(ClusterHarness.Node node)
    {
        for (int s = 0; s < 20; s++)
        {
            var (status, body) = await WriteAsync(node, "db", $"cpu,host=h{s} v=7 {Base + 500}", "consistency=one");
            if (status == HttpStatusCode.NoContent) return "h" + s;
        }
        return null;
    }

    private static async Task<(HttpStatusCode Status, string Body)> WriteAsync(ClusterHarness.Node node, string db, string body, string extra = "")
    {
        using var http = node.Client;
        using var response = await http.PostAsync($"/write?db={db}" + (extra.Length > 0 ? "&" + extra : ""), new StringContent(body));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task WriteOkAsync(ClusterHarness.Node node, string db, string body)
    {
        var (status, text) = await WriteAsync(node, db, body);
        if (status != HttpStatusCode.NoContent) throw new InvalidOperationException($"write through {node.Name}: {(int)status} {text}");
    }

    private static async Task<long> CountAsync(ClusterHarness.Node node, string db, string q)
    {
        var body = await ClusterHarness.QueryAsync(node, q, db);
        using var doc = JsonDocument.Parse(body);
        var series = doc.RootElement.GetProperty("results")[0];
        if (!series.TryGetProperty("series", out var s)) throw new InvalidOperationException(body);
        return s[0].GetProperty("values")[0][1].GetInt64();
    }

    private static async Task<List<long>> ValuesAsync(ClusterHarness.Node node, string db, string q)
    {
        var body = await ClusterHarness.QueryAsync(node, q, db);
        using var doc = JsonDocument.Parse(body);
        var result = doc.RootElement.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{node.Name}: {error}");
        var values = new List<long>();
        if (!result.TryGetProperty("series", out var series)) return values;
        foreach (var row in series[0].GetProperty("values").EnumerateArray()) values.Add(row[1].GetInt64());
        return values;
    }

    internal static async Task<JsonElement> DebugVarsAsync(ClusterHarness.Node node)
    {
        using var http = node.Client;
        var text = await http.GetStringAsync("/debug/vars");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The value <paramref name="field"/> of the entry named <paramref name="name"/> (the first one).</summary>
    internal static long Value(JsonElement vars, string name, string field)
    {
        foreach (var entry in vars.EnumerateObject())
            if (entry.Value.ValueKind == JsonValueKind.Object && entry.Value.TryGetProperty("name", out var n) && n.GetString() == name)
                return entry.Value.GetProperty("values").GetProperty(field).GetInt64();
        throw new InvalidOperationException($"no {name} entry in /debug/vars");
    }

    /// <summary>The sum of <paramref name="field"/> over every entry named <paramref name="name"/> (0 when there is none).</summary>
    internal static long Sum(JsonElement vars, string name, string field)
    {
        long sum = 0;
        foreach (var entry in vars.EnumerateObject())
            if (entry.Value.ValueKind == JsonValueKind.Object && entry.Value.TryGetProperty("name", out var n) && n.GetString() == name
                && entry.Value.GetProperty("values").TryGetProperty(field, out var v))
                sum += v.GetInt64();
        return sum;
    }

    private static long QueueDepth(JsonElement vars) => Sum(vars, "hh_processor", "queueDepth");

    private static long Dropped(JsonElement vars) => Sum(vars, "hh_processor", "writeDropped");
}
