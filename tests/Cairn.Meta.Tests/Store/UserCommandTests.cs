using Cairn.Meta.Auth;
using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

/// <summary>Users, privileges, continuous queries and subscriptions: InfluxDB's data.go rules and texts.</summary>
public class UserCommandTests
{
    private static Machine WithDatabases()
    {
        var m = new Machine();
        m.Run(new CreateDatabaseCommand("db0"));
        m.Run(new CreateDatabaseCommand("db1"));
        return m;
    }

    [Test]
    public async Task CreateUser_Twice_UserAlreadyExists()
    {
        var m = WithDatabases();
        await Assert.That(m.Run(new CreateUserCommand("u", "h", false)).IsOk).IsTrue();
        var again = m.Run(new CreateUserCommand("u", "h", false));
        await Assert.That(again.Code).IsEqualTo(MetaErrorCode.UserExists);
        await Assert.That(again.Message).IsEqualTo("user already exists");
        await Assert.That(m.Run(new CreateUserCommand("", "h", false)).Message).IsEqualTo("username required");
    }

    [Test]
    public async Task DropUpdateGrant_UnknownUser_UserNotFound()
    {
        var m = WithDatabases();
        foreach (MetaCommand c in new MetaCommand[]
        {
            new DropUserCommand("x"), new UpdateUserCommand("x", "h"), new SetPrivilegeCommand("x", "db0", UserPrivilege.Read),
            new SetAdminPrivilegeCommand("x", true),
        })
        {
            var result = m.Run(c);
            await Assert.That(result.Code).IsEqualTo(MetaErrorCode.UserNotFound);
            await Assert.That(result.Message).IsEqualTo("user not found");
        }
    }

    [Test]
    public async Task SetPrivilege_UnknownDatabase_DatabaseNotFound()
    {
        var m = WithDatabases();
        m.Run(new CreateUserCommand("u", "h", false));
        await Assert.That(m.Run(new SetPrivilegeCommand("u", "nope", UserPrivilege.Read)).Message).IsEqualTo("database not found: nope");
    }

    [Test]
    public async Task SetPrivilege_SortedByDatabase_RevokeKeepsEntry()
    {
        var m = WithDatabases();
        m.Run(new CreateUserCommand("u", "h", false));
        m.Run(new SetPrivilegeCommand("u", "db1", UserPrivilege.All));
        m.Run(new SetPrivilegeCommand("u", "db0", UserPrivilege.Read));
        m.Run(new SetPrivilegeCommand("u", "db1", UserPrivilege.None));
        var user = m.State.User("u")!;
        await Assert.That(user.Privileges.ToArray()).IsEquivalentTo(new[]
        {
            new DatabasePrivilege("db0", UserPrivilege.Read), new DatabasePrivilege("db1", UserPrivilege.None),
        });
        await Assert.That(user.Authorizes(UserPrivilege.Read, "db0")).IsTrue();
        await Assert.That(user.Authorizes(UserPrivilege.Write, "db0")).IsFalse();
        await Assert.That(user.Authorizes(UserPrivilege.Read, "db1")).IsFalse();
    }

    [Test]
    public async Task DropDatabase_RemovesPrivilegesOnIt()
    {
        var m = WithDatabases();
        m.Run(new CreateUserCommand("u", "h", false));
        m.Run(new SetPrivilegeCommand("u", "db0", UserPrivilege.Read));
        m.Run(new DropDatabaseCommand("db0"));
        await Assert.That(m.State.User("u")!.Privileges.IsEmpty).IsTrue();
    }

    [Test]
    public async Task AdminFlag_TracksGrantAndRevoke()
    {
        var m = WithDatabases();
        m.Run(new CreateUserCommand("u", "h", false));
        await Assert.That(m.State.HasAdminUser).IsFalse();
        m.Run(new SetAdminPrivilegeCommand("u", true));
        await Assert.That(m.State.HasAdminUser).IsTrue();
        await Assert.That(m.Run(new SetAdminPrivilegeCommand("u", true)).Changed).IsFalse();
        m.Run(new SetAdminPrivilegeCommand("u", false));
        await Assert.That(m.State.HasAdminUser).IsFalse();
        m.Run(new UpdateUserCommand("u", "h2"));
        await Assert.That(m.State.User("u")!.Hash).IsEqualTo("h2");
        m.Run(new DropUserCommand("u"));
        await Assert.That(m.State.Users.IsEmpty).IsTrue();
    }

