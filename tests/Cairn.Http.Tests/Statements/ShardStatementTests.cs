using Cairn.Http.Tests.Support;

namespace Cairn.Http.Tests.Statements;

/// <summary>SHOW SHARDS, SHOW SHARD GROUPS and DROP SHARD.</summary>
public class ShardStatementTests
{
    [Test]
    public async Task ShowShards_FreshServer_AsInfluxDBDefaultDBAndRPCase()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu value=1 946684800000000000");
        // InfluxDB's TestServer_Query_DefaultDBAndRP "show shards works": an infinite policy shows no expiry, a single node no owners.
        await Assert.That(await server.Query("SHOW SHARDS")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"db0\",\"columns\":[\"id\",\"database\",\"retention_policy\",\"shard_group\",\"start_time\",\"end_time\",\"expiry_time\",\"owners\"],"
            + "\"values\":[[1,\"db0\",\"rp0\",1,\"1999-12-27T00:00:00Z\",\"2000-01-03T00:00:00Z\",\"\",\"\"]]}]}]}");
    }

    [Test]
    public async Task ShowShards_FinitePolicyAndEmptyDatabase_ExpiryAndEmptySeries()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0 WITH DURATION 2d");
        await server.Exec("CREATE DATABASE empty");
        await server.Write("db0", "autogen", "cpu value=1 946684800000000000");
        await Assert.That(await server.Query("SHOW SHARDS")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":["
            + "{\"name\":\"db0\",\"columns\":[\"id\",\"database\",\"retention_policy\",\"shard_group\",\"start_time\",\"end_time\",\"expiry_time\",\"owners\"],"
            + "\"values\":[[1,\"db0\",\"autogen\",1,\"2000-01-01T00:00:00Z\",\"2000-01-02T00:00:00Z\",\"2000-01-04T00:00:00Z\",\"\"]]},"
            + "{\"name\":\"empty\",\"columns\":[\"id\",\"database\",\"retention_policy\",\"shard_group\",\"start_time\",\"end_time\",\"expiry_time\",\"owners\"]}]}]}");
        await Assert.That(await server.Query("SHOW SHARD GROUPS")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"shard groups\",\"columns\":[\"id\",\"database\",\"retention_policy\",\"start_time\",\"end_time\",\"expiry_time\"],"
            + "\"values\":[[1,\"db0\",\"autogen\",\"2000-01-01T00:00:00Z\",\"2000-01-02T00:00:00Z\",\"2000-01-04T00:00:00Z\"]]}]}]}");
    }

    [Test]
    public async Task DropShard_RemovesShardThenHidesItsGroup()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu value=1 946684800000000000");
        await Assert.That(await server.Query("DROP SHARD 1")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await Assert.That(server.Shards.Calls).IsEquivalentTo(new[] { "delete-shard 1" });
        await Assert.That(await server.Query("SHOW SHARD GROUPS")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"shard groups\",\"columns\":[\"id\",\"database\",\"retention_policy\",\"start_time\",\"end_time\",\"expiry_time\"]}]}]}");
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
    }
}
