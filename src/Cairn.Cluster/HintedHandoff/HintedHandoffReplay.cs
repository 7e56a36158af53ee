using System.Globalization;
using System.Text.Json;
using Cairn.Common.Net.Rpc;
using Cairn.Meta.Store;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>How a data node uses its hinted-handoff queues: replay over RPC, queues of removed nodes dropped, statistics.</summary>
public static class HintedHandoffReplay
{
    /// <summary>Replays a queued WriteShard request to its node: refused for good when the node or its shard is gone.</summary>
    public static HintedWriteSender Sender(ClusterContext cluster) => async (nodeId, shardId, request, cancellationToken) =>
    {
        var state = cluster.Meta.Current;
        if (state.DataNodes.Length > 0 && state.DataNode(nodeId) is null)
            throw new HintedWriteRejectedException($"data node {nodeId} is no longer in the cluster");
        string address = ClusterContext.Address(state, nodeId) ?? throw new IOException($"data node {nodeId} has no address yet");
        try
        {
            await cluster.Client.CallAsync(address, ClusterMethod.WriteShard, request, cluster.Timeouts.WriteTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when ((ushort)e.Status == ClusterStatus.Rejected)
        {
            throw new HintedWriteRejectedException(e.Message);
        }
    };

    /// <summary>Drops the queue of every node meta no longer lists, as meta changes.</summary>
    public static async Task DropRemovedNodesAsync(IMetaStore meta, ClusterContext cluster, HintedHandoffService handoff, CancellationToken stop)
    {
        var state = meta.Current;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (cluster.LocalNodeId != 0 && state.DataNodes.Length > 0)
                    foreach (var queue in handoff.Statistics)
                        if (state.DataNode(queue.Node) is null) await handoff.DropNodeAsync(queue.Node).ConfigureAwait(false);
                state = await meta.WaitForIndexAsync(state.Index, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>The <c>hh</c> entry and one <c>hh_processor</c> entry per destination node.</summary>
    public static void WriteStatistics(Utf8JsonWriter json, HintedHandoffService handoff)
    {
        ClusterStatistics.Entry(json, "hh", "hh", [("path", handoff.Directory)],
            [("writeShardReq", handoff.WriteShardReq), ("writeShardReqPoints", handoff.WriteShardReqPoints)]);
        foreach (var s in handoff.Statistics)
        {
            string node = s.Node.ToString(CultureInfo.InvariantCulture);
            ClusterStatistics.Entry(json, "hh_processor:" + node, "hh_processor", [("node", node), ("path", s.Path)], [
                ("bytesRead", s.BytesRead), ("bytesWritten", s.BytesWritten), ("queueBytes", s.QueueBytes), ("queueDepth", s.QueueDepth),
                ("writeBlocked", s.WriteBlocked), ("writeDropped", s.WriteDropped), ("writeNodeReq", s.WriteNodeReq),
                ("writeNodeReqFail", s.WriteNodeReqFail), ("writeNodeReqPoints", s.WriteNodeReqPoints), ("writeShardReq", s.WriteShardReq),
                ("writeShardReqPoints", s.WriteShardReqPoints)]);
        }
    }
}
