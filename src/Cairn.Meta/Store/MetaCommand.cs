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
