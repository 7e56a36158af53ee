namespace Cairn.Common.Net.Rpc;

/// <summary>The server refused the handshake: this node's internal shared secret is not the server's.</summary>
public sealed class RpcAuthenticationException : RpcException
{
    public RpcAuthenticationException(string remote)
        : base(RpcStatus.Unauthorized,
            $"{remote} refused the connection: the internal shared secrets differ (check [meta] internal-shared-secret on both nodes)")
    {
    }
}
