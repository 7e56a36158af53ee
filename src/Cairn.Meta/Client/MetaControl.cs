using System.Net;
using Cairn.Common.Config;
using Cairn.Common.Net;
using Cairn.Common.Net.Rpc;
using Cairn.Meta.Store;

namespace Cairn.Meta.Client;

/// <summary>
/// The meta-to-data control service on the data node's RPC port (service byte <see cref="RpcServiceBytes.MetaControl"/>),
/// documented in docs/rpc.md: a meta leader probes a data node (which answers its HTTP address), tells it to join
/// (its node id and the meta servers) or to leave. Payloads use the meta binary encoding.
/// </summary>
public static class MetaControl
{
    public const ushort Probe = 1;
    public const ushort Join = 2;
    public const ushort Leave = 3;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>The data node's side: answers the three calls for <paramref name="store"/>.</summary>
    public static RpcHandler Handler(RemoteMetaStore store, Func<string> httpAddr) => async (method, payload, token) =>
    {
        switch (method)
        {
            case Probe:
            {
                var w = new MetaBinaryWriter(64);
                w.String(httpAddr());
                w.UInt64(store.NodeId);
                return RpcReply.Ok(w.ToArray());
            }
            case Join:
            {
                ulong nodeId;
                List<string> servers;
                try
                {
                    var r = new MetaBinaryReader(payload.Span, "join");
                    nodeId = r.UInt64();
                    int n = r.Count(4);
                    servers = new List<string>(n);
                    for (int i = 0; i < n; i++) servers.Add(r.String());
                    r.End();
                }
                catch (InvalidDataException e) { return RpcReply.Error(RpcStatus.BadRequest, e.Message); }
                if (store.IsJoined && store.NodeId != nodeId && store.NodeId != 0)
                    return RpcReply.Error(RpcStatus.BadRequest, $"data node already joined as node {store.NodeId}");
                await store.JoinAsync(nodeId, servers, token).ConfigureAwait(false);
                return RpcReply.Ok(ReadOnlyMemory<byte>.Empty);
            }
            case Leave:
                await store.LeaveAsync().ConfigureAwait(false);
                return RpcReply.Ok(ReadOnlyMemory<byte>.Empty);
            default:
                return RpcReply.UnknownMethod(method);
        }
    };

    /// <summary>
    /// The meta node's side: <see cref="IDataNodeControl"/> over one short-lived connection per call; with
    /// <paramref name="tls"/> (<c>[meta] data-use-tls</c>) over TLS.
    /// </summary>
    public sealed class Client(string internalSharedSecret, TimeSpan dialTimeout, RpcClientTls? tls = null) : IDataNodeControl
    {
        public async Task<string> ProbeAsync(string tcpAddr, CancellationToken cancellationToken)
        {
            var reply = await CallAsync(tcpAddr, Probe, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            var r = new MetaBinaryReader(reply, "probe reply");
            string http = r.String();
            return http;
        }

        public async Task JoinAsync(string tcpAddr, ulong nodeId, IReadOnlyList<string> metaServers, CancellationToken cancellationToken)
        {
            var w = new MetaBinaryWriter(128);
            w.UInt64(nodeId);
            w.Count(metaServers.Count);
            foreach (var s in metaServers) w.String(s);
            await CallAsync(tcpAddr, Join, w.ToArray(), cancellationToken).ConfigureAwait(false);
        }

        public Task LeaveAsync(string tcpAddr, CancellationToken cancellationToken) =>
            CallAsync(tcpAddr, Leave, ReadOnlyMemory<byte>.Empty, cancellationToken);

        private async Task<byte[]> CallAsync(string tcpAddr, ushort method, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            try
            {
                var endpoint = await BindAddress.ResolveDataNodeAsync(tcpAddr, cancellationToken).ConfigureAwait(false);
                using var dial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                dial.CancelAfter(dialTimeout);
                await using var connection = await RpcConnection.ConnectAsync(endpoint, RpcClientTls.HostOf(tcpAddr), RpcServiceBytes.MetaControl,
                    new RpcClientOptions { InternalSharedSecret = internalSharedSecret, Tls = tls }, dial.Token).ConfigureAwait(false);
                return await connection.CallAsync(method, payload, Deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcAuthenticationException e)
            {
                throw new IOException($"data node {tcpAddr} refused the internal shared secret: {e.Message}", e);
            }
            catch (RpcException e)
            {
                throw new IOException($"data node {tcpAddr}: {e.Message}", e);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"unable to reach data node {tcpAddr}: {e.Message}", e);
            }
        }
    }
}
