using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Common.Net.Rpc;

/// <summary>
/// One server connection: the handshake, then a read loop that hands each request to the
/// service's handler on its own task (at most MaxConcurrentRequestsPerConnection at once) and
/// writes each reply as it is ready, in whatever order they finish.
/// </summary>
internal sealed class RpcSession
{
    /// <summary>How long a closing connection waits to flush its last replies (Unavailable on stop).</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ErrorFrameTimeout = TimeSpan.FromSeconds(1);

    private readonly RpcService _service;
    private readonly Socket _socket;
    private readonly byte _serviceByte;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _closing;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly RpcFrameWriter _writer;
    private readonly SemaphoreSlim _slots;
    private readonly string _peer;

    public RpcSession(RpcService service, ServiceConnection connection, byte serviceByte, CancellationToken stopping)
    {
        _service = service;
        _socket = connection.Socket;
        _serviceByte = serviceByte;
        _stopping = stopping;
        _closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _socket.NoDelay = true;
        // Plain TCP or TLS, whichever the port speaks.
        _stream = connection.Stream;
        _input = PipeReader.Create(_stream, RpcFrame.ReaderOptions);
        // Replies may still be written after _closing fires (Unavailable on stop); the socket's close ends them.
        _writer = new RpcFrameWriter(_stream, CancellationToken.None, _ => CancelQuietly(_closing));
        _slots = new SemaphoreSlim(service.Options.MaxConcurrentRequestsPerConnection);
        _peer = connection.Peer;
    }

    private RpcServiceOptions Options => _service.Options;
    private RpcServiceStatistics Statistics => _service.Statistics;

