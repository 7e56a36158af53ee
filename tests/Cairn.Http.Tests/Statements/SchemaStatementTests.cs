using Cairn.Http.Tests.Support;

namespace Cairn.Http.Tests.Statements;

/// <summary>
/// SHOW MEASUREMENTS / SERIES / TAG KEYS / TAG VALUES / FIELD KEYS / CARDINALITY over the data of InfluxDB's
/// server tests, with the answers InfluxDB gave (tests/server_test.go).
/// </summary>
public class SchemaStatementTests
{
    private const string Seven = "cpu,host=server01 value=100 1257894000000000000\n"
        + "cpu,host=server01,region=uswest value=100 1257894000000000000\n"
        + "cpu,host=server01,region=useast value=100 1257894000000000000\n"
        + "cpu,host=server02,region=useast value=100 1257894000000000000\n"
        + "gpu,host=server02,region=useast value=100 1257894000000000000\n"
        + "gpu,host=server03,region=caeast value=100 1257894000000000000\n"
        + "disk,host=server03,region=caeast value=100 1257894000000000000";

    private static async Task<TestServer> SevenSeries()
    {
        var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", Seven);
        return server;
    }

    private static string Ok(string series) => "{\"results\":[{\"statement_id\":0,\"series\":[" + series + "]}]}";

    private const string Empty = "{\"results\":[{\"statement_id\":0}]}";

    private static string Error(string text) => "{\"results\":[{\"statement_id\":0,\"error\":\"" + text + "\"}]}";

