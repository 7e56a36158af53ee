using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

public class NodeCommandTests
{
    [Test]
    public async Task MetaAndDataNodes_ShareOneIdSequence_AndRepeatsKeepTheirIds()
    {
        var m = new Machine();
        await Assert.That(m.Run(new CreateMetaNodeCommand("m1:8091", "m1:8089")).NodeId).IsEqualTo(1UL);
        await Assert.That(m.Run(new CreateMetaNodeCommand("m2:8091", "m2:8089")).NodeId).IsEqualTo(2UL);
        await Assert.That(m.Run(new CreateMetaNodeCommand("m3:8091", "m3:8089")).NodeId).IsEqualTo(3UL);
        await Assert.That(m.Run(new CreateDataNodeCommand("d1:8086", "d1:8088", 0)).NodeId).IsEqualTo(4UL);
        var again = m.Run(new CreateDataNodeCommand("d1:8086", "d1:8088", 0));
        await Assert.That(again.NodeId).IsEqualTo(4UL);
        await Assert.That(again.Changed).IsFalse();
        await Assert.That(m.Run(new CreateDataNodeCommand("d2:8086", "d2:8088", 0)).NodeId).IsEqualTo(5UL);
        await Assert.That(m.State.MaxNodeId).IsEqualTo(5UL);
        await Assert.That(m.Run(new CreateMetaNodeCommand("m1:8091", "other:8089")).Code).IsEqualTo(MetaErrorCode.NodeExists);
    }

    [Test]
    public async Task CreateDataNode_PastTheLicenceCap_IsRefusedNamingTheCap()
    {
        var m = new Machine();
        await Assert.That(m.Run(new CreateDataNodeCommand("d1:8086", "d1:8088", 1)).IsOk).IsTrue();
        var refused = m.Run(new CreateDataNodeCommand("d2:8086", "d2:8088", 1));
        await Assert.That(refused.Code).IsEqualTo(MetaErrorCode.DataNodeLimit);
        await Assert.That(refused.Message).IsEqualTo("licence allows at most 1 data node; the cluster has 1");
        // The node already in the cluster may announce itself again.
        await Assert.That(m.Run(new CreateDataNodeCommand("d1:8086", "d1:8088", 1)).IsOk).IsTrue();
    }

    [Test]
    public async Task DeleteDataNode_DropsItFromShardOwners_UpdateKeepsIdAndShards()
    {
        var m = new Machine();
        m.Run(new CreateDataNodeCommand("d1:8086", "d1:8088", 0));
        m.Run(new CreateDataNodeCommand("d2:8086", "d2:8088", 0));
        m.Run(new CreateDatabaseCommand("db", new RetentionPolicySpec("rp", 0, 2, 0)));
        m.Run(new CreateShardGroupCommand("db", "rp", Ns.At(2026, 5, 13)));
        var shard = m.Rp("db", "rp").ShardGroups[0].Shards.Single();
        await Assert.That(shard.Owners.Order().ToArray()).IsEquivalentTo(new ulong[] { 1, 2 });

        var updated = m.Run(new UpdateDataNodeCommand(1, "", "new:8088"));
        await Assert.That(updated.Changed).IsTrue();
        await Assert.That(m.State.DataNode(1)!.TcpAddr).IsEqualTo("new:8088");
        await Assert.That(m.State.DataNode(1)!.HttpAddr).IsEqualTo("d1:8086");
        await Assert.That(m.Run(new UpdateDataNodeCommand(1, "", "d2:8088")).Code).IsEqualTo(MetaErrorCode.NodeExists);
        await Assert.That(m.Run(new UpdateDataNodeCommand(9, "", "x:8088")).Code).IsEqualTo(MetaErrorCode.NodeNotFound);

        m.Run(new DeleteDataNodeCommand(2));
        await Assert.That(m.State.DataNodes.Length).IsEqualTo(1);
        await Assert.That(m.Rp("db", "rp").ShardGroups[0].Shards.Single().Owners.ToArray()).IsEquivalentTo(new ulong[] { 1 });
        await Assert.That(m.Run(new DeleteDataNodeCommand(2)).Changed).IsFalse();
    }

