using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// Everything the meta store knows, as one immutable value: readers hold a consistent snapshot while
/// commands build the next state by copying only the path they change.
/// <see cref="Index"/> counts the commands applied to reach this state.
/// </summary>
public sealed record MetaState
{
    public static readonly MetaState Empty = new(0, 0, 0, 0, []);

    public MetaState(ulong index, ulong maxNodeId, ulong maxShardGroupId, ulong maxShardId, ImmutableArray<DatabaseInfo> databases,
        ImmutableArray<UserInfo> users = default)
    {
        Index = index;
        MaxNodeId = maxNodeId;
        MaxShardGroupId = maxShardGroupId;
        MaxShardId = maxShardId;
        Databases = databases.OrEmpty();
        Users = users.OrEmpty();
    }

    public ulong Index { get; init; }

    /// <summary>The last node id handed out; meta and data nodes share the sequence (the cluster issue uses it).</summary>
    public ulong MaxNodeId { get; init; }

    public ulong MaxShardGroupId { get; init; }
    public ulong MaxShardId { get; init; }

    /// <summary>Databases in creation order.</summary>
    public ImmutableArray<DatabaseInfo> Databases { get; init; }

    /// <summary>Users in creation order (SHOW USERS lists them so).</summary>
    public ImmutableArray<UserInfo> Users { get; init; }

    /// <summary>The meta nodes (the Raft members), in id order.</summary>
    public ImmutableArray<NodeInfo> MetaNodes { get; init => field = value.OrEmpty(); } = [];

    /// <summary>The data nodes, in id order.</summary>
    public ImmutableArray<NodeInfo> DataNodes { get; init => field = value.OrEmpty(); } = [];

    /// <summary>Enterprise roles, in creation order.</summary>
    public ImmutableArray<RoleInfo> Roles { get; init => field = value.OrEmpty(); } = [];

    public RoleInfo? Role(string name)
    {
        foreach (var role in Roles)
            if (role.Name == name) return role;
        return null;
    }

    /// <summary>
    /// Whether <paramref name="user"/> may do <paramref name="wanted"/> on <paramref name="database"/>: an admin, its own
    /// privileges, or those of the roles it belongs to.
    /// </summary>
    public bool Authorizes(UserInfo user, UserPrivilege wanted, string database)
    {
        if (user.Authorizes(wanted, database)) return true;
        var granted = user.PrivilegeOn(database);
        foreach (var role in Roles)
            if (role.Users.Contains(user.Name)) granted |= role.PrivilegeOn(database);
        return (granted & wanted) == wanted;
    }

    public NodeInfo? MetaNode(ulong id) => Find(MetaNodes, id);

    public NodeInfo? DataNode(ulong id) => Find(DataNodes, id);

    public NodeInfo? DataNodeByTcpAddr(string addr)
    {
        foreach (var node in DataNodes)
            if (node.TcpAddr == addr) return node;
        return null;
    }

    public NodeInfo? MetaNodeByAddr(string addr)
    {
        foreach (var node in MetaNodes)
            if (node.TcpAddr == addr || node.HttpAddr == addr) return node;
        return null;
    }

    private static NodeInfo? Find(ImmutableArray<NodeInfo> nodes, ulong id)
    {
        foreach (var node in nodes)
            if (node.Id == id) return node;
        return null;
    }

    public UserInfo? User(string name)
    {
        foreach (var user in Users)
            if (user.Name == name) return user;
        return null;
    }

    /// <summary>True when some user is an admin: until then an auth-enabled server accepts only the first admin's creation.</summary>
    public bool HasAdminUser
    {
        get
        {
            foreach (var user in Users)
                if (user.Admin) return true;
            return false;
        }
    }

    internal int IndexOfUser(string name)
    {
        for (int i = 0; i < Users.Length; i++)
            if (Users[i].Name == name) return i;
        return -1;
    }

    public DatabaseInfo? Database(string name)
    {
        foreach (var db in Databases)
            if (db.Name == name) return db;
        return null;
    }

    public RetentionPolicyInfo? RetentionPolicy(string database, string name) => Database(database)?.RetentionPolicy(name);

    internal int IndexOfDatabase(string name)
    {
        for (int i = 0; i < Databases.Length; i++)
            if (Databases[i].Name == name) return i;
        return -1;
    }

    public bool Equals(MetaState? other) =>
        other is not null && Index == other.Index && MaxNodeId == other.MaxNodeId && MaxShardGroupId == other.MaxShardGroupId
        && MaxShardId == other.MaxShardId && Sequences.Same(Databases, other.Databases) && Sequences.Same(Users, other.Users)
        && Sequences.Same(MetaNodes, other.MetaNodes) && Sequences.Same(DataNodes, other.DataNodes) && Sequences.Same(Roles, other.Roles);

    public override int GetHashCode() => HashCode.Combine(Index, MaxShardGroupId, MaxShardId, Databases.Length);
}