    [Test]
    public async Task ShowSeries_All_SortedKeys()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES", db: "db0")).IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"cpu,host=server01\"],[\"cpu,host=server01,region=useast\"],[\"cpu,host=server01,region=uswest\"],[\"cpu,host=server02,region=useast\"],[\"disk,host=server03,region=caeast\"],[\"gpu,host=server02,region=useast\"],[\"gpu,host=server03,region=caeast\"]]}"));
    }

    [Test]
    public async Task ShowSeries_RegexSourceAndNegatedRegex_AsInfluxDB()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES FROM /[cg]pu/ WHERE region =~ /ca.*/", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"gpu,host=server03,region=caeast\"]]}"));
        await Assert.That(await server.Query("SHOW SERIES WHERE host !~ /server0[12]/ AND time > 0", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"disk,host=server03,region=caeast\"],[\"gpu,host=server03,region=caeast\"]]}"));
    }

    [Test]
    public async Task ShowSeries_NotEqualAndOrWithParens_MissingTagCountsAsEmpty()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES FROM cpu WHERE region != 'useast'", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"cpu,host=server01\"],[\"cpu,host=server01,region=uswest\"]]}"));
        await Assert.That(await server.Query("SHOW SERIES WHERE (host = 'server03' OR region = 'uswest') AND region != 'caeast'", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"cpu,host=server01,region=uswest\"]]}"));
        await Assert.That(await server.Query("SHOW SERIES FROM cpu WHERE region = ''", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"cpu,host=server01\"]]}"));
    }

    [Test]
    public async Task ShowSeries_LimitOffset_SliceSortedKeys()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES LIMIT 2 OFFSET 3", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"cpu,host=server02,region=useast\"],[\"disk,host=server03,region=caeast\"]]}"));
        await Assert.That(await server.Query("SHOW SERIES OFFSET 100", db: "db0")).IsEqualTo(Empty);
    }

    [Test]
    public async Task ShowSeries_NoDatabaseOrPolicy_InfluxDBErrors()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES")).IsEqualTo(Error("database name required"));
        await Assert.That(await server.Query("SHOW SERIES", db: "nodb")).IsEqualTo(Error("database not found: nodb"));
        await Assert.That(await server.Query("SHOW SERIES FROM nope.cpu", db: "db0")).IsEqualTo(Error("retention policy not found: nope"));
    }

    [Test]
    public async Task ShowSeries_TimeOutsideEveryShardGroup_Empty()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES WHERE time > '2020-01-01T00:00:00Z'", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW SERIES WHERE time < now() - 5200d", db: "db0")).IsEqualTo(Empty);
    }

    [Test]
    public async Task ShowSeries_ShardsOfOnePolicy_UnionDeduplicated()
    {
        await using var server = await TestServer.StartAsync();
        // Two shard groups (a week apart) hold the same series: it is listed once.
        await server.WriteAsHarness("db0", "rp0", "cpu,host=a value=1 946684800000000000\ncpu,host=a value=1 947289600000000000\ncpu,host=b value=1 947289600000000000");
        await Assert.That(server.Shards.Shards("db0").Count).IsEqualTo(2);
        await Assert.That(await server.Query("SHOW SERIES", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"cpu,host=a\"],[\"cpu,host=b\"]]}"));
        await Assert.That(await server.Query("SHOW SERIES WHERE time < '2000-01-03T00:00:00Z'", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"key\"],\"values\":[[\"cpu,host=a\"]]}"));
    }

    [Test]
    public async Task ShowMeasurements_WithWhereAndLimit_AsInfluxDB()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW MEASUREMENTS", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"measurements\",\"columns\":[\"name\"],\"values\":[[\"cpu\"],[\"disk\"],[\"gpu\"]]}"));
        await Assert.That(await server.Query("SHOW MEASUREMENTS WITH MEASUREMENT =~ /[cg]pu/ LIMIT 1 OFFSET 1", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"measurements\",\"columns\":[\"name\"],\"values\":[[\"gpu\"]]}"));
        // tsi1 answers measurement by measurement: != and !~ keep measurements where no value matches.
        await Assert.That(await server.Query("SHOW MEASUREMENTS WHERE region !~ /ca.*/", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"measurements\",\"columns\":[\"name\"],\"values\":[[\"cpu\"]]}"));
        await Assert.That(await server.Query("SHOW MEASUREMENTS WITH MEASUREMENT =~ /.*zzzzz.*/", db: "db0")).IsEqualTo(Empty);
    }

    [Test]
    public async Task ShowMeasurements_TimeOrBadWildcard_InfluxDBErrors()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW MEASUREMENTS WHERE time > 0", db: "db0")).IsEqualTo(Error("SHOW MEASUREMENTS doesn't support time in WHERE clause"));
        await Assert.That(await server.Query("SHOW MEASUREMENTS ON *", db: "db0")).IsEqualTo(Error("query 'SHOW MEASUREMENTS ON *' not supported. use 'ON *.*' or specify a database"));
        await Assert.That(await server.Query("SHOW MEASUREMENTS ON *.rp0", db: "db0")).IsEqualTo(Error("query 'SHOW MEASUREMENTS ON *.rp' not supported. use 'ON *.*' or specify a database"));
        await Assert.That(await server.Query("SHOW MEASUREMENTS")).IsEqualTo(Error("database name required"));
    }

    [Test]
    public async Task ShowMeasurements_OnAllDatabasesAndPolicies_RowsPerPolicy()
    {
        await using var server = await SevenSeries();
        await server.WriteAsHarness("db0", "rp1", "other,host=server03 value=1 1257894000000000000");
        await server.WriteAsHarness("db1", "rp0", "cpu,host=x value=1 1257894000000000000");
        await Assert.That(await server.Query("SHOW MEASUREMENTS ON *.*")).IsEqualTo(Ok(
            "{\"name\":\"measurements\",\"columns\":[\"name\",\"database\",\"retention policy\"],\"values\":["
            + "[\"cpu\",\"db0\",\"rp0\"],[\"disk\",\"db0\",\"rp0\"],[\"gpu\",\"db0\",\"rp0\"],[\"other\",\"db0\",\"rp1\"],[\"cpu\",\"db1\",\"rp0\"]]}"));
        await Assert.That(await server.Query("SHOW MEASUREMENTS ON db0.rp1")).IsEqualTo(Ok(
            "{\"name\":\"measurements\",\"columns\":[\"name\",\"database\",\"retention policy\"],\"values\":[[\"other\",\"db0\",\"rp1\"]]}"));
    }

    [Test]
    public async Task ShowTagKeys_PerMeasurementWithKeyAndSlimit()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW TAG KEYS", db: "db0")).IsEqualTo(Ok(
            "{\"name\":\"cpu\",\"columns\":[\"tagKey\"],\"values\":[[\"host\"],[\"region\"]]},{\"name\":\"disk\",\"columns\":[\"tagKey\"],\"values\":[[\"host\"],[\"region\"]]},{\"name\":\"gpu\",\"columns\":[\"tagKey\"],\"values\":[[\"host\"],[\"region\"]]}"));
        await Assert.That(await server.Query("SHOW TAG KEYS WITH KEY = host WHERE host = 'server03' AND time > 0", db: "db0")).IsEqualTo(Ok(
            "{\"name\":\"disk\",\"columns\":[\"tagKey\"],\"values\":[[\"host\"]]},{\"name\":\"gpu\",\"columns\":[\"tagKey\"],\"values\":[[\"host\"]]}"));
        await Assert.That(await server.Query("SHOW TAG KEYS SLIMIT 1 SOFFSET 1", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"disk\",\"columns\":[\"tagKey\"],\"values\":[[\"host\"],[\"region\"]]}"));
        await Assert.That(await server.Query("SHOW TAG KEYS FROM cpu LIMIT 1 OFFSET 1", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"tagKey\"],\"values\":[[\"region\"]]}"));
        await Assert.That(await server.Query("SHOW TAG KEYS FROM doesntexist", db: "db0")).IsEqualTo(Empty);
        await Assert.That(await server.Query("SHOW TAG KEYS ON nodb")).IsEqualTo(Error("database not found: nodb"));
    }

    [Test]
    public async Task ShowTagKeys_WhereOnlyMatchingSeries_KeysOfThoseSeries()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW TAG KEYS FROM cpu WHERE region = ''", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"tagKey\"],\"values\":[[\"host\"]]}"));
    }

    [Test]
    public async Task ShowTagValues_KeyOperators_AsInfluxDB()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW TAG VALUES WITH KEY = host WHERE region =~ /ca.*/", db: "db0")).IsEqualTo(Ok(
            "{\"name\":\"disk\",\"columns\":[\"key\",\"value\"],\"values\":[[\"host\",\"server03\"]]},{\"name\":\"gpu\",\"columns\":[\"key\",\"value\"],\"values\":[[\"host\",\"server03\"]]}"));
        await Assert.That(await server.Query("SHOW TAG VALUES FROM cpu WITH KEY IN (host, region) WHERE region = 'uswest'", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"key\",\"value\"],\"values\":[[\"host\",\"server01\"],[\"region\",\"uswest\"]]}"));
        await Assert.That(await server.Query("SHOW TAG VALUES FROM cpu WITH KEY != host", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"key\",\"value\"],\"values\":[[\"region\",\"useast\"],[\"region\",\"uswest\"]]}"));
        await Assert.That(await server.Query("SHOW TAG VALUES FROM cpu WITH KEY !~ /^h/ LIMIT 1", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"key\",\"value\"],\"values\":[[\"region\",\"useast\"]]}"));
    }

    [Test]
    public async Task ShowTagValues_ValueFilter_FiltersValuesNotSeries()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW TAG VALUES WITH KEY = host WHERE value = 'server03'", db: "db0")).IsEqualTo(Ok(
            "{\"name\":\"disk\",\"columns\":[\"key\",\"value\"],\"values\":[[\"host\",\"server03\"]]},{\"name\":\"gpu\",\"columns\":[\"key\",\"value\"],\"values\":[[\"host\",\"server03\"]]}"));
        await Assert.That(await server.Query("SHOW TAG VALUES WITH KEY = host WHERE value = 5000", db: "db0")).IsEqualTo(Empty);
    }

    [Test]
    public async Task ShowTagValues_TwoPolicies_Refused()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW TAG VALUES FROM rp0.cpu, rp1.cpu WITH KEY IN (host, region)", db: "db0"))
            .IsEqualTo(Error("only one retention policy allowed in SHOW TAG VALUES query: \\\"rp1\\\", \\\"rp0\\\""));
    }

    [Test]
    public async Task ShowFieldKeys_TypesPerMeasurement()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp0", "cpu,host=a f=1,i=2i,s=\"x\",b=true,u=3u 1000000000\nmem,host=a used=1 1000000000");
        await Assert.That(await server.Query("SHOW FIELD KEYS", db: "db0")).IsEqualTo(Ok(
            "{\"name\":\"cpu\",\"columns\":[\"fieldKey\",\"fieldType\"],\"values\":[[\"b\",\"boolean\"],[\"f\",\"float\"],[\"i\",\"integer\"],[\"s\",\"string\"],[\"u\",\"unsigned\"]]},"
            + "{\"name\":\"mem\",\"columns\":[\"fieldKey\",\"fieldType\"],\"values\":[[\"used\",\"float\"]]}"));
        await Assert.That(await server.Query("SHOW FIELD KEYS FROM cpu LIMIT 2 OFFSET 1", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"fieldKey\",\"fieldType\"],\"values\":[[\"f\",\"float\"],[\"i\",\"integer\"]]}"));
    }

    [Test]
    public async Task ShowFieldKeys_OtherPolicyThanDefault_OnlyWithRpParameter()
    {
        await using var server = await TestServer.StartAsync();
        await server.WriteAsHarness("db0", "rp1", "other value=1 1000000000");
        await server.WriteAsHarness("db0", "rp0", "cpu value=1 1000000000"); // rp0 is now the default
        await Assert.That(await server.Query("SHOW FIELD KEYS", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"fieldKey\",\"fieldType\"],\"values\":[[\"value\",\"float\"]]}"));
        await Assert.That(await server.Query("SHOW FIELD KEYS", db: "db0", rp: "rp1"))
            .IsEqualTo(Ok("{\"name\":\"other\",\"columns\":[\"fieldKey\",\"fieldType\"],\"values\":[[\"value\",\"float\"]]}"));
    }

    [Test]
    public async Task ShowCardinality_EstimationExactAndErrors()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES CARDINALITY", db: "db0")).IsEqualTo(Ok("{\"columns\":[\"cardinality estimation\"],\"values\":[[7]]}"));
        await Assert.That(await server.Query("SHOW MEASUREMENT CARDINALITY ON db0")).IsEqualTo(Ok("{\"columns\":[\"cardinality estimation\"],\"values\":[[3]]}"));
        await Assert.That(await server.Query("SHOW SERIES CARDINALITY FROM /[cg]pu/", db: "db0")).IsEqualTo(Ok(
            "{\"name\":\"cpu\",\"columns\":[\"cardinality estimation\"],\"values\":[[4]]},{\"name\":\"gpu\",\"columns\":[\"cardinality estimation\"],\"values\":[[2]]}"));
        await Assert.That(await server.Query("SHOW SERIES EXACT CARDINALITY WHERE region = 'uswest'", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"count\"],\"values\":[[1]]}"));
        await Assert.That(await server.Query("SHOW MEASUREMENT EXACT CARDINALITY WHERE region !~ /ca.*/", db: "db0"))
            .IsEqualTo(Ok("{\"columns\":[\"count\"],\"values\":[[2]]}"));
        await Assert.That(await server.Query("SHOW TAG KEY EXACT CARDINALITY FROM cpu", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"count\"],\"values\":[[2]]}"));
        await Assert.That(await server.Query("SHOW FIELD KEY CARDINALITY FROM cpu", db: "db0"))
            .IsEqualTo(Ok("{\"name\":\"cpu\",\"columns\":[\"count\"],\"values\":[[1]]}"));
        await Assert.That(await server.Query("SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE region !~ /us/", db: "db0")).IsEqualTo(Ok(
            "{\"name\":\"disk\",\"columns\":[\"count\"],\"values\":[[1]]},{\"name\":\"gpu\",\"columns\":[\"count\"],\"values\":[[1]]}"));
        await Assert.That(await server.Query("SHOW SERIES CARDINALITY WHERE time > now() - 1h", db: "db0"))
            .IsEqualTo(Error("SHOW SERIES EXACT CARDINALITY doesn't support time in WHERE clause"));
        await Assert.That(await server.Query("SHOW TAG KEY CARDINALITY FROM cpu WHERE time > now() - 1h", db: "db0"))
            .IsEqualTo(Error("SHOW TAG KEY EXACT CARDINALITY doesn't support time in WHERE clause"));
        await Assert.That(await server.Query("SHOW MEASUREMENT EXACT CARDINALITY FROM /.*zzzzz.*/", db: "db0")).IsEqualTo(Empty);
    }

    [Test]
    public async Task Regex_Re2Syntax_TranslatedForDotNet()
    {
        await using var server = await SevenSeries();
        await Assert.That(await server.Query("SHOW SERIES WHERE host =~ /^server0\\d$/ AND region =~ /(?P<r>[[:alpha:]]+east)/", db: "db0")).IsEqualTo(Ok(
            "{\"columns\":[\"key\"],\"values\":[[\"cpu,host=server01,region=useast\"],[\"cpu,host=server02,region=useast\"],[\"disk,host=server03,region=caeast\"],[\"gpu,host=server02,region=useast\"],[\"gpu,host=server03,region=caeast\"]]}"));
    }
}
