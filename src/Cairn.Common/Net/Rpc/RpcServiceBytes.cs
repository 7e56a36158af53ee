namespace Cairn.Common.Net.Rpc;

/// <summary>
/// The first byte of a connection to the cluster RPC port (8088) names its service
/// (docs/rpc.md). The numbers are part of the wire protocol: never renumber.
/// </summary>
public static class RpcServiceBytes
{
    /// <summary>The meta leader telling a data node to join or leave the cluster.</summary>
    public const byte MetaControl = 1;

    /// <summary>Data node to data node: shard writes, distributed queries, query management.</summary>
    public const byte Cluster = 2;

    /// <summary>Snapshots and backups of shards.</summary>
    public const byte Snapshotter = 3;
}
