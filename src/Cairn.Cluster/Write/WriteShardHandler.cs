using Cairn.Meta.Store;

namespace Cairn.Cluster.Write;

/// <summary>The owner's end of <see cref="ClusterMethod.WriteShard"/>: a coordinator's (or hinted handoff's) points for one of its shards.</summary>
public static class WriteShardHandler
{
    /// <summary>How long an owner waits for its meta copy to reach the coordinator's before it judges the shard.</summary>
    private static readonly TimeSpan MetaCatchUp = TimeSpan.FromSeconds(5);

    public static void Register(ClusterContext cluster, ShardWriter writer) =>
        cluster.Service.Handle(ClusterMethod.WriteShard, async (request, deadline) =>
        {
            var (shardId, database, rp, metaIndex, payload) = PointsWriter.DecodeWriteShard(request);
            var state = await CatchUpAsync(cluster.Meta, metaIndex, deadline).ConfigureAwait(false);
            var shard = Find(state, database, rp, shardId);
            if (shard is null)
            {
                writer.CountRemote(0, failed: true);
                throw new ClusterRejectedException($"shard {shardId} not found in {database}.{rp}");
            }
            if (cluster.IsClustered(state) && !shard.Owners.IsEmpty && !shard.Owners.Contains(cluster.LocalNodeId))
            {
                writer.CountRemote(0, failed: true);
                throw new ClusterRejectedException($"shard {shardId} is not owned by node {cluster.LocalNodeId}");
            }
            try
            {
                var result = await writer.WriteAsync(database, rp, shardId, payload, deadline).ConfigureAwait(false);
                writer.CountRemote(result.Written + result.Dropped, failed: false);
                return PointsWriter.EncodeWriteShardResponse(result);
            }
            catch (Cairn.Storage.Engine.CacheFullException e)
            {
                writer.CountRemote(0, failed: true);
                throw new IOException("engine: " + e.Message, e);
            }
        });

    /// <summary>The meta state once it has reached <paramref name="index"/>, or the latest after a bounded wait.</summary>
    private static async Task<MetaState> CatchUpAsync(IMetaStore meta, ulong index, CancellationToken deadline)
    {
        var state = meta.Current;
        if (state.Index >= index) return state;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        wait.CancelAfter(MetaCatchUp);
        try
        {
            while (state.Index < index) state = await meta.WaitForIndexAsync(state.Index, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
        {
        }
        return meta.Current;
    }

    private static ShardInfo? Find(MetaState state, string database, string rp, ulong shardId)
    {
        var policy = state.RetentionPolicy(database, rp);
        if (policy is null) return null;
        foreach (var group in policy.ShardGroups)
        {
            if (group.Deleted) continue;
            foreach (var shard in group.Shards)
                if (shard.Id == shardId) return shard;
        }
        return null;
    }
}
