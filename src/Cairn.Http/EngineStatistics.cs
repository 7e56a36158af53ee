using System.Globalization;
using System.Text.Json;
using Cairn.Storage.Engine;

namespace Cairn.Http;

/// <summary>
/// One <c>/debug/vars</c> entry per shard, shaped as InfluxDB's (<c>name</c>, <c>tags</c>, <c>values</c>),
/// with the engine's file, cache, snapshot and compaction counters.
/// </summary>
public static class EngineStatistics
{
    public static void Write(Utf8JsonWriter json, TsdbStore store)
    {
        foreach (var shard in store.AllShards)
        {
            var stats = shard.Statistics;
            string id = shard.Id.ToString(CultureInfo.InvariantCulture);
            json.WriteStartObject($"shard:{shard.Database}:{shard.RetentionPolicy}:{id}");
            json.WriteString("name", "shard");
            json.WriteStartObject("tags");
            json.WriteString("database", shard.Database);
            json.WriteString("engine", "cairn");
            json.WriteString("id", id);
            json.WriteString("path", shard.DataDirectory);
            json.WriteString("retentionPolicy", shard.RetentionPolicy);
            json.WriteString("walPath", shard.WalDirectory);
            json.WriteEndObject();
            json.WriteStartObject("values");
            json.WriteNumber("cacheBytes", stats.CacheBytes);
            json.WriteNumber("cacheValues", stats.CacheValues);
            json.WriteNumber("diskBytes", stats.DiskBytes);
            json.WriteNumber("files", stats.Files);
            json.WriteNumber("fullCompactions", stats.FullCompactions);
            json.WriteNumber("compactions", stats.Compactions);
            json.WriteNumber("seriesN", stats.SeriesCount);
            json.WriteNumber("snapshots", stats.Snapshots);
            json.WriteBoolean("tombstones", stats.HasTombstones);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }
}
