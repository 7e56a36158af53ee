using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Cairn.Common.Net;
using Cairn.Common.Net.Rpc;

namespace Cairn.Common.Tests.Rpc;

/// <summary>A TcpServiceListener on 127.0.0.1 port 0 serving one RpcService.</summary>
internal sealed class RpcTestServer : IAsyncDisposable
{
    public const string Secret = "test-secret";
    public const byte Service = RpcServiceBytes.Cluster;

    private RpcTestServer(TcpServiceListener listener, RpcService service)
    {
        Listener = listener;
        RpcService = service;
    }

    public TcpServiceListener Listener { get; }
    public RpcService RpcService { get; }
    public RpcServiceStatistics Statistics => RpcService.Statistics;
    public IPEndPoint EndPoint => Listener.LocalEndPoint;

    public static RpcTestServer Start(RpcHandler handler, RpcServiceOptions? options = null)
    {
        var listener = TcpServiceListener.Bind(IPAddress.Loopback, 0, "rpc-test");
        var service = new RpcService("rpc-test", handler, options ?? new RpcServiceOptions { InternalSharedSecret = Secret });
        service.RegisterOn(listener, Service);
        listener.Start();
        return new RpcTestServer(listener, service);
    }

    public async Task<RpcConnection> ConnectAsync(string secret = Secret, int maxFrameSize = 64 << 20)
    {
        using var dial = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RpcConnection.ConnectAsync(EndPoint, Service,
            new RpcClientOptions { InternalSharedSecret = secret, MaxFrameSize = maxFrameSize }, dial.Token);
    }

    public async ValueTask DisposeAsync() => await Listener.DisposeAsync();
}

internal static class Rpc
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static async Task<T> Catch<T>(Func<Task> action) where T : Exception
    {
        try
        {
            await action();
        }
        catch (T e)
        {
            return e;
        }
        throw new InvalidOperationException($"expected {typeof(T).Name}, nothing was thrown");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or 10 s pass.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (condition()) return true;
            await Task.Delay(10);
        }
        return condition();
    }
}

/// <summary>
/// A stand-in server on 127.0.0.1 port 0 that does the handshake like RpcService and then
/// behaves however the test scripts it (answer late, hang up, …). Serves one connection.
/// </summary>
internal static class FakeRpcServer
{
    public static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    /// <summary>Accepts one connection, checks the proof, then runs <paramref name="script"/>; its result is the task's.</summary>
    public static Task<int> ServeOneAsync(Socket listener, Func<RawRpcPeer, Task<int>> script) => Task.Run(async () =>
    {
        using var accept = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var socket = await listener.AcceptAsync(accept.Token);
        await using var peer = RawRpcPeer.Wrap(socket);
        var service = (await peer.ReadExactlyAsync(1))[0];
        var nonce = RpcHandshake.NewNonce();
        await peer.WriteRawAsync(nonce);
        var proof = await peer.ReadExactlyAsync(RpcHandshake.ProofSize);
        if (!RpcHandshake.Verify(RpcTestServer.Secret, nonce, service, proof)) return -1;
        await peer.WriteFrameAsync(RpcFrameHeader.Response(0, 0, RpcStatus.Ok), []);
        return await script(peer);
    });

    public static async Task<RpcConnection> ConnectAsync(Socket listener)
    {
        using var dial = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RpcConnection.ConnectAsync(listener.LocalEndPoint!, RpcTestServer.Service,
            new RpcClientOptions { InternalSharedSecret = RpcTestServer.Secret }, dial.Token);
    }
}

/// <summary>
/// A hand-driven end of an RPC connection that speaks the framing byte by byte, to send what a
/// well-behaved RpcConnection never would and to see exactly what the other end answers.
/// </summary>
internal sealed class RawRpcPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;

    private RawRpcPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    public static RawRpcPeer Wrap(Socket socket) => new(socket);

    /// <summary>Connects and completes the client half of the handshake; returns the handshake's answer.</summary>
    public static async Task<(RawRpcPeer Peer, RpcStatus Status)> ConnectAsync(IPEndPoint endPoint, byte service, string secret)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        var peer = new RawRpcPeer(socket);
        await peer.WriteRawAsync([service]);
        var nonce = await peer.ReadExactlyAsync(RpcHandshake.NonceSize);
        await peer.WriteRawAsync(RpcHandshake.Prove(secret, nonce, service));
        var answer = await peer.ReadFrameAsync();
        return (peer, answer?.Header.Status ?? throw new IOException("closed during the handshake"));
    }

    public Task WriteRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task WriteFrameAsync(RpcFrameHeader header, byte[] payload)
    {
        var frame = new byte[RpcFrame.HeaderSize + payload.Length];
        RpcFrame.WriteHeader(frame, header, payload.Length);
        payload.CopyTo(frame, RpcFrame.HeaderSize);
        return WriteRawAsync(frame);
    }

    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await _input.ReadAtLeastAsync(count, timeout.Token);
        if (result.Buffer.Length < count) throw new IOException("closed early");
        var bytes = result.Buffer.Slice(0, count).ToArray();
        _input.AdvanceTo(result.Buffer.GetPosition(count));
        return bytes;
    }

    /// <summary>The next frame, or null when the other end closed first (a reset counts as closed).</summary>
    public async Task<(RpcFrameHeader Header, byte[] Payload)?> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                (RpcFrameHeader, byte[])? frame = null;
                if (RpcFrame.TryRead(ref buffer, int.MaxValue, out var header, out var payload)) frame = (header, payload.ToArray());
                if (frame is not null)
                {
                    // Frames behind this one stay unexamined, so the next read returns them at once.
                    _input.AdvanceTo(buffer.Start);
                    return frame;
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return null;
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return null;
        }
    }

    /// <summary>True when the other end closes the connection within 10 s (reading and discarding until then).</summary>
    public async Task<bool> SeesCloseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(timeout.Token);
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) return true;
            }
        }
        catch (Exception e) when (e is IOException or SocketException) { return true; }
        catch (OperationCanceledException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        _socket.Dispose();
    }
}
