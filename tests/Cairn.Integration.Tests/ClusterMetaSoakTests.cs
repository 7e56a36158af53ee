using System.Diagnostics;

namespace Cairn.Integration.Tests;

/// <summary>
/// The long form of the meta history check (`./build.sh soak`): concurrent clients change the metadata through two
/// data nodes while meta nodes are killed with SIGKILL and restarted. Every acknowledged change must be visible at
/// the end, and an operation acknowledged before another began must come first (real-time order). The short form, with
/// in-process Raft members, is RaftClusterTests.RandomHistory_WithKills_…
/// </summary>
[NotInParallel("cluster")]
[Category("Soak")]
public class ClusterMetaSoakTests
{
    [Test]
    public async Task RandomHistory_WithMetaKills_EveryAcknowledgedChangeVisible_InEachClientsOrder()
    {
        await using var c = await ClusterHarness.StartAsync(meta: 3, data: 2);
        await c.FormAsync();
        var random = new Random(11);
        var acknowledged = new List<(int Client, int Seq, string Name, long Start, long End)>();
        var time = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var clients = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            var node = c.Data[client % 2];
            for (int seq = 0; !stop.IsCancellationRequested && seq < 100_000; seq++)
            {
                string name = $"c{client}s{seq}";
                long started = time.ElapsedTicks;
                try
                {
                    var body = await ClusterHarness.QueryAsync(node, $"CREATE DATABASE {name}");
                    if (!body.Contains("\"error\"")) lock (acknowledged) acknowledged.Add((client, seq, name, started, time.ElapsedTicks));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            }
        })).ToList();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(random.Next(500, 3000));
            var victim = c.Meta[random.Next(c.Meta.Count)];
            await c.KillAsync(victim);
            await Task.Delay(random.Next(200, 2000));
            await c.StartAsync(victim);
        }
        stop.Cancel();
        await Task.WhenAll(clients);
        await Assert.That(acknowledged.Count).IsGreaterThan(50);

        // The model: a set of databases, each client's in the order it created them.
        foreach (var node in c.Data)
        {
            var deadline = Stopwatch.StartNew();
            string body = await ClusterHarness.QueryAsync(node, "SHOW DATABASES");
            while (deadline.Elapsed < TimeSpan.FromSeconds(30) && acknowledged.Any(a => !body.Contains($"\"{a.Name}\"")))
            {
                await Task.Delay(200);
                body = await ClusterHarness.QueryAsync(node, "SHOW DATABASES");
            }
            foreach (var a in acknowledged) await Assert.That(body).Contains($"\"{a.Name}\"");
            // Creation order is SHOW DATABASES order: an operation acknowledged before another began comes first.
            var position = acknowledged.ToDictionary(a => a.Name, a => body.IndexOf($"\"{a.Name}\"", StringComparison.Ordinal));
            foreach (var a in acknowledged)
                foreach (var b in acknowledged)
                    if (a.End < b.Start && position[a.Name] > position[b.Name])
                        await Assert.That(position[a.Name]).IsLessThan(position[b.Name]).Because($"{a.Name} ended before {b.Name} began");
        }
    }
}
