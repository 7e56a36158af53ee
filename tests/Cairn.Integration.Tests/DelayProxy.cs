using System.Net;
using System.Net.Sockets;

namespace Cairn.Integration.Tests;

/// <summary>
/// A TCP proxy on loopback in front of one address: every chunk read from either side is held for <see cref="Delay"/>
/// before it is forwarded (in order), so the node behind it answers as slowly as the test wants. Stops on dispose.
/// </summary>
public sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accept;
    private long _delayTicks;

    public DelayProxy(string target)
    {
        int colon = target.LastIndexOf(':');
        _target = new IPEndPoint(IPAddress.Parse(target[..colon]), int.Parse(target[(colon + 1)..]));
        _listener.Start();
        _accept = AcceptAsync();
    }

    /// <summary>host:port of the proxy.</summary>
    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                try
                {
                    await server.ConnectAsync(_target, _stop.Token);
                }
                catch (SocketException)
                {
                    client.Dispose();
                    server.Dispose();
                    continue;
                }
                lock (_pumps)
                {
                    _pumps.Add(PumpAsync(client, server));
                    _pumps.Add(PumpAsync(server, client));
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[64 << 10];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                int n = await input.ReadAsync(buffer, _stop.Token);
                if (n == 0) break;
                var delay = Delay;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _stop.Token);
                await output.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] pumps;
        lock (_pumps) pumps = [.. _pumps];
        await Task.WhenAll(pumps);
        _stop.Dispose();
    }
}
