using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using NLog;

namespace Cairn.Common.Net;

/// <summary>
/// A TCP listener whose connections name their service in their first byte (as InfluxDB's
/// 8088 multiplexer does). Services register a handler per byte; a connection asking for a
/// service nobody registered is closed. The cluster RPC port (8088) and the Raft port (8089)
/// both use it; their services arrive with the meta and cluster issues.
/// With <see cref="TlsServerSettings"/> the whole port speaks TLS: the handshake comes first and the service byte
/// is the first byte inside it. A plain client on a TLS port, or a TLS client on a plain port, is told so (where the
/// service can say it) and closed at once, and the server logs a warning.
/// </summary>
public sealed class TcpServiceListener : IAsyncDisposable
{
    public delegate Task ServiceHandler(ServiceConnection connection, CancellationToken cancellationToken);

    /// <summary>The first byte of every TLS connection: a handshake record (content type 22).</summary>
    private const byte TlsHandshakeRecord = 0x16;
    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(1);
    private readonly Logger _log;
    private readonly Socket _socket;
    private readonly TlsServerSettings? _tls;
    private readonly Dictionary<byte, (ServiceHandler Handler, ReadOnlyMemory<byte> PlainRefusal)> _services = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _gate = new();
    private Task? _acceptLoop;

    private TcpServiceListener(Socket socket, string name, TlsServerSettings? tls)
    {
        _socket = socket;
        _tls = tls;
        _log = LogManager.GetLogger(name);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public bool IsTls => _tls is not null;

    /// <summary>Binds now, so the port is known (and taken) before anything is announced. <paramref name="tls"/> null: plain TCP.</summary>
    public static TcpServiceListener Bind(IPAddress? address, int port, string name, TlsServerSettings? tls = null)
    {
        Socket socket;
        if (address is null)
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            address = IPAddress.IPv6Any;
        }
        else
        {
            socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new TcpServiceListener(socket, name, tls);
    }

    /// <summary>
    /// Serves connections whose first byte is <paramref name="service"/>. On a TLS port a plain client asking for it
    /// gets <paramref name="plainRefusal"/> (bytes in the service's own protocol saying TLS is needed) before the close.
    /// </summary>
    public void Register(byte service, ServiceHandler handler, ReadOnlyMemory<byte> plainRefusal = default) =>
        _services[service] = (handler, plainRefusal);

    public void Start() => _acceptLoop = AcceptLoopAsync();

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket connection;
            try { connection = await _socket.AcceptAsync(token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                _log.Warn("accept failed: {0}", e.Message);
                continue;
            }
            var task = ServeAsync(connection, token);
            lock (_gate) _connections.Add(task);
            _ = task.ContinueWith(t => { lock (_gate) _connections.Remove(t); }, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken token)
    {
        using (connection)
        {
            try
            {
                using var firstByte = CancellationTokenSource.CreateLinkedTokenSource(token);
                firstByte.CancelAfter(FirstByteTimeout);
                if (_tls is not null)
                {
                    await ServeTlsAsync(connection, _tls, firstByte.Token, token);
                    return;
                }
                var header = new byte[1];
                int read = await connection.ReceiveAsync(header, SocketFlags.None, firstByte.Token);
                if (read == 0) return;
                if (!_services.TryGetValue(header[0], out var service))
                {
                    if (header[0] == TlsHandshakeRecord)
                        _log.Warn("closing connection from {0}: it starts a TLS handshake, but this port does not serve TLS", connection.RemoteEndPoint);
                    else
                        _log.Debug("closing connection from {0}: no service {1} on this port", connection.RemoteEndPoint, header[0]);
                    return;
                }
                await service.Handler(new ServiceConnection(connection, tls: null), token);
            }
            catch (OperationCanceledException) { }
            catch (SocketException) { }
            catch (Exception e)
            {
                _log.Error(e, "connection from {0} failed", connection.RemoteEndPoint);
            }
        }
    }

    /// <summary>The TLS handshake, then the service byte from inside it; both within the first-byte timeout.</summary>
    private async Task ServeTlsAsync(Socket connection, TlsServerSettings tls, CancellationToken firstByte, CancellationToken token)
    {
        var header = new byte[1];
        int read = await connection.ReceiveAsync(header, SocketFlags.Peek, firstByte);
        if (read == 0) return;
        if (header[0] != TlsHandshakeRecord)
        {
            await RefusePlainAsync(connection, token);
            return;
        }
        await using var stream = new SslStream(new NetworkStream(connection, ownsSocket: false), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsServerAsync(tls.Options, firstByte);
            read = await stream.ReadAtLeastAsync(header, 1, throwOnEndOfStream: false, firstByte);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            _log.Warn("TLS handshake with {0} failed: {1}", connection.RemoteEndPoint, Describe(e));
            return;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            _log.Warn("TLS handshake with {0} failed: no handshake and service byte within {1} s", connection.RemoteEndPoint, FirstByteTimeout.TotalSeconds);
            return;
        }
        if (read == 0) return;
        if (!_services.TryGetValue(header[0], out var service))
        {
            _log.Debug("closing TLS connection from {0}: no service {1} on this port", connection.RemoteEndPoint, header[0]);
            return;
        }
        await service.Handler(new ServiceConnection(connection, stream), token);
    }

    /// <summary>
    /// A plain client on the TLS port: takes its service byte, answers the service's refusal if it has one, and
    /// closes after the client has read it (bounded), so the client fails at once with a message instead of hanging.
    /// </summary>
    private async Task RefusePlainAsync(Socket connection, CancellationToken token)
    {
        var header = new byte[1];
        await connection.ReceiveAsync(header, SocketFlags.None, token);
        _log.Warn("closing connection from {0} (service {1}): this port requires TLS and the client did not start a TLS handshake",
            connection.RemoteEndPoint, header[0]);
        if (!_services.TryGetValue(header[0], out var service) || service.PlainRefusal.IsEmpty) return;
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(token);
        grace.CancelAfter(RefusalGrace);
        try
        {
            await connection.SendAsync(service.PlainRefusal, SocketFlags.None, grace.Token);
            connection.Shutdown(SocketShutdown.Send);
            var sink = new byte[256];
            while (await connection.ReceiveAsync(sink, SocketFlags.None, grace.Token) > 0) { }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { }
    }

    /// <summary>An exception's message with its inner ones (an AuthenticationException's own says only "see inner exception").</summary>
    internal static string Describe(Exception e)
    {
        var text = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (!text.Contains(inner.Message, StringComparison.Ordinal)) text += ": " + inner.Message;
        return text;
    }

    /// <summary>Stops accepting, then waits (bounded) for open connections to finish.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stopping.Cancel();
        _socket.Close();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        Task[] open;
        lock (_gate) open = [.. _connections];
        await Task.WhenAny(Task.WhenAll(open), Task.Delay(grace)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested) await StopAsync(TimeSpan.Zero);
        _stopping.Dispose();
        _socket.Dispose();
    }
}
