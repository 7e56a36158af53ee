using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// A retention policy: how long data is kept (<see cref="Duration"/>, 0 = forever), how many copies
/// (<see cref="ReplicaN"/>) and how time is cut into shard groups. Durations are nanoseconds.
/// Shard groups are kept sorted by <see cref="ShardGroupInfo.EffectiveEnd"/>, then start.
/// </summary>
public sealed record RetentionPolicyInfo
{
    public RetentionPolicyInfo(string name, int replicaN, long duration, long shardGroupDuration, ImmutableArray<ShardGroupInfo> shardGroups,
        ImmutableArray<SubscriptionInfo> subscriptions = default)
    {
        Name = name;
        ReplicaN = replicaN;
        Duration = duration;
        ShardGroupDuration = shardGroupDuration;
        ShardGroups = shardGroups.OrEmpty();
        Subscriptions = subscriptions.OrEmpty();
    }

    public string Name { get; init; }
    public int ReplicaN { get; init; }
    public long Duration { get; init; }
    public long ShardGroupDuration { get; init; }
    public ImmutableArray<ShardGroupInfo> ShardGroups { get; init; }

    /// <summary>Subscriptions in creation order; forwarding writes to them comes with the subscriber service.</summary>
    public ImmutableArray<SubscriptionInfo> Subscriptions { get; init; }

    /// <summary>The live group that takes writes at <paramref name="timestamp"/>, or null.</summary>
    public ShardGroupInfo? ShardGroupByTimestamp(long timestamp)
    {
        foreach (var group in ShardGroups)
            if (group.Contains(timestamp) && !group.Deleted && (!group.Truncated || timestamp < group.TruncatedAt))
                return group;
        return null;
    }

    /// <summary>Live groups whose data has outlived the policy at <paramref name="now"/>: end + duration before now.</summary>
    public IReadOnlyList<ShardGroupInfo> ExpiredShardGroups(long now)
    {
        var expired = new List<ShardGroupInfo>();
        if (Duration == 0) return expired;
        foreach (var group in ShardGroups)
            if (!group.Deleted && (Int128)group.EndTime + Duration < now)
                expired.Add(group);
        return expired;
    }

    public IReadOnlyList<ShardGroupInfo> DeletedShardGroups()
    {
        var deleted = new List<ShardGroupInfo>();
        foreach (var group in ShardGroups)
            if (group.Deleted) deleted.Add(group);
        return deleted;
    }

    public bool Equals(RetentionPolicyInfo? other) =>
        other is not null && Name == other.Name && ReplicaN == other.ReplicaN && Duration == other.Duration
        && ShardGroupDuration == other.ShardGroupDuration && Sequences.Same(ShardGroups, other.ShardGroups)
        && Sequences.Same(Subscriptions, other.Subscriptions);

    public override int GetHashCode() => HashCode.Combine(Name, ReplicaN, Duration, ShardGroupDuration, ShardGroups.Length);
}
