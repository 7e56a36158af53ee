using System.Collections.Concurrent;
using System.Net;
using Cairn.Common.Config;
using Cairn.Common.Net;
using Cairn.Common.Net.Rpc;

namespace Cairn.Cluster;

/// <summary><c>[cluster]</c> settings of the connections a data node opens to its peers.</summary>
public sealed class ClusterClientOptions
{
    /// <summary><c>[meta] internal-shared-secret</c>: the RPC handshake's key.</summary>
    public string InternalSharedSecret { get; init; } = "";

    /// <summary><c>dial-timeout</c>: how long a connect may take before the peer counts as unreachable.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>pool-max-idle-time</c>: a connection with no call for this long is closed.</summary>
    public TimeSpan PoolMaxIdleTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>pool-max-idle-streams</c>: calls in flight on one connection before the pool opens another (calls are
    /// multiplexed, so one connection carries many); at most <see cref="MaxConnectionsPerPeer"/> are kept.
    /// </summary>
    public int PoolMaxIdleStreams { get; init; } = 100;

    public int MaxConnectionsPerPeer { get; init; } = 4;

    /// <summary><c>https-enabled</c> (with <c>https-insecure-tls</c>): dial peers with TLS; null dials plain TCP.</summary>
    public RpcClientTls? Tls { get; init; }
}

/// <summary>What this node has exchanged with one peer (the <c>rpc</c> statistics, per peer).</summary>
public sealed class PeerStatistics(string address)
{
    public string Address { get; } = address;
    internal long _calls, _failures, _bytesSent, _bytesReceived, _dials, _dialFailures;

    public long Calls => Volatile.Read(ref _calls);
    public long Failures => Volatile.Read(ref _failures);
    public long BytesSent => Volatile.Read(ref _bytesSent);
    public long BytesReceived => Volatile.Read(ref _bytesReceived);
    public long Dials => Volatile.Read(ref _dials);
    public long DialFailures => Volatile.Read(ref _dialFailures);
    public int OpenConnections { get; private init; }
    public int LiveStreams { get; private init; }

    /// <summary>A copy of the counters as they are now, with the pool's live connections and streams.</summary>
    internal PeerStatistics Snapshot(int openConnections, int liveStreams) => new(Address)
    {
        _calls = Calls, _failures = Failures, _bytesSent = BytesSent, _bytesReceived = BytesReceived, _dials = Dials,
        _dialFailures = DialFailures, OpenConnections = openConnections, LiveStreams = liveStreams,
    };
}

/// <summary>
/// Calls the cluster service of other data nodes: one small pool of multiplexed <see cref="RpcConnection"/>s per peer
/// address, dialled on demand within <c>dial-timeout</c>, closed after <c>pool-max-idle-time</c> without calls, and
/// dropped when they fail. Counts calls, failures and bytes per peer.
/// </summary>
public sealed class ClusterClient : IAsyncDisposable
{
    private readonly ClusterClientOptions _options;
    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);
    private readonly Timer _reaper;
    private volatile bool _disposed;

