using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Cairn.Common.Net.Rpc;

/// <summary>
/// The client end of one authenticated connection to an <see cref="RpcService"/>. Calls are
/// multiplexed: any number may be in flight, their frames serialised by a writer lock and their
/// responses matched by request id in one reader loop. Every call has a deadline, sent to the
/// server and enforced here; a response that arrives after its caller gave up is dropped.
/// When the connection dies every pending call fails with <see cref="RpcStatus.Unavailable"/>
/// (or the status the server gave for closing it), and so does every later call.
/// </summary>
public sealed class RpcConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly RpcFrameWriter _writer;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<Response>> _pending = new();
    private readonly int _maxFrameSize;
    private readonly string _remote;
    private readonly Task _readLoop;
    private RpcException? _failure;
    private long _nextRequestId;
    private long _bytesReceived;
    private long _lateResponses;

    private readonly record struct Response(RpcStatus Status, byte[] Payload);

    private RpcConnection(Socket socket, Stream stream, PipeReader input, RpcClientOptions options, string remote)
    {
        _socket = socket;
        _stream = stream;
        _input = input;
        _maxFrameSize = options.MaxFrameSize;
        _remote = remote;
        _writer = new RpcFrameWriter(stream, _lifetime.Token,
            e => Fail(new RpcException(RpcStatus.Unavailable, $"connection to {_remote} lost: {e.Message}", e)));
        _readLoop = ReadResponsesAsync();
    }

    public string RemoteEndPoint => _remote;

    /// <summary>False once the connection has failed or been disposed; a pool drops it then.</summary>
    public bool IsOpen => Volatile.Read(ref _failure) is null;

    /// <summary>Completes when the connection has closed, for whatever reason.</summary>
    public Task Completion => _readLoop;

    public long BytesSent => _writer.BytesWritten;
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Responses that came after their caller's deadline, and were dropped.</summary>
    public long LateResponses => Volatile.Read(ref _lateResponses);

    /// <summary>
    /// Dials <paramref name="remote"/>, names <paramref name="service"/> and answers the
    /// handshake. The dial timeout is <paramref name="cancellationToken"/>'s. Throws
    /// <see cref="RpcAuthenticationException"/> when the secrets differ and
    /// <see cref="RpcException"/> (Unavailable) when the peer cannot be reached or hangs up.
    /// With <see cref="RpcClientOptions.Tls"/> the certificate must name the host of <paramref name="remote"/>
    /// (a <see cref="DnsEndPoint"/>'s host, else its IP address).
    /// </summary>
    public static Task<RpcConnection> ConnectAsync(EndPoint remote, byte service, RpcClientOptions options,
        CancellationToken cancellationToken) =>
        ConnectAsync(remote, remote is DnsEndPoint dns ? dns.Host : (remote as IPEndPoint)?.Address.ToString() ?? "", service, options,
            cancellationToken);

    /// <summary>As above; with TLS, <paramref name="host"/> is the name the server's certificate must carry.</summary>
    public static async Task<RpcConnection> ConnectAsync(EndPoint remote, string host, byte service, RpcClientOptions options,
        CancellationToken cancellationToken)
    {
        options.Validate();
        string name = remote.ToString() ?? "peer";
        var socket = remote is DnsEndPoint
            ? new Socket(SocketType.Stream, ProtocolType.Tcp)
            : new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        Stream? stream = null;
        PipeReader? input = null;
        try
        {
            await socket.ConnectAsync(remote, cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Tls is { } tls) stream = await StartTlsAsync(stream, tls, host, name, cancellationToken);
            input = PipeReader.Create(stream, RpcFrame.ReaderOptions);
            await stream.WriteAsync(new[] { service }, cancellationToken);
            await AuthenticateAsync(stream, input, service, options, name, cancellationToken);
            return new RpcConnection(socket, stream, input, options, name);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Close(socket, stream, input);
            throw new RpcException(RpcStatus.Unavailable, $"cannot connect to {name}: {e.Message}", e);
        }
        catch
        {
            Close(socket, stream, input);
            throw;
        }
    }

    private static async Task<Stream> StartTlsAsync(Stream network, RpcClientTls tls, string host, string name,
        CancellationToken cancellationToken)
    {
        var stream = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(tls.OptionsFor(host), cancellationToken);
            return stream;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await stream.DisposeAsync();
            throw new RpcException(RpcStatus.Unavailable,
                $"cannot connect to {name}: TLS handshake failed: {TcpServiceListener.Describe(e)} (does the port serve TLS, and is its certificate trusted for {host}?)", e);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private static async Task AuthenticateAsync(Stream stream, PipeReader input, byte service, RpcClientOptions options,
        string name, CancellationToken cancellationToken)
    {
        var read = await input.ReadAtLeastAsync(RpcHandshake.NonceSize, cancellationToken);
        if (read.Buffer.Length < RpcHandshake.NonceSize)
        {
            throw new RpcException(RpcStatus.Unavailable,
                $"{name} closed the connection before the handshake (does it serve RPC service {service}, and does its TLS setting match this client's?)");
        }
        var nonce = read.Buffer.Slice(0, RpcHandshake.NonceSize).ToArray();
        input.AdvanceTo(read.Buffer.GetPosition(RpcHandshake.NonceSize));
        await stream.WriteAsync(RpcHandshake.Prove(options.InternalSharedSecret, nonce, service), cancellationToken);

        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            RpcFrameHeader header;
            ReadOnlySequence<byte> payload;
            bool complete = false;
            string message = "";
            try
            {
                complete = RpcFrame.TryRead(ref buffer, options.MaxFrameSize, out header, out payload);
                if (complete) message = Encoding.UTF8.GetString(payload);
            }
            catch (RpcProtocolException e)
            {
                throw new RpcException(RpcStatus.Unavailable, $"{name} broke the handshake: {e.Message}");
            }
            finally
            {
                // After a whole frame leave the rest unexamined: the reader loop must see it at once.
                if (complete) input.AdvanceTo(buffer.Start);
                else input.AdvanceTo(buffer.Start, buffer.End);
            }
            if (complete)
            {
                if (header.Kind != RpcFrameKind.Response || header.RequestId != 0)
                {
                    throw new RpcException(RpcStatus.Unavailable, $"{name} broke the handshake: unexpected frame");
                }
                if (header.Status == RpcStatus.Ok) return;
                if (header.Status == RpcStatus.Unauthorized) throw new RpcAuthenticationException(name);
                throw new RpcException(header.Status, $"{name} refused the connection: {message}");
            }
            if (result.IsCompleted)
            {
                throw new RpcException(RpcStatus.Unavailable, $"{name} closed the connection during the handshake");
            }
        }
    }

    /// <summary>
    /// Sends one request and waits for its answer: the payload of an ok response, else an
    /// <see cref="RpcException"/> carrying the server's status and message, or DeadlineExceeded
    /// when <paramref name="deadline"/> passes first. <paramref name="cancellationToken"/>
    /// abandons the call with an OperationCanceledException.
    /// </summary>
    public async Task<byte[]> CallAsync(ushort method, ReadOnlyMemory<byte> payload, TimeSpan deadline,
        CancellationToken cancellationToken)
    {
        if (deadline <= TimeSpan.Zero || deadline.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "a call's deadline must be positive and under 24 days");
        }
        if (RpcFrame.LengthFor(payload.Length) > _maxFrameSize)
        {
            throw new RpcException(RpcStatus.BadRequest,
                $"request of {payload.Length} bytes exceeds the frame limit of {_maxFrameSize} bytes");
        }
        uint deadlineMilliseconds = (uint)Math.Max(1, Math.Ceiling(deadline.TotalMilliseconds));

        ulong id = (ulong)Interlocked.Increment(ref _nextRequestId);
        var answer = new TaskCompletionSource<Response>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        // Fail registers nothing after it has swept _pending: look again now that this call is in.
        if (Volatile.Read(ref _failure) is { } failed)
        {
            _pending.TryRemove(id, out _);
            throw Copy(failed);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        Response response;
        try
        {
            await _writer.WriteAsync(RpcFrameHeader.Request(id, method, deadlineMilliseconds), payload, timeout.Token);
            response = await answer.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            _pending.TryRemove(id, out _);
            cancellationToken.ThrowIfCancellationRequested();
            throw new RpcException(RpcStatus.DeadlineExceeded,
                $"call of method {method} on {_remote} passed its deadline of {deadline.TotalMilliseconds} ms");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection died under the write (its lifetime token, or the socket).
            _pending.TryRemove(id, out _);
            throw Copy(Volatile.Read(ref _failure) ?? new RpcException(RpcStatus.Unavailable, $"connection to {_remote} lost: {e.Message}", e));
        }

        if (response.Status != RpcStatus.Ok)
        {
            string message = response.Payload.Length > 0 ? Encoding.UTF8.GetString(response.Payload) : response.Status.ToString();
            throw new RpcException(response.Status, message);
        }
        return response.Payload;
    }

    private async Task ReadResponsesAsync()
    {
        RpcException reason;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_lifetime.Token);
                var buffer = result.Buffer;
                try
                {
                    while (RpcFrame.TryRead(ref buffer, _maxFrameSize, out var header, out var payload))
                    {
                        Interlocked.Add(ref _bytesReceived, RpcFrame.HeaderSize + payload.Length);
                        Dispatch(header, payload);
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted)
                {
                    reason = new RpcException(RpcStatus.Unavailable, $"{_remote} closed the connection");
                    break;
                }
            }
        }
        catch (RpcException e)
        {
            reason = e;
        }
        catch (RpcProtocolException e)
        {
            reason = new RpcException(RpcStatus.Unavailable, $"{_remote} broke the RPC framing: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            reason = new RpcException(RpcStatus.Unavailable, $"connection to {_remote} closed");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            reason = new RpcException(RpcStatus.Unavailable, $"connection to {_remote} lost: {e.Message}", e);
        }
        Fail(reason);
        await _input.CompleteAsync();
        // No read is left on the stream now; a TLS stream frees its native session here.
        await _stream.DisposeAsync();
    }

    private void Dispatch(in RpcFrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.Kind != RpcFrameKind.Response) throw new RpcProtocolException("the server sent a request frame");
        if (header.RequestId == 0)
        {
            // The server speaks about the connection itself (a protocol error it saw) and closes it.
            throw new RpcException(header.Status, $"{_remote} closed the connection: {Encoding.UTF8.GetString(payload)}");
        }
        if (_pending.TryRemove(header.RequestId, out var answer))
        {
            answer.TrySetResult(new Response(header.Status, payload.ToArray()));
        }
        else
        {
            Interlocked.Increment(ref _lateResponses);
        }
    }

    /// <summary>Marks the connection dead (first reason wins), closes the socket and fails every pending call.</summary>
    private void Fail(RpcException reason)
    {
        if (Interlocked.CompareExchange(ref _failure, reason, null) is not null) return;
        _lifetime.Cancel();
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _socket.Dispose();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var answer)) answer.TrySetException(Copy(reason));
        }
    }

    private static RpcException Copy(RpcException reason) => new(reason.Status, reason.Message, reason.InnerException);

    private static void Close(Socket socket, Stream? stream, PipeReader? input)
    {
        input?.Complete();
        stream?.Dispose();
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new RpcException(RpcStatus.Unavailable, $"connection to {_remote} closed"));
        await _readLoop;
        _lifetime.Dispose();
    }
}
