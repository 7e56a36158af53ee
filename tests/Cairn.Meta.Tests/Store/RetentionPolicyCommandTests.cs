using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

/// <summary>CREATE/ALTER/DROP RETENTION POLICY and the default policy, with InfluxDB 1.x's rules and texts.</summary>
public class RetentionPolicyCommandTests
{
    private static Machine WithDb()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0"));
        return m;
    }

    private static CreateRetentionPolicyCommand Create(string name, long duration, int replicaN = 1, long shardDuration = 0, bool makeDefault = false, string db = "db0") =>
        new(db, new RetentionPolicySpec(name, duration, replicaN, shardDuration), makeDefault);

    [Test]
    public async Task CreateRetentionPolicy_New_AddedNotDefault()
    {
        var m = WithDb();
        var result = m.Run(Create("rp0", 3 * Ns.Day, 2));
        await Assert.That(result.Changed).IsTrue();
        var rp = m.Rp("db0", "rp0");
        await Assert.That(rp.ReplicaN).IsEqualTo(2);
        await Assert.That(rp.ShardGroupDuration).IsEqualTo(Ns.Day);
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("autogen");
    }

    [Test]
    public async Task CreateRetentionPolicy_Default_BecomesTheDefault()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day, makeDefault: true));
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("rp0");
    }

    [Test]
    public async Task CreateRetentionPolicy_NoDatabase_DatabaseNotFound()
    {
        var m = WithDb();
        var result = m.Run(Create("rp0", Ns.Day, db: "nodb"));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.DatabaseNotFound);
        await Assert.That(result.Message).IsEqualTo("database not found: nodb");
    }

    [Test]
    public async Task CreateRetentionPolicy_SameNameDifferentSettings_AlreadyExists()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day));
        var result = m.Run(Create("rp0", 2 * Ns.Day));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.RetentionPolicyExists);
        await Assert.That(result.Message).IsEqualTo("retention policy already exists");
    }

    [Test]
    public async Task CreateRetentionPolicy_Identical_SucceedsWithoutChange()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day));
        var result = m.Run(Create("rp0", Ns.Day));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsFalse();
    }

    [Test]
    public async Task CreateRetentionPolicy_IdenticalButNowDefault_Conflict()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day));
        var result = m.Run(Create("rp0", Ns.Day, makeDefault: true));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.RetentionPolicyConflict);
        await Assert.That(result.Message).IsEqualTo("retention policy conflicts with an existing policy");
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("autogen");
    }

    [Test]
    public async Task CreateRetentionPolicy_IdenticalDefaultAgain_SucceedsWithoutChange()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day, makeDefault: true));
        var result = m.Run(Create("rp0", Ns.Day, makeDefault: true));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsFalse();
    }

    [Test]
    [Arguments(1L)]
    [Arguments(30 * Ns.Minute)]
    [Arguments(Ns.Hour - 1)]
    [Arguments(-Ns.Day)]
    public async Task CreateRetentionPolicy_DurationUnderAnHour_TooLow(long duration)
    {
        var m = WithDb();
        var result = m.Run(Create("rp0", duration));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.RetentionPolicyDurationTooLow);
        await Assert.That(result.Message).IsEqualTo("retention policy duration must be at least 1h0m0s");
    }

    [Test]
    public async Task CreateRetentionPolicy_DurationZeroOrOneHour_Accepted()
    {
        var m = WithDb();
        await Assert.That(m.Run(Create("inf", 0)).IsOk).IsTrue();
        await Assert.That(m.Run(Create("hour", Ns.Hour)).IsOk).IsTrue();
        await Assert.That(m.Rp("db0", "inf").ShardGroupDuration).IsEqualTo(Ns.Week);
        await Assert.That(m.Rp("db0", "hour").ShardGroupDuration).IsEqualTo(Ns.Hour);
    }

    [Test]
    public async Task CreateRetentionPolicy_ShardDurationLongerThanDuration_Incompatible()
    {
        var m = WithDb();
        var result = m.Run(Create("rp0", 2 * Ns.Hour, shardDuration: 3 * Ns.Hour));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.IncompatibleDurations);
        await Assert.That(result.Message).IsEqualTo("retention policy duration must be greater than the shard duration");
    }

    [Test]
    public async Task CreateRetentionPolicy_ShardDurationEqualToDuration_Accepted()
    {
        var m = WithDb();
        await Assert.That(m.Run(Create("rp0", 2 * Ns.Hour, shardDuration: 2 * Ns.Hour)).IsOk).IsTrue();
    }

    [Test]
    public async Task CreateRetentionPolicy_IncompatibleAndNoDatabase_IncompatibleReportedFirst()
    {
        // InfluxDB validates the policy before it looks up the database.
        var m = new Machine();
        var result = m.Run(Create("rp0", Ns.Hour, shardDuration: 2 * Ns.Hour, db: "nodb"));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.IncompatibleDurations);
    }

    [Test]
    [Arguments(30 * Ns.Minute, Ns.Day, Ns.Hour)]
    [Arguments(1L, 0L, Ns.Hour)]
    [Arguments(-Ns.Hour, 0L, Ns.Hour)]
    [Arguments(0L, 0L, Ns.Week)]
    [Arguments(0L, 200 * Ns.Day, Ns.Week)]
    [Arguments(0L, 180 * Ns.Day, Ns.Week)]
    [Arguments(0L, 179 * Ns.Day, Ns.Day)]
    [Arguments(0L, 2 * Ns.Day, Ns.Day)]
    [Arguments(0L, 2 * Ns.Day - 1, Ns.Hour)]
    [Arguments(90 * Ns.Minute, 0L, 90 * Ns.Minute)]
    public async Task CreateRetentionPolicy_ShardDuration_Normalised(long shardDuration, long duration, long expected)
    {
        var m = WithDb();
        var result = m.Run(Create("rp0", duration, shardDuration: shardDuration));
        await Assert.That(result.IsOk).IsTrue().Because(result.ToString());
        await Assert.That(m.Rp("db0", "rp0").ShardGroupDuration).IsEqualTo(expected);
    }

    [Test]
    public async Task CreateRetentionPolicy_ReplicationZero_TooLow()
    {
        var m = WithDb();
        var result = m.Run(Create("rp0", Ns.Day, replicaN: 0));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.ReplicationFactorTooLow);
        await Assert.That(result.Message).IsEqualTo("replication factor must be greater than 0");
    }

    [Test]
    public async Task CreateRetentionPolicy_ReplicationAboveNodeCount_AcceptedOnOneNode()
    {
        var m = WithDb();
        await Assert.That(m.Run(Create("rp0", Ns.Day, replicaN: 5)).IsOk).IsTrue();
        await Assert.That(m.Rp("db0", "rp0").ReplicaN).IsEqualTo(5);
    }

    [Test]
    [Arguments("")]
    [Arguments("..")]
    [Arguments("a/b")]
    public async Task CreateRetentionPolicy_InvalidName_InvalidName(string name)
    {
        var m = WithDb();
        var result = m.Run(Create(name, Ns.Day));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.InvalidName);
        await Assert.That(result.Message).IsEqualTo("invalid name");
    }

    [Test]
    public async Task CreateRetentionPolicy_PaddedNames_Trimmed()
    {
        var m = WithDb();
        await Assert.That(m.Run(Create("  rp0  ", Ns.Day, db: "  db0 ")).IsOk).IsTrue();
        await Assert.That(m.State.RetentionPolicy("db0", "rp0")).IsNotNull();
    }

    [Test]
    public async Task UpdateRetentionPolicy_NoDatabase_DatabaseNotFound()
    {
        var m = WithDb();
        var result = m.Run(new UpdateRetentionPolicyCommand("nodb", "autogen", new RetentionPolicyUpdate(Duration: Ns.Day), false));
        await Assert.That(result.Message).IsEqualTo("database not found: nodb");
    }

    [Test]
    public async Task UpdateRetentionPolicy_NoPolicy_RetentionPolicyNotFound()
    {
        var m = WithDb();
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "nope", new RetentionPolicyUpdate(Duration: Ns.Day), false));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.RetentionPolicyNotFound);
        await Assert.That(result.Message).IsEqualTo("retention policy not found: nope");
    }

    [Test]
    public async Task UpdateRetentionPolicy_AllParts_Updated()
    {
        var m = WithDb();
        m.Run(Create("rp0", 10 * Ns.Day));
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "rp0", new RetentionPolicyUpdate(null, 3 * Ns.Day, 3, 30 * Ns.Minute), true));
        await Assert.That(result.Changed).IsTrue();
        var rp = m.Rp("db0", "rp0");
        await Assert.That(rp.Duration).IsEqualTo(3 * Ns.Day);
        await Assert.That(rp.ReplicaN).IsEqualTo(3);
        await Assert.That(rp.ShardGroupDuration).IsEqualTo(Ns.Hour); // 30m normalised
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("rp0");
    }

    [Test]
    public async Task UpdateRetentionPolicy_DurationOnly_KeepsShardDuration()
    {
        var m = WithDb();
        m.Run(Create("rp0", 10 * Ns.Day));
        m.Run(new UpdateRetentionPolicyCommand("db0", "rp0", new RetentionPolicyUpdate(Duration: 0), false));
        await Assert.That(m.Rp("db0", "rp0").ShardGroupDuration).IsEqualTo(Ns.Day);
        await Assert.That(m.Rp("db0", "rp0").Duration).IsEqualTo(0L);
    }

    [Test]
    public async Task UpdateRetentionPolicy_DurationUnderAnHour_TooLow()
    {
        var m = WithDb();
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "autogen", new RetentionPolicyUpdate(Duration: 59 * Ns.Minute), false));
        await Assert.That(result.Message).IsEqualTo("retention policy duration must be at least 1h0m0s");
    }

    [Test]
    public async Task UpdateRetentionPolicy_DurationBelowCurrentShardDuration_Incompatible()
    {
        var m = WithDb(); // autogen: infinite, 7d shard groups
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "autogen", new RetentionPolicyUpdate(Duration: 2 * Ns.Day), false));
        await Assert.That(result.Message).IsEqualTo("retention policy duration must be greater than the shard duration");
        await Assert.That(m.Rp("db0", "autogen").Duration).IsEqualTo(0L);
    }

    [Test]
    public async Task UpdateRetentionPolicy_DurationWithShorterShardDuration_Accepted()
    {
        var m = WithDb();
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "autogen", new RetentionPolicyUpdate(Duration: 2 * Ns.Day, ShardGroupDuration: Ns.Day), false));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(m.Rp("db0", "autogen").ShardGroupDuration).IsEqualTo(Ns.Day);
    }

    [Test]
    public async Task UpdateRetentionPolicy_ShardDurationBeyondCurrentDuration_Incompatible()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day));
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "rp0", new RetentionPolicyUpdate(ShardGroupDuration: 2 * Ns.Day), false));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.IncompatibleDurations);
    }

    [Test]
    public async Task UpdateRetentionPolicy_ReplicationZero_TooLow()
    {
        var m = WithDb();
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "autogen", new RetentionPolicyUpdate(ReplicaN: 0), false));
        await Assert.That(result.Message).IsEqualTo("replication factor must be greater than 0");
    }

    [Test]
    public async Task UpdateRetentionPolicy_RenameToExisting_NameExists()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day));
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "rp0", new RetentionPolicyUpdate(Name: "autogen"), false));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.RetentionPolicyNameExists);
        await Assert.That(result.Message).IsEqualTo("retention policy name already exists");
    }

    [Test]
    public async Task UpdateRetentionPolicy_RenameDefault_StaysDefault()
    {
        var m = WithDb();
        m.Run(new UpdateRetentionPolicyCommand("db0", "autogen", new RetentionPolicyUpdate(Name: "forever"), false));
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("forever");
        await Assert.That(m.State.RetentionPolicy("db0", "autogen")).IsNull();
    }

    [Test]
    public async Task UpdateRetentionPolicy_NothingNew_SucceedsWithoutChange()
    {
        var m = WithDb();
        var result = m.Run(new UpdateRetentionPolicyCommand("db0", "autogen", new RetentionPolicyUpdate(Duration: 0, ReplicaN: 1), true));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsFalse();
    }

    [Test]
    public async Task DropRetentionPolicy_Exists_Removed()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day));
        var result = m.Run(new DropRetentionPolicyCommand("db0", "rp0"));
        await Assert.That(result.Changed).IsTrue();
        await Assert.That(m.State.RetentionPolicy("db0", "rp0")).IsNull();
    }

    [Test]
    public async Task DropRetentionPolicy_MissingPolicyOrDatabase_SucceedsWithoutChange()
    {
        var m = WithDb();
        var noPolicy = m.Run(new DropRetentionPolicyCommand("db0", "nope"));
        var noDb = m.Run(new DropRetentionPolicyCommand("nodb", "autogen"));
        await Assert.That(noPolicy.IsOk && !noPolicy.Changed).IsTrue();
        await Assert.That(noDb.IsOk && !noDb.Changed).IsTrue();
    }

    [Test]
    public async Task DropRetentionPolicy_Default_DroppedAndNameStaysDefault()
    {
        // influxdata/influxdb#7144: the default name is not cleared, so re-creating the policy makes it the default again.
        var m = WithDb();
        var result = m.Run(new DropRetentionPolicyCommand("db0", "autogen"));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(m.Db("db0").RetentionPolicies.IsEmpty).IsTrue();
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("autogen");

        m.Run(Create("autogen", 0));
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("autogen");
    }

    [Test]
    public async Task SetDefaultRetentionPolicy_Exists_BecomesDefault()
    {
        var m = WithDb();
        m.Run(Create("rp0", Ns.Day));
        var result = m.Run(new SetDefaultRetentionPolicyCommand("db0", "rp0"));
        await Assert.That(result.Changed).IsTrue();
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("rp0");
        await Assert.That(m.Run(new SetDefaultRetentionPolicyCommand("db0", "rp0")).Changed).IsFalse();
    }

    [Test]
    public async Task SetDefaultRetentionPolicy_Missing_NotFoundTexts()
    {
        var m = WithDb();
        await Assert.That(m.Run(new SetDefaultRetentionPolicyCommand("nodb", "rp0")).Message).IsEqualTo("database not found: nodb");
        await Assert.That(m.Run(new SetDefaultRetentionPolicyCommand("db0", "rp0")).Message).IsEqualTo("retention policy not found: rp0");
    }
}