    [Test]
    [Arguments(1, 1, 1, 1)]
    [Arguments(2, 1, 2, 1)]
    [Arguments(2, 2, 1, 2)]
    [Arguments(3, 2, 1, 2)]
    [Arguments(4, 2, 2, 2)]
    [Arguments(5, 2, 2, 2)]
    [Arguments(3, 5, 1, 3)]
    public async Task ShardGroupLayout_FloorNodesOverRf_Shards_OfMinRfNodesOwners(int nodes, int rf, int shards, int owners)
    {
        var m = new Machine();
        for (int i = 1; i <= nodes; i++) m.Run(new CreateDataNodeCommand($"d{i}:8086", $"d{i}:8088", 0));
        m.Run(new CreateDatabaseCommand("db", new RetentionPolicySpec("rp", 0, rf, 0)));
        m.Run(new CreateShardGroupCommand("db", "rp", Ns.At(2026, 5, 13)));
        var group = m.Rp("db", "rp").ShardGroups[0];
        await Assert.That(group.Shards.Length).IsEqualTo(shards);
        foreach (var s in group.Shards)
        {
            await Assert.That(s.Owners.Length).IsEqualTo(owners);
            await Assert.That(s.Owners.Distinct().Count()).IsEqualTo(owners);
        }
        // Round-robin: with as many owner slots as nodes, every node owns something.
        if (shards * owners >= nodes)
            await Assert.That(group.Shards.SelectMany(s => s.Owners).Distinct().Count()).IsEqualTo(nodes);
        await Assert.That(m.State.MaxShardId).IsEqualTo((ulong)shards);
    }

    [Test]
    public async Task Snapshot_WithNodes_RoundTrips()
    {
        var m = new Machine();
        m.Run(new CreateMetaNodeCommand("m1:8091", "m1:8089"));
        m.Run(new CreateDataNodeCommand("d1:8086", "d1:8088", 0));
        var decoded = MetaSnapshotCodec.Decode(MetaSnapshotCodec.Encode(m.State));
        await Assert.That(decoded).IsEqualTo(m.State);
        await Assert.That(decoded.MetaNodes.Single()).IsEqualTo(new NodeInfo(1, "m1:8091", "m1:8089"));
        await Assert.That(decoded.DataNodes.Single()).IsEqualTo(new NodeInfo(2, "d1:8086", "d1:8088"));
    }
}

public class ClusterDefaultReplicationTests
{
    [Test]
    [Arguments(0, 1)]
    [Arguments(1, 1)]
    [Arguments(2, 2)]
    [Arguments(3, 3)]
    [Arguments(4, 2)]
    [Arguments(6, 2)]
    public async Task CreateDatabase_DefaultReplication_FollowsTheDataNodeCount(int dataNodes, int expected)
    {
        var m = new Machine();
        for (int i = 1; i <= dataNodes; i++) m.Run(new CreateDataNodeCommand($"d{i}:8086", $"d{i}:8088", 0));
        m.Run(new CreateDatabaseCommand("db"));
        m.Run(new CreateDatabaseCommand("db2", new RetentionPolicySpec("rp", 0, null, 0)));
        m.Run(new CreateDatabaseCommand("db3", new RetentionPolicySpec("rp", 0, 5, 0)));
        await Assert.That(m.Rp("db", "autogen").ReplicaN).IsEqualTo(expected);
        await Assert.That(m.Rp("db2", "rp").ReplicaN).IsEqualTo(expected);
        // An explicit REPLICATION n is kept as given.
        await Assert.That(m.Rp("db3", "rp").ReplicaN).IsEqualTo(5);
    }
}
