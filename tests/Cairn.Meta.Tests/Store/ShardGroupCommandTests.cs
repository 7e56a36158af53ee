using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

/// <summary>Shard group creation, deletion, truncation and pruning, as the points writer and retention service drive them.</summary>
public class ShardGroupCommandTests
{
    private static readonly long May13 = Ns.At(2026, 5, 13, 10, 37);

    private static Machine WithPolicy(long duration = 0, long shardDuration = 0)
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", duration, 1, shardDuration)));
        return m;
    }

    [Test]
    public async Task CreateShardGroup_First_CoversTheTimestampWithOneShard()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        var result = m.Run(new CreateShardGroupCommand("db0", "rp0", May13));

        await Assert.That(result.Changed).IsTrue();
        await Assert.That(result.ShardGroupId).IsEqualTo(1UL);
        var group = m.Rp("db0", "rp0").ShardGroups.Single();
        await Assert.That(group.Id).IsEqualTo(1UL);
        await Assert.That(group.StartTime).IsEqualTo(Ns.At(2026, 5, 13));
        await Assert.That(group.EndTime).IsEqualTo(Ns.At(2026, 5, 14));
        await Assert.That(group.Shards.Length).IsEqualTo(1);
        await Assert.That(group.Shards[0].Id).IsEqualTo(1UL);
        await Assert.That(group.Shards[0].Owners.IsEmpty).IsTrue();
        await Assert.That(m.State.MaxShardGroupId).IsEqualTo(1UL);
        await Assert.That(m.State.MaxShardId).IsEqualTo(1UL);
    }

    [Test]
    public async Task CreateShardGroup_SameBucket_ReturnsExistingWithoutChange()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        var again = m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 13, 23, 59, 59)));
        await Assert.That(again.Changed).IsFalse();
        await Assert.That(again.ShardGroupId).IsEqualTo(1UL);
        await Assert.That(m.State.MaxShardGroupId).IsEqualTo(1UL);
    }

    [Test]
    public async Task CreateShardGroup_OutOfOrder_GroupsSortedAndIdsFromCounters()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 15)));
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 13)));
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 14)));
        var groups = m.Rp("db0", "rp0").ShardGroups;
        await Assert.That(groups.Select(g => g.Id).ToArray()).IsEquivalentTo(new ulong[] { 2, 3, 1 });
        await Assert.That(groups.Select(g => g.Shards[0].Id).ToArray()).IsEquivalentTo(new ulong[] { 2, 3, 1 });
    }

    [Test]
    public async Task CreateShardGroup_WithOwners_ShardOwnedByThem()
    {
        var m = WithPolicy();
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13) { Owners = [4] });
        var shard = m.Rp("db0", "rp0").ShardGroups[0].Shards[0];
        await Assert.That(shard.OwnedBy(4)).IsTrue();
        await Assert.That(shard.OwnedBy(1)).IsFalse();
    }

    [Test]
    public async Task CreateShardGroup_Missing_NotFoundTexts()
    {
        var m = WithPolicy();
        await Assert.That(m.Run(new CreateShardGroupCommand("nodb", "rp0", May13)).Message).IsEqualTo("database not found: nodb");
        var noRp = m.Run(new CreateShardGroupCommand("db0", "nope", May13));
        await Assert.That(noRp.Code).IsEqualTo(MetaErrorCode.RetentionPolicyNotFound);
        await Assert.That(noRp.Message).IsEqualTo("retention policy not found: nope");
    }

    [Test]
    [Arguments(long.MinValue)]
    [Arguments(long.MinValue + 1)]
    [Arguments(long.MaxValue)]
    public async Task CreateShardGroup_TimestampOutsideRange_TimeOutOfRange(long timestamp)
    {
        var m = WithPolicy();
        var result = m.Run(new CreateShardGroupCommand("db0", "rp0", timestamp));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.TimeOutOfRange);
        await Assert.That(result.Message).IsEqualTo("time outside range -9223372036854775806 - 9223372036854775806");
    }

    [Test]
    public async Task CreateShardGroup_MaxTime_EndsAtTheOpenEnd()
    {
        var m = WithPolicy(shardDuration: Ns.Hour);
        m.Run(new CreateShardGroupCommand("db0", "rp0", RetentionRules.MaxTime));
        var group = m.Rp("db0", "rp0").ShardGroups[0];
        await Assert.That(group.EndTime).IsEqualTo(long.MaxValue);
        await Assert.That(group.Contains(RetentionRules.MaxTime)).IsTrue();
    }

    [Test]
    public async Task CreateShardGroup_MinTime_StartsAtMinTime()
    {
        var m = WithPolicy();
        m.Run(new CreateShardGroupCommand("db0", "rp0", RetentionRules.MinTime));
        var group = m.Rp("db0", "rp0").ShardGroups[0];
        await Assert.That(group.StartTime).IsEqualTo(RetentionRules.MinTime);
        await Assert.That(group.Contains(RetentionRules.MinTime)).IsTrue();
    }

    [Test]
    public async Task CreateShardGroup_AfterGroupDeleted_CreatesANewGroup()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        m.Run(new DeleteShardGroupCommand("db0", "rp0", 1, Ns.At(2026, 6, 1)));
        var result = m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        await Assert.That(result.ShardGroupId).IsEqualTo(2UL);
    }

    [Test]
    public async Task CreateShardGroup_AfterTruncation_NewGroupFromTruncationOn()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        long cut = Ns.At(2026, 5, 13, 12);
        m.Run(new TruncateShardGroupsCommand(cut));

        await Assert.That(m.Run(new CreateShardGroupCommand("db0", "rp0", cut - 1)).ShardGroupId).IsEqualTo(1UL);
        var after = m.Run(new CreateShardGroupCommand("db0", "rp0", cut));
        await Assert.That(after.ShardGroupId).IsEqualTo(2UL);
        // The new group spans the whole bucket; it overlaps the truncated one, as in InfluxDB.
        var groups = m.Rp("db0", "rp0").ShardGroups;
        await Assert.That(groups.Select(g => g.Id).ToArray()).IsEquivalentTo(new ulong[] { 1, 2 });
        await Assert.That(groups[1].StartTime).IsEqualTo(Ns.At(2026, 5, 13));
    }

    [Test]
    public async Task DeleteShardGroup_Exists_MarkedDeletedAtTheGivenTime()
    {
        var m = WithPolicy();
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        long at = Ns.At(2026, 6, 1);
        var result = m.Run(new DeleteShardGroupCommand("db0", "rp0", 1, at));
        await Assert.That(result.Changed).IsTrue();
        var group = m.Rp("db0", "rp0").ShardGroups[0];
        await Assert.That(group.Deleted).IsTrue();
        await Assert.That(group.DeletedAt).IsEqualTo(at);
        await Assert.That(group.Shards.Length).IsEqualTo(1); // shards go when the data nodes have removed them
    }

    [Test]
    public async Task DeleteShardGroup_Missing_NotFoundTexts()
    {
        var m = WithPolicy();
        await Assert.That(m.Run(new DeleteShardGroupCommand("db0", "rp0", 9, May13)).Message).IsEqualTo("shard group not found");
        await Assert.That(m.Run(new DeleteShardGroupCommand("db0", "rp0", 9, May13)).Code).IsEqualTo(MetaErrorCode.ShardGroupNotFound);
        await Assert.That(m.Run(new DeleteShardGroupCommand("nodb", "rp0", 1, May13)).Message).IsEqualTo("database not found: nodb");
        await Assert.That(m.Run(new DeleteShardGroupCommand("db0", "nope", 1, May13)).Message).IsEqualTo("retention policy not found: nope");
    }

    [Test]
    public async Task DropShard_LastShard_GroupMarkedDeleted()
    {
        var m = WithPolicy();
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        long at = Ns.At(2026, 6, 2);
        var result = m.Run(new DropShardCommand(1, at));
        await Assert.That(result.Changed).IsTrue();
        var group = m.Rp("db0", "rp0").ShardGroups[0];
        await Assert.That(group.Shards.IsEmpty).IsTrue();
        await Assert.That(group.DeletedAt).IsEqualTo(at);
    }

    [Test]
    public async Task DropShard_GroupAlreadyDeleted_KeepsTheFirstDeletionTime()
    {
        var m = WithPolicy();
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        long deleted = Ns.At(2026, 6, 1);
        m.Run(new DeleteShardGroupCommand("db0", "rp0", 1, deleted));
        m.Run(new DropShardCommand(1, Ns.At(2026, 6, 2)));
        await Assert.That(m.Rp("db0", "rp0").ShardGroups[0].DeletedAt).IsEqualTo(deleted);
    }

    [Test]
    public async Task DropShard_Unknown_SucceedsWithoutChange()
    {
        var m = WithPolicy();
        var result = m.Run(new DropShardCommand(42, May13));
        await Assert.That(result.IsOk && !result.Changed).IsTrue();
    }

    [Test]
    public async Task TruncateShardGroups_CurrentFuturePast_OnlyLaterWritesCut()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 12, 6))); // 1: past
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 13, 6))); // 2: current
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 14, 6))); // 3: future
        long t = Ns.At(2026, 5, 13, 12);
        m.Run(new TruncateShardGroupsCommand(t));

        var byId = m.Rp("db0", "rp0").ShardGroups.ToDictionary(g => g.Id);
        await Assert.That(byId[1].Truncated).IsFalse();
        await Assert.That(byId[2].TruncatedAt).IsEqualTo(t);
        await Assert.That(byId[3].TruncatedAt).IsEqualTo(Ns.At(2026, 5, 14));
        // Sorted by effective end: the truncated future group (ends 05-14 00:00) sorts after the current one (12:00).
        await Assert.That(m.Rp("db0", "rp0").ShardGroups.Select(g => g.Id).ToArray()).IsEquivalentTo(new ulong[] { 1, 2, 3 });
    }

    [Test]
    public async Task TruncateShardGroups_Later_KeepsEarlierTruncation()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", May13));
        long first = Ns.At(2026, 5, 13, 12);
        m.Run(new TruncateShardGroupsCommand(first));
        var later = m.Run(new TruncateShardGroupsCommand(first + Ns.Hour));
        await Assert.That(later.Changed).IsFalse();
        await Assert.That(m.Rp("db0", "rp0").ShardGroups[0].TruncatedAt).IsEqualTo(first);
    }

    [Test]
    public async Task PruneShardGroups_DeletedLongAgoWithoutShards_Removed()
    {
        var m = WithPolicy(shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 1, 1))); // 1: deleted, shard dropped, expired -> pruned
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 1, 2))); // 2: deleted, shard still there -> kept
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 1, 3))); // 3: deleted recently, no shard -> kept
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 1, 4))); // 4: live -> kept
        long old = Ns.At(2026, 2, 1), recent = Ns.At(2026, 3, 1);
        m.Run(new DeleteShardGroupCommand("db0", "rp0", 1, old));
        m.Run(new DropShardCommand(1, old));
        m.Run(new DeleteShardGroupCommand("db0", "rp0", 2, old));
        m.Run(new DropShardCommand(3, recent));

        long now = Ns.At(2026, 3, 5);
        var result = m.Run(new PruneShardGroupsCommand(now - RetentionRules.ShardGroupDeletedExpiration));
        await Assert.That(result.Changed).IsTrue();
        await Assert.That(m.Rp("db0", "rp0").ShardGroups.Select(g => g.Id).ToArray()).IsEquivalentTo(new ulong[] { 2, 3, 4 });
        await Assert.That(m.Run(new PruneShardGroupsCommand(now - RetentionRules.ShardGroupDeletedExpiration)).Changed).IsFalse();
    }

    [Test]
    public async Task RetentionService_ExpiredGroups_EndPlusDurationBeforeNow()
    {
        var m = WithPolicy(duration: 2 * Ns.Day, shardDuration: Ns.Day);
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 1))); // ends 05-02, expires after 05-04
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(2026, 5, 3))); // ends 05-04, expires after 05-06
        var rp = m.Rp("db0", "rp0");
        await Assert.That(rp.ExpiredShardGroups(Ns.At(2026, 5, 4)).Count).IsEqualTo(0);
        await Assert.That(rp.ExpiredShardGroups(Ns.At(2026, 5, 4) + 1).Select(g => g.Id).ToArray()).IsEquivalentTo(new ulong[] { 1 });

        m.Run(new DeleteShardGroupCommand("db0", "rp0", 1, Ns.At(2026, 5, 5)));
        rp = m.Rp("db0", "rp0");
        await Assert.That(rp.ExpiredShardGroups(Ns.At(2026, 5, 5)).Count).IsEqualTo(0);
        await Assert.That(rp.DeletedShardGroups().Select(g => g.Id).ToArray()).IsEquivalentTo(new ulong[] { 1 });
    }

    [Test]
    public async Task ExpiredShardGroups_InfinitePolicy_NeverExpire()
    {
        var m = WithPolicy();
        m.Run(new CreateShardGroupCommand("db0", "rp0", Ns.At(1990, 1, 1)));
        await Assert.That(m.Rp("db0", "rp0").ExpiredShardGroups(Ns.At(2026, 1, 1)).Count).IsEqualTo(0);
    }
}
