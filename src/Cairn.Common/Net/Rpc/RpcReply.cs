using System.Text;

namespace Cairn.Common.Net.Rpc;

/// <summary>A handler's answer: a status and its payload (for errors, a UTF-8 message).</summary>
public readonly struct RpcReply
{
    private RpcReply(RpcStatus status, ReadOnlyMemory<byte> payload)
    {
        Status = status;
        Payload = payload;
    }

    public RpcStatus Status { get; }
    public ReadOnlyMemory<byte> Payload { get; }

    public static RpcReply Ok(ReadOnlyMemory<byte> payload) => new(RpcStatus.Ok, payload);

    public static RpcReply Error(RpcStatus status, string message)
    {
        if (status == RpcStatus.Ok) throw new ArgumentException("an error reply needs an error status", nameof(status));
        return new RpcReply(status, Encoding.UTF8.GetBytes(message));
    }

    public static RpcReply UnknownMethod(ushort method) => Error(RpcStatus.UnknownMethod, $"unknown method {method}");
}
