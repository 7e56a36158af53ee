using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>The command type byte of the encoded command (docs/formats/meta.md). Never renumber.</summary>
public enum MetaCommandType : byte
{
    CreateDatabase = 1,
    DropDatabase = 2,
    CreateRetentionPolicy = 3,
    UpdateRetentionPolicy = 4,
    DropRetentionPolicy = 5,
    SetDefaultRetentionPolicy = 6,
    CreateShardGroup = 7,
    DeleteShardGroup = 8,
    DropShard = 9,
    TruncateShardGroups = 10,
    PruneShardGroups = 11,
    CreateUser = 12,
    DropUser = 13,
    UpdateUser = 14,
    SetPrivilege = 15,
    SetAdminPrivilege = 16,
    CreateContinuousQuery = 17,
    DropContinuousQuery = 18,
    CreateSubscription = 19,
    DropSubscription = 20,
    CreateMetaNode = 21,
    DeleteMetaNode = 22,
    CreateDataNode = 23,
    DeleteDataNode = 24,
    UpdateDataNode = 25,
    CreateRole = 26,
    DropRole = 27,
    ChangeRoleUsers = 28,
    ChangeRolePermissions = 29,
}

/// <summary>
/// A change to the meta state. Commands carry every input the change needs (times included), so applying
/// the same commands in the same order gives the same state on every node.
/// </summary>
public abstract record MetaCommand
{
    private protected MetaCommand() { }

    public abstract MetaCommandType Type { get; }
}

/// <summary>
/// CREATE DATABASE, with or without WITH DURATION/REPLICATION/SHARD DURATION/NAME.
/// Without a spec, an existing database is left alone; with <paramref name="RetentionAutoCreate"/> a new one
/// gets the autogen policy. <paramref name="DefaultReplicaN"/> is the replication of autogen and of a spec
/// that names none.
/// </summary>
public sealed record CreateDatabaseCommand(string Name, RetentionPolicySpec? RetentionPolicy = null, bool RetentionAutoCreate = true, int DefaultReplicaN = RetentionRules.DefaultReplicaN) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.CreateDatabase;
}

public sealed record DropDatabaseCommand(string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DropDatabase;
}

/// <summary>CREATE RETENTION POLICY … ON …, DEFAULT when <paramref name="MakeDefault"/>.</summary>
public sealed record CreateRetentionPolicyCommand(string Database, RetentionPolicySpec Spec, bool MakeDefault) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.CreateRetentionPolicy;
}

/// <summary>ALTER RETENTION POLICY … ON …, DEFAULT when <paramref name="MakeDefault"/>.</summary>
public sealed record UpdateRetentionPolicyCommand(string Database, string Name, RetentionPolicyUpdate Update, bool MakeDefault) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.UpdateRetentionPolicy;
}

public sealed record DropRetentionPolicyCommand(string Database, string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DropRetentionPolicy;
}

public sealed record SetDefaultRetentionPolicyCommand(string Database, string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.SetDefaultRetentionPolicy;
}

/// <summary>
/// Creates the shard group covering <paramref name="Timestamp"/> (Unix ns) unless a live one does.
/// The group has one shard owned by <see cref="Owners"/> (empty on a single node).
/// </summary>
public sealed record CreateShardGroupCommand(string Database, string RetentionPolicy, long Timestamp) : MetaCommand
{
    private readonly ImmutableArray<ulong> _owners = [];

    public override MetaCommandType Type => MetaCommandType.CreateShardGroup;

    public ImmutableArray<ulong> Owners { get => _owners; init => _owners = value.OrEmpty(); }

    public bool Equals(CreateShardGroupCommand? other) =>
        other is not null && Database == other.Database && RetentionPolicy == other.RetentionPolicy
        && Timestamp == other.Timestamp && Sequences.Same(Owners, other.Owners);

    public override int GetHashCode() => HashCode.Combine(Database, RetentionPolicy, Timestamp, Owners.Length);
}

/// <summary>Marks a shard group deleted at <paramref name="DeletedAt"/> (Unix ns, not 0); the retention service's first step.</summary>
public sealed record DeleteShardGroupCommand(string Database, string RetentionPolicy, ulong ShardGroupId, long DeletedAt) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DeleteShardGroup;
}

/// <summary>
/// Removes a shard from its group; a group left without shards is marked deleted at <paramref name="DroppedAt"/>.
/// An unknown id is not an error, so the command can be repeated.
/// </summary>
public sealed record DropShardCommand(ulong ShardId, long DroppedAt) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DropShard;
}

/// <summary>Ends writes at <paramref name="Timestamp"/> to every live shard group that could hold later points (truncate-shards).</summary>
public sealed record TruncateShardGroupsCommand(long Timestamp) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.TruncateShardGroups;
}

/// <summary>
/// Forgets shard groups marked deleted before <paramref name="ExpiredBefore"/> whose shards are all dropped.
/// The retention service passes now − <see cref="RetentionRules.ShardGroupDeletedExpiration"/>.
/// </summary>
public sealed record PruneShardGroupsCommand(long ExpiredBefore) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.PruneShardGroups;
}

