using System.Text.Json.Serialization;

namespace Cairn.Meta.Ctl;

// The JSON bodies of the meta HTTP API (docs/meta-api.md) as `cairn ctl` reads them. Shard and
// owner ids arrive as JSON strings (as InfluxDB Enterprise sends them); numbers are accepted too.
// Times stay strings so that nanoseconds and the sender's zone offset survive to the output.

/// <summary>GET /status.</summary>
internal sealed class MetaNodeStatus
{
    public string NodeType { get; set; } = "";
    public string Leader { get; set; } = "";
    public string HttpAddr { get; set; } = "";
    public string RaftAddr { get; set; } = "";
    public List<string>? Peers { get; set; }
}

/// <summary>GET /show-cluster.</summary>
internal sealed class ClusterNodes
{
    // null when a server writes an empty Go slice as null
    public List<ClusterNode>? Data { get; set; }
    public List<ClusterNode>? Meta { get; set; }
}

/// <summary>A data node (addr = HTTP, tcpAddr = RPC) or a meta node (addr = HTTP, tcpAddr = Raft).</summary>
internal sealed class ClusterNode
{
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public ulong Id { get; set; }
    public string Addr { get; set; } = "";
    public string HttpScheme { get; set; } = "";
    public string TcpAddr { get; set; } = "";
    public string Version { get; set; } = "";
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>The answer of POST /add-meta, /add-data and /update-data.</summary>
internal sealed class NodeInfo
{
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public ulong Id { get; set; }
    public string Addr { get; set; } = "";
    public string TcpAddr { get; set; } = "";
}

/// <summary>One element of GET /show-shards.</summary>
internal sealed class ClusterShard
{
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public ulong Id { get; set; }

    public string Database { get; set; } = "";

    [JsonPropertyName("retention-policy")]
    public string RetentionPolicy { get; set; } = "";

    [JsonPropertyName("replica-n")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int ReplicaN { get; set; }

    [JsonPropertyName("shard-group-id")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public ulong ShardGroupId { get; set; }

    [JsonPropertyName("start-time")]
    public string StartTime { get; set; } = "";

    [JsonPropertyName("end-time")]
    public string EndTime { get; set; } = "";

    [JsonPropertyName("expire-time")]
    public string ExpireTime { get; set; } = "";

    [JsonPropertyName("truncated-at")]
    public string TruncatedAt { get; set; } = "";

    public List<ShardOwner>? Owners { get; set; }
}

/// <summary>An owner of a shard; state, last-modified, size and err come only with verbose=true.</summary>
internal sealed class ShardOwner
{
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public ulong Id { get; set; }

    public string TcpAddr { get; set; } = "";

    public string State { get; set; } = "";

    [JsonPropertyName("last-modified")]
    public string LastModified { get; set; } = "";

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long Size { get; set; }

    public string? Err { get; set; }
}

/// <summary>Every error answer: <c>{"error":"…"}</c>.</summary>
internal sealed class MetaErrorBody
{
    public string? Error { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(MetaNodeStatus))]
[JsonSerializable(typeof(ClusterNodes))]
[JsonSerializable(typeof(NodeInfo))]
[JsonSerializable(typeof(List<ClusterShard>))]
[JsonSerializable(typeof(MetaErrorBody))]
internal sealed partial class MetaApiJson : JsonSerializerContext;
