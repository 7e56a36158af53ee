namespace Cairn.Common.Net.Rpc;

public sealed class RpcServiceOptions
{
    /// <summary>[meta] internal-shared-secret; empty is a valid secret when both ends leave it empty.</summary>
    public string InternalSharedSecret { get; init; } = "";

    /// <summary>The largest frame accepted or sent (the length field's value); a larger one closes the connection.</summary>
    public int MaxFrameSize { get; init; } = RpcFrame.DefaultMaxFrameSize;

    /// <summary>Requests of one connection answered at once; the connection's reader waits beyond it.</summary>
    public int MaxConcurrentRequestsPerConnection { get; init; } = 64;

    /// <summary>How long a new connection has to prove the secret.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(InternalSharedSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, RpcFrame.MinLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentRequestsPerConnection, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero);
    }
}
