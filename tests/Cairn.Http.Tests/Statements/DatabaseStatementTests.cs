using Cairn.Http.Tests.Support;

namespace Cairn.Http.Tests.Statements;

/// <summary>CREATE/DROP/SHOW DATABASES and retention policies, answers taken from InfluxDB's server tests.</summary>
public class DatabaseStatementTests
{
    private const string RpColumns = "\"columns\":[\"name\",\"duration\",\"shardGroupDuration\",\"replicaN\",\"futureWriteLimit\",\"pastWriteLimit\",\"default\"]";

    [Test]
    public async Task CreateDatabase_ThenShow_InCreationOrder()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("CREATE DATABASE db1")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await server.Exec("CREATE DATABASE db0_r WITH DURATION 24h REPLICATION 2 NAME db0_r_policy");
        await server.Exec("CREATE DATABASE db0");
        await Assert.That(await server.Query("SHOW DATABASES"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":[[\"db1\"],[\"db0_r\"],[\"db0\"]]}]}]}");
    }

    [Test]
    public async Task ShowDatabases_None_ColumnsWithoutValues()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("SHOW DATABASES"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"]}]}]}");
    }

    [Test]
    public async Task CreateDatabase_InvalidName_InvalidName()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("CREATE DATABASE \".\"")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"invalid name\"}]}");
        await Assert.That(await server.Query("CREATE DATABASE db1 WITH NAME \".\"")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"invalid name\"}]}");
    }

    [Test]
    public async Task CreateDatabase_WithDifferentPolicyOnExisting_Conflict()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db1");
        await Assert.That(await server.Query("CREATE DATABASE db1")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await Assert.That(await server.Query("CREATE DATABASE db1 WITH DURATION 24h"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"retention policy conflicts with an existing policy\"}]}");
    }

    [Test]
    public async Task CreateDatabase_WithShardDuration_PolicyNormalised()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db1 WITH DURATION 60m SHARD DURATION 30m");
        await Assert.That(await server.Query("SHOW RETENTION POLICIES ON db1"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{" + RpColumns + ",\"values\":[[\"autogen\",\"1h0m0s\",\"1h0m0s\",1,\"0s\",\"0s\",true]]}]}]}");
    }

    [Test]
    public async Task DropDatabase_MissingOrPresent_NoErrorAndShardsRemovedFirst()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("DROP DATABASE nope")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await server.WriteAsHarness("db0", "rp0", "cpu,host=a value=1 1000000000");
        await Assert.That(await server.Query("DROP DATABASE db0")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await Assert.That(server.Shards.Calls).IsEquivalentTo(new[] { "delete-database db0" });
        await Assert.That(await server.Query("SHOW DATABASES"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"]}]}]}");
    }

    [Test]
    public async Task RetentionPolicyCommands_AsInfluxDBSuite()
    {
        await using var server = await TestServer.StartAsync(retentionAutoCreate: false);
        await server.Exec("CREATE DATABASE db0");
        await Assert.That(await server.Query("CREATE RETENTION POLICY \".\" ON db0 DURATION 1d REPLICATION 1")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"invalid name\"}]}");
        await server.Exec("CREATE RETENTION POLICY rp0 ON db0 DURATION 1h REPLICATION 1");
        await Assert.That(await server.Query("SHOW RETENTION POLICIES ON db0"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{" + RpColumns + ",\"values\":[[\"rp0\",\"1h0m0s\",\"1h0m0s\",1,\"0s\",\"0s\",false]]}]}]}");
        await server.Exec("ALTER RETENTION POLICY rp0 ON db0 DURATION 2h REPLICATION 3 DEFAULT");
        await server.Exec("CREATE RETENTION POLICY rp3 ON db0 DURATION 1h REPLICATION 1 SHARD DURATION 30m");
        await Assert.That(await server.Query("CREATE RETENTION POLICY rp3 ON db0 DURATION 1h REPLICATION 1 SHARD DURATION 30m DEFAULT"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"retention policy conflicts with an existing policy\"}]}");
        await Assert.That(await server.Query("SHOW RETENTION POLICIES ON db0"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{" + RpColumns + ",\"values\":[[\"rp0\",\"2h0m0s\",\"1h0m0s\",3,\"0s\",\"0s\",true],[\"rp3\",\"1h0m0s\",\"1h0m0s\",1,\"0s\",\"0s\",false]]}]}]}");
        await Assert.That(await server.Query("CREATE RETENTION POLICY rp4 ON db0 DURATION 1s REPLICATION 1"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"retention policy duration must be at least 1h0m0s\"}]}");
        await Assert.That(await server.Query("DROP RETENTION POLICY rp1 ON mydatabase")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await Assert.That(await server.Query("CREATE RETENTION POLICY rp0 ON nodb DURATION 1h REPLICATION 1"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"database not found: nodb\"}]}");
    }

    [Test]
    public async Task AlterRetentionPolicy_Missing_NotFound()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0");
        await Assert.That(await server.Query("ALTER RETENTION POLICY nope ON db0 DURATION 2h"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"retention policy not found: nope\"}]}");
        await Assert.That(await server.Query("ALTER RETENTION POLICY autogen ON db0 DURATION 1h SHARD DURATION 2h"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"retention policy duration must be greater than the shard duration\"}]}");
    }

    [Test]
    public async Task ShowRetentionPolicies_NoDatabase_RequiredOrNotFound()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("SHOW RETENTION POLICIES")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"database name required\"}]}");
        await Assert.That(await server.Query("SHOW RETENTION POLICIES ON nodb")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"database not found: nodb\"}]}");
        await server.Exec("CREATE DATABASE db0");
        await Assert.That(await server.Query("SHOW RETENTION POLICIES", db: "db0"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{" + RpColumns + ",\"values\":[[\"autogen\",\"0s\",\"168h0m0s\",1,\"0s\",\"0s\",true]]}]}]}");
    }

    [Test]
    public async Task DropRetentionPolicy_Existing_ShardsThenMeta()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu value=1 1000000000");
        await server.Exec("DROP RETENTION POLICY rp0 ON db0");
        await Assert.That(server.Shards.Calls).IsEquivalentTo(new[] { "delete-rp db0.rp0" });
        await Assert.That(server.Meta.Current.RetentionPolicy("db0", "rp0")).IsNull();
    }

    [Test]
    public async Task MultipleStatements_FailureStopsTheRest()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("CREATE DATABASE db0; SHOW RETENTION POLICIES ON nodb; SHOW DATABASES; DROP DATABASE db0"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0},{\"statement_id\":1,\"error\":\"database not found: nodb\"},"
                + "{\"statement_id\":2,\"error\":\"not executed\"},{\"statement_id\":3,\"error\":\"not executed\"}]}");
    }

    [Test]
    public async Task ReadOnly_WriteStatement_RunsWithDeprecationWarning()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("CREATE DATABASE db0", get: true)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"messages\":[{\"level\":\"warning\",\"text\":\"deprecated use of 'CREATE DATABASE db0' in a read only context, please use a POST request instead\"}]}]}");
        await Assert.That(server.Meta.Current.Database("db0")).IsNotNull();
        await Assert.That(await server.Query("SHOW DATABASES", get: true))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":[[\"db0\"]]}]}]}");
    }

    [Test]
    public async Task SelectOnMissingDatabase_AndExplain_ErrorPerStatement()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("SELECT * FROM cpu", db: "db0")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"database not found: db0\"}]}");
        await Assert.That(await server.Query("EXPLAIN SELECT * FROM cpu", db: "db0")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"database not found: db0\"}]}");
    }

    [Test]
    public async Task ShowContinuousQueriesAndUsers_NoneStored_ColumnsOnly()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0");
        await Assert.That(await server.Query("SHOW CONTINUOUS QUERIES"))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"db0\",\"columns\":[\"name\",\"query\"]}]}]}");
        await Assert.That(await server.Query("SHOW USERS")).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"user\",\"admin\"]}]}]}");
        await Assert.That(await server.Query("SHOW SUBSCRIPTIONS")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
    }
}
