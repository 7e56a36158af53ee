using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>A role's permissions on one database ("" for the whole cluster), as Enterprise names them (ReadData, WriteData, …).</summary>
public sealed record RolePermission(string Database, ImmutableArray<string> Names)
{
    public bool Equals(RolePermission? other) => other is not null && Database == other.Database && Sequences.Same(Names, other.Names);

    public override int GetHashCode() => HashCode.Combine(Database, Names.Length);
}

/// <summary>
/// An InfluxDB Enterprise role: a named set of permissions that its users hold too. ReadData and WriteData grant READ
/// and WRITE on the role's databases; the other permission names are kept and listed.
/// </summary>
public sealed record RoleInfo(string Name, ImmutableArray<string> Users, ImmutableArray<RolePermission> Permissions)
{
    /// <summary>The InfluxQL privilege the role's permissions give on <paramref name="database"/>.</summary>
    public UserPrivilege PrivilegeOn(string database)
    {
        var privilege = UserPrivilege.None;
        foreach (var p in Permissions)
        {
            if (p.Database != database && p.Database.Length != 0) continue;
            if (p.Names.Contains("ReadData")) privilege |= UserPrivilege.Read;
            if (p.Names.Contains("WriteData")) privilege |= UserPrivilege.Write;
        }
        return privilege;
    }

    public bool Equals(RoleInfo? other) =>
        other is not null && Name == other.Name && Sequences.Same(Users, other.Users) && Sequences.Same(Permissions, other.Permissions);

    public override int GetHashCode() => HashCode.Combine(Name, Users.Length, Permissions.Length);
}
