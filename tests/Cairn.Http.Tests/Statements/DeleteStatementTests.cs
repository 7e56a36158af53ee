using Cairn.Http.Tests.Support;

namespace Cairn.Http.Tests.Statements;

/// <summary>DROP MEASUREMENT, DROP SERIES and DELETE against the shards' indexes.</summary>
public class DeleteStatementTests
{
    private const string Empty = "{\"results\":[{\"statement_id\":0}]}";

    private static string Error(string text) => "{\"results\":[{\"statement_id\":0,\"error\":\"" + text + "\"}]}";

    private static string Keys(params string[] keys) =>
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"key\"],\"values\":[" + string.Join(",", keys.Select(k => "[\"" + k + "\"]")) + "]}]}]}";

    [Test]
    public async Task DropMeasurement_EveryShard_ThenGone()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu,host=serverA,region=uswest val=23.2 946684800000000000\nmemory,host=serverB,region=uswest val=33.2 946684800000000000");
        await Assert.That(await server.Query("DROP MEASUREMENT cpu", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Keys("memory,host=serverB,region=uswest"));
        await Assert.That(await server.Query("DROP MEASUREMENT doesntexist", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("DROP MEASUREMENT cpu")).IsEqualTo(Error("database name required"));
        await Assert.That(await server.Query("DROP MEASUREMENT cpu", db: "nodb")).IsEqualTo(Error("database not found: nodb"));
    }

    [Test]
    public async Task DropSeries_FromRegex_RemovesMatchingOnly()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "a,host=serverA,region=uswest val=23.2 946684800000000000\naa,host=serverA,region=uswest val=33.2 946684800000000000\n"
            + "b,host=serverA,region=uswest val=100.0 946684800000000000\nc,host=serverA,region=uswest val=100.0 946684800000000000");
        await Assert.That(await server.Query("DROP SERIES FROM /a.*/", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Keys("b,host=serverA,region=uswest", "c,host=serverA,region=uswest"));
        await Assert.That(await server.Query("DROP SERIES FROM c WHERE val > 50.0", db: "db0")).IsEqualTo(Error("shard 1: fields not supported in WHERE clause during deletion"));
        await Assert.That(await server.Query("DROP SERIES FROM c WHERE time > now() - 1d", db: "db0")).IsEqualTo(Error("DROP SERIES doesn't support time in WHERE clause"));
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Keys("b,host=serverA,region=uswest", "c,host=serverA,region=uswest"));
    }

    [Test]
    public async Task DropSeries_WhereTag_AllTimeOfMatchingSeries()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu,host=a v=1 946684800000000000\ncpu,host=b v=1 946684800000000000\nmem,host=a v=1 946684800000000000");
        await Assert.That(await server.Query("DROP SERIES WHERE host = 'a'", db: "db0")).IsEqualTo(Empty);
        await Assert.That(server.Shards.Calls).IsEquivalentTo(new[] { "delete-series shard=1 ids=[1,3] min=-9223372036854775806 max=9223372036854775806" });
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Keys("cpu,host=b"));
    }

    [Test]
    public async Task Delete_TimeRangeAcrossShards_SeriesStaysUntilEmpty()
    {
        await using var server = await TestServer.StartAsync();
        // 2000-01-01 and 2000-01-04: two weekly shard groups.
        await server.WriteAsHarness("db0", "rp0", "cpu,host=serverA,region=uswest val=23.2 946684800000000000\ncpu,host=serverA,region=uswest val=100 946944000000000000");
        await Assert.That(await server.Query("DELETE FROM cpu WHERE time < '2000-01-03T00:00:00Z'", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Keys("cpu,host=serverA,region=uswest"));
        await Assert.That(server.Shards.Calls).IsEquivalentTo(new[] { "delete-series shard=1 ids=[1] min=-9223372036854775806 max=946857599999999999" });
        await Assert.That(await server.Query("DELETE FROM cpu WHERE time < '2000-01-06T00:00:00Z'", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Empty);
    }

    [Test]
    public async Task Delete_FromRetentionPolicy_OnlyThatPolicy()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu,host=a v=1 946684800000000000");
        await server.WriteAsHarness("db0", "rp1", "cpu,host=a v=1 946684800000000000");
        await Assert.That(await server.Query("DELETE FROM rp1.cpu", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0", rp: "rp0")).IsEqualTo(Keys("cpu,host=a"));
        await Assert.That(await server.Query("SHOW SERIES", db: "db0", rp: "rp1")).IsEqualTo(Empty);
    }

    [Test]
    public async Task Delete_TimeOnly_EveryMeasurement()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu,host=a v=1 946684800000000000\nmem,host=a v=1 946684800000000000\nmem,host=b v=1 1946684800000000000");
        await Assert.That(await server.Query("DELETE WHERE time <= 946684800000000000", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Keys("mem,host=b"));
    }

    [Test]
    public async Task Delete_TagAndTime_OnlyMatchingSeriesInRange()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu,host=serverA,region=uswest val=1 946684800000000000\ncpu,host=serverB,region=uswest val=1 946684800000000000");
        await Assert.That(await server.Query("DELETE FROM cpu WHERE host = 'serverA' AND time < '2000-01-03T00:00:00Z'", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Keys("cpu,host=serverB,region=uswest"));
        await Assert.That(await server.Query("DELETE FROM cpu WHERE time < 'yesterday'", db: "db0"))
            .IsEqualTo(Error("invalid operation: time and *influxql.StringLiteral are not compatible"));
        await Assert.That(await server.Query("DELETE FROM cpu")).IsEqualTo(Error("database name required"));
    }
}
