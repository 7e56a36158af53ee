using System.Net;
using System.Net.Sockets;
using NLog;

namespace Cairn.Common.Net;

/// <summary>
/// A TCP listener whose connections name their service in their first byte (as InfluxDB's
/// 8088 multiplexer does). Services register a handler per byte; a connection asking for a
/// service nobody registered is closed. The cluster RPC port (8088) and the Raft port (8089)
/// both use it; their services arrive with the meta and cluster issues.
/// </summary>
public sealed class TcpServiceListener : IAsyncDisposable
{
    public delegate Task ServiceHandler(Socket connection, CancellationToken cancellationToken);

    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(10);
    private readonly Logger _log;
    private readonly Socket _socket;
    private readonly Dictionary<byte, ServiceHandler> _services = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _gate = new();
    private Task? _acceptLoop;

    private TcpServiceListener(Socket socket, string name)
    {
        _socket = socket;
        _log = LogManager.GetLogger(name);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Binds now, so the port is known (and taken) before anything is announced.</summary>
    public static TcpServiceListener Bind(IPAddress? address, int port, string name)
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
        return new TcpServiceListener(socket, name);
    }

    public void Register(byte service, ServiceHandler handler) => _services[service] = handler;

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
                var header = new byte[1];
                using var firstByte = CancellationTokenSource.CreateLinkedTokenSource(token);
                firstByte.CancelAfter(FirstByteTimeout);
                int read = await connection.ReceiveAsync(header, SocketFlags.None, firstByte.Token);
                if (read == 0) return;
                if (!_services.TryGetValue(header[0], out var handler))
                {
                    _log.Debug("closing connection from {0}: no service {1} on this port", connection.RemoteEndPoint, header[0]);
                    return;
                }
                await handler(connection, token);
            }
            catch (OperationCanceledException) { }
            catch (SocketException) { }
            catch (Exception e)
            {
                _log.Error(e, "connection from {0} failed", connection.RemoteEndPoint);
            }
        }
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
