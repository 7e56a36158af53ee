namespace Cairn.Common.Net.Rpc;

/// <summary>Counters of one <see cref="RpcService"/>, for /debug/vars and tests.</summary>
public sealed class RpcServiceStatistics
{
    internal long _connectionsOpen;
    internal long _connectionsAccepted;
    internal long _handshakesRefused;
    internal long _requests;
    internal long _deadlinesExceeded;
    internal long _handlerFailures;
    internal long _protocolErrors;

    public long ConnectionsOpen => Volatile.Read(ref _connectionsOpen);
    /// <summary>Connections that passed the handshake.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);
    /// <summary>Connections refused because their proof did not match the secret.</summary>
    public long HandshakesRefused => Volatile.Read(ref _handshakesRefused);
    public long Requests => Volatile.Read(ref _requests);
    public long DeadlinesExceeded => Volatile.Read(ref _deadlinesExceeded);
    /// <summary>Handlers that threw (answered Internal).</summary>
    public long HandlerFailures => Volatile.Read(ref _handlerFailures);
    /// <summary>Connections closed because the peer broke the framing (oversized frame, bad version, …).</summary>
    public long ProtocolErrors => Volatile.Read(ref _protocolErrors);
}
