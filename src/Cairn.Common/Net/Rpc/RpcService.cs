using NLog;

namespace Cairn.Common.Net.Rpc;

/// <summary>
/// The server side of one RPC service: authenticates each connection on a
/// <see cref="TcpServiceListener"/> service byte, then answers its requests through one
/// <see cref="RpcHandler"/>, concurrently up to a bound per connection, each under its deadline.
/// </summary>
public sealed class RpcService
{
    public RpcService(string name, RpcHandler handler, RpcServiceOptions options)
    {
        options.Validate();
        Name = name;
        Handler = handler;
        Options = options;
        Log = LogManager.GetLogger(name);
    }

    public string Name { get; }
    public RpcServiceStatistics Statistics { get; } = new();
    internal RpcHandler Handler { get; }
    internal RpcServiceOptions Options { get; }
    internal Logger Log { get; }

    /// <summary>Serves connections whose first byte is <paramref name="service"/> (see <see cref="RpcServiceBytes"/>).</summary>
    public void RegisterOn(TcpServiceListener listener, byte service) =>
        listener.Register(service, (socket, stopping) => new RpcSession(this, socket, service, stopping).RunAsync());
}
