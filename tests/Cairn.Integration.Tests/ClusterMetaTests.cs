using System.Diagnostics;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>
/// Issue 5's cluster acceptance: 3 meta + 2 data nodes of the published binary, formed through `cairn ctl`; meta
/// statements through either data node; a data node restart; the meta leader killed under a stream of changes;
/// two of three meta nodes down; the licence's node cap; the internal shared secret.
/// </summary>
[NotInParallel("cluster")]
public class ClusterMetaTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Test]
    public async Task FormedThroughCtl_ShowListsNodes_MetaVisibleThroughBothDataNodes_RestartedDataNodeRejoins()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2);
        await c.FormAsync();

        var show = await c.ShowEventuallyAsync(c.Meta[1], [.. c.Data.Select(n => n.Tcp), .. c.Meta.Select(n => n.Http)], Within);
        foreach (var n in c.Data) await Assert.That(show).Contains(n.Tcp);
        foreach (var n in c.Meta) await Assert.That(show).Contains(n.Http);
        await Assert.That(show).Contains("Data Nodes");
        await Assert.That(show).Contains("Meta Nodes");
        // Node ids come from one sequence: meta nodes 1-3, then data nodes 4 and 5.
        var lines = show.Split('\n');
        await Assert.That(lines.Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^4\s") && l.Contains(c.Data[0].Tcp))).IsTrue().Because(show);
        await Assert.That(lines.Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^5\s") && l.Contains(c.Data[1].Tcp))).IsTrue().Because(show);

        var (d1, d2) = (c.Data[0], c.Data[1]);
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db0");
        await ClusterHarness.QueryAsync(d1, "CREATE RETENTION POLICY rp1 ON db0 DURATION 2d REPLICATION 1");
        await ClusterHarness.QueryAsync(d1, "CREATE USER alice WITH PASSWORD 'secret'");
        await ClusterHarness.EventuallyAsync(d2, "SHOW DATABASES", ["db0"], Within);
        await ClusterHarness.EventuallyAsync(d2, "SHOW RETENTION POLICIES ON db0", ["rp1", "48h0m0s", "autogen"], Within);
        await ClusterHarness.EventuallyAsync(d2, "SHOW USERS", ["alice"], Within);
        // Cluster default replication: two data nodes, so autogen keeps two copies.
        var rps = await ClusterHarness.QueryAsync(d2, "SHOW RETENTION POLICIES ON db0");
        await Assert.That(rps).Contains("[\"autogen\",\"0s\",\"168h0m0s\",2,\"0s\",\"0s\",true]");

        // DDL through the second node lands too, and a duplicate is refused as InfluxDB refuses it.
        await ClusterHarness.QueryAsync(d2, "CREATE DATABASE db1");
        await ClusterHarness.EventuallyAsync(d1, "SHOW DATABASES", ["db1"], Within);
        var dup = await ClusterHarness.QueryAsync(d2, "CREATE USER alice WITH PASSWORD 'x'");
        await Assert.That(dup).Contains("user already exists");

        // kill -9 the second data node, change the metadata while it is down, restart it: it rejoins by itself.
        await c.KillAsync(d2);
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE while_down");
        await c.StartAsync(d2);
        await ClusterHarness.EventuallyAsync(d2, "SHOW DATABASES", ["db0", "db1", "while_down"], Within);
        await ClusterHarness.QueryAsync(d2, "CREATE DATABASE after_restart");
        await ClusterHarness.EventuallyAsync(d1, "SHOW DATABASES", ["after_restart"], Within);
        var cluster = await c.ShowEventuallyAsync(c.Meta[2], [d2.Tcp], Within);
        await Assert.That(cluster).Contains(d2.Tcp);
    }

    [Test]
    public async Task KillMetaLeader_UnderAStreamOfChanges_NewLeaderWithin5s_NothingAcknowledgedLost_KilledNodeCatchesUp()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 1);
        await c.FormAsync();
        var data = c.Data[0];
        var leader = await c.LeaderAsync(Within);

        var acknowledged = new List<string>();
        using var stop = new CancellationTokenSource();
        var stream = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested && i < 10_000; i++)
            {
                // Each change is one of: a database, a retention policy on it, a user.
                string q = (i % 3) switch
                {
                    0 => $"CREATE DATABASE s{i}",
                    1 => $"CREATE RETENTION POLICY rp{i} ON s{i - 1} DURATION 1d REPLICATION 1",
                    _ => $"CREATE USER u{i} WITH PASSWORD 'p'",
                };
                string mark = (i % 3) switch { 0 => $"s{i}", 1 => $"rp{i}", _ => $"u{i}" };
                try
                {
                    var body = await ClusterHarness.QueryAsync(data, q);
                    if (!body.Contains("\"error\"")) lock (acknowledged) acknowledged.Add(q);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            }
        });

        await Task.Delay(1500);
        await c.KillAsync(leader);
        var clock = Stopwatch.StartNew();
        var next = await c.LeaderAsync(TimeSpan.FromSeconds(5));
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        await Assert.That(next).IsNotEqualTo(leader);
        // The new leader serves: a change made after the kill is acknowledged.
        var deadline = Stopwatch.StartNew();
        string answer = "";
        while (deadline.Elapsed < Within)
        {
            answer = await ClusterHarness.QueryAsync(data, "CREATE DATABASE after_kill");
            if (!answer.Contains("\"error\"")) break;
            await Task.Delay(100);
        }
        await Assert.That(answer).DoesNotContain("\"error\"");
        await Task.Delay(1000);
        stop.Cancel();
        await stream;
        await Assert.That(acknowledged.Count).IsGreaterThan(5);

        // Every acknowledged change is there, through the data node.
        var dbs = await ClusterHarness.QueryAsync(data, "SHOW DATABASES");
        var users = await ClusterHarness.QueryAsync(data, "SHOW USERS");
        foreach (var q in acknowledged)
        {
            var words = q.Split(' ');
            switch (words[1])
            {
                case "DATABASE": await Assert.That(dbs).Contains($"\"{words[2]}\""); break;
                case "USER": await Assert.That(users).Contains($"\"{words[2]}\""); break;
                default:
                    var rps = await ClusterHarness.QueryAsync(data, $"SHOW RETENTION POLICIES ON {words[5]}");
                    await Assert.That(rps).Contains($"\"{words[3]}\"");
                    break;
            }
        }

        // The killed meta node restarts and catches up: its user list (GET /user) matches the leader's.
        await c.StartAsync(leader);
        var expected = await UsersOf(await c.LeaderAsync(Within));
        var wait = Stopwatch.StartNew();
        string[] got = [];
        while (wait.Elapsed < Within)
        {
            got = await UsersOf(leader);
            if (got.SequenceEqual(expected)) break;
            await Task.Delay(100);
        }
        await Assert.That(got).IsEquivalentTo(expected);
    }

    private static async Task<string[]> UsersOf(ClusterHarness.Node meta)
    {
        using var http = meta.Client;
        var text = await http.GetStringAsync("/user");
        return JsonDocument.Parse(text).RootElement.GetProperty("users").EnumerateArray()
            .Select(u => u.GetProperty("name").GetString()!).Order().ToArray();
    }

    [Test]
    public async Task TwoOfThreeMetaDown_DataNodeServesExistingShards_DdlAnswersAClearError()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 1);
        await c.FormAsync();
        var data = c.Data[0];
        await ClusterHarness.QueryAsync(data, "CREATE DATABASE db0");
        using (var http = data.Client)
        {
            var (status, body) = await DataNode.WriteAsync(http, "db0", "cpu,host=a v=1 " + NowNs());
            await Assert.That((int)status).IsEqualTo(204).Because(body);
        }
        var leader = await c.LeaderAsync(Within);
        foreach (var m in c.Meta.Where(m => m != leader).ToList()) await c.KillAsync(m);

        using (var http = data.Client)
        {
            var (status, body) = await DataNode.WriteAsync(http, "db0", "cpu,host=b v=2 " + NowNs());
            await Assert.That((int)status).IsEqualTo(204).Because(body);
        }
        var count = await ClusterHarness.QueryAsync(data, "SELECT count(v) FROM cpu", "db0");
        await Assert.That(count).Contains(",2]");
        var ddl = await ClusterHarness.QueryAsync(data, "CREATE DATABASE db2");
        await Assert.That(ddl).Contains("\"error\"");
        await Assert.That(ddl).Contains("meta");
    }

    private static string NowNs() => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString();

    [Test]
    public async Task LicenceCap_OneDataNode_SecondAddDataRefusedNamingTheLimit()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 1, data: 2, maxDataNodes: 1);
        await c.CtlOk(c.Meta[0], "add-meta", c.Meta[0].Http);
        await c.CtlOk(c.Meta[0], "add-data", c.Data[0].Tcp);
        var (code, stdout, stderr) = await c.CtlAsync(c.Meta[0], "add-data", c.Data[1].Tcp);
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(stdout + stderr).Contains("licence allows at most 1 data node; the cluster has 1");
    }

    [Test]
    public async Task WrongInternalSharedSecret_DataNodeCannotJoinOrBeCalled()
    {
        await using var h = await ClusterHarness.StartAsync(meta: 1, data: 0, metaExtra: "internal-shared-secret = \"right\"");
        var good = h.AddData("good", "meta-internal-shared-secret = \"right\"");
        var bad = h.AddData("bad", "meta-internal-shared-secret = \"wrong\"");
        await h.StartAsync(good);
        await h.StartAsync(bad);
        await h.CtlOk(h.Meta[0], "add-meta", h.Meta[0].Http);
        await h.CtlOk(h.Meta[0], "add-data", good.Tcp);
        var (code, stdout, stderr) = await h.CtlAsync(h.Meta[0], "add-data", bad.Tcp);
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(stdout + stderr).Contains("internal shared secret");
        var show = await h.CtlOk(h.Meta[0], "show");
        await Assert.That(show).Contains(good.Tcp);
        await Assert.That(show).DoesNotContain(bad.Tcp);
    }

    [Test]
    public async Task MetaAuth_CtlNeedsCredentialsOnceAnAdminExists_BasicAndJwt_DataNodesUseTheInternalSecret()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 1, data: 0,
            metaExtra: "auth-enabled = true\nshared-secret = \"ops-secret\"\ninternal-shared-secret = \"node-secret\"");
        var data = c.AddData("d1", "meta-internal-shared-secret = \"node-secret\"");
        await c.StartAsync(data);
        var meta = c.Meta[0];
        await c.CtlOk(meta, "add-meta", meta.Http);
        using (var http = meta.Client)
        {
            var created = await http.PostAsync("/user", new StringContent(
                "{\"action\":\"create\",\"user\":{\"name\":\"admin\",\"password\":\"pw\",\"permissions\":{\"\":[\"ViewAdmin\",\"AddRemoveNode\"]}}}"));
            await Assert.That((int)created.StatusCode).IsEqualTo(200).Because(await created.Content.ReadAsStringAsync());
        }
        var (code, stdout, stderr) = await c.CtlAsync(meta, "show");
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(stdout + stderr).Contains("unable to parse authentication credentials");
        (code, stdout, stderr) = await c.CtlAsync(meta, "-auth-type", "basic", "-user", "admin", "-pwd", "wrong", "show");
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(stdout + stderr).Contains("authorization failed");
        (code, stdout, stderr) = await c.CtlAsync(meta, "-auth-type", "jwt", "-user", "admin", "-secret", "wrong", "show");
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(stdout + stderr).Contains("signature is invalid");
        await c.CtlOk(meta, "-auth-type", "jwt", "-user", "admin", "-secret", "ops-secret", "show");
        // add-data with basic auth; the data node then reads and changes metadata with its internal-secret JWTs.
        await c.CtlOk(meta, "-auth-type", "basic", "-user", "admin", "-pwd", "pw", "add-data", data.Tcp);
        await ClusterHarness.QueryAsync(data, "CREATE DATABASE authed");
        await ClusterHarness.EventuallyAsync(data, "SHOW DATABASES", ["authed"], Within);
    }

    [Test]
    public async Task MetaJoinAndLeaveEndpoints_AddAndRemoveTheNodeThemselves()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 0);
        var (m1, m2, m3) = (c.Meta[0], c.Meta[1], c.Meta[2]);
        await c.CtlOk(m1, "add-meta", m1.Http);
        using (var http = m2.Client)
        {
            // m2 joins through a follower-or-leader address of the cluster; the 307 to the leader is followed.
            var joined = await http.PostAsync("/join", new FormUrlEncodedContent([new("addr", m1.Http)]));
            await Assert.That((int)joined.StatusCode).IsEqualTo(200).Because(await joined.Content.ReadAsStringAsync());
            await Assert.That(await joined.Content.ReadAsStringAsync()).Contains($"\"tcpAddr\":\"{m2.Tcp}\"");
        }
        await c.CtlOk(m2, "add-meta", m3.Http);
        // m3 learns of its membership from the leader's next replication round.
        int peers = 0;
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < Within && peers != 3)
        {
            var status = await ClusterHarness.StatusAsync(m3);
            peers = status?.GetProperty("peers") is { ValueKind: JsonValueKind.Array } list ? list.GetArrayLength() : 0;
            if (peers != 3) await Task.Delay(50);
        }
        await Assert.That(peers).IsEqualTo(3);

        using (var http = m3.Client)
        {
            var left = await http.PostAsync("/leave", new FormUrlEncodedContent([]));
            await Assert.That((int)left.StatusCode).IsEqualTo(200).Because(await left.Content.ReadAsStringAsync());
        }
        var show = await c.CtlOk(m1, "show");
        for (var gone = Stopwatch.StartNew(); show.Contains(m3.Http) && gone.Elapsed < Within; show = await c.CtlOk(m1, "show"))
            await Task.Delay(100);
        await Assert.That(show).DoesNotContain(m3.Http);
        await Assert.That(show).Contains(m2.Http);
        // Joining twice is refused.
        using (var http = m2.Client)
        {
            var again = await http.PostAsync("/join", new FormUrlEncodedContent([new("addr", m1.Http)]));
            await Assert.That((int)again.StatusCode).IsEqualTo(409);
        }
    }

    [Test]
    public async Task Roles_ThroughTheMetaApi_GrantTheirUsers()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 1, data: 0);
        var meta = c.Meta[0];
        await c.CtlOk(meta, "add-meta", meta.Http);
        using var http = meta.Client;
        async Task<(int Status, string Body)> Post(string path, string json)
        {
            using var response = await http.PostAsync(path, new StringContent(json));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        async Task<int> Authorized(string permission) =>
            (int)(await http.GetAsync($"/authorized?name=ann&password=pw&permission={permission}&resource=db0")).StatusCode;

        await Assert.That(await http.GetStringAsync("/role")).IsEqualTo("{}");
        await Assert.That((await Post("/user", "{\"action\":\"create\",\"user\":{\"name\":\"ann\",\"password\":\"pw\"}}")).Status).IsEqualTo(200);
        await Assert.That(await Authorized("ReadData")).IsEqualTo(403);

        var created = await Post("/role", "{\"action\":\"create\",\"role\":{\"name\":\"readers\",\"users\":[\"ann\"],\"permissions\":{\"db0\":[\"ReadData\"]}}}");
        await Assert.That(created.Status).IsEqualTo(200).Because(created.Body);
        await Assert.That(await http.GetStringAsync("/role?name=readers"))
            .IsEqualTo("{\"roles\":[{\"name\":\"readers\",\"permissions\":{\"db0\":[\"ReadData\"]},\"users\":[\"ann\"]}]}");
        await Assert.That(await Authorized("ReadData")).IsEqualTo(200);
        await Assert.That(await Authorized("WriteData")).IsEqualTo(403);

        await Post("/role", "{\"action\":\"remove-users\",\"role\":{\"name\":\"readers\",\"users\":[\"ann\"]}}");
        await Assert.That(await Authorized("ReadData")).IsEqualTo(403);
        var duplicate = await Post("/role", "{\"action\":\"create\",\"role\":{\"name\":\"readers\"}}");
        await Assert.That(duplicate.Body).IsEqualTo("{\"error\":\"role already exists\"}");
        var missing = await Post("/role", "{\"action\":\"delete\",\"role\":{\"name\":\"nope\"}}");
        await Assert.That(missing.Status).IsEqualTo(404);
        await Assert.That(missing.Body).IsEqualTo("{\"error\":\"role not found\"}");
    }

    [Test]
    public async Task BothNode_CtlShowsTheSingleServer_ShowShards_AndRefusesOtherNodes()
    {
        await using var sandbox = new Sandbox();
        var process = sandbox.Run([], Sandbox.LoopbackEnvironment());
        var ready = await process.WaitForReadyAsync();
        using (var http = Sandbox.Http(ready["http"]))
        {
            await DataNode.QueryAsync(http, "CREATE DATABASE single");
            var (status, body) = await DataNode.WriteAsync(http, "single", "cpu v=1 1700000000000000000");
            await Assert.That((int)status).IsEqualTo(204).Because(body);
        }
        async Task<(int, string)> Ctl(params string[] args)
        {
            var (code, stdout, stderr) = await CairnProcess.RunToEndAsync(["ctl", "-bind", ready["meta-http"], .. args], sandbox.Dir);
            return (code, stdout + stderr);
        }
        var (showCode, show) = await Ctl("show");
        await Assert.That(showCode).IsEqualTo(0).Because(show);
        await Assert.That(show).Contains(ready["rpc"]);
        await Assert.That(show).Contains(ready["meta-http"]);
        var (shardsCode, shards) = await Ctl("show-shards");
        await Assert.That(shardsCode).IsEqualTo(0).Because(shards);
        await Assert.That(shards).Contains("single");
        var (addCode, add) = await Ctl("add-data", "127.0.0.1:1");
        await Assert.That(addCode).IsEqualTo(1);
        await Assert.That(add).Contains("single server");
    }

    [Test]
    public async Task MetaNodeWithAnInvalidLicence_RefusesToStart()
    {
        await using var sandbox = new Sandbox();
        var forged = sandbox.WriteFile("forged.json", "{\"licensee\":\"x\",\"signature\":\"AAAA\"}");
        var toml = sandbox.LoopbackToml(role: "meta") + Sandbox.LicenseToml(forged);
        var config = sandbox.WriteFile("meta.toml", toml);
        var process = sandbox.Run(["--config", config]);
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(code).IsNotEqualTo(0);
        await Assert.That(process.Stdout).DoesNotContain("READY");
        await Assert.That(process.Stderr).Contains("licen");
    }
}