    [Test]
    public async Task ContinuousQuery_SameTextIdempotent_OtherTextExists_DropUnknownNotFound()
    {
        var m = WithDatabases();
        await Assert.That(m.Run(new CreateContinuousQueryCommand("db0", "cq", "CREATE CONTINUOUS QUERY cq ON db0 BEGIN x END")).Changed).IsTrue();
        var same = m.Run(new CreateContinuousQueryCommand("db0", "cq", "create continuous query cq on db0 begin x end"));
        await Assert.That(same.IsOk && !same.Changed).IsTrue();
        await Assert.That(m.Run(new CreateContinuousQueryCommand("db0", "cq", "other")).Message).IsEqualTo("continuous query already exists");
        await Assert.That(m.Run(new CreateContinuousQueryCommand("nope", "cq", "q")).Message).IsEqualTo("database not found: nope");
        await Assert.That(m.Run(new DropContinuousQueryCommand("db0", "zz")).Message).IsEqualTo("continuous query not found");
        await Assert.That(m.Run(new DropContinuousQueryCommand("db0", "cq")).Changed).IsTrue();
        await Assert.That(m.Db("db0").ContinuousQueries.IsEmpty).IsTrue();
    }

    [Test]
    public async Task Subscription_RulesAndTexts()
    {
        var m = WithDatabases();
        var create = new CreateSubscriptionCommand("db0", "autogen", "s", SubscriptionMode.All) { Destinations = ["udp://h:9090"] };
        await Assert.That(m.Run(create).Changed).IsTrue();
        await Assert.That(m.Run(create).Message).IsEqualTo("subscription already exists");
        await Assert.That(m.Run(create with { RetentionPolicy = "rp9" }).Message).IsEqualTo("retention policy not found: rp9");
        await Assert.That(m.Run(create with { Database = "nope" }).Message).IsEqualTo("database not found: nope");
        await Assert.That(m.Run(create with { Name = "t", Destinations = ["ftp://h:1"] }).Message).IsEqualTo("invalid subscription URL: ftp://h:1");
        await Assert.That(m.Run(new DropSubscriptionCommand("db0", "autogen", "zz")).Message).IsEqualTo("subscription not found");
        await Assert.That(m.Run(new DropSubscriptionCommand("db0", "autogen", "s")).Changed).IsTrue();
    }

    [Test]
    [Arguments("http://h:8086", true)]
    [Arguments("HTTPS://user:pass@h:443/path", true)]
    [Arguments("udp://[::1]:9090", true)]
    [Arguments("http://h", false)]
    [Arguments("http://h:", false)]
    [Arguments("tcp://h:1", false)]
    [Arguments("h:1", false)]
    public async Task IsValidSubscriptionUrl_AsInfluxDB(string url, bool valid) =>
        await Assert.That(MetaStateMachine.IsValidSubscriptionUrl(url)).IsEqualTo(valid);

    [Test]
    public async Task PasswordHasher_VerifiesOnlyTheRightPassword()
    {
        var hasher = new PasswordHasher(cost: 4);
        var hash = hasher.Hash("secret");
        await Assert.That(hash).StartsWith("$2a$04$");
        await Assert.That(hasher.Verify("u", "secret", hash)).IsTrue();
        await Assert.That(hasher.Verify("u", "secret", hash)).IsTrue(); // from the cache
        await Assert.That(hasher.Verify("u", "wrong", hash)).IsFalse();
        await Assert.That(hasher.Verify("u", "secret", hasher.Hash("other"))).IsFalse(); // a new hash misses the cache
        await Assert.That(hasher.Verify("u", "secret", "not a hash")).IsFalse();
    }
}
