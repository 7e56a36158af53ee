namespace Cairn.Cluster.Query;

/// <summary>
/// The data nodes that failed a read during one query: the query's other shard readers try them last, so a slow or
/// dead node costs the query one <c>shard-reader-timeout</c>, not one per shard.
/// </summary>
public sealed class OwnerFailures
{
    private readonly HashSet<ulong> _failed = [];

    public void Failed(ulong nodeId)
    {
        lock (_failed) _failed.Add(nodeId);
    }

    public bool HasFailed(ulong nodeId)
    {
        lock (_failed) return _failed.Contains(nodeId);
    }

    /// <summary><paramref name="owners"/> with the nodes that failed moved to the end (otherwise in their order).</summary>
    public ShardOwner[] Order(IReadOnlyList<ShardOwner> owners)
    {
        var ordered = new List<ShardOwner>(owners.Count);
        lock (_failed)
        {
            foreach (var owner in owners) if (!_failed.Contains(owner.NodeId)) ordered.Add(owner);
            foreach (var owner in owners) if (_failed.Contains(owner.NodeId)) ordered.Add(owner);
        }
        return [.. ordered];
    }
}
