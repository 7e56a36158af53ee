namespace Cairn.Common.Net.Rpc;

/// <summary>
/// Answers one request. <paramref name="deadlineToken"/> fires at the caller's deadline or when
/// the listener stops; the service answers DeadlineExceeded (or Unavailable) then whether or not
/// the handler has returned, but a handler that ignores the token keeps running, so observe it.
/// The payload is pooled: it is valid until the handler's task completes and its reply has been
/// written (a reply may return the request's bytes), so a handler copies what it keeps beyond that. A thrown exception answers Internal with its message.
/// </summary>
public delegate ValueTask<RpcReply> RpcHandler(ushort method, ReadOnlyMemory<byte> payload, CancellationToken deadlineToken);
