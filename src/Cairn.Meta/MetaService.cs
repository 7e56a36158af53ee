using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Meta.Licensing;
using Cairn.Meta.Raft;
using Cairn.Meta.Store;
using NLog;

namespace Cairn.Meta;

/// <summary>How a meta node talks to data nodes over their RPC port (the control service).</summary>
public interface IDataNodeControl
{
    /// <summary>Asks the data node at <paramref name="tcpAddr"/> who it is; returns its HTTP address.</summary>
    /// <exception cref="IOException">It cannot be reached, or refused the internal shared secret.</exception>
    Task<string> ProbeAsync(string tcpAddr, CancellationToken cancellationToken);

    /// <summary>Tells the data node it is node <paramref name="nodeId"/> of the cluster whose meta nodes are <paramref name="metaServers"/>.</summary>
    Task JoinAsync(string tcpAddr, ulong nodeId, IReadOnlyList<string> metaServers, CancellationToken cancellationToken);

    /// <summary>Tells the data node it has left the cluster.</summary>
    Task LeaveAsync(string tcpAddr, CancellationToken cancellationToken);
}

/// <summary>The settings of a meta node that its API needs.</summary>
public sealed record MetaServiceOptions
{
    public bool AuthEnabled { get; init; }

    /// <summary><c>[meta] shared-secret</c>: signs the JWTs of operators (cairn ctl -auth-type jwt).</summary>
    public string SharedSecret { get; init; } = "";

    /// <summary><c>[meta] internal-shared-secret</c>: signs node-to-node JWTs and the RPC handshake.</summary>
    public string InternalSharedSecret { get; init; } = "";

