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

    /// <summary>
    /// What a plain client gets on a TLS port: a nonce to answer, then the handshake's refusal frame, which its
    /// <see cref="RpcConnection.ConnectAsync(System.Net.EndPoint, byte, RpcClientOptions, CancellationToken)"/> reports.
    /// </summary>
    internal const string TlsRequired = "the RPC port requires TLS and this client dialled without it " +
        "(data nodes dial with TLS when [cluster] https-enabled is set, meta nodes when [meta] data-use-tls is)";

    private static readonly byte[] PlainRefusal = BuildPlainRefusal();

    /// <summary>Serves connections whose first byte is <paramref name="service"/> (see <see cref="RpcServiceBytes"/>).</summary>
    public void RegisterOn(TcpServiceListener listener, byte service) =>
        listener.Register(service, (connection, stopping) => new RpcSession(this, connection, service, stopping).RunAsync(), PlainRefusal);

    private static byte[] BuildPlainRefusal()
    {
        var message = System.Text.Encoding.UTF8.GetBytes(TlsRequired);
        var bytes = new byte[RpcHandshake.NonceSize + RpcFrame.HeaderSize + message.Length];
        RpcFrame.WriteHeader(bytes.AsSpan(RpcHandshake.NonceSize), RpcFrameHeader.Response(0, 0, RpcStatus.BadRequest), message.Length);
        message.CopyTo(bytes, RpcHandshake.NonceSize + RpcFrame.HeaderSize);
        return bytes;
    }
}
