namespace Cairn.Common.Net.Rpc;

internal enum RpcFrameKind : byte
{
    Request = 1,
    Response = 2,
}