    public bool ClusterTracing { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>What the long-poll waits for a change before it answers with the state it has.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// A running meta node: its Raft member, the meta API's operations (membership, data nodes, shards, users, leases)
/// and the calls it makes to other meta nodes and to data nodes.
/// </summary>
public sealed class MetaService : IAsyncDisposable
{
    private static readonly Logger Log = LogManager.GetLogger("meta");
    private readonly HttpClient _http;
    private readonly Lock _leaseGate = new();
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    public MetaService(IMetaConsensus consensus, LicenseState license, IDataNodeControl data, MetaServiceOptions options, TimeProvider? time = null)
    {
        Consensus = consensus;
        License = license;
        Data = data;
        Options = options;
        Time = time ?? TimeProvider.System;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Cairn Meta Client");
    }

    /// <summary>The node's meta store: Raft on a meta node, the local store on a `both` node.</summary>
    public IMetaConsensus Consensus { get; }
    public LicenseState License { get; }
    public IDataNodeControl Data { get; }
    public MetaServiceOptions Options { get; }
    public TimeProvider Time { get; }

    /// <summary>Adds the meta node whose HTTP API is at <paramref name="httpAddr"/>; on a fresh node naming itself, creates the cluster.</summary>
    public async Task<NodeInfo> AddMetaNodeAsync(string httpAddr, CancellationToken cancellationToken)
    {
        RequireMembers();
        if (!Consensus.IsJoined)
        {
            if (!SameAddress(httpAddr, Consensus.SelfHttp))
                throw new MetaApiException(503, "meta node is not a member of a cluster; add it to itself first");
            var boot = await Consensus.BootstrapAsync(cancellationToken).ConfigureAwait(false);
            Log.Info("created a cluster with meta node {0} ({1})", boot.NodeId, Consensus.Self);
            return Consensus.State.MetaNode(boot.NodeId)!;
        }
        string raftAddr;
        if (SameAddress(httpAddr, Consensus.SelfHttp)) raftAddr = Consensus.Self;
        else
        {
            var status = await StatusOfAsync(httpAddr, cancellationToken).ConfigureAwait(false);
            raftAddr = status.RaftAddr;
            if (status.Peers is { Count: > 0 } && !status.Peers.Contains(Consensus.Self))
                throw new MetaApiException(409, $"meta node {httpAddr} belongs to another cluster (peers {string.Join(", ", status.Peers)})");
        }
        var result = await ExecuteAsync(new CreateMetaNodeCommand(httpAddr, raftAddr), cancellationToken).ConfigureAwait(false);
        return Consensus.State.MetaNode(result.NodeId) ?? new NodeInfo(result.NodeId, httpAddr, raftAddr);
    }

    public async Task RemoveMetaNodeAsync(string httpAddr, string tcpAddr, bool force, CancellationToken cancellationToken)
    {
        RequireMembers();
        var node = Consensus.State.MetaNodes.FirstOrDefault(n => SameAddress(n.HttpAddr, httpAddr) || (tcpAddr.Length > 0 && SameAddress(n.TcpAddr, tcpAddr)))
            ?? throw new MetaApiException(404, $"meta node {httpAddr} not found");
        if (force && tcpAddr.Length > 0 && !SameAddress(node.TcpAddr, tcpAddr))
            throw new MetaApiException(400, $"meta node {httpAddr} has raft address {node.TcpAddr}, not {tcpAddr}");
        if (Consensus.State.MetaNodes.Length == 1) throw new MetaApiException(400, "cannot remove the last meta node");
        await ExecuteAsync(new DeleteMetaNodeCommand(node.Id), cancellationToken).ConfigureAwait(false);
    }

    public async Task<NodeInfo> AddDataNodeAsync(string tcpAddr, CancellationToken cancellationToken)
    {
        RequireMembers();
        string httpAddr = await Data.ProbeAsync(tcpAddr, cancellationToken).ConfigureAwait(false);
        var result = await ExecuteAsync(new CreateDataNodeCommand(httpAddr, tcpAddr, License.License.MaxDataNodes), cancellationToken).ConfigureAwait(false);
        await Data.JoinAsync(tcpAddr, result.NodeId, MetaServers(), cancellationToken).ConfigureAwait(false);
        Log.Info("data node {0} at {1} joined", result.NodeId, tcpAddr);
        return Consensus.State.DataNode(result.NodeId) ?? new NodeInfo(result.NodeId, httpAddr, tcpAddr);
    }

    public async Task RemoveDataNodeAsync(string tcpAddr, bool force, CancellationToken cancellationToken)
    {
        RequireMembers();
        var node = Consensus.State.DataNodes.FirstOrDefault(n => SameAddress(n.TcpAddr, tcpAddr))
            ?? throw new MetaApiException(404, $"data node {tcpAddr} not found");
        await ExecuteAsync(new DeleteDataNodeCommand(node.Id), cancellationToken).ConfigureAwait(false);
        try { await Data.LeaveAsync(tcpAddr, cancellationToken).ConfigureAwait(false); }
        catch (IOException e) when (force)
        {
            Log.Warn("data node {0} removed without telling it: {1}", tcpAddr, e.Message);
        }
    }

    public async Task<NodeInfo> UpdateDataNodeAsync(string oldAddr, string newAddr, CancellationToken cancellationToken)
    {
        RequireMembers();
        var node = Consensus.State.DataNodes.FirstOrDefault(n => SameAddress(n.TcpAddr, oldAddr))
            ?? throw new MetaApiException(404, $"data node {oldAddr} not found");
        string httpAddr = await Data.ProbeAsync(newAddr, cancellationToken).ConfigureAwait(false);
        var result = await ExecuteAsync(new UpdateDataNodeCommand(node.Id, httpAddr, newAddr), cancellationToken).ConfigureAwait(false);
        await Data.JoinAsync(newAddr, result.NodeId, MetaServers(), cancellationToken).ConfigureAwait(false);
        return Consensus.State.DataNode(node.Id)!;
    }

    /// <summary>/join: asks the meta node at <paramref name="addr"/> (following 307 to its leader) to add this node.</summary>
    public async Task<NodeInfo> JoinClusterAsync(string addr, CancellationToken cancellationToken)
    {
        RequireMembers();
        if (Consensus.IsJoined) throw new MetaApiException(409, "this meta node is already a member of a cluster");
        var body = await PostToLeaderAsync(addr, "/add-meta", [new("addr", Consensus.SelfHttp)], cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        return new NodeInfo(root.GetProperty("id").GetUInt64(), root.GetProperty("addr").GetString() ?? "", root.GetProperty("tcpAddr").GetString() ?? "");
    }

    /// <summary>/leave: asks the leader to remove this meta node.</summary>
    public async Task LeaveClusterAsync(CancellationToken cancellationToken)
    {
        RequireMembers();
        if (!Consensus.IsJoined) throw new MetaApiException(409, "this meta node is not a member of a cluster");
        string leader = Consensus.LeaderHttp is { Length: > 0 } l ? l : throw new MetaApiException(503, "no meta leader is elected; retry");
        await PostToLeaderAsync(leader, "/remove-meta", [new("httpAddr", Consensus.SelfHttp)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POSTs a form to another meta node, following 307 to its leader; returns the body, or throws its error.</summary>
    private async Task<string> PostToLeaderAsync(string addr, string path, KeyValuePair<string, string>[] form, CancellationToken cancellationToken)
    {
        string target = addr;
        for (int hop = 0; hop < 5; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{target}{path}") { Content = new FormUrlEncodedContent(form) };
            if (Options.InternalSharedSecret.Length > 0) request.Headers.Authorization = new("Bearer", InternalToken());
            HttpResponseMessage response;
            try { response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new MetaApiException(502, $"unable to reach meta node {target}: {e.Message}");
            }
            using (response)
            {
                if (response.StatusCode == System.Net.HttpStatusCode.TemporaryRedirect && response.Headers.Location is { } location)
                {
                    target = location.Authority;
                    continue;
                }
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return body;
                throw new MetaApiException((int)response.StatusCode, $"meta node {target}: {ErrorText(body) ?? body}");
            }
        }
        throw new MetaApiException(502, $"meta node {addr}: too many redirects");
    }

    private void RequireMembers()
    {
        if (!Consensus.AcceptsMembers)
            throw new MetaApiException(400, "this node runs as `both`, a single server, and takes no other nodes; build a cluster from meta and data nodes (docs/meta.md)");
    }

    /// <summary>Proposes <paramref name="command"/> and turns a refusal into an API error.</summary>
    public async Task<MetaResult> ExecuteAsync(MetaCommand command, CancellationToken cancellationToken)
    {
        var result = await Consensus.ProposeAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
            throw new MetaApiException(result.Code is MetaErrorCode.RoleNotFound or MetaErrorCode.UserNotFound ? 404 : 400, result.Message);
        return result;
    }

    /// <summary>The HTTP addresses of the meta nodes, as data nodes keep them.</summary>
    public IReadOnlyList<string> MetaServers() => [.. Consensus.State.MetaNodes.Select(n => n.HttpAddr)];

    /// <summary>
    /// Grants lease <paramref name="name"/> to <paramref name="nodeId"/> for the lease duration if it is free, expired or
    /// already that node's; otherwise returns the holder's lease and false. Leases live on the leader only.
    /// </summary>
    public (Lease Lease, bool Granted) AcquireLease(string name, ulong nodeId)
    {
        var now = Time.GetUtcNow();
        lock (_leaseGate)
        {
            if (_leases.TryGetValue(name, out var held) && held.Owner != nodeId && held.Expiration > now) return (held, false);
            var lease = new Lease(name, now + Options.LeaseDuration, nodeId);
            _leases[name] = lease;
            return (lease, true);
        }
    }

    private async Task<MetaStatus> StatusOfAsync(string httpAddr, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{httpAddr}/status");
            if (Options.InternalSharedSecret.Length > 0 || Options.AuthEnabled)
                request.Headers.Authorization = new("Bearer", InternalToken());
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new MetaApiException(502, $"unable to determine if \"{httpAddr}\" is a meta node: status {(int)response.StatusCode}");
            var status = await response.Content.ReadFromJsonAsync(MetaJsonContext.Default.MetaStatus, cancellationToken).ConfigureAwait(false);
            if (status is null || status.NodeType != "meta" || status.RaftAddr.Length == 0)
                throw new MetaApiException(502, $"unable to determine if \"{httpAddr}\" is a meta node");
            return status;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            throw new MetaApiException(502, $"unable to determine if \"{httpAddr}\" is a meta node: {e.Message}");
        }
    }

    /// <summary>A short-lived JWT signed with the internal shared secret, for calls between nodes.</summary>
    public string InternalToken() =>
        Auth.JwtToken.Create("", Time.GetUtcNow().ToUnixTimeSeconds() + 60, System.Text.Encoding.UTF8.GetBytes(Options.InternalSharedSecret));

    /// <summary>The message of an API error body <c>{"error":"…"}</c>, or null when the body is not one.</summary>
    public static string? ErrorText(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error)
                && error.GetString() is { } message)
                return message;
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>Host:port equality that treats "localhost" and 127.0.0.1 alike.</summary>
    public static bool SameAddress(string a, string b) =>
        string.Equals(Normalize(a), Normalize(b), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string address) => address.Replace("localhost:", "127.0.0.1:", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await Consensus.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }
}

/// <summary>A lease on a name (the continuous-query runner's, for example), held by one data node until it expires.</summary>
public sealed record Lease(string Name, DateTimeOffset Expiration, ulong Owner);

/// <summary>An error the meta API answers with <see cref="Status"/> and <c>{"error": Message}</c>.</summary>
public sealed class MetaApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
