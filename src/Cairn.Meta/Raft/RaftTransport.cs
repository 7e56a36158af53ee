using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Cairn.Common.Config;
using Cairn.Common.Net.Rpc;

namespace Cairn.Meta.Raft;

/// <summary>How a <see cref="RaftNode"/> reaches its peers.</summary>
public interface IRaftTransport
{
    /// <summary>Sends <paramref name="message"/> to the node at Raft address <paramref name="peer"/> and returns its reply.</summary>
    /// <exception cref="IOException">The peer cannot be reached or did not answer in <paramref name="timeout"/>.</exception>
    Task<RaftMessage> SendAsync(string peer, RaftMessage message, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Raft over TCP on the meta node's Raft port (8089): a connection opens with the service byte
/// <see cref="ServiceByte"/> and the RPC port's handshake (the server sends a nonce, the client proves it holds
/// <c>[meta] internal-shared-secret</c> with an HMAC of it, see docs/rpc.md), then carries request and reply frames in turn, each a u32 big-endian length and a
/// <see cref="RaftMessageCodec"/> body. One connection per peer, one request at a time on it; a failed or timed-out
/// call closes the connection and the next call dials again.
/// </summary>
public sealed class TcpRaftTransport(string internalSharedSecret = "") : IRaftTransport, IAsyncDisposable
{
    public const byte ServiceByte = 1;
    private const int MaxFrame = 256 << 20;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly NLog.Logger Log = NLog.LogManager.GetLogger("raft");

    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);

    public async Task<RaftMessage> SendAsync(string peer, RaftMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var p = _peers.GetOrAdd(peer, address => new Peer(address, internalSharedSecret));
        return await p.CallAsync(message, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serves one inbound connection (after its service byte) until it closes.</summary>
    public static async Task ServeAsync(Socket socket, string internalSharedSecret, Func<RaftMessage, CancellationToken, Task<RaftMessage>> handle,
        CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var remote = socket.RemoteEndPoint;
        var nonce = RpcHandshake.NewNonce();
        await stream.WriteAsync(nonce, cancellationToken).ConfigureAwait(false);
        var proof = new byte[RpcHandshake.ProofSize];
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            handshake.CancelAfter(HandshakeTimeout);
            try { await stream.ReadExactlyAsync(proof, handshake.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException) { return; }
        }
        if (!RpcHandshake.Verify(internalSharedSecret, nonce, ServiceByte, proof))
        {
            Log.Warn("raft connection from {0} refused: {1}", remote, RpcHandshake.SecretsDiffer);
            return;
        }
        while (!cancellationToken.IsCancellationRequested)
        {
            byte[]? body = await ReadFrameAsync(stream, cancellationToken).ConfigureAwait(false);
            if (body is null) return;
            RaftMessage request;
            try { request = RaftMessageCodec.Decode(body); }
            catch (InvalidDataException) { return; }
            var reply = await handle(request, cancellationToken).ConfigureAwait(false);
            await WriteFrameAsync(stream, RaftMessageCodec.Encode(reply), cancellationToken).ConfigureAwait(false);
        }
    }

    internal static async Task WriteFrameAsync(Stream stream, byte[] body, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next frame's body, or null at a clean end of stream.</summary>
    internal static async Task<byte[]?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        int got = 0;
        while (got < 4)
        {
            int n = await stream.ReadAsync(header.AsMemory(got), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (got == 0) return null;
                throw new IOException("raft connection closed inside a frame header");
            }
            got += n;
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > MaxFrame) throw new IOException($"raft frame of {length} bytes exceeds {MaxFrame}");
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers.Values) await peer.DisposeAsync().ConfigureAwait(false);
        _peers.Clear();
    }

    private sealed class Peer(string address, string secret) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private Socket? _socket;
        private NetworkStream? _stream;

        public async Task<RaftMessage> CallAsync(RaftMessage message, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await _gate.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"raft peer {address}: busy for {timeout}");
            }
            try
            {
                var stream = _stream ?? await ConnectAsync(deadline.Token).ConfigureAwait(false);
                await WriteFrameAsync(stream, RaftMessageCodec.Encode(message), deadline.Token).ConfigureAwait(false);
                var body = await ReadFrameAsync(stream, deadline.Token).ConfigureAwait(false)
                    ?? throw new IOException($"raft peer {address} closed the connection");
                return RaftMessageCodec.Decode(body);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or InvalidDataException)
            {
                Close();
                if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
                throw e as IOException ?? new IOException($"raft peer {address}: {(e is OperationCanceledException ? $"no answer in {timeout}" : e.Message)}", e);
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<NetworkStream> ConnectAsync(CancellationToken cancellationToken)
        {
            var bind = BindAddress.Parse(address);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(bind.Host.Length == 0 ? "localhost" : bind.Host, bind.Port, cancellationToken).ConfigureAwait(false);
                await socket.SendAsync(new[] { ServiceByte }, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            var stream = new NetworkStream(socket, ownsSocket: true);
            try
            {
                var nonce = new byte[RpcHandshake.NonceSize];
                await stream.ReadExactlyAsync(nonce, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(RpcHandshake.Prove(secret, nonce, ServiceByte), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _socket = socket;
            _stream = stream;
            return _stream;
        }

        private void Close()
        {
            _stream?.Dispose();
            _socket?.Dispose();
            _stream = null;
            _socket = null;
        }

        public async ValueTask DisposeAsync()
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try { Close(); }
            finally { _gate.Release(); }
        }
    }
}
