using System.Diagnostics;
using System.Net;
using System.Text;

namespace Cairn.Integration.Tests;

/// <summary>The engine as a user sees it through the published binary: mapped files, compaction to one file, restart.</summary>
public class StorageEngineTests
{
    private static string Lines(int hosts, int steps, long start = 1_600_000_000_000_000_000L)
    {
        var text = new StringBuilder();
        for (int s = 0; s < steps; s++)
            for (int h = 0; h < hosts; h++)
                text.Append("cpu,host=h").Append(h).Append(" usage=").Append(s * 0.5 + h).Append(",n=").Append(s).Append("i ")
                    .Append(start + s * 10_000_000_000L).Append('\n');
        return text.ToString();
    }

    private static async Task<long> SnapshotsAsync(HttpClient http)
    {
        using var vars = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
        return vars.RootElement.EnumerateObject().Where(p => p.Name.StartsWith("shard:eng:", StringComparison.Ordinal))
            .Sum(p => p.Value.GetProperty("values").GetProperty("snapshots").GetInt64());
    }

    [Test]
    public async Task ShardFilesAreMapped_AndAColdShardCompactsToOneFile()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var (process, ready) = await sandbox.StartAsync(
            sandbox.LoopbackToml(Sandbox.LicenseToml(license), dataExtra: DataNode.EagerEngineToml(cacheSnapshot: "16k", fullCold: "2s")),
            DataNode.EagerEngineEnvironment());
        using var http = Sandbox.Http(ready["http"]);
        await DataNode.QueryAsync(http, "CREATE DATABASE eng");
        for (int batch = 0; batch < 6; batch++)
        {
            var (status, body) = await DataNode.WriteAsync(http, "eng", Lines(50, 40, 1_600_000_000_000_000_000L + batch * 400_000_000_000L));
            await Assert.That(status).IsEqualTo(HttpStatusCode.NoContent).Because(body);
            // Let each batch become its own file, however slowly the machine runs the maintenance loop.
            var waited = Stopwatch.StartNew();
            while (await SnapshotsAsync(http) <= batch && waited.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        }

        // Snapshots have written files; a query runs while they are mapped into the process.
        var clock = Stopwatch.StartNew();
        while (!DataNode.DataFiles(sandbox).Any() && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50);
        var (qs, measurements) = await DataNode.QueryAsync(http, "SHOW MEASUREMENTS", "eng");
        await Assert.That(measurements).Contains("cpu");
        // Compaction may swap files between listing and reading the maps: look again until both agree (bounded).
        var mapped = new List<string>();
        for (int attempt = 0; attempt < 50 && mapped.Count == 0; attempt++)
        {
            var maps = await File.ReadAllTextAsync($"/proc/{process.Pid}/maps");
            mapped = DataNode.DataFiles(sandbox).Where(f => maps.Contains(f)).ToList();
            if (mapped.Count == 0) await Task.Delay(100);
        }
        await Assert.That(mapped.Count).IsGreaterThan(0).Because("no .csf file appears in /proc/PID/maps");

        // No writes for compact-full-write-cold-duration: the shard ends with exactly one data file.
        clock.Restart();
        System.Text.Json.JsonElement shard = default;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            using var vars = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
            shard = vars.RootElement.EnumerateObject().Single(p => p.Name.StartsWith("shard:eng:autogen:", StringComparison.Ordinal)).Value.GetProperty("values").Clone();
            if (shard.GetProperty("fullCompactions").GetInt64() >= 1) break;
            await Task.Delay(100);
        }
        await Assert.That(shard.GetProperty("snapshots").GetInt64()).IsGreaterThanOrEqualTo(2);
        await Assert.That(shard.GetProperty("fullCompactions").GetInt64()).IsGreaterThanOrEqualTo(1);
        await Assert.That(shard.GetProperty("files").GetInt64()).IsEqualTo(1);
        await Assert.That(DataNode.DataFiles(sandbox).Count()).IsEqualTo(1);

        process.Signal(CairnProcess.SIGTERM);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(15))).IsEqualTo(0);
        var (code, lines, stderr) = await DataNode.ExportAsync(sandbox, sandbox.Dir + "/" + Directory.GetFiles(sandbox.Dir, "cairn-*.toml").Select(Path.GetFileName).Single());
        await Assert.That(code).IsEqualTo(0).Because(stderr);
        await Assert.That(lines.Length).IsEqualTo(6 * 50 * 40 * 2); // two fields per point
    }
}
