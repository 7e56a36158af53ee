using Cairn.Query.Ast;
using Cairn.Query.Parsing;
using static Cairn.Query.Tests.Parsing.A;

namespace Cairn.Query.Tests.Parsing;

/// <summary>Every statement of InfluxQL with its variants, parsed to the expected tree (after influxql's parser_test.go).</summary>
public class ParserStatementTests
{
    public static IEnumerable<Func<(string Text, Statement Expected)>> Statements()
    {
        // ---- SELECT ----------------------------------------------------------------------------------------
        yield return () => ("SELECT * FROM myseries", Select(Fields(new Wildcard()), M("myseries")));
        yield return () => ("SELECT * FROM myseries GROUP BY *",
            Select(Fields(new Wildcard()), M("myseries")) with { Dimensions = GroupBy(new Wildcard()) });
        yield return () => ("SELECT field1, * FROM myseries GROUP BY *",
            Select(Fields(V("field1"), new Wildcard()), M("myseries")) with { Dimensions = GroupBy(new Wildcard()) });
        yield return () => ("SELECT *::field, *::tag FROM cpu",
            Select(Fields(new Wildcard(WildcardType.Field), new Wildcard(WildcardType.Tag)), M("cpu")));
        yield return () => ("SELECT mean(field1), sum(field2), count(field3) AS field_x FROM myseries WHERE host = 'hosta.influxdb.org' and time > '2000-01-01T00:00:00Z' GROUP BY time(10h) ORDER BY DESC LIMIT 20 OFFSET 10;",
            new SelectStatement
            {
                Fields =
                [
                    new Field(Fn("mean", V("field1"))),
                    new Field(Fn("sum", V("field2"))),
                    new Field(Fn("count", V("field3")), "field_x"),
                ],
                Sources = From(M("myseries")),
                Condition = Bin(BinaryOperator.And,
                    Eq(V("host"), S("hosta.influxdb.org")),
                    Bin(BinaryOperator.Gt, V("time"), S("2000-01-01T00:00:00Z"))),
                Dimensions = GroupBy(Time(10 * Hour)),
                SortFields = OrderBy("", false),
                Limit = 20,
                Offset = 10,
            });
        yield return () => ("SELECT \"foo.bar.baz\" AS foo FROM myseries",
            Select([new Field(V("foo.bar.baz"), "foo")], M("myseries")));
        yield return () => ("SELECT foo.bar.baz FROM myseries", Select(Fields(V("foo.bar.baz")), M("myseries")));
        yield return () => ("SELECT value::float, host::tag, v::field, n::integer, u::unsigned, s::string, b::boolean FROM cpu",
            Select(Fields(V("value", DataType.Float), V("host", DataType.Tag), V("v", DataType.AnyField), V("n", DataType.Integer),
                V("u", DataType.Unsigned), V("s", DataType.String), V("b", DataType.Boolean)), M("cpu")));
        yield return () => ("SELECT sample(field1, 100) FROM myseries", Select(Fields(Fn("sample", V("field1"), I(100))), M("myseries")));
        yield return () => ("SELECT derivative(field1, 1h) / derivative(field2, 1h) FROM myseries",
            Select(Fields(Bin(BinaryOperator.Div, Fn("derivative", V("field1"), D(Hour)), Fn("derivative", V("field2"), D(Hour)))), M("myseries")));
        yield return () => ("SELECT holt_winters(first(field1), 3, 1) FROM myseries WHERE time > now() - 1d GROUP BY time(1h)",
            Select(Fields(Fn("holt_winters", Fn("first", V("field1")), I(3), I(1))), M("myseries")) with
            {
                Condition = Bin(BinaryOperator.Gt, V("time"), Bin(BinaryOperator.Sub, Fn("now"), D(Day))),
                Dimensions = GroupBy(Time(Hour)),
            });
        yield return () => ("SELECT percentile(field1, 2.0) FROM cpu", Select(Fields(Fn("percentile", V("field1"), N(2.0))), M("cpu")));
        yield return () => ("SELECT top(field1, tag1, 2) FROM cpu", Select(Fields(Fn("top", V("field1"), V("tag1"), I(2))), M("cpu")));
        yield return () => ("SELECT COUNT(DISTINCT host) FROM cpu", Select(Fields(Fn("count", new Distinct("host"))), M("cpu")));
        yield return () => ("SELECT count(distinct(host)) FROM cpu", Select(Fields(Fn("count", Fn("distinct", V("host")))), M("cpu")));
        yield return () => ("SELECT DISTINCT host FROM cpu", Select(Fields(new Distinct("host")), M("cpu")));
        yield return () => ("SELECT mean(/value/) FROM cpu", Select(Fields(Fn("mean", Re("value"))), M("cpu")));
        yield return () => ("SELECT /cpu.*/, max(value) FROM cpu", Select(Fields(Re("cpu.*"), Fn("max", V("value"))), M("cpu")));
        yield return () => ("SELECT field1 * 2 + -field2 % 3 FROM cpu",
            Select(Fields(Bin(BinaryOperator.Add,
                Bin(BinaryOperator.Mul, V("field1"), I(2)),
                Bin(BinaryOperator.Mod, Bin(BinaryOperator.Mul, I(-1), V("field2")), I(3)))), M("cpu")));
        yield return () => ("SELECT a & b | c ^ d FROM cpu",
            Select(Fields(Bin(BinaryOperator.BitwiseXor, Bin(BinaryOperator.BitwiseOr, Bin(BinaryOperator.BitwiseAnd, V("a"), V("b")), V("c")), V("d"))), M("cpu")));
        yield return () => ("SELECT \"user\" /*, system, idle */ FROM cpu", Select(Fields(V("user")), M("cpu")));
        yield return () => ("SELECT /foo\\/*bar/ FROM /foo\\/*bar*/ WHERE x = 1",
            Select(Fields(Re("foo/*bar")), MRe("foo/*bar*")) with { Condition = Eq(V("x"), I(1)) });
        yield return () => ("SELECT value FROM cpu -- trailing comment", Select(Fields(V("value")), M("cpu")));

        // Sources.
        yield return () => ("SELECT value FROM db.rp.cpu, rp.mem, db..disk, \"my db\".\"my rp\".\"my m\"",
            Select(Fields(V("value")),
                new Measurement { Database = "db", RetentionPolicy = "rp", Name = "cpu" },
                new Measurement { RetentionPolicy = "rp", Name = "mem" },
                new Measurement { Database = "db", Name = "disk" },
                new Measurement { Database = "my db", RetentionPolicy = "my rp", Name = "my m" }));
        yield return () => ("SELECT value FROM /cpu/, rp./mem/, db.rp./disk/",
            Select(Fields(V("value")), MRe("cpu"), new Measurement { RetentionPolicy = "rp", Regex = Re("mem") },
                new Measurement { Database = "db", RetentionPolicy = "rp", Regex = Re("disk") }));
        yield return () => ("SELECT max(value) FROM (SELECT mean(value) AS value FROM cpu GROUP BY host)",
            Select(Fields(Fn("max", V("value"))),
                new SubQuery(Select([new Field(Fn("mean", V("value")), "value")], M("cpu")) with { Dimensions = GroupBy(V("host")) })));
        yield return () => ("SELECT sum(derivative) FROM (SELECT derivative(mean(value)) FROM cpu GROUP BY host) WHERE time >= now() - 1d GROUP BY time(1h)",
            Select(Fields(Fn("sum", V("derivative"))),
                new SubQuery(Select(Fields(Fn("derivative", Fn("mean", V("value")))), M("cpu")) with { Dimensions = GroupBy(V("host")) })) with
            {
                Condition = Bin(BinaryOperator.Gte, V("time"), Bin(BinaryOperator.Sub, Fn("now"), D(Day))),
                Dimensions = GroupBy(Time(Hour)),
            });

        // INTO.
        yield return () => ("SELECT * INTO newseries FROM myseries",
            Select(Fields(new Wildcard()), M("myseries")) with { Target = new Target(new Measurement { Name = "newseries", IsTarget = true }) });
        yield return () => ("SELECT * INTO \"1h.policy1\".\"cpu.load\" FROM cpu",
            Select(Fields(new Wildcard()), M("cpu")) with
            {
                Target = new Target(new Measurement { RetentionPolicy = "1h.policy1", Name = "cpu.load", IsTarget = true }),
            });
        yield return () => ("SELECT mean(value) INTO db1..:MEASUREMENT FROM /cpu.*/ GROUP BY time(5m)",
            Select(Fields(Fn("mean", V("value"))), MRe("cpu.*")) with
            {
                Target = new Target(new Measurement { Database = "db1", IsTarget = true }),
                Dimensions = GroupBy(Time(5 * Minute)),
            });
        yield return () => ("SELECT value INTO rp.:measurement FROM cpu",
            Select(Fields(V("value")), M("cpu")) with { Target = new Target(new Measurement { RetentionPolicy = "rp", IsTarget = true }) });
        yield return () => ("SELECT value INTO db.rp.m FROM cpu",
            Select(Fields(V("value")), M("cpu")) with
            {
                Target = new Target(new Measurement { Database = "db", RetentionPolicy = "rp", Name = "m", IsTarget = true }),
            });

        // GROUP BY, fill, ORDER BY, limits, tz.
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(10m, 5m), host, /reg.*/",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Fn("time", D(10 * Minute), D(5 * Minute)), V("host"), Re("reg.*")) });
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(10m, -5m)",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Fn("time", D(10 * Minute), D(-5 * Minute))) });
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(1h) fill(none)",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Time(Hour)), Fill = FillOption.None });
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(1h) fill(null)",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Time(Hour)), Fill = FillOption.Null });
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(1h) FILL(previous)",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Time(Hour)), Fill = FillOption.Previous });
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(1h) fill(linear)",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Time(Hour)), Fill = FillOption.Linear });
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(1h) fill(-1)",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Time(Hour)), Fill = FillOption.Number, FillValue = I(-1) });
        yield return () => ("SELECT mean(value) FROM cpu GROUP BY time(1h) fill(1.5)",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with { Dimensions = GroupBy(Time(Hour)), Fill = FillOption.Number, FillValue = N(1.5) });
        yield return () => ("SELECT value FROM cpu ORDER BY time DESC",
            Select(Fields(V("value")), M("cpu")) with { SortFields = OrderBy("time", false) });
        yield return () => ("SELECT value FROM cpu ORDER BY time",
            Select(Fields(V("value")), M("cpu")) with { SortFields = OrderBy("time", true) });
        yield return () => ("SELECT value FROM cpu ORDER BY ASC",
            Select(Fields(V("value")), M("cpu")) with { SortFields = OrderBy("", true) });
        yield return () => ("SELECT value FROM cpu LIMIT 10 OFFSET 20 SLIMIT 3 SOFFSET 4",
            Select(Fields(V("value")), M("cpu")) with { Limit = 10, Offset = 20, SLimit = 3, SOffset = 4 });
        yield return () => ("SELECT value FROM cpu LIMIT 0", Select(Fields(V("value")), M("cpu")));
        yield return () => ("SELECT mean(value) FROM cpu WHERE time >= now() - 7d GROUP BY time(1d) TZ('America/Los_Angeles')",
            Select(Fields(Fn("mean", V("value"))), M("cpu")) with
            {
                Condition = Bin(BinaryOperator.Gte, V("time"), Bin(BinaryOperator.Sub, Fn("now"), D(7 * Day))),
                Dimensions = GroupBy(Time(Day)),
                Location = "America/Los_Angeles",
            });
        yield return () => ("SELECT value FROM cpu tz('')", Select(Fields(V("value")), M("cpu")) with { Location = "UTC" });
        yield return () => ("SELECT value FROM cpu WHERE host =~ /^server\\d+$/ AND region !~ /us.*/ OR x <> 1",
            Select(Fields(V("value")), M("cpu")) with
            {
                Condition = Bin(BinaryOperator.Or,
                    Bin(BinaryOperator.And,
                        Bin(BinaryOperator.EqRegex, V("host"), Re("^server\\d+$")),
                        Bin(BinaryOperator.NeqRegex, V("region"), Re("us.*"))),
                    Bin(BinaryOperator.Neq, V("x"), I(1))),
            });
        yield return () => ("SELECT value FROM cpu WHERE url=~/http\\:\\/\\/www\\.example\\.com/",
            Select(Fields(V("value")), M("cpu")) with { Condition = Bin(BinaryOperator.EqRegex, V("url"), Re("http\\://www\\.example\\.com")) });
        yield return () => ("SELECT value FROM cpu WHERE host IN 'a'",
            Select(Fields(V("value")), M("cpu")) with { Condition = Bin(BinaryOperator.In, V("host"), S("a")) });
        yield return () => ("SELECT value FROM cpu WHERE b = true AND c = FALSE",
            Select(Fields(V("value")), M("cpu")) with { Condition = Bin(BinaryOperator.And, Eq(V("b"), B(true)), Eq(V("c"), B(false))) });

        // ---- DELETE / DROP SERIES --------------------------------------------------------------------------
        yield return () => ("DELETE FROM src", new DeleteSeriesStatement(From(M("src")), null));
        yield return () => ("DELETE WHERE host = 'hosta.influxdb.org'", new DeleteSeriesStatement(null, Eq(V("host"), S("hosta.influxdb.org"))));
        yield return () => ("DELETE FROM src WHERE time < '2000-01-01T00:00:00Z'",
            new DeleteSeriesStatement(From(M("src")), Bin(BinaryOperator.Lt, V("time"), S("2000-01-01T00:00:00Z"))));
        yield return () => ("DELETE FROM \"retention_policy\".\"myseries\" WHERE host = 'h'",
            new DeleteSeriesStatement(From(new Measurement { RetentionPolicy = "retention_policy", Name = "myseries" }), Eq(V("host"), S("h"))));
        yield return () => ("DELETE FROM /cpu.*/", new DeleteSeriesStatement(From(MRe("cpu.*")), null));
        yield return () => ("DROP SERIES FROM src", new DropSeriesStatement(From(M("src")), null));
        yield return () => ("DROP SERIES WHERE host = 'h'", new DropSeriesStatement(null, Eq(V("host"), S("h"))));
        yield return () => ("DROP SERIES FROM src, /re/ WHERE host = 'h'", new DropSeriesStatement(From(M("src"), MRe("re")), Eq(V("host"), S("h"))));

        // ---- SHOW ------------------------------------------------------------------------------------------
        yield return () => ("SHOW DATABASES", new ShowDatabasesStatement());
        yield return () => ("SHOW RETENTION POLICIES", new ShowRetentionPoliciesStatement());
        yield return () => ("SHOW RETENTION POLICIES ON db0", new ShowRetentionPoliciesStatement("db0"));
        yield return () => ("SHOW SERIES", new ShowSeriesStatement());
        yield return () => ("SHOW SERIES EXACT", new ShowSeriesStatement());
        yield return () => ("SHOW SERIES ON db0 FROM cpu WHERE region = 'x' LIMIT 2 OFFSET 1",
            new ShowSeriesStatement { Database = "db0", Sources = From(M("cpu")), Condition = Eq(V("region"), S("x")), Limit = 2, Offset = 1 });
        yield return () => ("SHOW SERIES FROM /[cg]pu/", new ShowSeriesStatement { Sources = From(MRe("[cg]pu")) });
        yield return () => ("SHOW SERIES CARDINALITY", new ShowCardinalityStatement { Kind = CardinalityKind.Series });
        yield return () => ("SHOW SERIES EXACT CARDINALITY ON db0 FROM cpu WHERE a = 'b' GROUP BY host LIMIT 2 OFFSET 1",
            new ShowCardinalityStatement
            {
                Kind = CardinalityKind.Series,
                Exact = true,
                Database = "db0",
                Sources = From(M("cpu")),
                Condition = Eq(V("a"), S("b")),
                Dimensions = GroupBy(V("host")),
                Limit = 2,
                Offset = 1,
            });
        yield return () => ("SHOW MEASUREMENT CARDINALITY", new ShowCardinalityStatement { Kind = CardinalityKind.Measurement });
        yield return () => ("SHOW MEASUREMENT EXACT CARDINALITY ON db0",
            new ShowCardinalityStatement { Kind = CardinalityKind.Measurement, Exact = true, Database = "db0" });
        yield return () => ("SHOW TAG KEY CARDINALITY FROM cpu",
            new ShowCardinalityStatement { Kind = CardinalityKind.TagKey, Sources = From(M("cpu")) });
        yield return () => ("SHOW TAG KEY EXACT CARDINALITY", new ShowCardinalityStatement { Kind = CardinalityKind.TagKey, Exact = true });
        yield return () => ("SHOW FIELD KEY CARDINALITY WHERE region = 'r' LIMIT 10",
            new ShowCardinalityStatement { Kind = CardinalityKind.FieldKey, Condition = Eq(V("region"), S("r")), Limit = 10 });
        yield return () => ("SHOW FIELD KEY EXACT CARDINALITY FROM /[cg]pu/",
            new ShowCardinalityStatement { Kind = CardinalityKind.FieldKey, Exact = true, Sources = From(MRe("[cg]pu")) });
        yield return () => ("SHOW MEASUREMENTS", new ShowMeasurementsStatement());
        yield return () => ("SHOW MEASUREMENTS ON db0", new ShowMeasurementsStatement { Database = "db0" });
        yield return () => ("SHOW MEASUREMENTS ON db0.rp0", new ShowMeasurementsStatement { Database = "db0", RetentionPolicy = "rp0" });
        yield return () => ("SHOW MEASUREMENTS ON *", new ShowMeasurementsStatement { WildcardDatabase = true });
        yield return () => ("SHOW MEASUREMENTS ON *.*", new ShowMeasurementsStatement { WildcardDatabase = true, WildcardRetentionPolicy = true });
        yield return () => ("SHOW MEASUREMENTS ON db0.*", new ShowMeasurementsStatement { Database = "db0", WildcardRetentionPolicy = true });
        yield return () => ("SHOW MEASUREMENTS ON *.rp0", new ShowMeasurementsStatement { WildcardDatabase = true, RetentionPolicy = "rp0" });
        yield return () => ("SHOW MEASUREMENTS WITH MEASUREMENT = cpu", new ShowMeasurementsStatement { Source = M("cpu") });
        yield return () => ("SHOW MEASUREMENTS WITH MEASUREMENT =~ /[cg]pu/", new ShowMeasurementsStatement { Source = MRe("[cg]pu") });
        yield return () => ("SHOW MEASUREMENTS WHERE region = 'uswest' LIMIT 10 OFFSET 2",
            new ShowMeasurementsStatement { Condition = Eq(V("region"), S("uswest")), Limit = 10, Offset = 2 });
        yield return () => ("SHOW QUERIES", new ShowQueriesStatement());
        yield return () => ("SHOW SHARDS", new ShowShardsStatement());
        yield return () => ("SHOW SHARD GROUPS", new ShowShardGroupsStatement());
        yield return () => ("SHOW STATS", new ShowStatsStatement());
        yield return () => ("SHOW STATS FOR 'cluster'", new ShowStatsStatement("cluster"));
        yield return () => ("SHOW DIAGNOSTICS", new ShowDiagnosticsStatement());
        yield return () => ("SHOW DIAGNOSTICS FOR 'build'", new ShowDiagnosticsStatement("build"));
        yield return () => ("SHOW SUBSCRIPTIONS", new ShowSubscriptionsStatement());
        yield return () => ("SHOW CONTINUOUS QUERIES", new ShowContinuousQueriesStatement());
        yield return () => ("SHOW USERS", new ShowUsersStatement());
        yield return () => ("SHOW GRANTS FOR jdoe", new ShowGrantsForUserStatement("jdoe"));
        yield return () => ("SHOW TAG KEYS FROM src", new ShowTagKeysStatement { Sources = From(M("src")) });
        yield return () => ("SHOW TAG KEYS ON db0", new ShowTagKeysStatement { Database = "db0" });
        yield return () => ("SHOW TAG KEYS FROM src LIMIT 4 OFFSET 3 SLIMIT 2 SOFFSET 1",
            new ShowTagKeysStatement { Sources = From(M("src")), Limit = 4, Offset = 3, SLimit = 2, SOffset = 1 });
        yield return () => ("SHOW TAG KEYS WITH KEY = host", new ShowTagKeysStatement { TagKeyOp = BinaryOperator.Eq, TagKeyExpr = S("host") });
        yield return () => ("SHOW TAG KEYS FROM cpu WITH KEY IN (a, b) WHERE x = 'y'",
            new ShowTagKeysStatement
            {
                Sources = From(M("cpu")),
                TagKeyOp = BinaryOperator.In,
                TagKeyExpr = new ListLiteral(["a", "b"]),
                Condition = Eq(V("x"), S("y")),
            });
        yield return () => ("SHOW TAG VALUES WITH KEY = host WHERE region = 'uswest'",
            new ShowTagValuesStatement { Op = BinaryOperator.Eq, TagKeyExpr = S("host"), Condition = Eq(V("region"), S("uswest")) });
        yield return () => ("SHOW TAG VALUES FROM cpu WITH KEY IN (region,service,host)WHERE region = 'uswest'",
            new ShowTagValuesStatement
            {
                Sources = From(M("cpu")),
                Op = BinaryOperator.In,
                TagKeyExpr = new ListLiteral(["region", "service", "host"]),
                Condition = Eq(V("region"), S("uswest")),
            });
        yield return () => ("SHOW TAG VALUES ON db0 WITH KEY = \"host\"", new ShowTagValuesStatement { Database = "db0", Op = BinaryOperator.Eq, TagKeyExpr = S("host") });
        yield return () => ("SHOW TAG VALUES WITH KEY != host", new ShowTagValuesStatement { Op = BinaryOperator.Neq, TagKeyExpr = S("host") });
        yield return () => ("SHOW TAG VALUES WITH KEY =~ /(host|region)/", new ShowTagValuesStatement { Op = BinaryOperator.EqRegex, TagKeyExpr = Re("(host|region)") });
        yield return () => ("SHOW TAG VALUES WITH KEY !~ /h.*/ LIMIT 1 OFFSET 2",
            new ShowTagValuesStatement { Op = BinaryOperator.NeqRegex, TagKeyExpr = Re("h.*"), Limit = 1, Offset = 2 });
        yield return () => ("SHOW TAG VALUES CARDINALITY WITH KEY = host", new ShowTagValuesCardinalityStatement { Op = BinaryOperator.Eq, TagKeyExpr = S("host") });
        yield return () => ("SHOW TAG VALUES EXACT CARDINALITY ON db0 FROM cpu WITH KEY = host WHERE a = 'b' GROUP BY c LIMIT 2 OFFSET 1",
            new ShowTagValuesCardinalityStatement
            {
                Exact = true,
                Database = "db0",
                Sources = From(M("cpu")),
                Op = BinaryOperator.Eq,
                TagKeyExpr = S("host"),
                Condition = Eq(V("a"), S("b")),
                Dimensions = GroupBy(V("c")),
                Limit = 2,
                Offset = 1,
            });
        yield return () => ("SHOW FIELD KEYS", new ShowFieldKeysStatement());
        yield return () => ("SHOW FIELD KEYS ON db0 FROM rp1./[cg]pu/ LIMIT 1",
            new ShowFieldKeysStatement { Database = "db0", Sources = From(new Measurement { RetentionPolicy = "rp1", Regex = Re("[cg]pu") }), Limit = 1 });
        // influxql drops a malformed database name after SHOW FIELD KEYS ON.
        yield return () => ("SHOW FIELD KEYS ON 123", new ShowFieldKeysStatement());

        // ---- CREATE / DROP / ALTER -------------------------------------------------------------------------
        yield return () => ("CREATE DATABASE testdb", new CreateDatabaseStatement { Name = "testdb" });
        yield return () => ("CREATE DATABASE testdb WITH DURATION 24h",
            new CreateDatabaseStatement { Name = "testdb", RetentionPolicyCreate = true, RetentionPolicyDuration = Day });
        yield return () => ("CREATE DATABASE testdb WITH DURATION INF",
            new CreateDatabaseStatement { Name = "testdb", RetentionPolicyCreate = true, RetentionPolicyDuration = 0 });
        yield return () => ("CREATE DATABASE testdb WITH DURATION 24h REPLICATION 2 SHARD DURATION 10m NAME test_name ",
            new CreateDatabaseStatement
            {
                Name = "testdb",
                RetentionPolicyCreate = true,
                RetentionPolicyDuration = Day,
                RetentionPolicyReplication = 2,
                RetentionPolicyShardGroupDuration = 10 * Minute,
                RetentionPolicyName = "test_name",
            });
        yield return () => ("CREATE DATABASE testdb WITH REPLICATION 2 FUTURE LIMIT 1h PAST LIMIT 67ms",
            new CreateDatabaseStatement
            {
                Name = "testdb",
                RetentionPolicyCreate = true,
                RetentionPolicyReplication = 2,
                FutureWriteLimit = Hour,
                PastWriteLimit = 67_000_000,
            });
        yield return () => ("DROP DATABASE testdb", new DropDatabaseStatement("testdb"));
        yield return () => ("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 2",
            new CreateRetentionPolicyStatement { Name = "policy1", Database = "testdb", Duration = Hour, Replication = 2 });
        yield return () => ("CREATE RETENTION POLICY policy1 ON testdb DURATION INF REPLICATION 2",
            new CreateRetentionPolicyStatement { Name = "policy1", Database = "testdb", Duration = 0, Replication = 2 });
        yield return () => ("CREATE RETENTION POLICY policy1 ON testdb DURATION 2m REPLICATION 4 DEFAULT",
            new CreateRetentionPolicyStatement { Name = "policy1", Database = "testdb", Duration = 2 * Minute, Replication = 4, Default = true });
        yield return () => ("CREATE RETENTION POLICY policy1 ON testdb DURATION 1h REPLICATION 2 SHARD DURATION 30m DEFAULT FUTURE LIMIT 12h PAST LIMIT 3s",
            new CreateRetentionPolicyStatement
            {
                Name = "policy1",
                Database = "testdb",
                Duration = Hour,
                Replication = 2,
                ShardGroupDuration = 30 * Minute,
                Default = true,
                FutureWriteLimit = 12 * Hour,
                PastWriteLimit = 3 * Second,
            });
        yield return () => ("ALTER RETENTION POLICY policy1 ON testdb DURATION 1m REPLICATION 4 DEFAULT",
            new AlterRetentionPolicyStatement { Name = "policy1", Database = "testdb", Duration = Minute, Replication = 4, Default = true });
        yield return () => ("ALTER RETENTION POLICY policy1 ON testdb DEFAULT REPLICATION 4 DURATION INF",
            new AlterRetentionPolicyStatement { Name = "policy1", Database = "testdb", Duration = 0, Replication = 4, Default = true });
        yield return () => ("ALTER RETENTION POLICY default ON testdb REPLICATION 4 SHARD DURATION 10m",
            new AlterRetentionPolicyStatement { Name = "default", Database = "testdb", Replication = 4, ShardGroupDuration = 10 * Minute });
        yield return () => ("ALTER RETENTION POLICY default ON testdb DURATION 0s REPLICATION 1 FUTURE LIMIT 55s PAST LIMIT 52m",
            new AlterRetentionPolicyStatement
            {
                Name = "default",
                Database = "testdb",
                Duration = 0,
                Replication = 1,
                FutureWriteLimit = 55 * Second,
                PastWriteLimit = 52 * Minute,
            });
        yield return () => ("DROP RETENTION POLICY \"1h.cpu\" ON mydb", new DropRetentionPolicyStatement("1h.cpu", "mydb"));
        yield return () => ("CREATE CONTINUOUS QUERY myquery ON testdb RESAMPLE EVERY 1m FOR 1h BEGIN SELECT count(field1) INTO measure1 FROM myseries GROUP BY time(5m) END",
            new CreateContinuousQueryStatement("myquery", "testdb",
                Select(Fields(Fn("count", V("field1"))), M("myseries")) with
                {
                    Target = new Target(new Measurement { Name = "measure1", IsTarget = true }),
                    Dimensions = GroupBy(Time(5 * Minute)),
                },
                Minute, Hour));
        yield return () => ("create continuous query \"this.is-a.test\" on segments begin select * into measure1 from cpu_load_short end",
            new CreateContinuousQueryStatement("this.is-a.test", "segments",
                Select(Fields(new Wildcard()), M("cpu_load_short")) with { Target = new Target(new Measurement { Name = "measure1", IsTarget = true }) }));
        yield return () => ("CREATE CONTINUOUS QUERY myquery ON testdb BEGIN SELECT mean(value) INTO \"policy1\".:measurement FROM /^[a-z]+.*/ GROUP BY time(1m) END",
            new CreateContinuousQueryStatement("myquery", "testdb",
                Select(Fields(Fn("mean", V("value"))), MRe("^[a-z]+.*")) with
                {
                    Target = new Target(new Measurement { RetentionPolicy = "policy1", IsTarget = true }),
                    Dimensions = GroupBy(Time(Minute)),
                }));
        yield return () => ("DROP CONTINUOUS QUERY myquery ON foo", new DropContinuousQueryStatement("myquery", "foo"));
        yield return () => ("CREATE SUBSCRIPTION \"name\" ON \"db\".\"rp\" DESTINATIONS ANY 'udp://host1:9093', 'udp://host2:9093'",
            new CreateSubscriptionStatement("name", "db", "rp", ["udp://host1:9093", "udp://host2:9093"], "ANY"));
        yield return () => ("CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ALL 'http://h:1'",
            new CreateSubscriptionStatement("s", "db", "rp", ["http://h:1"], "ALL"));
        yield return () => ("DROP SUBSCRIPTION \"name\" ON \"db\".\"rp\"", new DropSubscriptionStatement("name", "db", "rp"));
        yield return () => ("DROP MEASUREMENT cpu", new DropMeasurementStatement("cpu"));
        yield return () => ("DROP SHARD 1", new DropShardStatement(1));
        yield return () => ("DROP SHARD 18446744073709551615", new DropShardStatement(ulong.MaxValue));

        // ---- Users and privileges --------------------------------------------------------------------------
        yield return () => ("CREATE USER testuser WITH PASSWORD 'pwd1337'", new CreateUserStatement("testuser", "pwd1337"));
        yield return () => ("CREATE USER testuser WITH PASSWORD 'pwd1337' WITH ALL PRIVILEGES", new CreateUserStatement("testuser", "pwd1337", true));
        yield return () => ("SET PASSWORD FOR testuser = 'pwd1337'", new SetPasswordUserStatement("testuser", "pwd1337"));
        yield return () => ("DROP USER jdoe", new DropUserStatement("jdoe"));
        yield return () => ("GRANT READ ON testdb TO jdoe", new GrantStatement(Privilege.Read, "testdb", "jdoe"));
        yield return () => ("GRANT WRITE ON testdb TO jdoe", new GrantStatement(Privilege.Write, "testdb", "jdoe"));
        yield return () => ("GRANT ALL ON testdb TO jdoe", new GrantStatement(Privilege.All, "testdb", "jdoe"));
        yield return () => ("GRANT ALL PRIVILEGES ON testdb TO jdoe", new GrantStatement(Privilege.All, "testdb", "jdoe"));
        yield return () => ("GRANT ALL TO jdoe", new GrantAdminStatement("jdoe"));
        yield return () => ("GRANT ALL PRIVILEGES TO jdoe", new GrantAdminStatement("jdoe"));
        yield return () => ("REVOKE READ on testdb FROM jdoe", new RevokeStatement(Privilege.Read, "testdb", "jdoe"));
        yield return () => ("REVOKE WRITE ON testdb FROM jdoe", new RevokeStatement(Privilege.Write, "testdb", "jdoe"));
        yield return () => ("REVOKE ALL PRIVILEGES ON testdb FROM jdoe", new RevokeStatement(Privilege.All, "testdb", "jdoe"));
        yield return () => ("REVOKE ALL FROM jdoe", new RevokeAdminStatement("jdoe"));
        yield return () => ("REVOKE ALL PRIVILEGES FROM jdoe", new RevokeAdminStatement("jdoe"));

        // ---- KILL / EXPLAIN --------------------------------------------------------------------------------
        yield return () => ("KILL QUERY 4", new KillQueryStatement(4));
        yield return () => ("KILL QUERY 4 ON localhost", new KillQueryStatement(4, "localhost"));
        yield return () => ("KILL QUERY 4 ON \"host:8088\"", new KillQueryStatement(4, "host:8088"));
        yield return () => ("EXPLAIN SELECT * FROM cpu", new ExplainStatement(Select(Fields(new Wildcard()), M("cpu"))));
        yield return () => ("EXPLAIN ANALYZE SELECT * FROM cpu", new ExplainStatement(Select(Fields(new Wildcard()), M("cpu")), Analyze: true));
        yield return () => ("EXPLAIN VERBOSE SELECT * FROM cpu", new ExplainStatement(Select(Fields(new Wildcard()), M("cpu")), Verbose: true));
        yield return () => ("EXPLAIN ANALYZE VERBOSE SELECT * FROM cpu",
            new ExplainStatement(Select(Fields(new Wildcard()), M("cpu")), Analyze: true, Verbose: true));
    }

