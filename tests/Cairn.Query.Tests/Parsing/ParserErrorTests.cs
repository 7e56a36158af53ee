using Cairn.Query.Parsing;

namespace Cairn.Query.Tests.Parsing;

/// <summary>Malformed statements fail with influxql's exact error text and position (after parser_test.go).</summary>
public class ParserErrorTests
{
    [Test]
    [Arguments("", "found EOF, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1")]
    [Arguments("SELECT", "found EOF, expected identifier, string, number, bool at line 1, char 8")]
    [Arguments("blah blah", "found blah, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1")]
    [Arguments("SELECT field1 X", "found X, expected FROM at line 1, char 15")]
    [Arguments("SELECT field1 FROM \"series\" WHERE X +;", "found ;, expected identifier, string, number, bool at line 1, char 38")]
    [Arguments("SELECT field1 FROM myseries GROUP", "found EOF, expected BY at line 1, char 35")]
    [Arguments("SELECT field1 FROM myseries LIMIT", "found EOF, expected integer at line 1, char 35")]
    [Arguments("SELECT field1 FROM myseries LIMIT 10.5", "found 10.5, expected integer at line 1, char 35")]
    [Arguments("SELECT field1 FROM myseries OFFSET", "found EOF, expected integer at line 1, char 36")]
    [Arguments("SELECT field1 FROM myseries OFFSET 10.5", "found 10.5, expected integer at line 1, char 36")]
    [Arguments("SELECT field1 FROM myseries ORDER", "found EOF, expected BY at line 1, char 35")]
    [Arguments("SELECT field1 FROM myseries ORDER BY", "found EOF, expected identifier, ASC, DESC at line 1, char 38")]
    [Arguments("SELECT field1 FROM myseries ORDER BY /", "found /, expected identifier, ASC, DESC at line 1, char 38")]
    [Arguments("SELECT field1 FROM myseries ORDER BY 1", "found 1, expected identifier, ASC, DESC at line 1, char 38")]
    [Arguments("SELECT field1 FROM myseries ORDER BY time ASC,", "found EOF, expected identifier at line 1, char 47")]
    [Arguments("SELECT field1 FROM myseries ORDER BY time, field1", "only ORDER BY time supported at this time")]
    [Arguments("SELECT field1 FROM myseries ORDER BY value", "only ORDER BY time supported at this time")]
    [Arguments("SELECT field1 AS", "found EOF, expected identifier at line 1, char 18")]
    [Arguments("SELECT field1 FROM 12", "found 12, expected identifier at line 1, char 20")]
    [Arguments("SELECT 1000000000000000000000000000000000000000000000000000000000000000000000000000 FROM myseries", "unable to parse integer at line 1, char 8")]
    [Arguments("SELECT 10.5h FROM myseries", "found h, expected FROM at line 1, char 12")]
    [Arguments("SELECT distinct FROM myseries", "found FROM, expected identifier at line 1, char 17")]
    [Arguments("SELECT count(distinct) FROM myseries", "found ), expected (, identifier at line 1, char 22")]
    [Arguments("SELECT field1 from myseries WHERE host =~ 'asd' LIMIT 1", "found asd, expected regex at line 1, char 42")]
    [Arguments("SELECT value > 2 FROM cpu", "invalid operator > in SELECT clause at line 1, char 8; operator is intended for WHERE clause")]
    [Arguments("SELECT value = 2 FROM cpu", "invalid operator = in SELECT clause at line 1, char 8; operator is intended for WHERE clause")]
    [Arguments("SELECT s =~ /foo/ FROM cpu", "invalid operator =~ in SELECT clause at line 1, char 8; operator is intended for WHERE clause")]
    [Arguments("SELECT a, count(b > 1, c AND d) FROM cpu", "invalid operator AND in SELECT clause at line 1, char 11; operator is intended for WHERE clause")]
    [Arguments("SELECT mean(value) FROM cpu FILL + value", "fill must be a function call")]
    [Arguments("SELECT mean(value) FROM cpu GROUP BY time(1m) fill()", "fill requires an argument, e.g.: 0, null, none, previous, linear")]
    [Arguments("SELECT mean(value) FROM cpu GROUP BY time(1m) fill('none')", "expected number argument in fill()")]
    [Arguments("SELECT mean(value) FROM cpu tz", "tz must be a function call")]
    [Arguments("SELECT mean(value) FROM cpu tz('a', 'b')", "tz requires exactly one argument")]
    [Arguments("SELECT mean(value) FROM cpu tz(1)", "expected string argument in tz()")]
    [Arguments("SELECT mean(value) FROM cpu tz('Nowhere/Special')", "unable to find time zone Nowhere/Special")]
    [Arguments("SELECT mean(value) FROM cpu tz('../etc/passwd')", "unable to find time zone ../etc/passwd")]
    [Arguments("SELECT value FROM cpu LIMIT -1", "found -, expected integer at line 1, char 29")]
    [Arguments("SELECT value FROM a.b.c.d", "too many segments in \"a\".\"b\".\"c\".d at line 1, char 1")]
    [Arguments("SELECT value::bogus FROM cpu", "found bogus, expected float, integer, unsigned, string, boolean, field, tag at line 1, char 15")]
    [Arguments("SELECT value::1 FROM cpu", "found 1, expected float, integer, string, boolean, field, tag at line 1, char 15")]
    [Arguments("SELECT *::integer FROM cpu", "found integer, expected field, tag at line 1, char 11")]
    [Arguments("SELECT -'a' FROM cpu", "found a, expected identifier, number, duration, ( at line 1, char 8")]
    [Arguments("SELECT value FROM cpu WHERE time > now() - 1y", "invalid duration")]
    [Arguments("SELECT value FROM cpu WHERE time > now() - 15251w", "overflowed duration 15251w: choose a smaller duration or INF")]
    [Arguments("SELECT value FROM cpu WHERE x = -9223372036854775809", "constant -9223372036854775809 underflows int64")]
    [Arguments("SELECT value FROM cpu WHERE host = 'unterminated", "found unterminated, expected identifier, string, number, bool at line 1, char 35")]
    [Arguments("SELECT value FROM cpu WHERE host = 'bad\\q'", "found \\q, expected identifier, string, number, bool at line 1, char 41")]
    [Arguments("SELECT * FROM cpu WHERE \"tagkey\" = $$", "empty bound parameter")]
    [Arguments("SELECT * FROM cpu WHERE host = $host", "missing parameter: host")]
    [Arguments("SELECT * FROM (SHOW DATABASES)", "found SHOW, expected SELECT at line 1, char 16")]
    [Arguments("SELECT * FROM (SELECT * FROM cpu", "found EOF, expected ) at line 1, char 34")]
    [Arguments("SELECT * INTO :MEASUREMENT FROM cpu", "found :, expected identifier at line 1, char 15")]
    [Arguments("SELECT * INTO db.:foo FROM cpu", "found foo, expected MEASUREMENT at line 1, char 19")]
    [Arguments("SELECT count(value FROM cpu", "found FROM, expected ) at line 1, char 20")]
    [Arguments("DELETE", "found EOF, expected FROM, WHERE at line 1, char 8")]
    [Arguments("DELETE FROM", "found EOF, expected identifier at line 1, char 13")]
    [Arguments("DELETE FROM &foo.myseries", "found &, expected identifier at line 1, char 13")]
    [Arguments("DELETE FROM ^foo.myseries", "found ^, expected identifier at line 1, char 13")]
    [Arguments("DELETE FROM *foo.myseries", "found *, expected identifier at line 1, char 13")]
    [Arguments("DELETE FROM myseries WHERE", "found EOF, expected identifier, string, number, bool at line 1, char 28")]
    [Arguments("DELETE FROM foo..myseries", "database not supported at line 1, char 1")]
    [Arguments("DROP MEASUREMENT", "found EOF, expected identifier at line 1, char 18")]
    [Arguments("DROP SERIES", "found EOF, expected FROM, WHERE at line 1, char 13")]
    [Arguments("DROP SERIES FROM", "found EOF, expected identifier at line 1, char 18")]
    [Arguments("DROP SERIES FROM src WHERE", "found EOF, expected identifier, string, number, bool at line 1, char 28")]
    [Arguments("DROP SERIES FROM \"foo\".myseries", "retention policy not supported at line 1, char 1")]
    [Arguments("DROP SERIES FROM foo..myseries", "database not supported at line 1, char 1")]
    [Arguments("DROP SERIES FROM foo.bar.myseries", "retention policy not supported at line 1, char 1")]
    [Arguments("SHOW CONTINUOUS", "found EOF, expected QUERIES at line 1, char 17")]
    [Arguments("SHOW RETENTION", "found EOF, expected POLICIES at line 1, char 16")]
    [Arguments("SHOW RETENTION ON", "found ON, expected POLICIES at line 1, char 16")]
    [Arguments("SHOW RETENTION POLICIES ON", "found EOF, expected identifier at line 1, char 28")]
    [Arguments("SHOW SHARD", "found EOF, expected GROUPS at line 1, char 12")]
    [Arguments("SHOW FOO", "found FOO, expected CONTINUOUS, DATABASES, DIAGNOSTICS, FIELD, GRANTS, MEASUREMENT, MEASUREMENTS, QUERIES, RETENTION, SERIES, SHARD, SHARDS, STATS, SUBSCRIPTIONS, TAG, USERS at line 1, char 6")]
    [Arguments("SHOW STATS FOR", "found EOF, expected string at line 1, char 16")]
    [Arguments("SHOW DIAGNOSTICS FOR", "found EOF, expected string at line 1, char 22")]
    [Arguments("SHOW GRANTS", "found EOF, expected FOR at line 1, char 13")]
    [Arguments("SHOW GRANTS FOR", "found EOF, expected identifier at line 1, char 17")]
    [Arguments("SHOW FIELD", "found EOF, expected KEY, KEYS at line 1, char 12")]
    [Arguments("SHOW FIELD KEY", "found EOF, expected EXACT, CARDINALITY at line 1, char 16")]
    [Arguments("SHOW FIELD KEY EXACT", "found EOF, expected CARDINALITY at line 1, char 22")]
    [Arguments("SHOW TAG", "found EOF, expected KEY, KEYS, VALUES at line 1, char 10")]
    [Arguments("SHOW TAG KEY", "found EOF, expected EXACT, CARDINALITY at line 1, char 14")]
    [Arguments("SHOW TAG VALUES", "found EOF, expected WITH at line 1, char 17")]
    [Arguments("SHOW TAG VALUES WITH", "found EOF, expected KEY at line 1, char 22")]
    [Arguments("SHOW TAG VALUES WITH KEY", "found EOF, expected IN, =, =~ at line 1, char 26")]
    [Arguments("SHOW TAG VALUES WITH KEY =~ host", "found host, expected regex at line 1, char 29")]
    [Arguments("SHOW TAG VALUES WITH KEY IN host", "found host, expected ( at line 1, char 29")]
    [Arguments("SHOW TAG VALUES WITH KEY IN (a, b", "found EOF, expected ) at line 1, char 35")]
    [Arguments("SHOW TAG VALUES EXACT", "found EOF, expected CARDINALITY at line 1, char 23")]
    [Arguments("SHOW MEASUREMENT", "found EOF, expected EXACT, CARDINALITY at line 1, char 18")]
    [Arguments("SHOW MEASUREMENT EXACT", "found EOF, expected CARDINALITY at line 1, char 24")]
    [Arguments("SHOW MEASUREMENTS ON 1", "found 1, expected identifier or * at line 1, char 22")]
    [Arguments("SHOW MEASUREMENTS ON db.'x'", "found x, expected identifier or * at line 1, char 24")]
    [Arguments("SHOW MEASUREMENTS WITH", "found EOF, expected MEASUREMENT at line 1, char 24")]
    [Arguments("SHOW MEASUREMENTS WITH MEASUREMENT != cpu", "found !=, expected =, =~ at line 1, char 36")]
    [Arguments("DROP CONTINUOUS", "found EOF, expected QUERY at line 1, char 17")]
    [Arguments("DROP CONTINUOUS QUERY", "found EOF, expected identifier at line 1, char 23")]
    [Arguments("DROP CONTINUOUS QUERY myquery", "found EOF, expected ON at line 1, char 31")]
    [Arguments("DROP CONTINUOUS QUERY myquery ON", "found EOF, expected identifier at line 1, char 34")]
    [Arguments("CREATE CONTINUOUS", "found EOF, expected QUERY at line 1, char 19")]
    [Arguments("CREATE CONTINUOUS QUERY", "found EOF, expected identifier at line 1, char 25")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db RESAMPLE FOR 5s BEGIN SELECT mean(value) INTO cpu_mean FROM cpu GROUP BY time(10s) END", "FOR duration must be >= GROUP BY time duration: must be a minimum of 10s, got 5s")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 10s FOR 5s BEGIN SELECT mean(value) INTO cpu_mean FROM cpu GROUP BY time(5s) END", "FOR duration must be >= GROUP BY time duration: must be a minimum of 10s, got 5s")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db RESAMPLE BEGIN SELECT mean(value) INTO cpu_mean FROM cpu GROUP BY time(5s) END", "found BEGIN, expected EVERY, FOR at line 1, char 43")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY INF BEGIN", "found INF, expected duration at line 1, char 49")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT mean(value) FROM cpu GROUP BY time(5s) END", "found FROM, expected INTO at line 1, char 59")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT count(value) INTO m FROM cpu END", "found cpu, expected GROUP BY time(...) at line 1, char 72")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT count(value) INTO m FROM cpu GROUP BY time(x) END", "found ), expected GROUP BY time(...), time dimension must have duration argument at line 1, char 91")]
    [Arguments("CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT value INTO m FROM cpu", "found EOF, expected END at line 1, char 69")]
    [Arguments("DROP FOO", "found FOO, expected CONTINUOUS, DATABASE, MEASUREMENT, RETENTION, SERIES, SHARD, SUBSCRIPTION, USER at line 1, char 6")]
    [Arguments("CREATE FOO", "found FOO, expected CONTINUOUS, DATABASE, USER, RETENTION, SUBSCRIPTION at line 1, char 8")]
    [Arguments("CREATE DATABASE", "found EOF, expected identifier at line 1, char 17")]
    [Arguments("CREATE DATABASE \"testdb\" WITH", "found EOF, expected DURATION, NAME, REPLICATION, SHARD, FUTURE, PAST at line 1, char 31")]
    [Arguments("CREATE DATABASE \"testdb\" WITH DURATION", "found EOF, expected duration at line 1, char 40")]
    [Arguments("CREATE DATABASE \"testdb\" WITH REPLICATION", "found EOF, expected integer at line 1, char 43")]
    [Arguments("CREATE DATABASE \"testdb\" WITH NAME", "found EOF, expected identifier at line 1, char 36")]
    [Arguments("CREATE DATABASE \"testdb\" WITH SHARD", "found EOF, expected DURATION at line 1, char 37")]
    [Arguments("CREATE DATABASE \"testdb\" WITH FUTURE 1h", "found 1h, expected LIMIT at line 1, char 38")]
    [Arguments("CREATE DATABASE 0xdb0", "found 0xdb0, expected identifier at line 1, char 17")]
    [Arguments("CREATE DATABASE db0 WITH DURATION xyz", "found xyz, expected duration at line 1, char 35")]
    [Arguments("CREATE DATABASE db0 WITH REPLICATION xyz", "found xyz, expected integer at line 1, char 38")]
    [Arguments("CREATE DATABASE db0 WITH NAME", "found EOF, expected identifier at line 1, char 31")]
    [Arguments("DROP DATABASE", "found EOF, expected identifier at line 1, char 15")]
    [Arguments("DROP RETENTION", "found EOF, expected POLICY at line 1, char 16")]
    [Arguments("DROP RETENTION POLICY", "found EOF, expected identifier at line 1, char 23")]
    [Arguments("DROP RETENTION POLICY \"1h.cpu\"", "found EOF, expected ON at line 1, char 31")]
    [Arguments("DROP RETENTION POLICY \"1h.cpu\" ON", "found EOF, expected identifier at line 1, char 35")]
    [Arguments("DROP USER", "found EOF, expected identifier at line 1, char 11")]
    [Arguments("DROP SUBSCRIPTION", "found EOF, expected identifier at line 1, char 19")]
    [Arguments("DROP SUBSCRIPTION \"name\"", "found EOF, expected ON at line 1, char 25")]
    [Arguments("DROP SUBSCRIPTION \"name\" ON ", "found EOF, expected identifier at line 1, char 30")]
    [Arguments("DROP SUBSCRIPTION \"name\" ON \"db\"", "found EOF, expected . at line 1, char 33")]
    [Arguments("DROP SUBSCRIPTION \"name\" ON \"db\".", "found EOF, expected identifier at line 1, char 34")]
    [Arguments("DROP SHARD", "found EOF, expected integer at line 1, char 12")]
    [Arguments("DROP SHARD 18446744073709551616", "strconv.ParseUint: parsing \"18446744073709551616\": value out of range at line 1, char 12")]
    [Arguments("CREATE USER testuser", "found EOF, expected WITH at line 1, char 22")]
    [Arguments("CREATE USER testuser WITH", "found EOF, expected PASSWORD at line 1, char 27")]
    [Arguments("CREATE USER testuser WITH PASSWORD", "found EOF, expected string at line 1, char 36")]
    [Arguments("CREATE USER testuser WITH PASSWORD 'pwd' WITH", "found EOF, expected ALL at line 1, char 47")]
    [Arguments("CREATE USER testuser WITH PASSWORD 'pwd' WITH ALL", "found EOF, expected PRIVILEGES at line 1, char 51")]
    [Arguments("CREATE SUBSCRIPTION", "found EOF, expected identifier at line 1, char 21")]
    [Arguments("CREATE SUBSCRIPTION \"name\"", "found EOF, expected ON at line 1, char 27")]
    [Arguments("CREATE SUBSCRIPTION \"name\" ON ", "found EOF, expected identifier at line 1, char 32")]
    [Arguments("CREATE SUBSCRIPTION \"name\" ON \"db\"", "found EOF, expected . at line 1, char 35")]
    [Arguments("CREATE SUBSCRIPTION \"name\" ON \"db\".", "found EOF, expected identifier at line 1, char 36")]
    [Arguments("CREATE SUBSCRIPTION \"name\" ON \"db\".\"rp\"", "found EOF, expected DESTINATIONS at line 1, char 40")]
    [Arguments("CREATE SUBSCRIPTION \"name\" ON \"db\".\"rp\" DESTINATIONS", "found EOF, expected ALL, ANY at line 1, char 54")]
    [Arguments("CREATE SUBSCRIPTION \"name\" ON \"db\".\"rp\" DESTINATIONS ALL ", "found EOF, expected string at line 1, char 59")]
    [Arguments("GRANT", "found EOF, expected READ, WRITE, ALL [PRIVILEGES] at line 1, char 7")]
    [Arguments("GRANT BOGUS", "found BOGUS, expected READ, WRITE, ALL [PRIVILEGES] at line 1, char 7")]
    [Arguments("GRANT READ", "found EOF, expected ON at line 1, char 12")]
    [Arguments("GRANT READ FROM", "found FROM, expected ON at line 1, char 12")]
    [Arguments("GRANT READ ON", "found EOF, expected identifier at line 1, char 15")]
    [Arguments("GRANT READ ON TO", "found TO, expected identifier at line 1, char 15")]
    [Arguments("GRANT READ ON testdb", "found EOF, expected TO at line 1, char 22")]
    [Arguments("GRANT READ ON testdb TO", "found EOF, expected identifier at line 1, char 25")]
    [Arguments("GRANT READ TO", "found TO, expected ON at line 1, char 12")]
    [Arguments("GRANT WRITE", "found EOF, expected ON at line 1, char 13")]
    [Arguments("GRANT WRITE FROM", "found FROM, expected ON at line 1, char 13")]
    [Arguments("GRANT WRITE ON", "found EOF, expected identifier at line 1, char 16")]
    [Arguments("GRANT WRITE ON TO", "found TO, expected identifier at line 1, char 16")]
    [Arguments("GRANT WRITE ON testdb", "found EOF, expected TO at line 1, char 23")]
    [Arguments("GRANT WRITE ON testdb TO", "found EOF, expected identifier at line 1, char 26")]
    [Arguments("GRANT WRITE TO", "found TO, expected ON at line 1, char 13")]
    [Arguments("GRANT ALL", "found EOF, expected ON, TO at line 1, char 11")]
    [Arguments("GRANT ALL PRIVILEGES", "found EOF, expected ON, TO at line 1, char 22")]
    [Arguments("GRANT ALL FROM", "found FROM, expected ON, TO at line 1, char 11")]
    [Arguments("GRANT ALL PRIVILEGES FROM", "found FROM, expected ON, TO at line 1, char 22")]
    [Arguments("GRANT ALL ON", "found EOF, expected identifier at line 1, char 14")]
    [Arguments("GRANT ALL PRIVILEGES ON", "found EOF, expected identifier at line 1, char 25")]
    [Arguments("GRANT ALL ON TO", "found TO, expected identifier at line 1, char 14")]
    [Arguments("GRANT ALL PRIVILEGES ON TO", "found TO, expected identifier at line 1, char 25")]
    [Arguments("GRANT ALL ON testdb", "found EOF, expected TO at line 1, char 21")]
    [Arguments("GRANT ALL PRIVILEGES ON testdb", "found EOF, expected TO at line 1, char 32")]
    [Arguments("GRANT ALL ON testdb FROM", "found FROM, expected TO at line 1, char 21")]
    [Arguments("GRANT ALL PRIVILEGES ON testdb FROM", "found FROM, expected TO at line 1, char 32")]
    [Arguments("GRANT ALL ON testdb TO", "found EOF, expected identifier at line 1, char 24")]
    [Arguments("GRANT ALL PRIVILEGES ON testdb TO", "found EOF, expected identifier at line 1, char 35")]
    [Arguments("GRANT ALL TO", "found EOF, expected identifier at line 1, char 14")]
    [Arguments("GRANT ALL PRIVILEGES TO", "found EOF, expected identifier at line 1, char 25")]
    [Arguments("KILL", "found EOF, expected QUERY at line 1, char 6")]
    [Arguments("KILL QUERY 10s", "found 10s, expected integer at line 1, char 12")]
    [Arguments("KILL QUERY 4 ON 'host'", "found host, expected identifier at line 1, char 16")]
    [Arguments("REVOKE", "found EOF, expected READ, WRITE, ALL [PRIVILEGES] at line 1, char 8")]
    [Arguments("REVOKE BOGUS", "found BOGUS, expected READ, WRITE, ALL [PRIVILEGES] at line 1, char 8")]
    [Arguments("REVOKE READ", "found EOF, expected ON at line 1, char 13")]
    [Arguments("REVOKE READ TO", "found TO, expected ON at line 1, char 13")]
    [Arguments("REVOKE READ ON", "found EOF, expected identifier at line 1, char 16")]
    [Arguments("REVOKE READ ON FROM", "found FROM, expected identifier at line 1, char 16")]
    [Arguments("REVOKE READ ON testdb", "found EOF, expected FROM at line 1, char 23")]
    [Arguments("REVOKE READ ON testdb FROM", "found EOF, expected identifier at line 1, char 28")]
    [Arguments("REVOKE READ FROM", "found FROM, expected ON at line 1, char 13")]
    [Arguments("REVOKE WRITE", "found EOF, expected ON at line 1, char 14")]
    [Arguments("REVOKE WRITE TO", "found TO, expected ON at line 1, char 14")]
    [Arguments("REVOKE WRITE ON", "found EOF, expected identifier at line 1, char 17")]
    [Arguments("REVOKE WRITE ON FROM", "found FROM, expected identifier at line 1, char 17")]
    [Arguments("REVOKE WRITE ON testdb", "found EOF, expected FROM at line 1, char 24")]
    [Arguments("REVOKE WRITE ON testdb FROM", "found EOF, expected identifier at line 1, char 29")]
    [Arguments("REVOKE WRITE FROM", "found FROM, expected ON at line 1, char 14")]
    [Arguments("REVOKE ALL", "found EOF, expected ON, FROM at line 1, char 12")]
    [Arguments("REVOKE ALL PRIVILEGES", "found EOF, expected ON, FROM at line 1, char 23")]
    [Arguments("REVOKE ALL TO", "found TO, expected ON, FROM at line 1, char 12")]
    [Arguments("REVOKE ALL PRIVILEGES TO", "found TO, expected ON, FROM at line 1, char 23")]
    [Arguments("REVOKE ALL ON", "found EOF, expected identifier at line 1, char 15")]
    [Arguments("REVOKE ALL PRIVILEGES ON", "found EOF, expected identifier at line 1, char 26")]
    [Arguments("REVOKE ALL ON FROM", "found FROM, expected identifier at line 1, char 15")]
    [Arguments("REVOKE ALL PRIVILEGES ON FROM", "found FROM, expected identifier at line 1, char 26")]
    [Arguments("REVOKE ALL ON testdb", "found EOF, expected FROM at line 1, char 22")]
    [Arguments("REVOKE ALL PRIVILEGES ON testdb", "found EOF, expected FROM at line 1, char 33")]
    [Arguments("REVOKE ALL ON testdb TO", "found TO, expected FROM at line 1, char 22")]
    [Arguments("REVOKE ALL PRIVILEGES ON testdb TO", "found TO, expected FROM at line 1, char 33")]
    [Arguments("REVOKE ALL ON testdb FROM", "found EOF, expected identifier at line 1, char 27")]
    [Arguments("REVOKE ALL PRIVILEGES ON testdb FROM", "found EOF, expected identifier at line 1, char 38")]
    [Arguments("REVOKE ALL FROM", "found EOF, expected identifier at line 1, char 17")]
    [Arguments("REVOKE ALL PRIVILEGES FROM", "found EOF, expected identifier at line 1, char 28")]
    [Arguments("CREATE RETENTION", "found EOF, expected POLICY at line 1, char 18")]
    [Arguments("CREATE RETENTION POLICY", "found EOF, expected identifier at line 1, char 25")]
    [Arguments("CREATE RETENTION POLICY policy1", "found EOF, expected ON at line 1, char 33")]
    [Arguments("CREATE RETENTION POLICY policy1 ON", "found EOF, expected identifier at line 1, char 36")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb", "found EOF, expected DURATION at line 1, char 43")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION", "found EOF, expected duration at line 1, char 52")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION bad", "found bad, expected duration at line 1, char 52")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h", "found EOF, expected REPLICATION at line 1, char 54")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION", "found EOF, expected integer at line 1, char 67")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 3.14", "found 3.14, expected integer at line 1, char 67")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 0", "invalid value 0: must be 1 <= n <= 2147483647 at line 1, char 67")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 99999999999999999999", "strconv.Atoi: parsing \"99999999999999999999\": value out of range at line 1, char 67")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION bad", "found bad, expected integer at line 1, char 67")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 2 SHARD DURATION INF", "invalid duration INF for shard duration at line 1, char 84")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 2 SHARD 1h", "found 1h, expected DURATION at line 1, char 75")]
    [Arguments("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 2 PAST 1h", "found 1h, expected LIMIT at line 1, char 74")]
    [Arguments("ALTER", "found EOF, expected RETENTION at line 1, char 7")]
    [Arguments("ALTER RETENTION", "found EOF, expected POLICY at line 1, char 17")]
    [Arguments("ALTER RETENTION POLICY", "found EOF, expected identifier at line 1, char 24")]
    [Arguments("ALTER RETENTION POLICY policy1", "found EOF, expected ON at line 1, char 32")]
    [Arguments("ALTER RETENTION POLICY policy1 ON", "found EOF, expected identifier at line 1, char 35")]
    [Arguments("ALTER RETENTION POLICY policy1 ON testdb", "found EOF, expected DURATION, REPLICATION, SHARD, DEFAULT, FUTURE, PAST at line 1, char 42")]
    [Arguments("ALTER RETENTION POLICY policy1 ON testdb REPLICATION 1 REPLICATION 2", "found duplicate REPLICATION option at line 1, char 56")]
    [Arguments("ALTER RETENTION POLICY policy1 ON testdb DURATION 15251w", "overflowed duration 15251w: choose a smaller duration or INF at line 1, char 51")]
    [Arguments("ALTER RETENTION POLICY policy1 ON testdb DURATION INF SHARD DURATION INF", "invalid duration INF for shard duration at line 1, char 70")]
    [Arguments("SET", "found EOF, expected PASSWORD at line 1, char 5")]
    [Arguments("SET PASSWORD", "found EOF, expected FOR at line 1, char 14")]
    [Arguments("SET PASSWORD something", "found something, expected FOR at line 1, char 14")]
    [Arguments("SET PASSWORD FOR", "found EOF, expected identifier at line 1, char 18")]
    [Arguments("SET PASSWORD FOR dejan", "found EOF, expected = at line 1, char 24")]
    [Arguments("SET PASSWORD FOR dejan =", "found EOF, expected string at line 1, char 25")]
    [Arguments("SET PASSWORD FOR dejan = bla", "found bla, expected string at line 1, char 26")]
    [Arguments("$SHOW$DATABASES", "found $SHOW, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1")]
    [Arguments("EXPLAIN", "found EOF, expected SELECT at line 1, char 9")]
    [Arguments("EXPLAIN SHOW DATABASES", "found SHOW, expected SELECT at line 1, char 9")]
    [Arguments("SELECT value FROM cpu\nWHERE", "found EOF, expected identifier, string, number, bool at line 2, char 7")]
    public async Task ParseStatement_Malformed_FailsWithInfluxError(string text, string error)
    {
        bool ok = InfluxQLParser.TryParseStatement(text, null, out _, out var parseError);
        await Assert.That(ok).IsFalse();
        await Assert.That(parseError!.Text).IsEqualTo(error);
    }

    [Test]
    [Arguments("CREATE DATABASE foo CREATE DATABASE bar", "found CREATE, expected ; at line 1, char 21")]
    [Arguments("SELECT a FROM b SELECT c FROM d", "found SELECT, expected ; at line 1, char 17")]
    [Arguments("DELETE FROM /rp*/.gpu", "found ., expected ; at line 1, char 18")]
    [Arguments("DELETE FROM db2..gpu", "database not supported at line 1, char 1")]
    [Arguments("DELETE FROM ...gpu", "found ., expected identifier at line 1, char 13")]
    [Arguments("SELECT", "found EOF, expected identifier, string, number, bool at line 1, char 8")]
    [Arguments("SELECT value\r\nFROM cpu WHERE x = 1 ~", "found ~, expected ; at line 2, char 22")]
    public async Task ParseQuery_Malformed_FailsWithInfluxError(string text, string error)
    {
        await Assert.That(InfluxQLParser.TryParse(text, out _, out var parseError)).IsFalse();
        await Assert.That(parseError!.Text).IsEqualTo(error);
        await Assert.That(parseError.ResponseMessage).IsEqualTo("error parsing query: " + error);
    }

    [Test]
    public async Task ParseError_FoundExpected_ExposesPartsAndPosition()
    {
        InfluxQLParser.TryParse("SELECT field1 FROM myseries LIMIT 10.5", out _, out var error);
        await Assert.That(error!.Found).IsEqualTo("10.5");
        await Assert.That(error.Expected!).IsEquivalentTo(new[] { "integer" });
        await Assert.That(error.Line).IsEqualTo(1);
        await Assert.That(error.Char).IsEqualTo(35);
        await Assert.That(error.Message).IsEqualTo("found 10.5, expected integer");
    }

    [Test]
    public async Task ParseError_Bare_HasNoPosition()
    {
        InfluxQLParser.TryParse("SELECT mean(value) FROM cpu FILL + value", out _, out var error);
        await Assert.That(error!.Line).IsNull();
        await Assert.That(error.Char).IsNull();
        await Assert.That(error.Text).IsEqualTo("fill must be a function call");
    }

    [Test]
    public async Task Parse_Throwing_CarriesTheError()
    {
        var e = Assert.Throws<InfluxQLParseException>(() => InfluxQLParser.Parse("SHOW"));
        await Assert.That(e.Error.Text).StartsWith("found EOF, expected CONTINUOUS");
        await Assert.That(e.Message).IsEqualTo(e.Error.Text);
    }

    [Test]
    public async Task Parse_LongLeftAssociativeChain_ParsesPrintsAndCompares()
    {
        // Dashboards generate "host = 'h0' OR host = 'h1' OR …" with thousands of terms: a deep left spine.
        string query = "SELECT v FROM m WHERE " + string.Join(" OR ", Enumerable.Range(0, 50_000).Select(i => $"host = 'h{i}'"));
        await Assert.That(InfluxQLParser.TryParse(query, out var parsed, out var error)).IsTrue();
        await Assert.That(error).IsNull();
        string printed = parsed!.ToString();
        await Assert.That(printed).IsEqualTo(query);
        var reparsed = InfluxQLParser.Parse(printed);
        await Assert.That(reparsed.Equals(parsed)).IsTrue();
        await Assert.That(reparsed.GetHashCode()).IsEqualTo(parsed.GetHashCode());
    }

    [Test]
    public async Task Parse_AbsurdNesting_FailsInsteadOfCrashing()
    {
        string deep = "SELECT " + new string('(', 200_000) + "1" + new string(')', 200_000) + " FROM m";
        await Assert.That(InfluxQLParser.TryParse(deep, out _, out var error)).IsFalse();
        await Assert.That(error!.Text).IsEqualTo("expression nests too deeply");
    }
}
