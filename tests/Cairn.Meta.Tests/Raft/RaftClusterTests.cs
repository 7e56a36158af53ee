using Cairn.Meta.Raft;
using Cairn.Meta.Store;
using Cairn.Meta.Tests.Store;

namespace Cairn.Meta.Tests.Raft;

/// <summary>Three (or four) meta nodes' Raft on loopback TCP: formation, failover, partitions, snapshots, restarts.</summary>
public class RaftClusterTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    /// <summary>Bootstraps a, then adds b and c one at a time, as add-meta does.</summary>
    private static async Task<RaftHarness> ThreeNodes(RaftOptions? options = null)
    {
        var h = new RaftHarness(options);
        var a = await h.StartAsync("a");
        var b = await h.StartAsync("b");
        var c = await h.StartAsync("c");
        var boot = await a.Node!.BootstrapAsync(CancellationToken.None);
        if (!boot.IsOk || boot.NodeId != 1) throw new InvalidOperationException($"bootstrap: {boot}");
        foreach (var m in new[] { b, c })
        {
            var added = await h.ProposeAsync(new CreateMetaNodeCommand(m.Http, m.Address), Within);
            if (!added.IsOk) throw new InvalidOperationException($"add {m.Name}: {added}");
        }
        await h.ConvergedAsync(3, Within);
        return h;
    }

    [Test]
    public async Task Bootstrap_ThenAddTwo_AllApplyTheSameStateWithThreeMembers()
    {
        await using var h = await ThreeNodes();
        var result = await h.ProposeAsync(new CreateDatabaseCommand("db0"), Within);
        await Assert.That(result.IsOk).IsTrue();
        var state = await h.ConvergedAsync(result.Index, Within);
        await Assert.That(state.Database("db0")).IsNotNull();
        await Assert.That(state.MetaNodes.Select(n => n.Id).ToArray()).IsEquivalentTo(new ulong[] { 1, 2, 3 });
        foreach (var m in h.Members)
            await Assert.That(m.Node!.Members.Count).IsEqualTo(3);
        var leader = await h.LeaderAsync(Within);
        foreach (var m in h.Members.Where(m => m != leader))
        {
            await Assert.That(m.Node!.Leader).IsEqualTo(leader.Address);
            await Assert.That(m.Node.LeaderHttp).IsEqualTo(leader.Http);
            await Assert.That(async () => await m.Node.ProposeAsync(new CreateDatabaseCommand("x"), CancellationToken.None))
                .Throws<NotLeaderException>();
        }
    }

    [Test]
    public async Task KillLeader_NewLeaderServes_NoAcknowledgedCommandLost_OldLeaderCatchesUp()
    {
        await using var h = await ThreeNodes();
        var acknowledged = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            await h.ProposeAsync(new CreateDatabaseCommand("before" + i), Within);
            acknowledged.Add("before" + i);
        }
        var old = await h.LeaderAsync(Within);
        await h.StopAsync(old);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var next = await h.LeaderAsync(TimeSpan.FromSeconds(5));
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(5));
        await Assert.That(next).IsNotEqualTo(old);
        for (int i = 0; i < 5; i++)
        {
            await h.ProposeAsync(new CreateDatabaseCommand("after" + i), Within);
            acknowledged.Add("after" + i);
        }
        await h.RestartAsync(old);
        var state = await h.ConvergedAsync(0, Within);
        await h.ConvergedAsync(state.Index, Within);
        foreach (var m in h.Members)
            foreach (var name in acknowledged)
                await Assert.That(m.Node!.State.Database(name)).IsNotNull();
    }

    [Test]
    public async Task PartitionedMember_MajorityServes_MinorityRefuses_ThenHeals()
    {
        await using var h = await ThreeNodes();
        var leader = await h.LeaderAsync(Within);
        var cut = h.Members.First(m => m != leader);
        cut.Isolated = true;
        var result = await h.ProposeAsync(new CreateDatabaseCommand("majority"), Within);
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(cut.Node!.State.Database("majority")).IsNull();
        await Assert.That(async () => await cut.Node.ProposeAsync(new CreateDatabaseCommand("minority"), CancellationToken.None))
            .Throws<NotLeaderException>();

        // Isolating the leader itself: it steps down within its lease, the other two elect a leader and serve.
        var oldLeader = await h.LeaderAsync(Within);
        cut.Isolated = false;
        oldLeader.Isolated = true;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (oldLeader.Node!.Role == RaftRole.Leader && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Assert.That(oldLeader.Node.Role).IsNotEqualTo(RaftRole.Leader);
        var served = await h.ProposeAsync(new CreateDatabaseCommand("second"), Within);
        await Assert.That(served.IsOk).IsTrue();

        oldLeader.Isolated = false;
        var state = await h.ConvergedAsync(served.Index, Within);
        await Assert.That(state.Database("majority")).IsNotNull();
        await Assert.That(state.Database("second")).IsNotNull();
        await Assert.That(state.Database("minority")).IsNull();
    }

    [Test]
    public async Task Snapshots_CompactTheLog_AndBringANewMemberUp()
    {
        var options = RaftHarness.FastOptions with { SnapshotInterval = 5 };
        await using var h = await ThreeNodes(options);
        for (int i = 0; i < 23; i++) await h.ProposeAsync(new CreateDatabaseCommand("db" + i), Within);
        var d = await h.StartAsync("d");
        await h.ProposeAsync(new CreateMetaNodeCommand(d.Http, d.Address), Within);
        var last = await h.ProposeAsync(new CreateUserCommand("u", "hash", false), Within);
        var state = await h.ConvergedAsync(last.Index, Within);
        await Assert.That(state.MetaNodes.Length).IsEqualTo(4);
        await Assert.That(d.Node!.State.Database("db22")).IsNotNull();
        await Assert.That(File.Exists(Path.Combine(d.Dir, "raft.snapshot"))).IsTrue();

        // Every member restarts from its snapshot and log and comes back to the same state.
        foreach (var m in h.Members.ToList()) await h.StopAsync(m);
        foreach (var m in h.Members.ToList()) await h.RestartAsync(m);
        await h.LeaderAsync(Within);
        var after = await h.ProposeAsync(new CreateDatabaseCommand("after-restart"), Within);
        var restored = await h.ConvergedAsync(after.Index, Within);
        await Assert.That(restored.Database("db22")).IsNotNull();
        await Assert.That(restored.User("u")).IsNotNull();
    }

    [Test]
    public async Task RemoveMember_LeavesTwo_WhichStillCommit()
    {
        await using var h = await ThreeNodes();
        var leader = await h.LeaderAsync(Within);
        var gone = h.Members.First(m => m != leader);
        var id = leader.Node!.State.MetaNodeByAddr(gone.Address)!.Id;
        await h.ProposeAsync(new DeleteMetaNodeCommand(id), Within);
        await h.StopAsync(gone);
        var result = await h.ProposeAsync(new CreateDatabaseCommand("two"), Within);
        var state = await h.ConvergedAsync(result.Index, Within);
        await Assert.That(state.MetaNodes.Length).IsEqualTo(2);
        await Assert.That(state.Database("two")).IsNotNull();
        foreach (var m in h.Running) await Assert.That(m.Node!.Members.Count).IsEqualTo(2);
    }

    [Test]
    public async Task RandomHistory_WithKills_EveryAcknowledgedCommandIsApplied_InAnOrderConsistentWithRealTime()
    {
        await using var h = await ThreeNodes();
        var random = new Random(7);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var acknowledged = new List<(string Name, long Start, long End, ulong Index)>();
        for (int round = 0; round < 6; round++)
        {
            // Four clients, each proposing one change after another, while a random member is stopped and restarted.
            var clients = Enumerable.Range(0, 4).Select(async i =>
            {
                for (int op = 0; op < 4; op++)
                {
                    string name = $"r{round}c{i}o{op}";
                    long started = clock.ElapsedTicks;
                    try
                    {
                        // The leader may be stopped between the lookup and the call: then the outcome is unknown, not acknowledged.
                        var node = (await h.LeaderAsync(Within)).Node;
                        if (node is null) continue;
                        var result = await node.ProposeAsync(new CreateDatabaseCommand(name), CancellationToken.None);
                        lock (acknowledged) acknowledged.Add((name, started, clock.ElapsedTicks, result.Index));
                    }
                    catch (Exception e) when (e is NotLeaderException or RaftUnavailableException or TimeoutException or ObjectDisposedException) { }
                }
            }).ToList();
            var victim = h.Members[random.Next(h.Members.Count)];
            await Task.Delay(random.Next(0, 30));
            await h.StopAsync(victim);
            await Task.WhenAll(clients);
            await h.RestartAsync(victim);
        }
        var last = await h.ProposeAsync(new CreateDatabaseCommand("final"), Within);
        var state = await h.ConvergedAsync(last.Index, Within);
        await Assert.That(acknowledged.Count).IsGreaterThan(20);

        // The sequential model is a list of databases in creation order. Every acknowledged change is in it, and an
        // operation acknowledged before another began comes first in it (linearizability of acknowledged writes).
        var position = state.Databases.Select((db, i) => (db.Name, i)).ToDictionary(p => p.Name, p => p.i);
        foreach (var a in acknowledged)
            await Assert.That(position.ContainsKey(a.Name)).IsTrue().Because($"{a.Name} was acknowledged at index {a.Index}");
        foreach (var a in acknowledged)
            foreach (var b in acknowledged)
                if (a.End < b.Start)
                    await Assert.That(position[a.Name]).IsLessThan(position[b.Name]).Because($"{a.Name} ended before {b.Name} began");
    }
}

public class RaftTransportTests
{
    [Test]
    public async Task WrongInternalSharedSecret_ConnectionRefused_RightOneAnswered()
    {
        await using var h = new RaftHarness();
        var a = await h.StartAsync("a");
        await a.Node!.BootstrapAsync(CancellationToken.None);
        var vote = new RequestVote(1, "127.0.0.1:1", 0, 0);

        await using var wrong = new TcpRaftTransport("not-the-secret");
        await Assert.That(async () => await wrong.SendAsync(a.Address, vote, TimeSpan.FromSeconds(3), CancellationToken.None))
            .Throws<IOException>();

        await using var right = new TcpRaftTransport(h.Secret);
        var reply = await right.SendAsync(a.Address, vote, TimeSpan.FromSeconds(3), CancellationToken.None);
        await Assert.That(reply).IsTypeOf<RequestVoteReply>();
        // a leads in term 1, so the stranger's vote request is refused, but it was heard.
        await Assert.That(((RequestVoteReply)reply).Granted).IsFalse();
    }
}