    [Test]
    [MethodDataSource(nameof(Statements))]
    public async Task ParseStatement_ValidText_GivesExpectedTree(string text, Statement expected)
    {
        var ok = InfluxQLParser.TryParseStatement(text, null, out var statement, out var error);
        await Assert.That(error?.Text).IsNull();
        await Assert.That(ok).IsTrue();
        await Assert.That(statement).IsEqualTo(expected);
    }

    [Test]
    [MethodDataSource(nameof(Statements))]
    public async Task ParseStatement_Reprinted_RoundTrips(string text, Statement expected)
    {
        await Assert.That(RoundTrip.Check(expected)).IsNull();
    }

    [Test]
    public async Task ParseQuery_MultipleStatements_SplitsOnSemicolons()
    {
        var query = InfluxQLParser.Parse("SELECT a FROM b; SELECT c FROM d;;\n  SHOW DATABASES ;");
        await Assert.That(query.Statements.Count).IsEqualTo(3);
        await Assert.That(query.ToString()).IsEqualTo("SELECT a FROM b;\nSELECT c FROM d;\nSHOW DATABASES");
    }

    [Test]
    public async Task ParseQuery_Empty_GivesNoStatements()
    {
        await Assert.That(InfluxQLParser.Parse("").Statements.Count).IsEqualTo(0);
        await Assert.That(InfluxQLParser.Parse("  -- nothing\n /* at all */ ").Statements.Count).IsEqualTo(0);
    }

