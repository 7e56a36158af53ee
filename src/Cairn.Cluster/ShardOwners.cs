using Cairn.Common.Net.Rpc;
using Cairn.Meta.Store;

namespace Cairn.Cluster;

/// <summary>One owner of a shard as a reader tries it: this node, or a peer at its RPC address.</summary>
public readonly record struct ShardOwner(ulong NodeId, string? Address)
{
    public bool IsLocal => Address is null;
}

/// <summary>Thrown when no owner of a shard a read needs answered.</summary>
public sealed class ShardUnavailableException(ulong shardId, string reason)
    : IOException($"shard {shardId}: no owner answered: {reason}")
{
    public ulong ShardId { get; } = shardId;
}

/// <summary>Orders the owners of a shard for reads: this node first when it owns the shard, then the others from a rotating start.</summary>
public static class ShardOwners
{
    private static int _rotation;

    /// <summary>
    /// The owners to try for <paramref name="shard"/>, local first (when <paramref name="localHasShard"/>), then the
    /// peers meta has an address for, starting at a rotating position so reads spread over replicas.
    /// </summary>
    public static List<ShardOwner> ForRead(ClusterContext cluster, MetaState state, ShardInfo shard, bool localHasShard)
    {
        var owners = new List<ShardOwner>(shard.Owners.Length + 1);
        ulong self = cluster.LocalNodeId;
        if (!cluster.IsClustered(state) || shard.Owners.IsEmpty)
        {
            if (localHasShard) owners.Add(new ShardOwner(self, null));
            return owners;
        }
        if (localHasShard && shard.Owners.Contains(self)) owners.Add(new ShardOwner(self, null));
        int n = shard.Owners.Length;
        int start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)n);
        for (int i = 0; i < n; i++)
        {
            ulong id = shard.Owners[(start + i) % n];
            if (id == self) continue;
            if (ClusterContext.Address(state, id) is { } address) owners.Add(new ShardOwner(id, address));
        }
        return owners;
    }

    /// <summary>
    /// Runs <paramref name="read"/> against the owners in turn until one answers. A peer that fails (unreachable,
    /// past <c>shard-reader-timeout</c>, or erring) is skipped; when none answers, <see cref="ShardUnavailableException"/>
    /// names the shard and the last failure. A refusal for good (<see cref="ClusterStatus.Rejected"/>) is not retried, nor is an answer too large
    /// (<see cref="ClusterStatus.TooLarge"/>: every owner would answer the same).
    /// </summary>
    public static async Task<T> ReadAsync<T>(ulong shardId, IReadOnlyList<ShardOwner> owners, Func<ShardOwner, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        string reason = "no owner has an address";
        foreach (var owner in owners)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await read(owner, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when ((ushort)e.Status is not (ClusterStatus.Rejected or ClusterStatus.TooLarge))
            {
                reason = $"node {owner.NodeId}: {e.Message}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                reason = $"node {owner.NodeId}: timed out";
            }
        }
        throw new ShardUnavailableException(shardId, reason);
    }
}