    public async Task RunAsync()
    {
        bool accepted = false;
        try
        {
            accepted = await HandshakeAsync();
            if (!accepted) return;
            Interlocked.Increment(ref Statistics._connectionsAccepted);
            Interlocked.Increment(ref Statistics._connectionsOpen);
            await ReadRequestsAsync();
        }
        catch (RpcProtocolException e)
        {
            Interlocked.Increment(ref Statistics._protocolErrors);
            _service.Log.Warn("closing RPC connection from {0}: {1}", _peer, e.Message);
            await TrySendConnectionErrorAsync(RpcStatus.BadRequest, e.Message);
            await DiscardInputAsync();
        }
        catch (OperationCanceledException) { }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _service.Log.Debug("RPC connection from {0} lost: {1}", _peer, e.Message);
        }
        finally
        {
            _closing.Cancel();
            await DrainAsync();
            if (accepted) Interlocked.Decrement(ref Statistics._connectionsOpen);
            await _input.CompleteAsync();
            try { _socket.Shutdown(SocketShutdown.Both); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            _closing.Dispose();
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try { source.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// After an error frame: stop sending and swallow what the client still sends until it hangs
    /// up (bounded), because closing with unread input would reset the connection and the client
    /// could lose the error frame.
    /// </summary>
    private async Task DiscardInputAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            timeout.CancelAfter(ErrorFrameTimeout);
            while (true)
            {
                var result = await _input.ReadAsync(timeout.Token);
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException) { }
    }

    private async Task<bool> HandshakeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        timeout.CancelAfter(Options.HandshakeTimeout);
        var nonce = RpcHandshake.NewNonce();
        await _stream.WriteAsync(nonce, timeout.Token);
        var read = await _input.ReadAtLeastAsync(RpcHandshake.ProofSize, timeout.Token);
        if (read.Buffer.Length < RpcHandshake.ProofSize) return false;
        var proof = read.Buffer.Slice(0, RpcHandshake.ProofSize).ToArray();
        _input.AdvanceTo(read.Buffer.GetPosition(RpcHandshake.ProofSize));

        if (!RpcHandshake.Verify(Options.InternalSharedSecret, nonce, _serviceByte, proof))
        {
            Interlocked.Increment(ref Statistics._handshakesRefused);
            _service.Log.Warn("refused RPC connection from {0} to service {1}: {2}", _peer, _serviceByte, RpcHandshake.SecretsDiffer);
            await _writer.WriteAsync(RpcFrameHeader.Response(0, 0, RpcStatus.Unauthorized),
                Encoding.UTF8.GetBytes(RpcHandshake.SecretsDiffer), timeout.Token);
            return false;
        }
        await _writer.WriteAsync(RpcFrameHeader.Response(0, 0, RpcStatus.Ok), ReadOnlyMemory<byte>.Empty, timeout.Token);
        return true;
    }

    private async Task ReadRequestsAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync(_closing.Token);
            var buffer = result.Buffer;
            try
            {
                while (RpcFrame.TryRead(ref buffer, Options.MaxFrameSize, out var header, out var payload))
                {
                    if (header.Kind != RpcFrameKind.Request) throw new RpcProtocolException("the client sent a response frame");
                    if (header.RequestId == 0) throw new RpcProtocolException("request id 0 is reserved for the connection");
                    var copy = new PooledRequest(payload);
                    try { await _slots.WaitAsync(_closing.Token); }
                    catch
                    {
                        copy.Release();
                        copy.Release();
                        throw;
                    }
                    _ = AnswerAsync(header, copy);
                }
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
            }
            if (result.IsCompleted) return;
        }
    }

    /// <summary>Runs one request and writes its reply; holds a slot until the reply is written.</summary>
    private async Task AnswerAsync(RpcFrameHeader request, PooledRequest payload)
    {
        try
        {
            Interlocked.Increment(ref Statistics._requests);
            var reply = await ExecuteAsync(request, payload);
            if (RpcFrame.LengthFor(reply.Payload.Length) > Options.MaxFrameSize)
            {
                reply = RpcReply.Error(RpcStatus.Internal,
                    $"reply of {reply.Payload.Length} bytes exceeds the frame limit of {Options.MaxFrameSize} bytes");
            }
            await _writer.WriteAsync(RpcFrameHeader.Response(request.RequestId, request.Method, reply.Status), reply.Payload,
                CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is gone; nobody is left to answer.
        }
        finally
        {
            payload.Release();
            _slots.Release();
        }
    }

    private async Task<RpcReply> ExecuteAsync(RpcFrameHeader request, PooledRequest payload)
    {
        if (request.DeadlineMilliseconds == 0)
        {
            payload.Release();
            return RpcReply.Error(RpcStatus.BadRequest, "the request has no deadline");
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(request.DeadlineMilliseconds, int.MaxValue)));
        var work = InvokeHandlerAsync(request.Method, payload, deadline.Token);
        try
        {
            return await work.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            if (_stopping.IsCancellationRequested) return RpcReply.Error(RpcStatus.Unavailable, "the server is stopping");
            if (_closing.IsCancellationRequested) return RpcReply.Error(RpcStatus.Unavailable, "the connection is closing");
            Interlocked.Increment(ref Statistics._deadlinesExceeded);
            return RpcReply.Error(RpcStatus.DeadlineExceeded,
                $"method {request.Method} passed its deadline of {request.DeadlineMilliseconds} ms");
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref Statistics._handlerFailures);
            _service.Log.Error(e, "RPC method {0} from {1} failed", request.Method, _peer);
            return RpcReply.Error(RpcStatus.Internal, e.Message);
        }
    }

    /// <summary>Runs the handler; its hold on the request's buffer ends when it has finished, even after its deadline passed.</summary>
    private async Task<RpcReply> InvokeHandlerAsync(ushort method, PooledRequest payload, CancellationToken deadlineToken)
    {
        try
        {
            return await _service.Handler(method, payload.Memory, deadlineToken);
        }
        finally
        {
            payload.Release();
        }
    }

    /// <summary>
    /// A request's payload in a pooled buffer, held twice: by the handler until it finishes and by the reply until it is
    /// written (a reply may be the request's own bytes). The last release returns it to the pool.
    /// </summary>
    private sealed class PooledRequest
    {
        private readonly byte[] _buffer;
        private readonly int _length;
        private int _holds = 2;

        public PooledRequest(in ReadOnlySequence<byte> payload)
        {
            _length = (int)payload.Length;
            _buffer = ArrayPool<byte>.Shared.Rent(_length);
            payload.CopyTo(_buffer);
        }

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

        public void Release()
        {
            if (Interlocked.Decrement(ref _holds) == 0) ArrayPool<byte>.Shared.Return(_buffer);
        }
    }

    /// <summary>Waits (bounded) until every started request has written its reply or given up.</summary>
    private async Task DrainAsync()
    {
        var all = WaitForAllSlotsAsync();
        try { await all.WaitAsync(CloseGrace); }
        catch (TimeoutException) { }
    }

    private async Task WaitForAllSlotsAsync()
    {
        for (int i = 0; i < Options.MaxConcurrentRequestsPerConnection; i++) await _slots.WaitAsync();
    }

    /// <summary>Tells the client why its connection is closing (request id 0), if the socket still takes it.</summary>
    private async Task TrySendConnectionErrorAsync(RpcStatus status, string message)
    {
        using var timeout = new CancellationTokenSource(ErrorFrameTimeout);
        try
        {
            await _writer.WriteAsync(RpcFrameHeader.Response(0, 0, status), Encoding.UTF8.GetBytes(message), timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException) { }
    }
}