    public ClusterClient(ClusterClientOptions options)
    {
        _options = options;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.PoolMaxIdleTime.TotalMilliseconds / 2, 250, 30_000));
        _reaper = new Timer(_ => ReapIdle(), null, period, period);
    }

    /// <summary>Per peer address: calls, failures, bytes each way, connections.</summary>
    public IReadOnlyList<PeerStatistics> Statistics => [.. _peers.Values.Select(p => p.Snapshot())];

    /// <summary>Calls in flight and connections open over all peers.</summary>
    public (int Connections, int Streams) Totals
    {
        get
        {
            int connections = 0, streams = 0;
            foreach (var peer in _peers.Values)
            {
                var s = peer.Snapshot();
                connections += s.OpenConnections;
                streams += s.LiveStreams;
            }
            return (connections, streams);
        }
    }

    /// <summary>
    /// Calls <paramref name="method"/> on the data node at <paramref name="address"/> (its RPC host:port) and returns the
    /// response payload. Throws <see cref="RpcException"/>: Unavailable when the peer cannot be reached or the connection
    /// drops, DeadlineExceeded after <paramref name="deadline"/>, or the status the peer answered.
    /// </summary>
    public async Task<byte[]> CallAsync(string address, ClusterMethod method, ReadOnlyMemory<byte> payload, TimeSpan deadline,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var peer = _peers.GetOrAdd(address, a => new Peer(a, _options));
        var started = DateTime.UtcNow;
        RpcConnection connection;
        try
        {
            using var dial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            dial.CancelAfter(Min(_options.DialTimeout, deadline));
            connection = await peer.AcquireAsync(dial.Token, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            Interlocked.Increment(ref peer.Stats._failures);
            throw;
        }
        var remaining = deadline - (DateTime.UtcNow - started);
        if (remaining <= TimeSpan.Zero) remaining = TimeSpan.FromMilliseconds(1);
        Interlocked.Increment(ref peer.Stats._calls);
        Interlocked.Add(ref peer.Stats._bytesSent, payload.Length + RpcFrameOverhead);
        peer.Enter(connection);
        try
        {
            var response = await connection.CallAsync((ushort)method, payload, remaining, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref peer.Stats._bytesReceived, response.Length + RpcFrameOverhead);
            return response;
        }
        catch (RpcException e)
        {
            Interlocked.Increment(ref peer.Stats._failures);
            if (e.Status is RpcStatus.Unavailable) peer.Drop(connection);
            throw;
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref peer.Stats._failures);
            throw;
        }
        finally
        {
            peer.Leave(connection);
        }
    }

    /// <summary>Closes the connections to <paramref name="address"/> (a node that left the cluster).</summary>
    public async Task ForgetAsync(string address)
    {
        if (_peers.TryRemove(address, out var peer)) await peer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A frame's header and length prefix, counted with the payload in the byte statistics.</summary>
    private const int RpcFrameOverhead = 32;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void ReapIdle()
    {
        if (_disposed) return;
        foreach (var peer in _peers.Values) peer.ReapIdle(_options.PoolMaxIdleTime);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _reaper.DisposeAsync().ConfigureAwait(false);
        foreach (var peer in _peers.Values) await peer.DisposeAsync().ConfigureAwait(false);
        _peers.Clear();
    }

    /// <summary>The connections to one peer and the calls in flight on each.</summary>
    private sealed class Peer(string address, ClusterClientOptions options) : IAsyncDisposable
    {
        public readonly PeerStatistics Stats = new(address);
        private readonly Lock _gate = new();
        private readonly List<Slot> _slots = [];
        private readonly SemaphoreSlim _dialing = new(1, 1);

        private sealed class Slot(RpcConnection connection)
        {
            public readonly RpcConnection Connection = connection;
            public int InFlight;
            public long LastUsedTicks = Environment.TickCount64;
        }

        public PeerStatistics Snapshot()
        {
            int open, streams;
            lock (_gate)
            {
                open = _slots.Count;
                streams = _slots.Sum(s => s.InFlight);
            }
            return Stats.Snapshot(open, streams);
        }

        public async Task<RpcConnection> AcquireAsync(CancellationToken dialToken, CancellationToken callerToken)
        {
            if (TryPick(out var picked)) return picked;
            await _dialing.WaitAsync(callerToken).ConfigureAwait(false);
            try
            {
                if (TryPick(out picked)) return picked;
                Interlocked.Increment(ref Stats._dials);
                RpcConnection connection;
                try
                {
                    var endpoint = await BindAddress.ResolveDataNodeAsync(address, dialToken).ConfigureAwait(false);
                    connection = await RpcConnection.ConnectAsync(endpoint, RpcClientTls.HostOf(address), RpcServiceBytes.Cluster,
                        new RpcClientOptions { InternalSharedSecret = options.InternalSharedSecret, Tls = options.Tls }, dialToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref Stats._dialFailures);
                    throw new RpcException(RpcStatus.Unavailable, $"dial tcp {address}: i/o timeout");
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
                {
                    Interlocked.Increment(ref Stats._dialFailures);
                    throw new RpcException(RpcStatus.Unavailable, $"dial tcp {address}: {e.Message}", e);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref Stats._dialFailures);
                    throw;
                }
                lock (_gate) _slots.Add(new Slot(connection));
                return connection;
            }
            finally
            {
                _dialing.Release();
            }
        }

        /// <summary>The open connection with the fewest calls in flight, unless all are busy and another may be opened.</summary>
        private bool TryPick(out RpcConnection connection)
        {
            lock (_gate)
            {
                _slots.RemoveAll(s => !s.Connection.IsOpen);
                Slot? best = null;
                foreach (var slot in _slots)
                    if (best is null || slot.InFlight < best.InFlight) best = slot;
                if (best is not null && (best.InFlight < Math.Max(1, options.PoolMaxIdleStreams) || _slots.Count >= options.MaxConnectionsPerPeer))
                {
                    connection = best.Connection;
                    return true;
                }
                connection = null!;
                return false;
            }
        }

        public void Enter(RpcConnection connection)
        {
            lock (_gate)
                foreach (var slot in _slots)
                    if (ReferenceEquals(slot.Connection, connection)) { slot.InFlight++; slot.LastUsedTicks = Environment.TickCount64; }
        }

        public void Leave(RpcConnection connection)
        {
            lock (_gate)
                foreach (var slot in _slots)
                    if (ReferenceEquals(slot.Connection, connection)) { slot.InFlight--; slot.LastUsedTicks = Environment.TickCount64; }
        }

        public void Drop(RpcConnection connection)
        {
            lock (_gate) _slots.RemoveAll(s => ReferenceEquals(s.Connection, connection));
            _ = connection.DisposeAsync().AsTask();
        }

        public void ReapIdle(TimeSpan maxIdle)
        {
            List<RpcConnection> idle = [];
            lock (_gate)
            {
                long now = Environment.TickCount64;
                foreach (var slot in _slots)
                    if (slot.InFlight == 0 && now - slot.LastUsedTicks >= (long)maxIdle.TotalMilliseconds) idle.Add(slot.Connection);
                _slots.RemoveAll(s => idle.Contains(s.Connection) || !s.Connection.IsOpen);
            }
            foreach (var connection in idle) _ = connection.DisposeAsync().AsTask();
        }

        public async ValueTask DisposeAsync()
        {
            List<Slot> slots;
            lock (_gate)
            {
                slots = [.. _slots];
                _slots.Clear();
            }
            foreach (var slot in slots) await slot.Connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
