using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// The shards of one retention policy for the time range [<see cref="StartTime"/>, <see cref="EndTime"/>).
/// Times are Unix nanoseconds; 0 in <see cref="DeletedAt"/> or <see cref="TruncatedAt"/> means "not set",
/// as in InfluxDB's meta.MarshalTime.
/// </summary>
public sealed record ShardGroupInfo
{
    public ShardGroupInfo(ulong id, long startTime, long endTime, long deletedAt, long truncatedAt, ImmutableArray<ShardInfo> shards)
    {
        Id = id;
        StartTime = startTime;
        EndTime = endTime;
        DeletedAt = deletedAt;
        TruncatedAt = truncatedAt;
        Shards = shards.OrEmpty();
    }

    public ulong Id { get; init; }
    public long StartTime { get; init; }
    public long EndTime { get; init; }

    /// <summary>When the group was marked deleted (retention expiry, or its last shard dropped); 0 if live.</summary>
    public long DeletedAt { get; init; }

    /// <summary>When the group stopped taking new writes (truncate-shards); 0 if never.</summary>
    public long TruncatedAt { get; init; }

    public ImmutableArray<ShardInfo> Shards { get; init; }

    public bool Deleted => DeletedAt != 0;
    public bool Truncated => TruncatedAt != 0;

    /// <summary>The end used for ordering: the truncation time if truncated, else the end time.</summary>
    public long EffectiveEnd => Truncated ? TruncatedAt : EndTime;

    public bool Contains(long timestamp) => timestamp >= StartTime && timestamp < EndTime;

    /// <summary>Whether the group may hold data in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public bool Overlaps(long min, long max) => StartTime <= max && EndTime > min;

    public bool Equals(ShardGroupInfo? other) =>
        other is not null && Id == other.Id && StartTime == other.StartTime && EndTime == other.EndTime
        && DeletedAt == other.DeletedAt && TruncatedAt == other.TruncatedAt && Sequences.Same(Shards, other.Shards);

    public override int GetHashCode() => HashCode.Combine(Id, StartTime, EndTime, DeletedAt, TruncatedAt, Shards.Length);

    /// <summary>InfluxDB's ShardGroupInfos order: by effective end, then start; the id makes it total.</summary>
    internal static int Compare(ShardGroupInfo a, ShardGroupInfo b)
    {
        int c = a.EffectiveEnd.CompareTo(b.EffectiveEnd);
        if (c != 0) return c;
        c = a.StartTime.CompareTo(b.StartTime);
        return c != 0 ? c : a.Id.CompareTo(b.Id);
    }
}
