namespace Cairn.Common.Net.Rpc;

/// <summary>The fixed fields of a frame (layout in <see cref="RpcFrame"/>).</summary>
internal readonly record struct RpcFrameHeader(
    RpcFrameKind Kind,
    ulong RequestId,
    RpcStatus Status,
    ushort Method,
    uint DeadlineMilliseconds)
{
    public static RpcFrameHeader Request(ulong requestId, ushort method, uint deadlineMilliseconds) =>
        new(RpcFrameKind.Request, requestId, RpcStatus.Ok, method, deadlineMilliseconds);

    public static RpcFrameHeader Response(ulong requestId, ushort method, RpcStatus status) =>
        new(RpcFrameKind.Response, requestId, status, method, 0);
}
