using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Cairn.Integration.Tests;

/// <summary>
/// The published binary killed with SIGKILL at random moments during continuous writes, with
/// snapshots and compactions forced often: after each restart every acknowledged point is there,
/// with its value, and no file is damaged.
/// </summary>
public class CrashRecoveryTests
{
    [Test]
    public Task SigkillDuringWrites_FiveTimes_LosesNoAcknowledgedPoint() => RunAsync(kills: 5, seed: 5);

    [Test, Category("Soak")]
    public Task SigkillDuringWritesAndCompaction_TwentyFiveTimes_LosesNoAcknowledgedPoint() => RunAsync(kills: 25, seed: 25, fullCold: "300ms");

    internal static async Task RunAsync(int kills, int seed, string fullCold = "2s")
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var toml = sandbox.LoopbackToml(Sandbox.LicenseToml(license), dataExtra: DataNode.EagerEngineToml(cacheSnapshot: "32k", fullCold: fullCold));
        var configPath = sandbox.WriteFile("crash.toml", toml);
        var environment = DataNode.EagerEngineEnvironment();
        var random = new Random(seed);
        var acknowledged = new Dictionary<(string Series, long Time), long>();
        long sequence = 0;

        for (int round = 0; round < kills; round++)
        {
            var process = sandbox.Run(["--config", configPath], environment);
            var ready = await process.WaitForReadyAsync(TimeSpan.FromSeconds(30));
            using var http = Sandbox.Http(ready["http"]);
            if (round == 0)
            {
                var (status, body) = await DataNode.QueryAsync(http, "CREATE DATABASE crash");
                await Assert.That(status).IsEqualTo(HttpStatusCode.OK).Because(body);
            }

            // Two writers, each batch a run of fresh timestamps over a few series; only 204s count.
            var stop = Stopwatch.StartNew();
            var killAfter = TimeSpan.FromMilliseconds(random.Next(400, 1600));
            var gate = new Lock();
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                while (stop.Elapsed < killAfter + TimeSpan.FromSeconds(2))
                {
                    var batch = new List<((string, long), long)>();
                    var text = new StringBuilder();
                    for (int i = 0; i < 300; i++)
                    {
                        long n = Interlocked.Increment(ref sequence);
                        string series = $"m,writer={w},s={n % 7}";
                        long time = 1_600_000_000_000_000_000L + n * 1000;
                        text.Append(series).Append(" v=").Append(n).Append("i ").Append(time).Append('\n');
                        batch.Add(((series, time), n));
                    }
                    try
                    {
                        var (status, _) = await DataNode.WriteAsync(http, "crash", text.ToString());
                        if (status != HttpStatusCode.NoContent) continue;
                        lock (gate)
                            foreach (var (key, value) in batch) acknowledged[key] = value;
                    }
                    catch (HttpRequestException) { return; }
                    catch (TaskCanceledException) { return; }
                }
            })).ToArray();
            await Task.Delay(killAfter);
            process.Signal(CairnProcess.SIGKILL);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await Task.WhenAll(writers);
        }

        // The node recovered and serves; stop it cleanly, then read everything back offline.
        var last = sandbox.Run(["--config", configPath], environment);
        await last.WaitForReadyAsync(TimeSpan.FromSeconds(30));
        last.Signal(CairnProcess.SIGTERM);
        await Assert.That(await last.WaitForExitAsync(TimeSpan.FromSeconds(15))).IsEqualTo(0);

        var (code, lines, stderr) = await DataNode.ExportAsync(sandbox, configPath);
        await Assert.That(code).IsEqualTo(0).Because(stderr);
        var found = new Dictionary<(string, long), long>();
        foreach (var line in lines)
        {
            // m,s=3,writer=0 v=123i 1600000000000123000
            var parts = line.Split(' ');
            var series = Canonical(parts[0]);
            found[(series, long.Parse(parts[2], CultureInfo.InvariantCulture))] = long.Parse(parts[1][2..^1], CultureInfo.InvariantCulture);
        }
        await Assert.That(acknowledged.Count).IsGreaterThan(kills * 300);
        await Assert.That(DataNode.DataFiles(sandbox).Any()).IsTrue().Because("no snapshot ever ran, so no file was at risk");
        int missing = 0, wrong = 0;
        foreach (var ((series, time), value) in acknowledged)
        {
            if (!found.TryGetValue((Canonical(series), time), out long got)) missing++;
            else if (got != value) wrong++;
        }
        Console.WriteLine($"{kills} SIGKILLs: {acknowledged.Count:N0} acknowledged values, {missing} missing, {wrong} wrong, {DataNode.DataFiles(sandbox).Count()} data files at the end");
        await Assert.That(missing).IsEqualTo(0).Because($"{missing} of {acknowledged.Count} acknowledged points are gone");
        await Assert.That(wrong).IsEqualTo(0);
    }

    /// <summary>Tags sorted, as the series key stores them.</summary>
    private static string Canonical(string series)
    {
        var parts = series.Split(',');
        return parts[0] + string.Concat(parts.Skip(1).Order(StringComparer.Ordinal).Select(p => "," + p));
    }
}
