namespace Cairn.Meta.Store;

/// <summary>
/// A member of the cluster. For a meta node <see cref="HttpAddr"/> is its meta API (8091) and
/// <see cref="TcpAddr"/> its Raft address (8089); for a data node they are its public API (8086) and its
/// cluster RPC address (8088), as /show-cluster reports them.
/// </summary>
public sealed record NodeInfo(ulong Id, string HttpAddr, string TcpAddr);
