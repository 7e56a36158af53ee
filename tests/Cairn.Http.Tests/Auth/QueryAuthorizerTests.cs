using Cairn.Http.Auth;
using Cairn.Http.Tests.Support;
using Cairn.Meta.Store;
using Cairn.Query.Parsing;

namespace Cairn.Http.Tests.Auth;

/// <summary>Per-statement privileges as influxql's RequiredPrivileges (ast.go) states them, checked through the authorizer.</summary>
public class QueryAuthorizerTests
{
    /// <summary>A server with db0 and db1, an admin, a reader of db0, a writer of db0 and a user with no grants.</summary>
    private static async Task<(TestServer Server, MetaState State)> UsersAsync()
    {
        var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0; CREATE DATABASE db1");
        await server.Exec("CREATE USER admin WITH PASSWORD 'a' WITH ALL PRIVILEGES; CREATE USER reader WITH PASSWORD 'r'; GRANT READ ON db0 TO reader");
        await server.Exec("CREATE USER writer WITH PASSWORD 'w'; GRANT WRITE ON db0 TO writer; CREATE USER nobody WITH PASSWORD 'n'");
        return (server, server.Meta.Current);
    }

    private static string? Authorize(MetaState state, string user, string query, string database = "") =>
        QueryAuthorizer.Authorize(state, state.User(user), InfluxQLParser.Parse(query), database);

    [Test]
    public async Task Authorize_DropRetentionPolicy_NeedsWriteOnItsDatabase()
    {
        var (server, state) = await UsersAsync();
        await using var _ = server;
        await Assert.That(Authorize(state, "writer", "DROP RETENTION POLICY rp ON db0")).IsNull();
        await Assert.That(Authorize(state, "reader", "DROP RETENTION POLICY rp ON db0"))
            .IsEqualTo("reader not authorized to execute statement 'DROP RETENTION POLICY rp ON db0', requires WRITE on db0");
        // The other retention-policy statements stay admin-only.
        await Assert.That(Authorize(state, "writer", "CREATE RETENTION POLICY rp ON db0 DURATION 1h REPLICATION 1"))
            .IsEqualTo("writer not authorized to execute statement 'CREATE RETENTION POLICY rp ON db0 DURATION 1h REPLICATION 1', requires admin privilege");
    }

    [Test]
    public async Task Authorize_CreateContinuousQuery_ReadsItsDatabase_WritesAnIntoDatabase()
    {
        var (server, state) = await UsersAsync();
        await using var _ = server;
        const string local = "CREATE CONTINUOUS QUERY cq ON db0 BEGIN SELECT count(value) INTO c FROM cpu GROUP BY time(1h) END";
        await Assert.That(Authorize(state, "reader", local)).IsNull();
        await Assert.That(Authorize(state, "writer", local)).IsNotNull().And.Contains("requires READ on db0");
        const string remote = "CREATE CONTINUOUS QUERY cq ON db0 BEGIN SELECT count(value) INTO db1..c FROM cpu GROUP BY time(1h) END";
        await Assert.That(Authorize(state, "reader", remote)).IsNotNull().And.EndsWith("requires WRITE on db1");
        await Assert.That(Authorize(state, "reader", "DROP CONTINUOUS QUERY cq ON db0")).IsNotNull().And.EndsWith("requires WRITE on db0");
        await Assert.That(Authorize(state, "writer", "DROP CONTINUOUS QUERY cq ON db0")).IsNull();
    }

