using Cairn.Meta.Store;
using Cairn.Storage.Engine;

namespace Cairn.Cluster;

/// <summary><c>[cluster]</c> timeouts the data plane applies.</summary>
public sealed class ClusterTimeouts
{
    /// <summary><c>write-timeout</c>: how long a write waits for the owners the consistency level needs.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>shard-reader-timeout</c>: how long one remote shard read may take before another owner is tried (0 = 10 s).</summary>
    public TimeSpan ShardReaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>allow-out-of-order-writes</c>: write to a node directly even while hinted handoff holds writes for it.</summary>
    public bool AllowOutOfOrderWrites { get; init; }
}

/// <summary>
/// What the cluster features of a data node share: the meta view, the local shards, the client to the other data
/// nodes and the service answering them, and which data node this is. On a single server (meta and data in one
/// process) there are no data nodes in meta: every shard is local and no RPC is made.
/// </summary>
public sealed class ClusterContext(IMetaStore meta, TsdbStore store, ClusterClient client, ClusterService service, Func<ulong> localNodeId,
    ClusterTimeouts timeouts)
{
    public IMetaStore Meta { get; } = meta;
    public TsdbStore Store { get; } = store;
    public ClusterClient Client { get; } = client;
    public ClusterService Service { get; } = service;
    public ClusterTimeouts Timeouts { get; } = timeouts;

    /// <summary>This data node's id in meta; 0 before it joined (and on a single server).</summary>
    public ulong LocalNodeId => localNodeId();

    /// <summary>True when shards may live on other nodes: this node has joined a cluster that lists data nodes.</summary>
    public bool IsClustered(MetaState state) => LocalNodeId != 0 && state.DataNodes.Length > 0;

    /// <summary>True when this node holds (or should hold) <paramref name="shard"/>: it owns it, or nothing is clustered.</summary>
    public bool IsLocal(MetaState state, ShardInfo shard) =>
        !IsClustered(state) || shard.Owners.IsEmpty || shard.Owners.Contains(LocalNodeId);

    /// <summary>The RPC address of data node <paramref name="nodeId"/>, or null when meta does not know it.</summary>
    public static string? Address(MetaState state, ulong nodeId) => state.DataNode(nodeId)?.TcpAddr is { Length: > 0 } a ? a : null;
}
