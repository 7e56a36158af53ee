using System.Diagnostics;

namespace Cairn.Integration.Tests;

/// <summary>
/// A real network partition of one meta node: it runs in its own network namespace, joined by a veth link that
/// the test takes down. The majority keeps serving, the cut-off node refuses changes, and after the link comes
/// back it catches up. Needs root (ip netns), so it runs with the soak tests (`./build.sh soak`).
/// </summary>
[NotInParallel("cluster")]
[Category("Soak")]
public class ClusterPartitionTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Test]
    public async Task PartitionedMetaNode_MajorityServes_MinorityRefusesChanges_ThenCatchesUp()
    {
        await using var ns = await NetworkNamespace.CreateAsync();
        await using var c = await ClusterHarness.CreateAsync();
        // m1 and m2 on the outer side of the link, m3 inside the namespace; they reach each other over the veth.
        var m1 = c.AddMeta("m1", host: ns.OuterAddress);
        var m2 = c.AddMeta("m2", host: ns.OuterAddress);
        var m3 = c.AddMeta("m3", host: ns.InnerAddress, networkNamespace: ns.Name);
        var d1 = c.AddData("d1");
        await Task.WhenAll(c.StartAsync(m1), c.StartAsync(m2), c.StartAsync(m3), c.StartAsync(d1));
        await c.FormAsync();
        await ClusterHarness.QueryAsync(d1, "CREATE DATABASE before");

        await ns.PartitionAsync();

        // The majority serves: a change through the data node is acknowledged.
        var clock = Stopwatch.StartNew();
        string answer = "";
        while (clock.Elapsed < Within)
        {
            answer = await ClusterHarness.QueryAsync(d1, "CREATE USER during WITH PASSWORD 'p'");
            if (!answer.Contains("\"error\"")) break;
            await Task.Delay(200);
        }
        await Assert.That(answer).DoesNotContain("\"error\"");
        var leader = await c.LeaderAsync(Within);
        await Assert.That(leader).IsNotEqualTo(m3);

        // The minority refuses changes: m3, asked from inside its namespace, has no leader to commit with.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (code, stdout, stderr) = await c.CtlAsync(m3, "truncate-shards");
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(stdout + stderr).Contains("no meta leader is elected");

        // Healed, m3 catches up: it lists the user created while it was cut off.
        await ns.HealAsync();
        clock.Restart();
        string users = "";
        while (clock.Elapsed < Within)
        {
            users = await UsersOfAsync(m3);
            if (users.Contains("\"during\"")) break;
            await Task.Delay(200);
        }
        await Assert.That(users).Contains("\"during\"");
    }

    /// <summary>GET /user on a meta node, or "" when it does not answer.</summary>
    private static async Task<string> UsersOfAsync(ClusterHarness.Node m3)
    {
        try
        {
            using var http = m3.Client;
            http.Timeout = TimeSpan.FromSeconds(3);
            return await http.GetStringAsync("/user");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return ""; }
    }
}
