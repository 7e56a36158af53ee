namespace Cairn.Common.Net.Rpc;

public sealed class RpcClientOptions
{
    /// <summary>[meta] internal-shared-secret; empty is a valid secret when both ends leave it empty.</summary>
    public string InternalSharedSecret { get; init; } = "";

    /// <summary>The largest frame this end sends or accepts (the length field's value).</summary>
    public int MaxFrameSize { get; init; } = RpcFrame.DefaultMaxFrameSize;

    /// <summary>Null: plain TCP. Otherwise the TLS handshake comes first and the service byte is sent inside it.</summary>
    public RpcClientTls? Tls { get; init; }

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(InternalSharedSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, RpcFrame.MinLength);
    }
}
