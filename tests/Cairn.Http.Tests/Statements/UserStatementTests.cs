using Cairn.Http.Auth;
using Cairn.Http.Tests.Support;
using Cairn.Query.Parsing;

namespace Cairn.Http.Tests.Statements;

/// <summary>User, grant, continuous-query and subscription statements, answered as InfluxDB 1.x answers them.</summary>
public class UserStatementTests
{
    private const string Ok = "{\"results\":[{\"statement_id\":0}]}";

    private static string Error(string text) => "{\"results\":[{\"statement_id\":0,\"error\":\"" + text + "\"}]}";

    [Test]
    public async Task CreateUser_ShowUsers_CreationOrderWithAdminFlag()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("CREATE USER admin WITH PASSWORD 'secret' WITH ALL PRIVILEGES")).IsEqualTo(Ok);
        await Assert.That(await server.Query("CREATE USER bob WITH PASSWORD 'pw'")).IsEqualTo(Ok);
        await Assert.That(await server.Query("SHOW USERS")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"user\",\"admin\"],\"values\":[[\"admin\",true],[\"bob\",false]]}]}]}");
        await Assert.That(server.Meta.Current.User("bob")!.Hash).StartsWith("$2a$10$");
    }

    [Test]
    public async Task CreateUser_Repeated_SameIsOk_DifferentIsAlreadyExists()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE USER bob WITH PASSWORD 'pw'");
        await Assert.That(await server.Query("CREATE USER bob WITH PASSWORD 'pw'")).IsEqualTo(Ok);
        await Assert.That(await server.Query("CREATE USER bob WITH PASSWORD 'other'")).IsEqualTo(Error("user already exists"));
        await Assert.That(await server.Query("CREATE USER bob WITH PASSWORD 'pw' WITH ALL PRIVILEGES")).IsEqualTo(Error("user already exists"));
    }

    [Test]
    public async Task DropUserAndSetPassword_UnknownUser_UserNotFound()
    {
        await using var server = await TestServer.StartAsync();
        await Assert.That(await server.Query("DROP USER nobody")).IsEqualTo(Error("user not found"));
        await Assert.That(await server.Query("SET PASSWORD FOR nobody = 'x'")).IsEqualTo(Error("user not found"));
        await Assert.That(await server.Query("SHOW GRANTS FOR nobody")).IsEqualTo(Error("user not found"));
        await server.Exec("CREATE USER bob WITH PASSWORD 'pw'");
        string before = server.Meta.Current.User("bob")!.Hash;
        await Assert.That(await server.Query("SET PASSWORD FOR bob = 'new'")).IsEqualTo(Ok);
        await Assert.That(server.Meta.Current.User("bob")!.Hash).IsNotEqualTo(before);
        await Assert.That(await server.Query("DROP USER bob")).IsEqualTo(Ok);
        await Assert.That(server.Meta.Current.Users.IsEmpty).IsTrue();
    }

    [Test]
    public async Task GrantRevoke_ShowGrants_InfluxDBPrivilegeNames()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0; CREATE DATABASE db1; CREATE DATABASE db2");
        await server.Exec("CREATE USER bob WITH PASSWORD 'pw'");
        await server.Exec("GRANT READ ON db1 TO bob; GRANT ALL ON db0 TO bob; GRANT WRITE ON db2 TO bob");
        await server.Exec("REVOKE WRITE ON db0 FROM bob; REVOKE ALL PRIVILEGES ON db2 FROM bob");
        await Assert.That(await server.Query("SHOW GRANTS FOR bob")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"database\",\"privilege\"],\"values\":"
            + "[[\"db0\",\"READ\"],[\"db1\",\"READ\"],[\"db2\",\"NO PRIVILEGES\"]]}]}]}");
        await server.Exec("GRANT ALL PRIVILEGES ON db1 TO bob");
        await Assert.That(await server.Query("SHOW GRANTS FOR bob")).Contains("[\"db1\",\"ALL PRIVILEGES\"]");
        await Assert.That(await server.Query("GRANT READ ON nope TO bob")).IsEqualTo(Error("database not found: nope"));
        await Assert.That(await server.Query("GRANT READ ON db0 TO nobody")).IsEqualTo(Error("user not found"));

        await server.Exec("GRANT ALL PRIVILEGES TO bob");
        await Assert.That(server.Meta.Current.User("bob")!.Admin).IsTrue();
        await server.Exec("REVOKE ALL PRIVILEGES FROM bob");
        await Assert.That(server.Meta.Current.User("bob")!.Admin).IsFalse();
    }

    [Test]
    public async Task ContinuousQueries_StoredQualified_ShownPerDatabase()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0 WITH NAME rp0; CREATE DATABASE db1");
        await server.Exec("CREATE RETENTION POLICY rp1 ON db0 DURATION 1h REPLICATION 1");
        await Assert.That(await server.Query(
            "CREATE CONTINUOUS QUERY \"cq1\" ON db0 BEGIN SELECT count(value) INTO \"rp1\".:MEASUREMENT FROM /[cg]pu/ GROUP BY time(5s) END", db: "db0"))
            .IsEqualTo(Ok);
        await Assert.That(await server.Query("SHOW CONTINUOUS QUERIES")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"db0\",\"columns\":[\"name\",\"query\"],\"values\":[[\"cq1\","
            + "\"CREATE CONTINUOUS QUERY cq1 ON db0 BEGIN SELECT count(value) INTO db0.rp1.:MEASUREMENT FROM db0.rp0./[cg]pu/ GROUP BY time(5s) END\"]]},"
            + "{\"name\":\"db1\",\"columns\":[\"name\",\"query\"]}]}]}");

        // The same statement again is fine; another query under the name is not.
        await Assert.That(await server.Query(
            "CREATE CONTINUOUS QUERY cq1 ON db0 BEGIN SELECT count(value) INTO rp1.:MEASUREMENT FROM /[cg]pu/ GROUP BY time(5s) END")).IsEqualTo(Ok);
        await Assert.That(await server.Query(
            "CREATE CONTINUOUS QUERY cq1 ON db0 BEGIN SELECT max(value) INTO rp1.:MEASUREMENT FROM /[cg]pu/ GROUP BY time(5s) END"))
            .IsEqualTo(Error("continuous query already exists"));
        await Assert.That(await server.Query(
            "CREATE CONTINUOUS QUERY cq2 ON db0 BEGIN SELECT max(value) INTO nope.x FROM cpu GROUP BY time(5s) END"))
            .IsEqualTo(Error("retention policy not found: db0.nope"));
        await Assert.That(await server.Query("DROP CONTINUOUS QUERY nope ON db0")).IsEqualTo(Error("continuous query not found"));
        await Assert.That(await server.Query("DROP CONTINUOUS QUERY cq1 ON db0")).IsEqualTo(Ok);
        await Assert.That(server.Meta.Current.Database("db0")!.ContinuousQueries.IsEmpty).IsTrue();
    }

    [Test]
    public async Task Subscriptions_CreateShowDrop()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0; CREATE DATABASE db1");
        await Assert.That(await server.Query("CREATE SUBSCRIPTION s0 ON db0.autogen DESTINATIONS ANY 'udp://h1:9090', 'http://h2:9092'")).IsEqualTo(Ok);
        await Assert.That(await server.Query("CREATE SUBSCRIPTION s0 ON db0.autogen DESTINATIONS ALL 'udp://h1:9090'"))
            .IsEqualTo(Error("subscription already exists"));
        await Assert.That(await server.Query("CREATE SUBSCRIPTION s1 ON db0.autogen DESTINATIONS ALL 'udp://h1'"))
            .IsEqualTo(Error("invalid subscription URL: udp://h1"));
        await Assert.That(await server.Query("SHOW SUBSCRIPTIONS")).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"db0\",\"columns\":[\"retention_policy\",\"name\",\"mode\",\"destinations\"],"
            + "\"values\":[[\"autogen\",\"s0\",\"ANY\",[\"udp://h1:9090\",\"http://h2:9092\"]]]}]}]}");
        await Assert.That(await server.Query("DROP SUBSCRIPTION nope ON db0.autogen")).IsEqualTo(Error("subscription not found"));
        await Assert.That(await server.Query("DROP SUBSCRIPTION s0 ON db0.autogen")).IsEqualTo(Ok);
        await Assert.That(await server.Query("SHOW SUBSCRIPTIONS")).IsEqualTo(Ok);
    }

    [Test]
    public async Task Authorize_NoAdminYet_OnlyCreateAdminUserFirst()
    {
        await using var server = await TestServer.StartAsync();
        var state = server.Meta.Current;
        await Assert.That(QueryAuthorizer.Authorize(state, null, InfluxQLParser.Parse("SHOW DATABASES"), ""))
            .IsEqualTo("create admin user first or disable authentication");
        await Assert.That(QueryAuthorizer.Authorize(state, null, InfluxQLParser.Parse("CREATE USER a WITH PASSWORD 'p'"), ""))
            .IsEqualTo("create admin user first or disable authentication");
        await Assert.That(QueryAuthorizer.Authorize(state, null, InfluxQLParser.Parse("CREATE USER a WITH PASSWORD 'p' WITH ALL PRIVILEGES"), "")).IsNull();
    }

    [Test]
    public async Task Authorize_ReaderOfDb0_ReadsDb0Only()
    {
        await using var server = await TestServer.StartAsync();
        await server.Exec("CREATE DATABASE db0; CREATE DATABASE db1");
        await server.Exec("CREATE USER admin WITH PASSWORD 'a' WITH ALL PRIVILEGES; CREATE USER reader WITH PASSWORD 'r'; GRANT READ ON db0 TO reader");
        var state = server.Meta.Current;
        var reader = state.User("reader");
        await Assert.That(QueryAuthorizer.Authorize(state, reader, InfluxQLParser.Parse("SELECT * FROM cpu"), "db0")).IsNull();
        await Assert.That(QueryAuthorizer.Authorize(state, reader, InfluxQLParser.Parse("SHOW MEASUREMENTS ON db0"), "")).IsNull();
        await Assert.That(QueryAuthorizer.Authorize(state, reader, InfluxQLParser.Parse("SELECT * FROM db1..cpu"), "db0"))
            .IsEqualTo("reader not authorized to execute statement 'SELECT * FROM db1..cpu', requires READ on db1");
        await Assert.That(QueryAuthorizer.Authorize(state, reader, InfluxQLParser.Parse("DROP SERIES FROM cpu"), "db0"))
            .IsEqualTo("reader not authorized to execute statement 'DROP SERIES FROM cpu', requires WRITE on db0");
        await Assert.That(QueryAuthorizer.Authorize(state, reader, InfluxQLParser.Parse("CREATE DATABASE x"), ""))
            .IsEqualTo("reader not authorized to execute statement 'CREATE DATABASE x', requires admin privilege");
        await Assert.That(QueryAuthorizer.Authorize(state, null, InfluxQLParser.Parse("SHOW DATABASES"), "")).IsEqualTo("no user provided");
        await Assert.That(QueryAuthorizer.Authorize(state, state.User("admin"), InfluxQLParser.Parse("DROP DATABASE db1"), "")).IsNull();

        // SHOW DATABASES lists what the user may read or write.
        var body = await server.Query("SHOW DATABASES");
        await Assert.That(body).Contains("db1");
    }
}
