using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cairn.Meta.Ctl;

/// <summary>
/// The text of `show` in influxd-ctl's 1.10+ layout: data nodes, meta nodes, then the Raft
/// status, each table aligned as Go's tabwriter with minimum width 8 and padding 2:
/// <code>
/// Data Nodes
/// ==========
/// ID      TCP Address  HTTP Address  Version        Labels  Passive
/// 4       data1:8088   data1:8086    1.11.8-c0.1.0  {}      false
///
/// Meta Nodes
/// ==========
/// ID      Raft Address  HTTP Address  Version        Labels
/// 1       meta1:8089    meta1:8091    1.11.8-c0.1.0  {}
///
/// Raft Status
/// ==========
/// Leader  meta1:8089
/// Peers   ["meta2:8089", "meta3:8089"]
/// </code>
/// </summary>
internal static class ClusterListing
{
    private const int MinWidth = 8;
    private const int Padding = 2;

    public static void Write(TextWriter output, ClusterNodes cluster, MetaNodeStatus status)
    {
        output.Write("Data Nodes\n==========\n");
        var data = new TextTable(MinWidth, Padding).Row("ID", "TCP Address", "HTTP Address", "Version", "Labels", "Passive");
        foreach (var node in Ascending(cluster.Data))
            data.Row(Id(node), node.TcpAddr, node.Addr, Version(node), Labels(node.Labels), "false");
        data.WriteTo(output);
        output.Write('\n');

        output.Write("Meta Nodes\n==========\n");
        var meta = new TextTable(MinWidth, Padding).Row("ID", "Raft Address", "HTTP Address", "Version", "Labels");
        foreach (var node in Ascending(cluster.Meta))
            meta.Row(Id(node), node.TcpAddr, node.Addr, Version(node), Labels(node.Labels));
        meta.WriteTo(output);
        output.Write('\n');

        output.Write("Raft Status\n==========\n");
        new TextTable(MinWidth, Padding)
            .Row("Leader", status.Leader)
            .Row("Peers", Peers(status))
            .WriteTo(output);
    }

    private static List<ClusterNode> Ascending(List<ClusterNode>? nodes)
    {
        var sorted = new List<ClusterNode>(nodes ?? []);
        sorted.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return sorted;
    }

    private static string Id(ClusterNode node) => node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Version(ClusterNode node) => node.Version.Length == 0 ? "unknown" : node.Version;

    /// <summary>The peers other than the leader, as the documented output lists them: <c>["m2:8089", "m3:8089"]</c>.</summary>
    internal static string Peers(MetaNodeStatus status)
    {
        var sb = new StringBuilder("[");
        foreach (var peer in status.Peers ?? [])
        {
            if (peer == status.Leader) continue;
            if (sb.Length > 1) sb.Append(", ");
            sb.Append('"').Append(peer).Append('"');
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Labels as compact JSON with keys sorted, as Go's encoding/json writes a map.</summary>
    internal static string Labels(Dictionary<string, string>? labels)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (labels is not null)
            {
                var keys = new List<string>(labels.Keys);
                keys.Sort(StringComparer.Ordinal);
                foreach (var key in keys) json.WriteString(key, labels[key]);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