    [Test]
    public async Task ParseQuery_Comments_AreSkipped()
    {
        var query = InfluxQLParser.Parse("""
            SELECT * FROM cpu; -- read from cpu database

            /* create continuous query */
            CREATE CONTINUOUS QUERY cq0 ON db0 BEGIN
            	SELECT mean(*) INTO db1..:MEASUREMENT FROM cpu GROUP BY time(5m)
            END;

            /* just a multline comment
            what is this doing here?
            **/

            -- should ignore the trailing multiline comment /*
            SELECT mean(value) FROM gpu;
            -- trailing comment at the end
            """);
        await Assert.That(query.Statements.Count).IsEqualTo(3);
    }

    [Test]
    public async Task IsRawQuery_CallsAnywhereInFields_MakeItAggregate()
    {
        var raw = (SelectStatement)InfluxQLParser.ParseStatement("SELECT a + b, c FROM m");
        var aggregate = (SelectStatement)InfluxQLParser.ParseStatement("SELECT a + (max(b)) FROM m");
        await Assert.That(raw.IsRawQuery).IsTrue();
        await Assert.That(aggregate.IsRawQuery).IsFalse();
    }

    [Test]
    public async Task Parse_CaseInsensitiveKeywords_AndLowerCasedCallNames()
    {
        var statement = (SelectStatement)InfluxQLParser.ParseStatement("sElEcT MEAN(Value) fRoM Cpu GrOuP bY TIME(1m)");
        await Assert.That(statement.ToString()).IsEqualTo("SELECT mean(Value) FROM Cpu GROUP BY time(1m)");
    }
}
