namespace Cairn.Common.Net.Rpc;

public sealed class RpcClientOptions
{
    /// <summary>[meta] internal-shared-secret; empty is a valid secret when both ends leave it empty.</summary>
    public string InternalSharedSecret { get; init; } = "";

    /// <summary>The largest frame this end sends or accepts (the length field's value).</summary>
    public int MaxFrameSize { get; init; } = RpcFrame.DefaultMaxFrameSize;

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(InternalSharedSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, RpcFrame.MinLength);
    }
}
