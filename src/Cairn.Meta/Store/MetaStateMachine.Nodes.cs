using System.Collections.Immutable;

namespace Cairn.Meta.Store;

// Cluster membership: meta nodes (the Raft members) and data nodes, with ids from the one sequence
// (MaxNodeId) they share, and the layout of a new shard group over the data nodes.
public static partial class MetaStateMachine
{
    private static Outcome CreateMetaNode(MetaState state, CreateMetaNodeCommand c)
    {
        if (string.IsNullOrEmpty(c.TcpAddr) || string.IsNullOrEmpty(c.HttpAddr))
            return Outcome.Fail(MetaErrorCode.InvalidName, "meta node address required");
        foreach (var node in state.MetaNodes)
        {
            if (node.TcpAddr == c.TcpAddr) return Outcome.Unchanged() with { NodeId = node.Id };
            if (node.HttpAddr == c.HttpAddr) return Outcome.Fail(MetaErrorCode.NodeExists, $"meta node already exists at {c.HttpAddr}");
        }
        ulong id = state.MaxNodeId + 1;
        var next = state with { MaxNodeId = id, MetaNodes = state.MetaNodes.Add(new NodeInfo(id, c.HttpAddr, c.TcpAddr)) };
        return Outcome.To(next) with { NodeId = id };
    }

    private static Outcome DeleteMetaNode(MetaState state, DeleteMetaNodeCommand c)
    {
        for (int i = 0; i < state.MetaNodes.Length; i++)
            if (state.MetaNodes[i].Id == c.Id)
                return Outcome.To(state with { MetaNodes = state.MetaNodes.RemoveAt(i) }) with { NodeId = c.Id };
        return Outcome.Unchanged();
    }

    private static Outcome CreateDataNode(MetaState state, CreateDataNodeCommand c)
    {
        if (string.IsNullOrEmpty(c.TcpAddr)) return Outcome.Fail(MetaErrorCode.InvalidName, "data node address required");
        if (state.DataNodeByTcpAddr(c.TcpAddr) is { } existing)
        {
            if (existing.HttpAddr == c.HttpAddr || c.HttpAddr.Length == 0) return Outcome.Unchanged() with { NodeId = existing.Id };
            return Outcome.To(ReplaceDataNode(state, existing with { HttpAddr = c.HttpAddr })) with { NodeId = existing.Id };
        }
        if (c.MaxDataNodes > 0 && state.DataNodes.Length >= c.MaxDataNodes)
            return Outcome.Fail(MetaErrorCode.DataNodeLimit, MetaErrors.DataNodeLimit(c.MaxDataNodes, state.DataNodes.Length));
        ulong id = state.MaxNodeId + 1;
        var next = state with { MaxNodeId = id, DataNodes = state.DataNodes.Add(new NodeInfo(id, c.HttpAddr, c.TcpAddr)) };
        return Outcome.To(next) with { NodeId = id };
    }

    private static Outcome DeleteDataNode(MetaState state, DeleteDataNodeCommand c)
    {
        int at = -1;
        for (int i = 0; i < state.DataNodes.Length; i++)
            if (state.DataNodes[i].Id == c.Id) at = i;
        if (at < 0) return Outcome.Unchanged();
        // As Enterprise since 1.7.10: the node's shards are not reassigned, they lose a replica.
        var databases = state.Databases.Select(db => db with
        {
            RetentionPolicies = db.RetentionPolicies.Select(rp => rp with
            {
                ShardGroups = rp.ShardGroups.Select(g => g with
                {
                    Shards = g.Shards.Select(s => s.OwnedBy(c.Id) ? s with { Owners = s.Owners.Remove(c.Id) } : s).ToImmutableArray(),
                }).ToImmutableArray(),
            }).ToImmutableArray(),
        }).ToImmutableArray();
        return Outcome.To(state with { DataNodes = state.DataNodes.RemoveAt(at), Databases = databases }) with { NodeId = c.Id };
    }

    private static Outcome UpdateDataNode(MetaState state, UpdateDataNodeCommand c)
    {
        if (state.DataNode(c.Id) is not { } node) return Outcome.Fail(MetaErrorCode.NodeNotFound, MetaErrors.NodeNotFound);
        if (string.IsNullOrEmpty(c.TcpAddr)) return Outcome.Fail(MetaErrorCode.InvalidName, "data node address required");
        if (state.DataNodeByTcpAddr(c.TcpAddr) is { } other && other.Id != c.Id)
            return Outcome.Fail(MetaErrorCode.NodeExists, $"data node already exists at {c.TcpAddr}");
        var updated = node with { TcpAddr = c.TcpAddr, HttpAddr = c.HttpAddr.Length == 0 ? node.HttpAddr : c.HttpAddr };
        if (updated == node) return Outcome.Unchanged() with { NodeId = c.Id };
        return Outcome.To(ReplaceDataNode(state, updated)) with { NodeId = c.Id };
    }

    private static MetaState ReplaceDataNode(MetaState state, NodeInfo node)
    {
        for (int i = 0; i < state.DataNodes.Length; i++)
            if (state.DataNodes[i].Id == node.Id) return state with { DataNodes = state.DataNodes.SetItem(i, node) };
        return state;
    }

    /// <summary>
    /// A new group's shards over the data nodes (Enterprise's rule): floor(nodes / RF) shards, at least one,
    /// each with min(RF, nodes) owners, handed out round-robin from a start that moves with the group id so
    /// successive groups spread their first owners.
    /// </summary>
    internal static ImmutableArray<ShardInfo> LayOutShards(ImmutableArray<NodeInfo> dataNodes, int replicaN, ulong groupId, ulong firstShardId)
    {
        int nodes = dataNodes.Length;
        int rf = Math.Clamp(replicaN, 1, nodes);
        int shardCount = Math.Max(1, nodes / rf);
        int next = (int)(groupId % (ulong)nodes);
        var shards = ImmutableArray.CreateBuilder<ShardInfo>(shardCount);
        for (int s = 0; s < shardCount; s++)
        {
            var owners = ImmutableArray.CreateBuilder<ulong>(rf);
            for (int o = 0; o < rf; o++)
            {
                owners.Add(dataNodes[next].Id);
                next = (next + 1) % nodes;
            }
            shards.Add(new ShardInfo(firstShardId + (ulong)s, owners.MoveToImmutable()));
        }
        return shards.MoveToImmutable();
    }
}
