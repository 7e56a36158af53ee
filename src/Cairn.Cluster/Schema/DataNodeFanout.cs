using Cairn.Common.Net.Rpc;
using Cairn.Meta.Store;

namespace Cairn.Cluster.Schema;

/// <summary>
/// Runs a delete or drop on every other data node's own shards (<see cref="ClusterMethod.ExecuteLocal"/>), in
/// parallel, each within <c>write-timeout</c>. As InfluxDB Enterprise, a node that cannot be reached fails the
/// statement: the answer names it (the statement is idempotent, so running it again completes it).
/// </summary>
public static class DataNodeFanout
{
    /// <summary>Null when every other data node ran the statement; else the first error, naming the node.</summary>
    public static async Task<string?> ExecuteOnPeersAsync(ClusterContext cluster, MetaState state, string statement, string database, long now,
        CancellationToken cancellationToken)
    {
        if (!cluster.IsClustered(state)) return null;
        var request = ExecuteLocalMessage.Request(statement, database, now);
        var calls = new List<Task<string?>>();
        foreach (var node in state.DataNodes)
        {
            if (node.Id == cluster.LocalNodeId) continue;
            calls.Add(ExecuteOnAsync(cluster, node, request, cancellationToken));
        }
        var errors = await Task.WhenAll(calls).ConfigureAwait(false);
        foreach (var error in errors)
            if (error is not null) return error;
        return null;
    }

    private static async Task<string?> ExecuteOnAsync(ClusterContext cluster, NodeInfo node, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        string name = Describe(node);
        if (node.TcpAddr.Length == 0) return name + ": no RPC address in meta";
        try
        {
            var response = await cluster.Client.CallAsync(node.TcpAddr, ClusterMethod.ExecuteLocal, request, cluster.Timeouts.WriteTimeout, cancellationToken)
                .ConfigureAwait(false);
            // The node's own statement error (a field in a DELETE's WHERE) reads as it would on a single server.
            return ExecuteLocalMessage.ReadResponse(response);
        }
        catch (RpcException e)
        {
            return name + ": " + e.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return name + ": timed out";
        }
    }

    /// <summary>"data node 4 (host:8088)", as errors name a node.</summary>
    public static string Describe(NodeInfo node) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"data node {node.Id} ({node.TcpAddr})");
}
