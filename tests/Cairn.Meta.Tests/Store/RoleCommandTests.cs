using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

public class RoleCommandTests
{
    private static Machine WithUsers()
    {
        var m = new Machine();
        m.Run(new CreateUserCommand("alice", "h", false));
        m.Run(new CreateUserCommand("bob", "h", false));
        return m;
    }

    [Test]
    public async Task CreateRole_Twice_RefusedAsExisting_DropUnknown_NotFound()
    {
        var m = WithUsers();
        await Assert.That(m.Run(new CreateRoleCommand("ops")).IsOk).IsTrue();
        var again = m.Run(new CreateRoleCommand("ops"));
        await Assert.That(again.Code).IsEqualTo(MetaErrorCode.RoleExists);
        await Assert.That(again.Message).IsEqualTo("role already exists");
        await Assert.That(m.Run(new DropRoleCommand("nope")).Message).IsEqualTo("role not found");
        await Assert.That(m.Run(new CreateRoleCommand("")).Code).IsEqualTo(MetaErrorCode.RoleNameRequired);
    }

    [Test]
    public async Task RoleUsersAndPermissions_GrantTheirUsers_UntilRemoved()
    {
        var m = WithUsers();
        m.Run(new CreateRoleCommand("readers"));
        await Assert.That(m.Run(new ChangeRoleUsersCommand("readers", true, ["carol"])).Code).IsEqualTo(MetaErrorCode.UserNotFound);
        m.Run(new ChangeRoleUsersCommand("readers", true, ["bob", "alice"]));
        m.Run(new ChangeRolePermissionsCommand("readers", true, "db0", ["ReadData", "ManageShard"]));
        var role = m.State.Role("readers")!;
        await Assert.That(role.Users.ToArray()).IsEquivalentTo(new[] { "alice", "bob" });
        await Assert.That(role.Permissions.Single().Names.ToArray()).IsEquivalentTo(new[] { "ManageShard", "ReadData" });

        var alice = m.State.User("alice")!;
        await Assert.That(alice.Authorizes(UserPrivilege.Read, "db0")).IsFalse();
        await Assert.That(m.State.Authorizes(alice, UserPrivilege.Read, "db0")).IsTrue();
        await Assert.That(m.State.Authorizes(alice, UserPrivilege.Write, "db0")).IsFalse();
        await Assert.That(m.State.Authorizes(alice, UserPrivilege.Read, "db1")).IsFalse();

        m.Run(new ChangeRolePermissionsCommand("readers", false, "db0", ["ReadData"]));
        await Assert.That(m.State.Authorizes(alice, UserPrivilege.Read, "db0")).IsFalse();
        m.Run(new ChangeRolePermissionsCommand("readers", true, "", ["WriteData"]));
        // A permission on "" covers every database.
        await Assert.That(m.State.Authorizes(alice, UserPrivilege.Write, "any")).IsTrue();

        m.Run(new DropUserCommand("alice"));
        await Assert.That(m.State.Role("readers")!.Users.ToArray()).IsEquivalentTo(new[] { "bob" });
        await Assert.That(m.Run(new ChangeRoleUsersCommand("readers", false, ["bob"])).Changed).IsTrue();
        await Assert.That(m.Run(new ChangeRoleUsersCommand("readers", false, ["bob"])).Changed).IsFalse();
    }

    [Test]
    public async Task Snapshot_WithRoles_RoundTrips()
    {
        var m = WithUsers();
        m.Run(new CreateRoleCommand("ops"));
        m.Run(new ChangeRoleUsersCommand("ops", true, ["alice"]));
        m.Run(new ChangeRolePermissionsCommand("ops", true, "db0", ["ReadData", "WriteData"]));
        m.Run(new CreateRoleCommand("empty"));
        var decoded = MetaSnapshotCodec.Decode(MetaSnapshotCodec.Encode(m.State));
        await Assert.That(decoded).IsEqualTo(m.State);
        await Assert.That(decoded.Roles.Length).IsEqualTo(2);
    }
}
