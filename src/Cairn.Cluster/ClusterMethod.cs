namespace Cairn.Cluster;

/// <summary>
/// The methods of the cluster RPC service (service byte 2 on the RPC port, docs/rpc.md). Part of the wire
/// protocol between data nodes: never renumber.
/// </summary>
public enum ClusterMethod : ushort
{
    /// <summary>Write a points payload to one shard this node owns.</summary>
    WriteShard = 1,

    /// <summary>A shard's series index for a query: measurements, fields, tag keys and series.</summary>
    ShardSchema = 2,

    /// <summary>The values of series fields of one shard in a time range (the row path of a distributed query).</summary>
    ScanSeries = 3,

    /// <summary>Per-window partial aggregates of series fields of one shard (the partials path of a distributed query).</summary>
    ShardPartials = 4,

    /// <summary>The queries running on this node (SHOW QUERIES).</summary>
    ListQueries = 5,

    /// <summary>Kill one of this node's queries (KILL QUERY … ON).</summary>
    KillQuery = 6,

    /// <summary>Run a statement against this node's own shards only (deletes and drops fanned out by the coordinator).</summary>
    ExecuteLocal = 7,

    /// <summary>Is this data node up: answers its node id.</summary>
    Ping = 8,

    /// <summary>A shard's whole series index (series keys and field types) for meta queries gathered from every shard.</summary>
    ShardIndex = 9,
}

/// <summary>Statuses the cluster service answers beyond the framing's (256 and up, see RpcStatus).</summary>
public static class ClusterStatus
{
    /// <summary>The request is refused for good (unknown database, shard deleted): retrying will not help.</summary>
    public const ushort Rejected = 256;

    /// <summary>The answer would be larger than the method answers in one piece: ask again for less (fewer series).</summary>
    public const ushort TooLarge = 257;
}
