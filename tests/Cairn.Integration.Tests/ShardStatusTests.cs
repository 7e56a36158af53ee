using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>GET /shard-status, InfluxDB Enterprise's data-node endpoint, on a single server.</summary>
public class ShardStatusTests
{
    [Test]
    public async Task ShardStatus_ListsTheShardsThisNodeHolds_HotAndCold_WithTheirSize()
    {
        await using var sandbox = new Sandbox();
        // Cold caches are written to shard files within a second, so the shards get a size on disk.
        var env = Sandbox.LoopbackEnvironment();
        env["CAIRN_ENGINE_MAINTENANCE_INTERVAL"] = "50ms";
        env["CAIRN_DATA_CACHE_SNAPSHOT_WRITE_COLD_DURATION"] = "500ms";
        var process = sandbox.Run([], env);
        var ready = await process.WaitForReadyAsync();
        using var http = Sandbox.Http(ready["http"]);
        await DataNode.QueryAsync(http, "CREATE DATABASE db0");
        await DataNode.QueryAsync(http, "CREATE DATABASE empty");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var (status, body) = await DataNode.WriteAsync(http, "db0", $"cpu v=1 1000000000000000000\ncpu v=2 {now}");
        await Assert.That((int)status).IsEqualTo(204).Because(body);

        JsonElement root = default;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            root = JsonDocument.Parse(await http.GetStringAsync("/shard-status")).RootElement;
            var sized = root.GetProperty("databases").EnumerateArray().SelectMany(d => d.GetProperty("retention_policies").EnumerateArray())
                .SelectMany(r => r.GetProperty("shards").EnumerateArray()).Count(s => s.TryGetProperty("size", out _));
            if (sized == 2) break;
            await Task.Delay(100);
        }
        var dbs = root.GetProperty("databases").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!);
        await Assert.That(dbs.Keys.Order().ToArray()).IsEquivalentTo(new[] { "db0", "empty" });
        var rp = dbs["db0"].GetProperty("retention_policies")[0];
        await Assert.That(rp.GetProperty("name").GetString()).IsEqualTo("autogen");
        await Assert.That(rp.GetProperty("replication_factor").GetInt32()).IsEqualTo(1);
        var shards = rp.GetProperty("shards").EnumerateArray().ToList();
        await Assert.That(shards.Count).IsEqualTo(2);
        await Assert.That(shards.Count(s => s.GetProperty("is_hot").GetBoolean())).IsEqualTo(1);
        // Once the caches are written out, each shard reports its bytes on disk ("size" is left out while it is 0).
        foreach (var s in shards)
            await Assert.That(s.TryGetProperty("size", out var size) && size.GetInt64() > 0).IsTrue().Because(s.ToString());
        await Assert.That(dbs["empty"].GetProperty("retention_policies")[0].GetProperty("shards").GetArrayLength()).IsEqualTo(0);

        using var post = await http.PostAsync("/shard-status", new StringContent(""));
        await Assert.That((int)post.StatusCode).IsEqualTo(405);
    }
}
