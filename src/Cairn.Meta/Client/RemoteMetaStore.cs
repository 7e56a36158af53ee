using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Common.Platform;
using Cairn.Meta.Auth;
using Cairn.Meta.Store;
using NLog;

namespace Cairn.Meta.Client;

/// <summary>What a joined data node keeps in <c>[meta] dir</c>/client.json: its node id and the meta servers.</summary>
public sealed record ClientFile(
    [property: JsonPropertyName("node_id")] ulong NodeId,
    [property: JsonPropertyName("meta_servers")] List<string> MetaServers);

[JsonSerializable(typeof(ClientFile))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class ClientJsonContext : JsonSerializerContext;

/// <summary>Thrown when no meta node answers a data node's change (DDL, users, new shard groups).</summary>
public sealed class MetaUnavailableException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// A data node's view of the cluster's meta store: a cached copy of the state, refreshed by a long-poll on the meta
/// index, and changes forwarded to the meta leader (POST /execute, following 307). The copy is also written to
/// <c>[meta] dir</c>/meta.cache so a restarted node serves its existing shards before any meta node answers.
/// Until a meta leader tells it to join (the control service), the node is outside any cluster and refuses changes.
/// </summary>
public sealed class RemoteMetaStore : IMetaStore, IAsyncDisposable
{
    private const string ClientFileName = "client.json";
    private const string CacheFileName = "meta.cache";
    private static readonly Logger Log = LogManager.GetLogger("meta-client");

    private readonly string _dir;
    private readonly string _internalSecret;
    private readonly HttpClient _http;
    private readonly HttpClient _poll;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile MetaState _state;
    private TaskCompletionSource _changed = NewSignal();
    private ClientFile? _client;
    private CancellationTokenSource? _pollStop;
    private Task _pollLoop = Task.CompletedTask;
    private int _server;

    private RemoteMetaStore(string dir, string internalSecret, MetaState cached, ClientFile? client)
    {
        _dir = dir;
        _internalSecret = internalSecret;
        _state = cached;
        _client = client;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(3) })
        {
            Timeout = TimeSpan.FromSeconds(35),
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Cairn Meta Client");
        _poll = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) }) { Timeout = TimeSpan.FromSeconds(45) };
        _poll.DefaultRequestHeaders.UserAgent.ParseAdd("Cairn Meta Client");
    }

    /// <summary>Called (outside any lock) after the node joins or leaves, so the node can announce itself or stop.</summary>
    public Func<ulong, Task>? Joined { get; set; }

    public MetaState Current => _state;

    public bool IsJoined => _client is not null;

    /// <summary>This data node's id in the cluster; 0 before it joins.</summary>
    public ulong NodeId => _client?.NodeId ?? 0;

    public IReadOnlyList<string> MetaServers => _client?.MetaServers ?? [];

    public static async Task<RemoteMetaStore> OpenAsync(string dir, string internalSharedSecret, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(dir);
        ClientFile? client = null;
        var clientPath = Path.Combine(dir, ClientFileName);
        if (File.Exists(clientPath))
        {
            var text = await File.ReadAllBytesAsync(clientPath, cancellationToken).ConfigureAwait(false);
            try { client = JsonSerializer.Deserialize(text, ClientJsonContext.Default.ClientFile); }
            catch (JsonException e) { throw new InvalidDataException($"{clientPath}: {e.Message}", e); }
        }
        var state = MetaState.Empty;
        var cachePath = Path.Combine(dir, CacheFileName);
        if (client is not null && File.Exists(cachePath))
        {
            try { state = MetaSnapshotCodec.Decode(await File.ReadAllBytesAsync(cachePath, cancellationToken).ConfigureAwait(false)); }
            catch (InvalidDataException e) { Log.Warn("{0}: {1}; waiting for the meta nodes instead", cachePath, e.Message); }
        }
        return new RemoteMetaStore(dir, internalSharedSecret, state, client);
    }

    /// <summary>Starts following the meta nodes if this node has joined a cluster before.</summary>
    public void Start()
    {
        lock (_gate)
            if (_client is not null) StartPolling();
    }

    /// <summary>The control service's Join: persist the cluster, follow it, announce.</summary>
    public async Task JoinAsync(ulong nodeId, IReadOnlyList<string> servers, CancellationToken cancellationToken)
    {
        var client = new ClientFile(nodeId, [.. servers]);
        WriteAtomically(ClientFileName, JsonSerializer.SerializeToUtf8Bytes(client, ClientJsonContext.Default.ClientFile));
        lock (_gate)
        {
            _client = client;
            StartPolling();
        }
        Log.Info("joined the cluster as data node {0}; meta servers {1}", nodeId, string.Join(", ", servers));
        // Wait briefly for the first state so the node serves the cluster's databases when add-data returns.
        using var first = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        first.CancelAfter(TimeSpan.FromSeconds(5));
        try { await WaitForIndexAsync(0, first.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        if (Joined is { } joined) await joined(nodeId).ConfigureAwait(false);
    }

    /// <summary>The control service's Leave: forget the cluster (client.json and the cached state).</summary>
    public async Task LeaveAsync()
    {
        Task loop;
        lock (_gate)
        {
            _client = null;
            _pollStop?.Cancel();
            loop = _pollLoop;
        }
        try { await loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        File.Delete(Path.Combine(_dir, ClientFileName));
        File.Delete(Path.Combine(_dir, CacheFileName));
        Publish(MetaState.Empty with { Index = _state.Index + 1 });
        Log.Info("left the cluster");
    }

    public async ValueTask<MetaResult> ExecuteAsync(MetaCommand command, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new MetaUnavailableException("data node is not a member of a cluster: add it with `cairn ctl add-data`");
        if (command is CreateDataNodeCommand) throw new ArgumentException("data nodes are added through the meta API", nameof(command));
        var body = MetaCommandCodec.Encode(command);
        var reply = await SendToLeaderAsync(client, "/execute", () => new ByteArrayContent(body), cancellationToken).ConfigureAwait(false)
            ?? throw new MetaUnavailableException("the meta leader sent an empty reply");
        var result = new MetaResult
        {
            Code = (MetaErrorCode)reply.Code,
            Message = reply.Message,
            Index = reply.Index,
            Changed = reply.Changed,
            ShardGroupId = reply.ShardGroupId,
            NodeId = reply.NodeId,
        };
        // Read-your-writes: the caller sees its change in Current when this returns.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            if (_state.Index < reply.Index) await WaitForIndexAsync(reply.Index - 1, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.Warn("meta index {0} not seen 10s after the leader applied it", reply.Index);
        }
        return result;
    }

    /// <summary>Tells the meta leader the addresses this node serves on now (its HTTP port may change between runs).</summary>
    public async Task AnnounceAsync(string tcpAddr, string httpAddr, CancellationToken cancellationToken)
    {
        if (_client is not { } client) return;
        await SendToLeaderAsync(client, "/announce", () => new FormUrlEncodedContent(
            [new("tcpAddr", tcpAddr), new("httpAddr", httpAddr)]), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ExecuteReply?> SendToLeaderAsync(ClientFile client, string path, Func<HttpContent> content, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        string? target = null;
        for (int attempt = 0; attempt < client.MetaServers.Count + 5; attempt++)
        {
            var server = target ?? client.MetaServers[(_server + attempt) % client.MetaServers.Count];
            target = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{server}{path}") { Content = content() };
                Authorize(request);
                using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.TemporaryRedirect && response.Headers.Location is { } location)
                {
                    target = location.Authority;
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.OK)
                    return path == "/execute" ? await response.Content.ReadFromJsonAsync(MetaJsonContext.Default.ExecuteReply, cancellationToken).ConfigureAwait(false) : null;
                errors.Add($"{server}: {await ErrorOf(response, cancellationToken).ConfigureAwait(false)}");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable) await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                errors.Add($"{server}: {e.Message}");
            }
        }
        throw new MetaUnavailableException("meta service unavailable: " + string.Join("; ", errors.Distinct()));
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return MetaService.ErrorText(text) ?? $"status {(int)response.StatusCode}";
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (_internalSecret.Length == 0) return;
        var token = JwtToken.Create("", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60, Encoding.UTF8.GetBytes(_internalSecret));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<MetaState> WaitForIndexAsync(ulong index, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _changed);
            var state = _state;
            if (state.Index > index) return state;
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void StartPolling()
    {
        _pollStop?.Cancel();
        _pollStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var client = _client!;
        var token = _pollStop.Token;
        _pollLoop = Task.Run(() => PollAsync(client, token));
    }

    /// <summary>GET /?index=N on one meta server after another until the node leaves or stops.</summary>
    private async Task PollAsync(ClientFile client, CancellationToken token)
    {
        var failing = false;
        while (!token.IsCancellationRequested)
        {
            var server = client.MetaServers[_server % client.MetaServers.Count];
            // The first poll asks for any state; later ones wait for a change past what the node has.
            ulong have = _state.Index;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{server}/?index={(have == 0 ? 0 : have)}");
                if (have == 0) request.RequestUri = new Uri($"http://{server}/?index=0");
                Authorize(request);
                using var response = await _poll.SendAsync(request, token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) throw new HttpRequestException($"status {(int)response.StatusCode}");
                var bytes = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
                var state = MetaSnapshotCodec.Decode(bytes);
                if (failing) Log.Info("meta server {0} answers again", server);
                failing = false;
                if (state.Index != _state.Index || !state.Equals(_state))
                {
                    Publish(state);
                    try { WriteAtomically(CacheFileName, bytes); }
                    catch (IOException e) { Log.Warn("cannot write the meta cache: {0}", e.Message); }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException)
            {
                if (!failing) Log.Warn("meta server {0}: {1}; trying the next", server, e.Message);
                failing = true;
                Interlocked.Increment(ref _server);
                try { await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Publish(MetaState state)
    {
        _state = state;
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private void WriteAtomically(string name, byte[] bytes) => AtomicFile.Write(Path.Combine(_dir, name), bytes);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _pollLoop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        Volatile.Read(ref _changed).TrySetResult();
        _http.Dispose();
        _poll.Dispose();
    }
}
