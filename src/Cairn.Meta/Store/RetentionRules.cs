namespace Cairn.Meta.Store;

/// <summary>
/// Retention-policy and shard-group arithmetic as InfluxDB 1.x does it (services/meta/data.go,
/// client.go, models/time.go). Durations and times are nanoseconds; times count from the Unix epoch.
/// </summary>
public static class RetentionRules
{
    public const long Hour = 3_600_000_000_000L;
    public const long Day = 24 * Hour;

    /// <summary>The name of the policy CREATE DATABASE makes when retention-autocreate is on.</summary>
    public const string DefaultRetentionPolicyName = "autogen";

    public const int DefaultReplicaN = 1;

    /// <summary>The shortest finite retention duration, and the shortest shard group duration.</summary>
    public const long MinRetentionPolicyDuration = Hour;

    /// <summary>How long a deleted shard group stays in the metadata before it may be pruned (two weeks).</summary>
    public const long ShardGroupDeletedExpiration = 14 * Day;

    /// <summary>The earliest valid timestamp; the two below it are reserved, as in InfluxDB.</summary>
    public const long MinTime = long.MinValue + 2;

    /// <summary>The latest valid timestamp; <see cref="long.MaxValue"/> is the open end of the last shard group.</summary>
    public const long MaxTime = long.MaxValue - 1;

    // Go truncates a time.Time relative to its zero time, 0001-01-01T00:00:00Z, not the Unix epoch.
    // That is why 7-day shard groups start on Mondays: the epoch is a Thursday, 719162 days after it.
    private static readonly Int128 EpochSinceYearOne = (Int128)62_135_596_800L * 1_000_000_000L;

    /// <summary>The shard group duration a policy of <paramref name="duration"/> gets by default.</summary>
    public static long DefaultShardGroupDuration(long duration) =>
        duration == 0 || duration >= 180 * Day ? 7 * Day
        : duration >= 2 * Day ? Day
        : Hour;

    /// <summary>
    /// The shard group duration actually used: unset (0) takes the default for the policy duration,
    /// and anything shorter than an hour becomes an hour.
    /// </summary>
    public static long NormaliseShardGroupDuration(long shardGroupDuration, long duration) =>
        shardGroupDuration == 0 ? DefaultShardGroupDuration(duration)
        : shardGroupDuration < MinRetentionPolicyDuration ? DefaultShardGroupDuration(MinRetentionPolicyDuration)
        : shardGroupDuration;

    /// <summary>
    /// The start of the shard group holding <paramref name="timestamp"/>: the timestamp rounded down to a
    /// multiple of <paramref name="shardGroupDuration"/> counted from 0001-01-01 (Go's time.Truncate).
    /// Clamped to <see cref="MinTime"/> at the bottom of the range.
    /// </summary>
    public static long ShardGroupStart(long timestamp, long shardGroupDuration)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardGroupDuration);
        var sinceYearOne = EpochSinceYearOne + timestamp;
        var start = (Int128)timestamp - sinceYearOne % shardGroupDuration;
        return start < MinTime ? MinTime : (long)start;
    }

    /// <summary>
    /// The exclusive end of a shard group starting at <paramref name="start"/>. A group that would end
    /// beyond <see cref="MaxTime"/> ends at <c>MaxTime + 1</c> so that it still holds MaxTime.
    /// </summary>
    public static long ShardGroupEnd(long start, long shardGroupDuration)
    {
        var end = (Int128)start + shardGroupDuration;
        return end > MaxTime ? MaxTime + 1 : (long)end;
    }
}
