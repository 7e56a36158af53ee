using System.Text.Json;
using Cairn.Cluster.Write;

namespace Cairn.Cluster;

/// <summary>
/// The data plane's <c>/debug/vars</c> entries, shaped as InfluxDB's (<c>name</c>, <c>tags</c>, <c>values</c>) with
/// Enterprise's measurement and field names: <c>write</c> (the coordinator), <c>cluster</c> (requests this node served
/// for other nodes), <c>rpc</c> (its calls to other nodes) and one <c>rpc_peer</c> per peer with the bytes each way.
/// </summary>
public sealed class ClusterStatistics(ClusterContext cluster, ShardWriter shards, PointsWriter writer)
{
    /// <summary>More entries from later parts (hinted handoff), written after these.</summary>
    public Action<Utf8JsonWriter>? More { get; set; }

    public void Write(Utf8JsonWriter json)
    {
        var w = writer.Statistics;
        Entry(json, "write", "write", [], [
            ("req", w.Req), ("pointReq", w.PointReq), ("pointReqLocal", w.PointReqLocal), ("pointReqRemote", w.PointReqRemote),
            ("pointReqHH", w.PointReqHH), ("writeOk", w.WriteOk), ("writePartial", w.WritePartial), ("writeTimeout", w.WriteTimeout),
            ("writeError", w.WriteError), ("writeDrop", w.WriteDrop)]);

        var s = cluster.Service;
        var (connections, streams) = cluster.Client.Totals;
        Entry(json, "cluster", "cluster", [], [
            ("writeShardReq", shards.WriteShardReq), ("writeShardPointsReq", shards.WriteShardPointsReq), ("writeShardFail", shards.WriteShardFail),
            ("createIteratorReq", s.Requests(ClusterMethod.ScanSeries) + s.Requests(ClusterMethod.ShardPartials)),
            ("fieldDimensionsReq", s.Requests(ClusterMethod.ShardSchema)), ("expandSourcesReq", s.Requests(ClusterMethod.ShardIndex)),
            ("showQueriesReq", s.Requests(ClusterMethod.ListQueries)), ("killQueryReq", s.Requests(ClusterMethod.KillQuery)),
            ("executeStatementReq", s.Requests(ClusterMethod.ExecuteLocal)),
            ("bytesReceived", s.BytesReceived), ("bytesSent", s.BytesSent),
            ("openConnections", s.Rpc?.Statistics.ConnectionsOpen ?? 0)]);

        long calls = 0, failures = 0, read = 0, written = 0, dials = 0;
        var peers = cluster.Client.Statistics;
        foreach (var p in peers)
        {
            calls += p.Calls;
            failures += p.Failures;
            read += p.BytesReceived;
            written += p.BytesSent;
            dials += p.Dials;
        }
        Entry(json, "rpc", "rpc", [], [
            ("liveConnections", connections), ("liveStreams", streams), ("rpcCalls", calls), ("rpcFailures", failures),
            ("rpcReadBytes", read), ("rpcWriteBytes", written), ("totalConnections", dials)]);
        foreach (var p in peers)
            Entry(json, "rpc:" + p.Address, "rpc_peer", [("peer", p.Address)], [
                ("rpcCalls", p.Calls), ("rpcFailures", p.Failures), ("rpcReadBytes", p.BytesReceived), ("rpcWriteBytes", p.BytesSent),
                ("liveConnections", p.OpenConnections), ("liveStreams", p.LiveStreams), ("dials", p.Dials), ("dialFailures", p.DialFailures)]);
        More?.Invoke(json);
    }

    /// <summary>One expvar entry: <c>"key": {"name": …, "tags": {…}, "values": {…}}</c>.</summary>
    public static void Entry(Utf8JsonWriter json, string key, string name, (string Key, string Value)[] tags, (string Key, long Value)[] values)
    {
        json.WriteStartObject(key);
        json.WriteString("name", name);
        json.WriteStartObject("tags");
        foreach (var (k, v) in tags) json.WriteString(k, v);
        json.WriteEndObject();
        json.WriteStartObject("values");
        foreach (var (k, v) in values) json.WriteNumber(k, v);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
