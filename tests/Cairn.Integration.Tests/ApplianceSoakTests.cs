using System.Diagnostics;
using System.Net;

namespace Cairn.Integration.Tests;

/// <summary>
/// Long runs for `./build.sh soak` (category Soak, left out of `./build.sh test`): many
/// start/stop cycles, and sustained HTTP load with a bound on memory growth.
/// </summary>
[Category("Soak")]
public class ApplianceSoakTests
{
    [Test]
    public async Task RepeatedStartStop_EveryCycleReadyAndCleanExit()
    {
        const int Cycles = 60;
        await using var sandbox = new Sandbox();
        for (int i = 0; i < Cycles; i++)
        {
            var process = sandbox.Run(["--role", i % 3 == 0 ? "both" : i % 3 == 1 ? "data" : "meta"], Sandbox.LoopbackEnvironment());
            await process.WaitForReadyAsync();
            process.Signal(i % 2 == 0 ? CairnProcess.SIGTERM : CairnProcess.SIGINT);
            int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await Assert.That(code).IsEqualTo(0).Because($"cycle {i}: {process.Stderr}");
        }
    }

    [Test]
    public async Task SustainedPingLoad_AllAnswered_MemoryBounded()
    {
        const int Requests = 200_000, Clients = 8;
        var timeLimit = TimeSpan.FromSeconds(300);
        await using var sandbox = new Sandbox();
        var process = sandbox.Run(["--role", "data"], Sandbox.LoopbackEnvironment());
        var ready = await process.WaitForReadyAsync();
        long rssBefore = RssKiB(process.Pid);

        int sent = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        using var http = Sandbox.Http(ready["http"]);
        var workers = Enumerable.Range(0, Clients).Select(async _ =>
        {
            while (Interlocked.Increment(ref sent) <= Requests && clock.Elapsed < timeLimit)
            {
                using var response = await http.GetAsync("/ping");
                if (response.StatusCode != HttpStatusCode.NoContent) Interlocked.Increment(ref failures);
            }
        });
        await Task.WhenAll(workers);

        await Assert.That(failures).IsEqualTo(0);
        await Assert.That(clock.Elapsed).IsLessThan(timeLimit);
        long rssAfter = RssKiB(process.Pid);
        await Assert.That(rssAfter - rssBefore).IsLessThan(32 * 1024).Because($"RSS {rssBefore} KiB -> {rssAfter} KiB");
        process.Signal(CairnProcess.SIGTERM);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
    }

    private static long RssKiB(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
