using System.Net;
using System.Net.Sockets;
using Cairn.Meta.Ctl;

namespace Cairn.Meta.Tests.Ctl;

/// <summary>join and leave against a fake local meta node and a listening "data node" port.</summary>
public class MembershipTests
{
    private const string UnjoinedStatus = """{"nodeType":"meta","leader":"","httpAddr":"testhost:8091","raftAddr":"testhost:8089","peers":null}""";
    private const string JoinedStatus = """{"nodeType":"meta","leader":"testhost:8089","httpAddr":"testhost:8091","raftAddr":"testhost:8089","peers":["testhost:8089"]}""";

    /// <summary>Something accepting TCP connections, as a data node's RPC port would.</summary>
    private sealed class DataPort : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public DataPort() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string Address => $"127.0.0.1:{Port}";

        public void Dispose() => _listener.Stop();
    }

    [Test]
    public async Task Join_OwnUnjoinedMetaNode_CreatesClusterWithBothNodes()
    {
        using var data = new DataPort();
        await using var meta = new FakeMetaNode(r => r.Path switch
        {
            "/status" => FakeResponse.Json(UnjoinedStatus),
            "/add-meta" => FakeResponse.Json("""{"id":1,"addr":"testhost:8091","tcpAddr":"testhost:8089"}"""),
            "/add-data" => FakeResponse.Json($$"""{"id":2,"addr":"testhost:8086","tcpAddr":"testhost:{{data.Port}}"}"""),
            _ => FakeResponse.Error(404, "not found"),
        });
        var local = new LocalNodes(meta.Address, data.Address, "testhost");
        var metaPort = meta.Address.Split(':')[1];
        var run = await CtlRun.RunWithAsync("", local, null, "-bind", meta.Address, "join");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo(
            $"Joining meta node at {meta.Address}\n" +
            $"Searching for meta node on testhost:{metaPort}...\n" +
            $"Searching for data node on testhost:{data.Port}...\n" +
            "\n" +
            "Successfully created cluster\n" +
            "\n" +
            "  * Added meta node 1 at testhost:8091\n" +
            $"  * Added data node 2 at testhost:{data.Port}\n" +
            "\n" +
            "  To join additional nodes to this cluster, run the following command:\n" +
            "\n" +
            "  cairn ctl join testhost:8091\n");
        var posts = meta.Requests.Where(r => r.Method == "POST").ToArray();
        await Assert.That(posts.Length).IsEqualTo(2);
        await Assert.That(posts[0].Path).IsEqualTo("/add-meta");
        await Assert.That(posts[0].Form()["addr"]).IsEqualTo("testhost:8091");
        await Assert.That(posts[1].Path).IsEqualTo("/add-data");
        await Assert.That(posts[1].Form()["addr"]).IsEqualTo($"testhost:{data.Port}");
    }

    [Test]
    public async Task Join_ExistingClusterNoDataNode_JoinsMetaOnly()
    {
        await using var local = new FakeMetaNode(_ => FakeResponse.Json(UnjoinedStatus));
        await using var remote = new FakeMetaNode(r => r.Path switch
        {
            "/status" => FakeResponse.Json("""{"nodeType":"meta","leader":"m2:8089","httpAddr":"m2:8091","raftAddr":"m2:8089","peers":["m2:8089"]}"""),
            "/add-meta" => FakeResponse.Json("""{"id":18,"addr":"testhost:8091","tcpAddr":"testhost:8089"}"""),
            _ => FakeResponse.Error(404, "not found"),
        });
        var nodes = new LocalNodes(local.Address, $"127.0.0.1:{CtlRun.ClosedPort()}", "testhost");
        var run = await CtlRun.RunWithAsync("", nodes, null, "join", remote.Address);
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).EndsWith(
            "Successfully joined cluster\n" +
            "\n" +
            "  * Added meta node 18 at testhost:8091\n" +
            "  * No data node added.  Run with -v to see more information\n");
        await Assert.That(remote.Requests.Single(r => r.Method == "POST").Form()["addr"]).IsEqualTo("testhost:8091");
        await Assert.That(local.Requests.All(r => r.Method == "GET")).IsTrue();
    }

    [Test]
    public async Task Join_NothingFound_ExitsOneAndVerboseExplains()
    {
        await using var remote = new FakeMetaNode(_ => FakeResponse.Json("""{"nodeType":"meta","leader":"m2:8089","httpAddr":"m2:8091","raftAddr":"m2:8089","peers":["m2:8089"]}"""));
        var run = await CtlRun.RunWithAsync("", CtlRun.NoLocalNodes, null, "join", "-v", remote.Address);
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stdout).Contains("No meta node found on testhost:1!");
        await Assert.That(run.Stdout).Contains("No data node found on testhost:1!");
        await Assert.That(run.Stdout).Contains($"cairn ctl -bind {remote.Address} add-data <dataAddr:port>");
        await Assert.That(run.Stderr).IsEqualTo("join: failed to join cluster.  Run with -v to see more information\n");
        await Assert.That(remote.Requests.Any(r => r.Method == "POST")).IsFalse();
    }

    [Test]
    public async Task Join_TargetNotAMetaNode_SaysSo()
    {
        await using var remote = new FakeMetaNode(_ => FakeResponse.Json("""{"nodeType":"data"}"""));
        var run = await CtlRun.RunWithAsync("", CtlRun.NoLocalNodes, null, "join", remote.Address);
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).IsEqualTo($"join: unable to determine if \"{remote.Address}\" is a meta node\n");
    }

    [Test]
    public async Task Join_RefusedDataNode_VerboseGivesTheServersReason()
    {
        using var data = new DataPort();
        await using var remote = new FakeMetaNode(r => r.Path switch
        {
            "/status" => FakeResponse.Json("""{"nodeType":"meta","leader":"m2:8089","httpAddr":"m2:8091","raftAddr":"m2:8089","peers":["m2:8089"]}"""),
            _ => FakeResponse.Error(400, "licence allows at most 1 data nodes; the cluster has 1"),
        });
        var nodes = new LocalNodes("127.0.0.1:1", data.Address, "testhost");
        var run = await CtlRun.RunWithAsync("", nodes, null, "join", "-v", remote.Address);
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stderr).Contains($"Failed to add data node testhost:{data.Port}!");
        await Assert.That(run.Stderr).Contains("operation exited with error: licence allows at most 1 data nodes; the cluster has 1");
    }

    [Test]
    public async Task Leave_DashY_RemovesDataThenMeta()
    {
        using var data = new DataPort();
        await using var meta = new FakeMetaNode(r => r.Path switch
        {
            "/status" => FakeResponse.Json(JoinedStatus),
            "/show-cluster" => FakeResponse.Json($$"""{"data":[{"id":2,"addr":"testhost:8086","tcpAddr":"testhost:{{data.Port}}"}],"meta":[{"id":1,"addr":"testhost:8091","tcpAddr":"testhost:8089"}]}"""),
            "/remove-data" or "/remove-meta" => FakeResponse.Json("{}"),
            _ => FakeResponse.Error(404, "not found"),
        });
        var local = new LocalNodes(meta.Address, data.Address, "testhost");
        var metaPort = meta.Address.Split(':')[1];
        var run = await CtlRun.RunWithAsync("", local, null, "-bind", meta.Address, "leave", "-y");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo(
            $"Searching for data node on testhost:{data.Port}...\n" +
            $"Removed testhost:{data.Port} from the cluster\n" +
            $"Searching for meta node on testhost:{metaPort}...\n" +
            "\n" +
            "Successfully left cluster\n" +
            "\n" +
            $"  * Removed data node testhost:{data.Port} from cluster\n" +
            "  * Removed meta node testhost:8091 from cluster\n");
        var posts = meta.Requests.Where(r => r.Method == "POST").ToArray();
        await Assert.That(posts[0].Path).IsEqualTo("/remove-data");
        await Assert.That(posts[0].Form()["addr"]).IsEqualTo($"testhost:{data.Port}");
        await Assert.That(posts[1].Path).IsEqualTo("/remove-meta");
        await Assert.That(posts[1].Form()["httpAddr"]).IsEqualTo("testhost:8091");
    }

    [Test]
    public async Task Leave_DeclinedPrompt_AbortsBeforeAnyRemoval()
    {
        using var data = new DataPort();
        await using var meta = new FakeMetaNode(r => r.Path switch
        {
            "/status" => FakeResponse.Json(JoinedStatus),
            "/show-cluster" => FakeResponse.Json($$"""{"data":[{"id":2,"tcpAddr":"testhost:{{data.Port}}"}],"meta":[]}"""),
            _ => FakeResponse.Json("{}"),
        });
        var local = new LocalNodes(meta.Address, data.Address, "testhost");
        var run = await CtlRun.RunWithAsync("n\n", local, null, "-bind", meta.Address, "leave");
        await Assert.That(run.ExitCode).IsEqualTo(1);
        await Assert.That(run.Stdout).EndsWith($"Remove data node testhost:{data.Port} from the cluster [y/N]: ");
        await Assert.That(run.Stderr).IsEqualTo("leave: cancelled: the answer was not \"y\"\n");
        await Assert.That(meta.Requests.Any(r => r.Method == "POST")).IsFalse();
    }

    [Test]
    public async Task Leave_NothingLocal_SaysSoAndSucceeds()
    {
        var run = await CtlRun.RunWithAsync("", CtlRun.NoLocalNodes, null, "leave");
        await Assert.That(run.ExitCode).IsEqualTo(0).Because(run.Stderr);
        await Assert.That(run.Stdout).IsEqualTo(
            "Searching for data node on testhost:1...\n" +
            "  * No data node found.\n" +
            "Searching for meta node on testhost:1...\n" +
            "  * No meta node found.\n" +
            "No nodes removed from cluster.\n");
    }
}