/// <summary>CREATE USER: <paramref name="Hash"/> is the bcrypt hash, made before the command (the state machine stays pure).</summary>
public sealed record CreateUserCommand(string Name, string Hash, bool Admin) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.CreateUser;
}

public sealed record DropUserCommand(string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DropUser;
}

/// <summary>SET PASSWORD: replaces the user's hash.</summary>
public sealed record UpdateUserCommand(string Name, string Hash) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.UpdateUser;
}

/// <summary>GRANT/REVOKE on a database: sets the user's privilege there to exactly <paramref name="Privilege"/>.</summary>
public sealed record SetPrivilegeCommand(string User, string Database, UserPrivilege Privilege) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.SetPrivilege;
}

/// <summary>GRANT/REVOKE ALL PRIVILEGES (no database): makes the user an admin or not.</summary>
public sealed record SetAdminPrivilegeCommand(string User, bool Admin) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.SetAdminPrivilege;
}

/// <summary>CREATE CONTINUOUS QUERY; <paramref name="Query"/> is the normalised statement text.</summary>
public sealed record CreateContinuousQueryCommand(string Database, string Name, string Query) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.CreateContinuousQuery;
}

public sealed record DropContinuousQueryCommand(string Database, string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DropContinuousQuery;
}

/// <summary>CREATE SUBSCRIPTION … ON db.rp DESTINATIONS ALL|ANY …</summary>
public sealed record CreateSubscriptionCommand(string Database, string RetentionPolicy, string Name, SubscriptionMode Mode) : MetaCommand
{
    private readonly ImmutableArray<string> _destinations = [];

    public override MetaCommandType Type => MetaCommandType.CreateSubscription;

    public ImmutableArray<string> Destinations { get => _destinations; init => _destinations = value.OrEmpty(); }

    public bool Equals(CreateSubscriptionCommand? other) =>
        other is not null && Database == other.Database && RetentionPolicy == other.RetentionPolicy && Name == other.Name
        && Mode == other.Mode && Sequences.Same(Destinations, other.Destinations);

    public override int GetHashCode() => HashCode.Combine(Database, RetentionPolicy, Name, Mode, Destinations.Length);
}

public sealed record DropSubscriptionCommand(string Database, string RetentionPolicy, string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DropSubscription;
}

/// <summary>
/// add-meta: a meta node joins the Raft group. A node already listed under the same Raft address keeps its id.
/// </summary>
public sealed record CreateMetaNodeCommand(string HttpAddr, string TcpAddr) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.CreateMetaNode;
}

/// <summary>remove-meta: the node leaves the Raft group. An unknown id is not an error.</summary>
public sealed record DeleteMetaNodeCommand(ulong Id) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DeleteMetaNode;
}

/// <summary>
/// add-data: a data node joins. A node already listed under the same TCP address keeps its id.
/// <paramref name="MaxDataNodes"/> is the licence's cap (0: none), checked here so every replica agrees.
/// </summary>
public sealed record CreateDataNodeCommand(string HttpAddr, string TcpAddr, int MaxDataNodes) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.CreateDataNode;
}

/// <summary>remove-data: the node leaves and is dropped from every shard's owners. An unknown id is not an error.</summary>
public sealed record DeleteDataNodeCommand(ulong Id) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DeleteDataNode;
}

/// <summary>update-data, and a data node announcing a changed HTTP address: same id, same shards, new addresses.</summary>
public sealed record UpdateDataNodeCommand(ulong Id, string HttpAddr, string TcpAddr) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.UpdateDataNode;
}

/// <summary>POST /role create.</summary>
public sealed record CreateRoleCommand(string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.CreateRole;
}

/// <summary>POST /role delete.</summary>
public sealed record DropRoleCommand(string Name) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.DropRole;
}

/// <summary>POST /role add-users (<paramref name="Add"/>) or remove-users. The users must exist to be added.</summary>
public sealed record ChangeRoleUsersCommand(string Name, bool Add, ImmutableArray<string> Users) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.ChangeRoleUsers;

    public bool Equals(ChangeRoleUsersCommand? other) => other is not null && Name == other.Name && Add == other.Add && Sequences.Same(Users, other.Users);

    public override int GetHashCode() => HashCode.Combine(Name, Add, Users.Length);
}

/// <summary>POST /role add-permissions or remove-permissions on one database ("" = the cluster).</summary>
public sealed record ChangeRolePermissionsCommand(string Name, bool Add, string Database, ImmutableArray<string> Permissions) : MetaCommand
{
    public override MetaCommandType Type => MetaCommandType.ChangeRolePermissions;

    public bool Equals(ChangeRolePermissionsCommand? other) =>
        other is not null && Name == other.Name && Add == other.Add && Database == other.Database && Sequences.Same(Permissions, other.Permissions);

    public override int GetHashCode() => HashCode.Combine(Name, Add, Database, Permissions.Length);
}
