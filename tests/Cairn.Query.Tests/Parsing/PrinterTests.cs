using Cairn.Query.Ast;
using Cairn.Query.Parsing;
using static Cairn.Query.Tests.Parsing.A;

namespace Cairn.Query.Tests.Parsing;

/// <summary>ToString gives the canonical text InfluxDB prints (SHOW QUERIES, SHOW CONTINUOUS QUERIES, logs).</summary>
public class PrinterTests
{
    [Test]
    [Arguments("select * from cpu", "SELECT * FROM cpu")]
    [Arguments("SELECT \"value\" FROM \"cpu\"", "SELECT value FROM cpu")]
    [Arguments("SELECT \"select\", \"my field\", \"a.b\", \"1x\", \"time\" FROM \"my measurement\"", "SELECT \"select\", \"my field\", \"a.b\", \"1x\", time FROM \"my measurement\"")]
    [Arguments("SELECT a.b FROM m", "SELECT \"a.b\" FROM m")]
    [Arguments("SELECT 1.0, 1.5, .5, 100., 0.000001, 123456789012345678901234567890.0 FROM m", "SELECT 1.0, 1.5, 0.5, 100.0, 0.000001, 123456789012345680000000000000.0 FROM m")]
    [Arguments("SELECT v FROM m WHERE time > now() - 60s AND time < now() - 86400s", "SELECT v FROM m WHERE time > now() - 1m AND time < now() - 1d")]
    [Arguments("SELECT v FROM m WHERE time > now() - 7d - 1000ms - 1500ms - 1µ - 1h30m", "SELECT v FROM m WHERE time > now() - 1w - 1s - 1500ms - 1u - 90m")]
    [Arguments("SELECT v FROM m WHERE a <> 1 AND b != 2", "SELECT v FROM m WHERE a != 1 AND b != 2")]
    [Arguments("SELECT v FROM m WHERE s = 'it\\'s a\\nnew \\\\ line' ", "SELECT v FROM m WHERE s = 'it\\'s a\\nnew \\\\ line'")]
    [Arguments("SELECT v FROM m WHERE host =~ /a\\/b/ OR host !~ /^c$/", "SELECT v FROM m WHERE host =~ /a\\/b/ OR host !~ /^c$/")]
    [Arguments("SELECT v FROM m WHERE (a = 1 OR b = 2) AND c = 3", "SELECT v FROM m WHERE (a = 1 OR b = 2) AND c = 3")]
    [Arguments("SELECT -v, +v, - 1, -(v) FROM m", "SELECT -1 * v, 1 * v, -1, -1 * (v) FROM m")]
    [Arguments("SELECT v::float, t::tag, f::field, *::field, *::tag FROM m", "SELECT v::float, t::tag, f::field, *::field, *::tag FROM m")]
    [Arguments("SELECT MEAN(v) AS \"the mean\" FROM m", "SELECT mean(v) AS \"the mean\" FROM m")]
    [Arguments("SELECT count(DISTINCT host), DISTINCT(x) FROM m", "SELECT count(DISTINCT host), distinct(x) FROM m")]
    [Arguments("SELECT * FROM db..m, db.rp.m, rp.m, /re/, rp./re/, db.rp./re/, db../re/", "SELECT * FROM db..m, db.rp.m, rp.m, /re/, rp./re/, db.rp./re/, db../re/")]
    [Arguments("SELECT * INTO db..:MEASUREMENT FROM /.*/", "SELECT * INTO db..:MEASUREMENT FROM /.*/")]
    [Arguments("SELECT * INTO \"rp 1\".:measurement FROM m", "SELECT * INTO \"rp 1\".:MEASUREMENT FROM m")]
    [Arguments("SELECT mean(v) FROM m GROUP BY time(1h, 15m), host, * fill(previous)", "SELECT mean(v) FROM m GROUP BY time(1h, 15m), host, * fill(previous)")]
    [Arguments("SELECT mean(v) FROM m GROUP BY time(1h) fill(null)", "SELECT mean(v) FROM m GROUP BY time(1h)")]
    [Arguments("SELECT mean(v) FROM m GROUP BY time(1h) fill(0)", "SELECT mean(v) FROM m GROUP BY time(1h) fill(0)")]
    [Arguments("SELECT mean(v) FROM m GROUP BY time(1h) fill(-2.5)", "SELECT mean(v) FROM m GROUP BY time(1h) fill(-2.5)")]
    [Arguments("SELECT mean(v) FROM m GROUP BY time(1h) fill(100.0)", "SELECT mean(v) FROM m GROUP BY time(1h) fill(100)")]
    [Arguments("SELECT mean(v) FROM m GROUP BY time(1h) fill(1000000.0)", "SELECT mean(v) FROM m GROUP BY time(1h) fill(1e+06)")]
    [Arguments("SELECT v FROM m ORDER BY time DESC LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4 tz('America/Chicago')", "SELECT v FROM m ORDER BY time DESC LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4 TZ('America/Chicago')")]
    [Arguments("SELECT v FROM m ORDER BY asc LIMIT 0 OFFSET 0", "SELECT v FROM m ORDER BY ASC")]
    [Arguments("SELECT max(v) FROM (SELECT v FROM m WHERE x = 'y') WHERE time > 0", "SELECT max(v) FROM (SELECT v FROM m WHERE x = 'y') WHERE time > 0")]
    [Arguments("SELECT v FROM m WHERE v > 9223372036854775808 AND w = -9223372036854775808", "SELECT v FROM m WHERE v > 9223372036854775808 AND w = -9223372036854775808")]
    [Arguments("SELECT v FROM m WHERE b = TRUE OR b = False", "SELECT v FROM m WHERE b = true OR b = false")]
    [Arguments("delete from cpu where time < '2000-01-01'", "DELETE FROM cpu WHERE time < '2000-01-01'")]
    [Arguments("drop series from cpu", "DROP SERIES FROM cpu")]
    [Arguments("show databases", "SHOW DATABASES")]
    [Arguments("show retention policies on \"my db\"", "SHOW RETENTION POLICIES ON \"my db\"")]
    [Arguments("show series on db from cpu where a = 'b' limit 1", "SHOW SERIES ON db FROM cpu WHERE a = 'b' LIMIT 1")]
    [Arguments("show series exact cardinality on db group by host", "SHOW SERIES EXACT CARDINALITY ON db GROUP BY host")]
    [Arguments("show measurement cardinality", "SHOW MEASUREMENT CARDINALITY")]
    [Arguments("show tag key exact cardinality from cpu", "SHOW TAG KEY EXACT CARDINALITY FROM cpu")]
    [Arguments("show field key cardinality limit 2 offset 1", "SHOW FIELD KEY CARDINALITY LIMIT 2 OFFSET 1")]
    [Arguments("show measurements on *.*", "SHOW MEASUREMENTS ON *.*")]
    [Arguments("show measurements on \"my db\".rp", "SHOW MEASUREMENTS ON my db.rp")]
    [Arguments("show measurements with measurement =~ /c.*/ where a = 'b'", "SHOW MEASUREMENTS WITH MEASUREMENT =~ /c.*/ WHERE a = 'b'")]
    [Arguments("show measurements with measurement = cpu", "SHOW MEASUREMENTS WITH MEASUREMENT = cpu")]
    [Arguments("show tag keys from cpu with key = host limit 1 soffset 2", "SHOW TAG KEYS FROM cpu LIMIT 1 SOFFSET 2")]
    [Arguments("show tag values with key in (\"a b\", c) where x = 'y'", "SHOW TAG VALUES WITH KEY IN (\"a b\", c) WHERE x = 'y'")]
    [Arguments("show tag values with key = \"select\"", "SHOW TAG VALUES WITH KEY = \"select\"")]
    [Arguments("show tag values exact cardinality with key =~ /h/", "SHOW TAG VALUES EXACT CARDINALITY WITH KEY =~ /h/")]
    [Arguments("show field keys on db from cpu", "SHOW FIELD KEYS ON db FROM cpu")]
    [Arguments("show stats for 'shard'", "SHOW STATS FOR 'shard'")]
    [Arguments("show diagnostics", "SHOW DIAGNOSTICS")]
    [Arguments("show grants for \"bob smith\"", "SHOW GRANTS FOR \"bob smith\"")]
    [Arguments("show shard groups", "SHOW SHARD GROUPS")]
    [Arguments("create database db with duration 1d replication 1 shard duration 1h name rp", "CREATE DATABASE db WITH DURATION 24h0m0s REPLICATION 1 SHARD DURATION 1h0m0s NAME rp")]
    [Arguments("create database db with duration inf future limit 1h past limit 2d", "CREATE DATABASE db WITH DURATION 0s FUTURE LIMIT 1h PAST LIMIT 2d")]
    [Arguments("create retention policy rp on db duration 1d replication 1 shard duration 1h default", "CREATE RETENTION POLICY rp ON db DURATION 1d REPLICATION 1 SHARD DURATION 1h DEFAULT")]
    [Arguments("create retention policy rp on db duration inf replication 3 future limit 10m", "CREATE RETENTION POLICY rp ON db DURATION 0s REPLICATION 3 FUTURE LIMIT 10m")]
    [Arguments("alter retention policy rp on db default duration 2d shard duration 0s", "ALTER RETENTION POLICY rp ON db DURATION 2d SHARD DURATION 0s DEFAULT")]
    [Arguments("drop retention policy rp on db", "DROP RETENTION POLICY rp ON db")]
    [Arguments("create continuous query cq on db resample every 1m for 2h begin select mean(v) into m2 from m group by time(1h) end", "CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 1m FOR 2h BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1h) END")]
    [Arguments("create continuous query \"my.query\" on db0 begin select sum(visits) as visits into test_1m from myseries group by time(1m), host end", "CREATE CONTINUOUS QUERY \"my.query\" ON db0 BEGIN SELECT sum(visits) AS visits INTO test_1m FROM myseries GROUP BY time(1m), host END")]
    [Arguments("drop continuous query cq on db", "DROP CONTINUOUS QUERY cq ON db")]
    [Arguments("create subscription s on db.rp destinations any 'udp://a:1', 'udp://b:2'", "CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ANY 'udp://a:1', 'udp://b:2'")]
    [Arguments("drop subscription s on \"my db\".rp", "DROP SUBSCRIPTION s ON \"my db\".rp")]
    [Arguments("create user bob with password 'secret' with all privileges", "CREATE USER bob WITH PASSWORD [REDACTED] WITH ALL PRIVILEGES")]
    [Arguments("set password for bob = 'secret'", "SET PASSWORD FOR bob = [REDACTED]")]
    [Arguments("drop user bob", "DROP USER bob")]
    [Arguments("grant all on db to bob", "GRANT ALL PRIVILEGES ON db TO bob")]
    [Arguments("grant read on db to bob", "GRANT READ ON db TO bob")]
    [Arguments("grant all to bob", "GRANT ALL PRIVILEGES TO bob")]
    [Arguments("revoke write on db from bob", "REVOKE WRITE ON db FROM bob")]
    [Arguments("revoke all privileges from bob", "REVOKE ALL PRIVILEGES FROM bob")]
    [Arguments("drop measurement \"cpu load\"", "DROP MEASUREMENT \"cpu load\"")]
    [Arguments("drop shard 42", "DROP SHARD 42")]
    [Arguments("kill query 7 on \"host:8088\"", "KILL QUERY 7 ON \"host:8088\"")]
    [Arguments("explain analyze verbose select * from m", "EXPLAIN ANALYZE VERBOSE SELECT * FROM m")]
    [Arguments("show queries; show users", "SHOW QUERIES;\nSHOW USERS")]
    public async Task ToString_ParsedQuery_IsInfluxCanonicalText(string text, string canonical)
    {
        await Assert.That(InfluxQLParser.Parse(text).ToString()).IsEqualTo(canonical);
    }

