using System.Collections.Immutable;

namespace Cairn.Meta.Store;

// Enterprise roles: named permission sets whose users hold the permissions too.
public static partial class MetaStateMachine
{
    private static Outcome CreateRole(MetaState state, CreateRoleCommand c)
    {
        if (string.IsNullOrEmpty(c.Name)) return Outcome.Fail(MetaErrorCode.RoleNameRequired, MetaErrors.RoleNameRequired);
        if (state.Role(c.Name) is not null) return Outcome.Fail(MetaErrorCode.RoleExists, MetaErrors.RoleExists);
        return Outcome.To(state with { Roles = state.Roles.Add(new RoleInfo(c.Name, [], [])) });
    }

    private static Outcome DropRole(MetaState state, DropRoleCommand c)
    {
        int at = IndexOfRole(state, c.Name);
        return at < 0 ? RoleNotFound : Outcome.To(state with { Roles = state.Roles.RemoveAt(at) });
    }

    private static Outcome ChangeRoleUsers(MetaState state, ChangeRoleUsersCommand c)
    {
        int at = IndexOfRole(state, c.Name);
        if (at < 0) return RoleNotFound;
        var role = state.Roles[at];
        var users = role.Users;
        foreach (var user in c.Users)
        {
            if (c.Add)
            {
                if (state.User(user) is null) return UserNotFound;
                if (!users.Contains(user)) users = users.Add(user);
            }
            else users = users.Remove(user);
        }
        users = [.. users.Order(StringComparer.Ordinal)];
        if (Sequences.Same(users, role.Users)) return Outcome.Unchanged();
        return Outcome.To(state with { Roles = state.Roles.SetItem(at, role with { Users = users }) });
    }

    private static Outcome ChangeRolePermissions(MetaState state, ChangeRolePermissionsCommand c)
    {
        int at = IndexOfRole(state, c.Name);
        if (at < 0) return RoleNotFound;
        var role = state.Roles[at];
        var permissions = role.Permissions;
        int p = -1;
        for (int i = 0; i < permissions.Length; i++)
            if (permissions[i].Database == c.Database) p = i;
        var names = p < 0 ? ImmutableArray<string>.Empty : permissions[p].Names;
        foreach (var name in c.Permissions)
            names = c.Add ? (names.Contains(name) ? names : names.Add(name)) : names.Remove(name);
        names = [.. names.Order(StringComparer.Ordinal)];
        if (names.IsEmpty) permissions = p < 0 ? permissions : permissions.RemoveAt(p);
        else if (p < 0) permissions = [.. permissions.Add(new RolePermission(c.Database, names)).OrderBy(x => x.Database, StringComparer.Ordinal)];
        else permissions = permissions.SetItem(p, new RolePermission(c.Database, names));
        if (Sequences.Same(permissions, role.Permissions)) return Outcome.Unchanged();
        return Outcome.To(state with { Roles = state.Roles.SetItem(at, role with { Permissions = permissions }) });
    }

    /// <summary>A dropped user leaves every role.</summary>
    private static MetaState WithoutRoleMember(MetaState state, string user)
    {
        if (!state.Roles.Any(r => r.Users.Contains(user))) return state;
        return state with { Roles = [.. state.Roles.Select(r => r.Users.Contains(user) ? r with { Users = r.Users.Remove(user) } : r)] };
    }

    private static int IndexOfRole(MetaState state, string name)
    {
        for (int i = 0; i < state.Roles.Length; i++)
            if (state.Roles[i].Name == name) return i;
        return -1;
    }

    private static readonly Outcome RoleNotFound = Outcome.Fail(MetaErrorCode.RoleNotFound, MetaErrors.RoleNotFound);
}
