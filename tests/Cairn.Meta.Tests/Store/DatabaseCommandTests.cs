using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

/// <summary>CREATE/DROP DATABASE with InfluxDB 1.x's rules and texts.</summary>
public class DatabaseCommandTests
{
    [Test]
    public async Task CreateDatabase_New_AddsAutogenAsDefault()
    {
        var m = new Machine();
        var result = m.Run(new CreateDatabaseCommand("db0"));

        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsTrue();
        await Assert.That(result.Index).IsEqualTo(1UL);
        var db = m.Db("db0");
        await Assert.That(db.DefaultRetentionPolicy).IsEqualTo("autogen");
        await Assert.That(db.RetentionPolicies.Length).IsEqualTo(1);
        var rp = db.RetentionPolicies[0];
        await Assert.That(rp.Name).IsEqualTo("autogen");
        await Assert.That(rp.Duration).IsEqualTo(0L);
        await Assert.That(rp.ShardGroupDuration).IsEqualTo(Ns.Week);
        await Assert.That(rp.ReplicaN).IsEqualTo(1);
    }

    [Test]
    public async Task CreateDatabase_DefaultReplicaN_IsAutogensReplication()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0", DefaultReplicaN: 3));
        await Assert.That(m.Rp("db0", "autogen").ReplicaN).IsEqualTo(3);
    }

    [Test]
    public async Task CreateDatabase_AutoCreateOff_HasNoPolicies()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0", RetentionAutoCreate: false));
        await Assert.That(m.Db("db0").RetentionPolicies.IsEmpty).IsTrue();
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("");
    }

    [Test]
    public async Task CreateDatabase_Exists_SucceedsWithoutChange()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0", RetentionAutoCreate: false));
        var before = m.State;
        var result = m.Run(new CreateDatabaseCommand("db0"));

        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsFalse();
        await Assert.That(Sequences.Same(m.State.Databases, before.Databases)).IsTrue();
        await Assert.That(m.Db("db0").RetentionPolicies.IsEmpty).IsTrue();
    }

    [Test]
    [Arguments("")]
    [Arguments("   ")]
    [Arguments(".")]
    [Arguments("..")]
    [Arguments("bad/name")]
    [Arguments("bad\\name")]
    [Arguments("bad\u0000name")]
    public async Task CreateDatabase_InvalidName_InvalidName(string name)
    {
        var m = new Machine();
        var result = m.Run(new CreateDatabaseCommand(name));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.InvalidName);
        await Assert.That(result.Message).IsEqualTo("invalid name");
        await Assert.That(m.State.Databases.IsEmpty).IsTrue();
    }

    [Test]
    public async Task CreateDatabase_PaddedName_StoredTrimmedOnce()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("  db0  "));
        var again = m.Run(new CreateDatabaseCommand(" db0 "));

        await Assert.That(m.State.Databases.Length).IsEqualTo(1);
        await Assert.That(m.State.Databases[0].Name).IsEqualTo("db0");
        await Assert.That(again.Changed).IsFalse();
    }

    [Test]
    public async Task CreateDatabase_WithSpec_CreatesThatDefaultPolicyOnly()
    {
        var m = new Machine();
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", 3 * Ns.Day, 2, 2 * Ns.Hour)));

        await Assert.That(result.IsOk).IsTrue();
        var db = m.Db("db0");
        await Assert.That(db.DefaultRetentionPolicy).IsEqualTo("rp0");
        await Assert.That(db.RetentionPolicies.Length).IsEqualTo(1);
        var rp = db.RetentionPolicies[0];
        await Assert.That(rp.Duration).IsEqualTo(3 * Ns.Day);
        await Assert.That(rp.ReplicaN).IsEqualTo(2);
        await Assert.That(rp.ShardGroupDuration).IsEqualTo(2 * Ns.Hour);
    }

    [Test]
    public async Task CreateDatabase_WithDurationOnly_NamesItAutogenWithDefaultShardDuration()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec(Duration: 3 * Ns.Day), DefaultReplicaN: 2));
        var rp = m.Rp("db0", "autogen");
        await Assert.That(rp.ShardGroupDuration).IsEqualTo(Ns.Day);
        await Assert.That(rp.ReplicaN).IsEqualTo(2);
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("autogen");
    }

    [Test]
    public async Task CreateDatabase_WithSpecDurationUnderAnHour_RefusedAndNothingCreated()
    {
        var m = new Machine();
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", 30 * Ns.Minute)));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.RetentionPolicyDurationTooLow);
        await Assert.That(result.Message).IsEqualTo("retention policy duration must be at least 1h0m0s");
        await Assert.That(m.State.Database("db0")).IsNull();
    }

    [Test]
    public async Task CreateDatabase_WithShardDurationLongerThanDuration_RefusedAndNothingCreated()
    {
        var m = new Machine();
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", Ns.Hour, ShardGroupDuration: 2 * Ns.Hour)));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.IncompatibleDurations);
        await Assert.That(result.Message).IsEqualTo("retention policy duration must be greater than the shard duration");
        await Assert.That(m.State.Database("db0")).IsNull();
    }

    [Test]
    public async Task CreateDatabase_WithReplicationZero_Refused()
    {
        var m = new Machine();
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", ReplicaN: 0)));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.ReplicationFactorTooLow);
        await Assert.That(result.Message).IsEqualTo("replication factor must be greater than 0");
        await Assert.That(m.State.Database("db0")).IsNull();
    }

    [Test]
    public async Task CreateDatabase_WithInvalidPolicyName_RefusedBeforeTheDatabaseIsCreated()
    {
        var m = new Machine();
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("bad/rp", Ns.Day)));
        await Assert.That(result.Message).IsEqualTo("invalid name");
        await Assert.That(m.State.Database("db0")).IsNull();
    }

    [Test]
    public async Task CreateDatabase_WithSameSpecAgain_SucceedsWithoutChange()
    {
        var m = new Machine();
        var spec = new RetentionPolicySpec("rp0", 3 * Ns.Day, 2, 2 * Ns.Hour);
        m.Run(new CreateDatabaseCommand("db0", spec));
        var result = m.Run(new CreateDatabaseCommand("db0", spec));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsFalse();
    }

    [Test]
    public async Task CreateDatabase_WithUnsetPartsMatchingExistingDefault_Succeeds()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0"));
        // WITH NAME autogen alone matches autogen: unset parts are not compared, the shard duration normalises to 7d.
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("autogen")));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsFalse();
    }

    [Test]
    [Arguments(4 * Ns.Day, 2, 2 * Ns.Hour)]
    [Arguments(3 * Ns.Day, 3, 2 * Ns.Hour)]
    [Arguments(3 * Ns.Day, 2, 3 * Ns.Hour)]
    public async Task CreateDatabase_WithDifferentSpec_Conflict(long duration, int replicaN, long shardDuration)
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", 3 * Ns.Day, 2, 2 * Ns.Hour)));
        var before = m.State;
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", duration, replicaN, shardDuration)));
        await Assert.That(result.Code).IsEqualTo(MetaErrorCode.RetentionPolicyConflict);
        await Assert.That(result.Message).IsEqualTo("retention policy conflicts with an existing policy");
        await Assert.That(Sequences.Same(m.State.Databases, before.Databases)).IsTrue();
    }

    [Test]
    public async Task CreateDatabase_WithSpecOfExistingNonDefaultPolicy_Conflict()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0"));
        m.Run(new CreateRetentionPolicyCommand("db0", new RetentionPolicySpec("rp1", Ns.Day, 1), MakeDefault: false));
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp1", Ns.Day, 1)));
        await Assert.That(result.Message).IsEqualTo("retention policy conflicts with an existing policy");
    }

    [Test]
    public async Task CreateDatabase_WithSpecOnDatabaseWithoutPolicies_AddsDefaultPolicy()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0", RetentionAutoCreate: false));
        var result = m.Run(new CreateDatabaseCommand("db0", new RetentionPolicySpec("rp0", Ns.Day)));
        await Assert.That(result.Changed).IsTrue();
        await Assert.That(m.Db("db0").DefaultRetentionPolicy).IsEqualTo("rp0");
        await Assert.That(m.Rp("db0", "rp0").ShardGroupDuration).IsEqualTo(Ns.Hour);
    }

    [Test]
    public async Task DropDatabase_Exists_RemovesItWithItsShardGroups()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0"));
        m.Run(new CreateDatabaseCommand("db1"));
        m.Run(new CreateShardGroupCommand("db0", "autogen", Ns.At(2026, 1, 1)));
        var result = m.Run(new DropDatabaseCommand("db0"));

        await Assert.That(result.Changed).IsTrue();
        await Assert.That(m.State.Database("db0")).IsNull();
        await Assert.That(m.State.Databases.Length).IsEqualTo(1);
        await Assert.That(m.State.MaxShardGroupId).IsEqualTo(1UL); // ids are never reused
    }

    [Test]
    public async Task DropDatabase_Missing_SucceedsWithoutChange()
    {
        var m = new Machine();
        var result = m.Run(new DropDatabaseCommand("nope"));
        await Assert.That(result.IsOk).IsTrue();
        await Assert.That(result.Changed).IsFalse();
    }

    [Test]
    public async Task Apply_AnyCommand_IndexCountsEveryAppliedCommand()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0"));          // changes
        m.Run(new CreateDatabaseCommand("db0"));          // repeat
        var refused = m.Run(new CreateDatabaseCommand("..")); // refused
        await Assert.That(refused.Index).IsEqualTo(3UL);
        await Assert.That(m.State.Index).IsEqualTo(3UL);
    }
}
