namespace Cairn.Common.Net.Rpc;

/// <summary>
/// A call that did not end in <see cref="RpcStatus.Ok"/>: the server's status and message, or a
/// status the client chose (DeadlineExceeded when its deadline passed, Unavailable when the
/// connection was lost or could not be made).
/// </summary>
public class RpcException : Exception
{
    public RpcException(RpcStatus status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    public RpcStatus Status { get; }
}