    [Test]
    public async Task ToString_NormalizedContinuousQuery_MatchesInfluxShowContinuousQueries()
    {
        // InfluxDB stores a CQ's text after filling in the database and retention policies
        // (tests/server_test.go, SHOW CONTINUOUS QUERIES).
        var cq = (CreateContinuousQueryStatement)InfluxQLParser.ParseStatement(
            "CREATE CONTINUOUS QUERY \"cq1\" ON db0 BEGIN SELECT count(value) INTO \"rp1\".:MEASUREMENT FROM /[cg]pu/ GROUP BY time(5s) END");
        var source = cq.Source with
        {
            Target = new Target(cq.Source.Target!.Measurement with { Database = "db0" }),
            Sources = From(((Measurement)cq.Source.Sources[0]) with { Database = "db0", RetentionPolicy = "rp0" }),
        };
        await Assert.That((cq with { Source = source }).ToString()).IsEqualTo(
            "CREATE CONTINUOUS QUERY cq1 ON db0 BEGIN SELECT count(value) INTO db0.rp1.:MEASUREMENT FROM db0.rp0./[cg]pu/ GROUP BY time(5s) END");
    }

    [Test]
    public async Task ToString_NodesNotFromTheParser_PrintAsInfluxql()
    {
        await Assert.That(new TimeLiteral(946_684_800_000_000_000).ToString()).IsEqualTo("'2000-01-01T00:00:00Z'");
        await Assert.That(new NilLiteral().ToString()).IsEqualTo("nil");
        await Assert.That(new BoundParameter("my param").ToString()).IsEqualTo("$\"my param\"");
        await Assert.That(new Measurement { Name = "m", SystemIterator = "_fieldKeys" }.ToString()).IsEqualTo("_fieldKeys");
        await Assert.That(new NumberLiteral(double.NaN).ToString()).IsEqualTo("NaN");
        await Assert.That(new NumberLiteral(double.NegativeInfinity).ToString()).IsEqualTo("-Inf");
    }
}
