using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>One shard of a shard group and the data nodes that hold a copy of it.</summary>
public sealed record ShardInfo
{
    public ShardInfo(ulong id, ImmutableArray<ulong> owners)
    {
        Id = id;
        Owners = owners.OrEmpty();
    }

    public ulong Id { get; init; }

    /// <summary>Node ids of the owners; empty on a single node, which owns every shard.</summary>
    public ImmutableArray<ulong> Owners { get; init; }

    public bool OwnedBy(ulong nodeId) => Owners.Contains(nodeId);

    public bool Equals(ShardInfo? other) => other is not null && Id == other.Id && Sequences.Same(Owners, other.Owners);

    public override int GetHashCode() => HashCode.Combine(Id, Owners.Length);
}
