using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>
/// Meta and data nodes of one cluster as real processes of the published binary on loopback. Each node keeps
/// fixed ports (picked free at creation) so a restarted node comes back at the same addresses, as on a real host.
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    public Sandbox Sandbox { get; } = new();
    public List<Node> Meta { get; } = [];
    public List<Node> Data { get; } = [];
    private string? _license;

    public sealed class Node
    {
        public required string Name { get; init; }
        public required string ConfigPath { get; init; }
        public required string Http { get; init; }
        public required string Tcp { get; init; }
        public CairnProcess? Process { get; set; }

        /// <summary>The network namespace the node runs in (`ip netns`), or null for the test's own.</summary>
        public string? Namespace { get; init; }

        /// <summary>Environment variables for the node's process (such as SSL_CERT_FILE), or null.</summary>
        public IReadOnlyDictionary<string, string>? Environment { get; set; }
        public HttpClient Client => Sandbox.Http(Http);
    }

    /// <param name="dataExtra">Keys for each data node's [meta] section.</param>
    /// <param name="hintedHandoff">Keys for each data node's [hinted-handoff] section.</param>
    /// <param name="dataSections">Whole sections (with their headers) for each data node, such as [cluster].</param>
    /// <param name="environment">Environment variables for every node's process.</param>
    public static async Task<ClusterHarness> StartAsync(int meta, int data, int maxDataNodes = 4, string metaExtra = "", string dataExtra = "",
        string hintedHandoff = "", string dataSections = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        var h = await CreateAsync(maxDataNodes);
        try
        {
            var starts = new List<Task>();
            for (int i = 1; i <= meta; i++)
            {
                var node = h.AddMeta("m" + i, metaExtra);
                node.Environment = environment;
                starts.Add(h.StartAsync(node));
            }
            for (int i = 1; i <= data; i++)
            {
                var node = h.AddData("d" + i, dataExtra, hintedHandoff, dataSections);
                node.Environment = environment;
                starts.Add(h.StartAsync(node));
            }
            await Task.WhenAll(starts);
        }
        catch
        {
            // A node that never got ready: stop the ones that did, rather than leave them running.
            await h.DisposeAsync();
            throw;
        }
        return h;
    }

    /// <summary>A harness with its licence and no nodes yet.</summary>
    public static async Task<ClusterHarness> CreateAsync(int maxDataNodes = 4)
    {
        var h = new ClusterHarness();
        h._license = await h.Sandbox.IssueLicenseAsync("license.json", DateTimeOffset.UtcNow.AddYears(1), maxDataNodes: maxDataNodes);
        return h;
    }

    public Node AddMeta(string name, string extra = "", string host = "127.0.0.1", string? networkNamespace = null)
    {
        int http = FreePort(), raft = FreePort();
        var dir = Sandbox.PathOf(name);
        var toml = $"""
            hostname = "{host}"
            [node]
            role = "meta"
            [meta]
            dir = "{dir}/meta"
            bind-address = "{host}:{raft}"
            http-bind-address = "{host}:{http}"
            election-timeout = "500ms"
            heartbeat-timeout = "500ms"
            leader-lease-timeout = "500ms"
            consensus-timeout = "5s"
            {extra}
            """ + "\n" + Sandbox.LicenseToml(_license!);
        var node = new Node
        {
            Name = name, ConfigPath = Sandbox.WriteFile(name + ".toml", toml), Http = $"{host}:{http}", Tcp = $"{host}:{raft}", Namespace = networkNamespace,
        };
        Meta.Add(node);
        return node;
    }

    public Node AddData(string name, string extra = "", string hintedHandoff = "", string sections = "")
    {
        int http = FreePort(), rpc = FreePort();
        var dir = Sandbox.PathOf(name);
        var toml = $"""
            hostname = "127.0.0.1"
            bind-address = "127.0.0.1:{rpc}"
            [node]
            role = "data"
            [meta]
            dir = "{dir}/meta"
            {extra}
            [data]
            dir = "{dir}/data"
            wal-dir = "{dir}/wal"
            [hinted-handoff]
            dir = "{dir}/hh"
            {hintedHandoff}
            [http]
            bind-address = "127.0.0.1:{http}"
            {sections}
            """ + "\n" + Sandbox.LicenseToml(_license!);
        var node = new Node { Name = name, ConfigPath = Sandbox.WriteFile(name + ".toml", toml), Http = $"127.0.0.1:{http}", Tcp = $"127.0.0.1:{rpc}" };
        Data.Add(node);
        return node;
    }

    public async Task StartAsync(Node node)
    {
        node.Process = Sandbox.Run(["--config", node.ConfigPath], node.Environment, networkNamespace: node.Namespace);
        await node.Process.WaitForReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async Task KillAsync(Node node)
    {
        if (node.Process is null) return;
        node.Process.Signal(CairnProcess.SIGKILL);
        await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        node.Process = null;
    }

    /// <summary>`cairn ctl -bind META args…`: (exit code, stdout, stderr).</summary>
    public Task<(int Code, string Stdout, string Stderr)> CtlAsync(Node bind, params string[] args) =>
        CairnProcess.RunToEndAsync(["ctl", "-bind", bind.Http, .. args], Sandbox.Dir, timeout: TimeSpan.FromSeconds(30), networkNamespace: bind.Namespace);

    /// <summary>Forms the cluster through `cairn ctl`: add-meta for every meta node (from the first), add-data for every data node.</summary>
    public async Task FormAsync()
    {
        foreach (var m in Meta) await CtlOk(Meta[0], "add-meta", m.Http);
        foreach (var d in Data) await CtlOk(Meta[0], "add-data", d.Tcp);
    }

    public async Task<string> CtlOk(Node bind, params string[] args)
    {
        var (code, stdout, stderr) = await CtlAsync(bind, args);
        if (code != 0) throw new InvalidOperationException($"cairn ctl {string.Join(' ', args)} exited {code}: {stdout}{stderr}");
        return stdout;
    }

    /// <summary>
    /// `cairn ctl -bind META show` until its output names every one of <paramref name="expected"/>: a follower's view
    /// trails the leader's by a replication round.
    /// </summary>
    public async Task<string> ShowEventuallyAsync(Node bind, IEnumerable<string> expected, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var wanted = expected.ToList();
        string show = "";
        while (clock.Elapsed < within)
        {
            show = await CtlOk(bind, "show");
            if (wanted.All(show.Contains)) return show;
            await Task.Delay(100);
        }
        throw new TimeoutException($"ctl show on {bind.Name} never named {string.Join(", ", wanted.Where(w => !show.Contains(w)))}:\n{show}");
    }

    /// <summary>The /status of a meta node, or null if it does not answer.</summary>
    public static async Task<JsonElement?> StatusAsync(Node meta)
    {
        try
        {
            using var http = meta.Client;
            http.Timeout = TimeSpan.FromSeconds(2);
            var text = await http.GetStringAsync("/status");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    /// <summary>The meta node that leads, as the running nodes agree, waiting up to <paramref name="within"/>.</summary>
    public async Task<Node> LeaderAsync(TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            foreach (var m in Meta.Where(m => m.Process is not null))
            {
                var status = await StatusAsync(m);
                if (status?.GetProperty("leader").GetString() is { Length: > 0 } leader && leader == m.Tcp) return m;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"no meta leader within {within}");
    }

    public static async Task<string> QueryAsync(Node data, string q, string? db = null)
    {
        using var http = data.Client;
        var (_, body) = await DataNode.QueryAsync(http, q, db);
        return body;
    }

    /// <summary>Polls <paramref name="q"/> on <paramref name="data"/> until the body contains every one of <paramref name="expected"/>.</summary>
    public static async Task<string> EventuallyAsync(Node data, string q, IEnumerable<string> expected, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        string body = "";
        var wanted = expected.ToList();
        while (clock.Elapsed < within)
        {
            body = await QueryAsync(data, q);
            if (wanted.All(body.Contains)) return body;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{q} on {data.Name} never showed {string.Join(", ", wanted.Where(w => !body.Contains(w)))}: {body}");
    }

    private static readonly HashSet<int> Handed = [];

    /// <summary>
    /// A free loopback port for a node to bind later, taken below the kernel's ephemeral range (32768 and up), so no
    /// outgoing connection of another process or node can take it between now and the node's bind; never the same
    /// port twice in one test run.
    /// </summary>
    public static int FreePort()
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            int port = Random.Shared.Next(20_000, 32_000);
            lock (Handed)
                if (!Handed.Add(port)) continue;
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("no free loopback port between 20000 and 32000");
    }

    public async ValueTask DisposeAsync() => await Sandbox.DisposeAsync();
}
