using System.Diagnostics;
using System.Text;

namespace Cairn.Integration.Tests;

/// <summary>
/// Issue 6's slow-node acceptance: a data node reached through a loopback proxy that holds every byte for seconds.
/// Reads of the shards it owns fail over to the other owner within <c>shard-reader-timeout</c> instead of hanging.
/// </summary>
[NotInParallel("cluster")]
public class ClusterSlowNodeTests
{
    private const long Base = 1_700_000_000_000_000_000;

    [Test]
    public async Task SlowOwnerBehindADelayingProxy_ReadsFailOverWithinTheReaderTimeout()
    {
        await using var c = await ClusterHarness.CreateAsync();
        const string readerTimeout = "[cluster]\nshard-reader-timeout = \"1s\"";
        for (int i = 1; i <= 3; i++) c.AddMeta("m" + i);
        for (int i = 1; i <= 3; i++) c.AddData("d" + i, sections: readerTimeout);
        await Task.WhenAll([.. c.Meta.Select(c.StartAsync), .. c.Data.Select(c.StartAsync)]);
        var (d1, d2, d3) = (c.Data[0], c.Data[1], c.Data[2]);
        await using var proxy = new DelayProxy(d2.Tcp);
        // The cluster knows d2 by the proxy's address: every other node's RPC to d2 passes through it.
        foreach (var m in c.Meta) await c.CtlOk(c.Meta[0], "add-meta", m.Http);
        await c.CtlOk(c.Meta[0], "add-data", d1.Tcp);
        await c.CtlOk(c.Meta[0], "add-data", proxy.Address);
        await c.CtlOk(c.Meta[0], "add-data", d3.Tcp);

        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE db WITH REPLICATION 2");
        foreach (var d in c.Data) await ClusterHarness.EventuallyAsync(d, "SHOW DATABASES", ["\"db\""], TimeSpan.FromSeconds(20));
        // Six weekly groups: their single shards are owned by two of the three nodes in turn, so d2 owns four.
        var body = new StringBuilder();
        int points = 0;
        for (int week = 0; week < 6; week++)
            for (int s = 0; s < 10; s++, points++)
                body.Append($"cpu,host=h{s} v={week * 10 + s} {Base + week * 7L * 24 * 3600 * 1_000_000_000}\n");
        using (var http = d1.Client)
        {
            var response = await http.PostAsync("/write?db=db&consistency=all", new StringContent(body.ToString()));
            await Assert.That((int)response.StatusCode).IsEqualTo(204).Because(await response.Content.ReadAsStringAsync());
        }
        string expected = $"\"values\":[[\"1970-01-01T00:00:00Z\",{points}]]";
        foreach (var d in new[] { d1, d3 }) await ClusterHarness.EventuallyAsync(d, "SELECT count(v) FROM db..cpu", [expected], TimeSpan.FromSeconds(20));

        proxy.Delay = TimeSpan.FromSeconds(4);
        foreach (var through in new[] { d1, d3 })
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                var clock = Stopwatch.StartNew();
                var answer = await ClusterHarness.QueryAsync(through, "SELECT count(v) FROM cpu", "db");
                clock.Stop();
                await Assert.That(answer).Contains(expected).Because($"through {through.Name}: {answer}");
                // One reader timeout (1 s) for the first shard tried on d2; later shards try d2 last. Never the proxy's 4 s.
                await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(3.5)).Because($"through {through.Name}, attempt {attempt}");
            }
        }
        // The proxied node was tried and given up on: its calls failed (past the reader timeout) on the coordinators.
        long failures = 0;
        foreach (var through in new[] { d1, d3 })
        {
            var vars = await ClusterWriteTests.DebugVarsAsync(through);
            if (vars.TryGetProperty("rpc:" + proxy.Address, out var peer)) failures += peer.GetProperty("values").GetProperty("rpcFailures").GetInt64();
        }
        await Assert.That(failures).IsGreaterThan(0);
        var raw = await ClusterHarness.QueryAsync(d3, "SELECT v FROM cpu WHERE host = 'h3'", "db");
        await Assert.That(raw.Split("\"20").Length - 1).IsEqualTo(6).Because(raw);
    }
}