    [Test]
    public async Task Authorize_Cardinality_EstimatesReadTheDatabase_ExactAndKeyCountsReadTheirSources()
    {
        var (server, state) = await UsersAsync();
        await using var _ = server;
        await Assert.That(Authorize(state, "nobody", "SHOW SERIES CARDINALITY ON db0")).IsNotNull().And.EndsWith("requires READ on db0");
        await Assert.That(Authorize(state, "nobody", "SHOW MEASUREMENT CARDINALITY", "db0")).IsNotNull().And.EndsWith("requires READ on db0");
        await Assert.That(Authorize(state, "reader", "SHOW SERIES CARDINALITY ON db0")).IsNull();
        // Exact counts and key counts without FROM need no privilege; with FROM, READ on each source's database.
        foreach (var query in new[] { "SHOW SERIES EXACT CARDINALITY ON db1", "SHOW MEASUREMENT EXACT CARDINALITY ON db1", "SHOW TAG KEY CARDINALITY ON db1",
                     "SHOW FIELD KEY EXACT CARDINALITY ON db1", "SHOW TAG VALUES CARDINALITY ON db1 WITH KEY = host" })
            await Assert.That(Authorize(state, "nobody", query)).IsNull().Because(query);
        await Assert.That(Authorize(state, "reader", "SHOW TAG KEY CARDINALITY FROM db1..cpu")).IsNotNull().And.EndsWith("requires READ on db1");
        await Assert.That(Authorize(state, "reader", "SHOW TAG VALUES EXACT CARDINALITY FROM cpu WITH KEY = host", "db1"))
            .IsNotNull().And.EndsWith("requires READ on db1");
        await Assert.That(Authorize(state, "reader", "SHOW FIELD KEY CARDINALITY FROM cpu", "db0")).IsNull();
    }

    [Test]
    public async Task Authorize_ReadStatements_NeedReadOnTheStatementOrRequestDatabase()
    {
        var (server, state) = await UsersAsync();
        await using var _ = server;
        foreach (var query in new[] { "SHOW MEASUREMENTS", "SHOW SERIES", "SHOW TAG KEYS", "SHOW TAG VALUES WITH KEY = host", "SHOW FIELD KEYS",
                     "SHOW RETENTION POLICIES", "SHOW CONTINUOUS QUERIES", "SHOW QUERIES", "SELECT * FROM cpu", "EXPLAIN SELECT * FROM cpu" })
        {
            await Assert.That(Authorize(state, "reader", query, "db0")).IsNull().Because(query);
            await Assert.That(Authorize(state, "writer", query, "db0")).IsNotNull().And.EndsWith("requires READ on db0").Because(query);
        }
        await Assert.That(Authorize(state, "reader", "SELECT * INTO db1..copy FROM cpu", "db0")).IsNotNull().And.EndsWith("requires WRITE on db1");
        await Assert.That(Authorize(state, "reader", "SELECT * FROM (SELECT * FROM db1..cpu)", "db0")).IsNotNull().And.EndsWith("requires READ on db1");
        await Assert.That(Authorize(state, "nobody", "SHOW DATABASES")).IsNull();
    }

    [Test]
    public async Task Authorize_AdminStatements_NeedAdmin()
    {
        var (server, state) = await UsersAsync();
        await using var _ = server;
        foreach (var query in new[] { "CREATE DATABASE x", "DROP DATABASE db0", "DROP MEASUREMENT cpu", "SHOW SHARDS", "SHOW SHARD GROUPS", "DROP SHARD 1",
                     "SHOW USERS", "SHOW GRANTS FOR reader", "SHOW STATS", "SHOW DIAGNOSTICS", "SHOW SUBSCRIPTIONS", "KILL QUERY 1",
                     "CREATE USER u WITH PASSWORD 'p'", "DROP USER reader", "SET PASSWORD FOR reader = 'x'", "GRANT READ ON db0 TO writer",
                     "REVOKE READ ON db0 FROM reader", "ALTER RETENTION POLICY autogen ON db0 DEFAULT",
                     "CREATE SUBSCRIPTION s ON db0.autogen DESTINATIONS ALL 'http://h:1'", "DROP SUBSCRIPTION s ON db0.autogen" })
        {
            await Assert.That(Authorize(state, "writer", query, "db0")).IsNotNull().And.EndsWith("requires admin privilege").Because(query);
            await Assert.That(Authorize(state, "admin", query, "db0")).IsNull().Because(query);
        }
        // Deletes need WRITE on the request's database.
        await Assert.That(Authorize(state, "writer", "DELETE FROM cpu", "db0")).IsNull();
        await Assert.That(Authorize(state, "reader", "DELETE FROM cpu", "db0")).IsNotNull().And.EndsWith("requires WRITE on db0");
    }
}
