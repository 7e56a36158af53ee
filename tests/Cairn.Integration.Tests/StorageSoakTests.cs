using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>Long storage runs for `./build.sh soak`: a node holding 10 million values restarts fast, from its files.</summary>
[Category("Soak")]
public class StorageSoakTests
{
    [Test]
    public async Task TenMillionValues_RestartToReadyWithinTwoSeconds_WithoutRebuildingTheIndex()
    {
        const int Hosts = 1000, Steps = 1000, Fields = 10, Batch = 5000;
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var configPath = sandbox.WriteFile("soak.toml", sandbox.LoopbackToml(Sandbox.LicenseToml(license),
            dataExtra: "cache-snapshot-write-cold-duration = \"1s\"\ncompact-full-write-cold-duration = \"3s\""));
        var process = sandbox.Run(["--config", configPath]);
        var ready = await process.WaitForReadyAsync();
        using (var http = Sandbox.Http(ready["http"]))
        {
            http.Timeout = TimeSpan.FromSeconds(120);
            await DataNode.QueryAsync(http, "CREATE DATABASE soak");
            var bodies = new List<string>();
            var text = new StringBuilder();
            int lines = 0;
            for (int s = 0; s < Steps; s++)
                for (int h = 0; h < Hosts; h++)
                {
                    text.Append("cpu,hostname=host_").Append(h).Append(",region=eu-west-1,rack=").Append(h % 100).Append(' ');
                    for (int f = 0; f < Fields; f++)
                        text.Append(f == 0 ? "" : ",").Append("usage_").Append(f).Append('=').Append((s * 7 + h * 3 + f) % 100).Append('i');
                    text.Append(' ').Append(1_600_000_000_000_000_000L + s * 10_000_000_000L).Append('\n');
                    if (++lines % Batch == 0) { bodies.Add(text.ToString()); text.Clear(); }
                }
            int next = -1, failures = 0;
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < bodies.Count)
                {
                    var (status, _) = await DataNode.WriteAsync(http, "soak", bodies[i]);
                    if (status != HttpStatusCode.NoContent) Interlocked.Increment(ref failures);
                }
            })));
            await Assert.That(failures).IsEqualTo(0);

            // Let the cache go cold and the shard compact fully.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                using var vars = JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
                var shards = vars.RootElement.EnumerateObject().Where(p => p.Name.StartsWith("shard:soak:", StringComparison.Ordinal))
                    .Select(p => p.Value.GetProperty("values")).ToList();
                if (shards.Count > 0 && shards.All(v => v.GetProperty("cacheBytes").GetInt64() == 0 && v.GetProperty("fullCompactions").GetInt64() > 0)) break;
                await Task.Delay(250);
            }
        }
        process.Signal(CairnProcess.SIGTERM);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(30))).IsEqualTo(0);
        var seriesLog = Directory.GetFiles(sandbox.PathOf("data"), "series.log", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        var started = Stopwatch.StartNew();
        var again = sandbox.Run(["--config", configPath]);
        var readyAgain = await again.WaitForReadyAsync();
        var elapsed = started.Elapsed;
        Console.WriteLine($"restart with {Hosts * Steps * Fields:N0} values: READY after {elapsed.TotalMilliseconds:F0} ms");
        await Assert.That(elapsed).IsLessThan(TimeSpan.FromSeconds(2)).Because($"restart took {elapsed.TotalMilliseconds:F0} ms");
        await Assert.That(seriesLog).IsLessThan(64 * 1024).Because("the series log was not merged into the mapped index file");
        using (var http = Sandbox.Http(readyAgain["http"]))
        {
            var (_, cardinality) = await DataNode.QueryAsync(http, "SHOW SERIES EXACT CARDINALITY", "soak");
            await Assert.That(cardinality).Contains($"[[{Hosts}]]");
        }
        again.Signal(CairnProcess.SIGTERM);
        await Assert.That(await again.WaitForExitAsync(TimeSpan.FromSeconds(30))).IsEqualTo(0);
        var (code, exported, stderr) = await DataNode.ExportAsync(sandbox, configPath);
        await Assert.That(code).IsEqualTo(0).Because(stderr);
        await Assert.That(exported.Length).IsEqualTo(Hosts * Steps * Fields);
    }
}
