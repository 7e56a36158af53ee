using System.Text;
using Cairn.Common.Net;
using Cairn.Common.Net.Rpc;
using NLog;

namespace Cairn.Cluster;

/// <summary>Answers one cluster method: the request payload in, the response payload out.</summary>
public delegate ValueTask<ReadOnlyMemory<byte>> ClusterMethodHandler(ReadOnlyMemory<byte> request, CancellationToken deadline);

/// <summary>Thrown by a handler to answer with <see cref="ClusterStatus.Rejected"/>: refused for good, do not retry.</summary>
public sealed class ClusterRejectedException(string message) : Exception(message);

/// <summary>Thrown by a handler to answer with <see cref="ClusterStatus.TooLarge"/>: the caller should ask for less.</summary>
public sealed class ClusterTooLargeException(string message) : Exception(message);

/// <summary>
/// The server side of the cluster service (service byte 2 on the RPC port): dispatches each method to the handler
/// the features registered, and counts requests per method (the <c>cluster</c> statistics).
/// </summary>
public sealed class ClusterService
{
    private static readonly Logger Log = LogManager.GetLogger("cluster");
    private readonly ClusterMethodHandler?[] _handlers = new ClusterMethodHandler?[32];
    private readonly long[] _requests = new long[32];
    private readonly long[] _failures = new long[32];
    private long _bytesReceived, _bytesSent;

    /// <summary>Registers the handler of <paramref name="method"/> (before <see cref="RegisterOn"/>).</summary>
    public void Handle(ClusterMethod method, ClusterMethodHandler handler) => _handlers[(int)method] = handler;

    public long Requests(ClusterMethod method) => Volatile.Read(ref _requests[(int)method]);

    public long Failures(ClusterMethod method) => Volatile.Read(ref _failures[(int)method]);

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long BytesSent => Volatile.Read(ref _bytesSent);

    public RpcService? Rpc { get; private set; }

    /// <summary>Serves the cluster service on <paramref name="listener"/> with the internal shared secret.</summary>
    public void RegisterOn(TcpServiceListener listener, string internalSharedSecret)
    {
        Rpc = new RpcService("cluster-rpc", HandleAsync, new RpcServiceOptions { InternalSharedSecret = internalSharedSecret, MaxConcurrentRequestsPerConnection = 256 });
        Rpc.RegisterOn(listener, RpcServiceBytes.Cluster);
    }

    private async ValueTask<RpcReply> HandleAsync(ushort method, ReadOnlyMemory<byte> payload, CancellationToken deadline)
    {
        if (method >= _handlers.Length || _handlers[method] is not { } handler) return RpcReply.UnknownMethod(method);
        Interlocked.Increment(ref _requests[method]);
        Interlocked.Add(ref _bytesReceived, payload.Length);
        try
        {
            var response = await handler(payload, deadline).ConfigureAwait(false);
            Interlocked.Add(ref _bytesSent, response.Length);
            return RpcReply.Ok(response);
        }
        catch (ClusterRejectedException e)
        {
            Interlocked.Increment(ref _failures[method]);
            return RpcReply.Error((RpcStatus)ClusterStatus.Rejected, e.Message);
        }
        catch (ClusterTooLargeException e)
        {
            return RpcReply.Error((RpcStatus)ClusterStatus.TooLarge, e.Message);
        }
        catch (InvalidDataException e)
        {
            Interlocked.Increment(ref _failures[method]);
            return RpcReply.Error(RpcStatus.BadRequest, e.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures[method]);
            return RpcReply.Error(RpcStatus.DeadlineExceeded, "deadline exceeded");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or KeyNotFoundException or ArgumentException)
        {
            Interlocked.Increment(ref _failures[method]);
            Log.Warn("cluster method {0} failed: {1}", (ClusterMethod)method, e.Message);
            return RpcReply.Error(RpcStatus.Internal, e.Message);
        }
    }

    /// <summary>A UTF-8 payload, for handlers that answer text.</summary>
    public static ReadOnlyMemory<byte> Text(string text) => Encoding.UTF8.GetBytes(text);
}
