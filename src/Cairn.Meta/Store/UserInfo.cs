using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// What a user may do on one database. The numbers are InfluxQL's privilege bits (READ 1, WRITE 2, ALL 3),
/// so REVOKE clears bits as InfluxDB does; they are stored in the meta formats: never renumber.
/// </summary>
public enum UserPrivilege : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    All = 3,
}

/// <summary>A user's privilege on one database.</summary>
public readonly record struct DatabasePrivilege(string Database, UserPrivilege Privilege);

/// <summary>
/// A user: the bcrypt hash of its password, whether it is an admin, and its per-database privileges sorted
/// by database name (ordinal), so the same grants always encode to the same bytes. A REVOKE leaves an entry
/// with <see cref="UserPrivilege.None"/>, as InfluxDB keeps it in its map.
/// </summary>
public sealed record UserInfo
{
    public UserInfo(string name, string hash, bool admin, ImmutableArray<DatabasePrivilege> privileges)
    {
        Name = name;
        Hash = hash;
        Admin = admin;
        Privileges = privileges.OrEmpty();
    }

    public string Name { get; init; }

    /// <summary>The bcrypt hash (<c>$2a$…</c>) of the password; the meta store never sees the password.</summary>
    public string Hash { get; init; }

    public bool Admin { get; init; }

    public ImmutableArray<DatabasePrivilege> Privileges { get; init; }

    /// <summary>The user's privilege on <paramref name="database"/>; <see cref="UserPrivilege.None"/> when none was set.</summary>
    public UserPrivilege PrivilegeOn(string database)
    {
        foreach (var p in Privileges)
            if (p.Database == database) return p.Privilege;
        return UserPrivilege.None;
    }

    /// <summary>True when the user is an admin or holds every bit of <paramref name="wanted"/> on <paramref name="database"/>.</summary>
    public bool Authorizes(UserPrivilege wanted, string database) =>
        Admin || (PrivilegeOn(database) & wanted) == wanted;

    internal UserInfo WithPrivilege(string database, UserPrivilege privilege)
    {
        for (int i = 0; i < Privileges.Length; i++)
        {
            if (Privileges[i].Database == database)
                return this with { Privileges = Privileges.SetItem(i, new DatabasePrivilege(database, privilege)) };
        }
        int at = 0;
        while (at < Privileges.Length && string.CompareOrdinal(Privileges[at].Database, database) < 0) at++;
        return this with { Privileges = Privileges.Insert(at, new DatabasePrivilege(database, privilege)) };
    }

    public bool Equals(UserInfo? other) =>
        other is not null && Name == other.Name && Hash == other.Hash && Admin == other.Admin && Sequences.Same(Privileges, other.Privileges);

    public override int GetHashCode() => HashCode.Combine(Name, Hash, Admin, Privileges.Length);
}

/// <summary>A continuous query of a database: its name and the CREATE CONTINUOUS QUERY statement that defines it.</summary>
public sealed record ContinuousQueryInfo(string Name, string Query);

/// <summary>How a subscription spreads writes over its destinations: to all of them or to any one.</summary>
public enum SubscriptionMode : byte
{
    All = 0,
    Any = 1,
}

/// <summary>A subscription of a retention policy: writes to it are forwarded to <see cref="Destinations"/> (URLs).</summary>
public sealed record SubscriptionInfo
{
    public SubscriptionInfo(string name, SubscriptionMode mode, ImmutableArray<string> destinations)
    {
        Name = name;
        Mode = mode;
        Destinations = destinations.OrEmpty();
    }

    public string Name { get; init; }
    public SubscriptionMode Mode { get; init; }
    public ImmutableArray<string> Destinations { get; init; }

    /// <summary>InfluxQL's spelling of the mode, as SHOW SUBSCRIPTIONS prints it.</summary>
    public string ModeText => Mode == SubscriptionMode.Any ? "ANY" : "ALL";

    public bool Equals(SubscriptionInfo? other) =>
        other is not null && Name == other.Name && Mode == other.Mode && Sequences.Same(Destinations, other.Destinations);

    public override int GetHashCode() => HashCode.Combine(Name, Mode, Destinations.Length);
}
