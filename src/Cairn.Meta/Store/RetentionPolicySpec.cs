namespace Cairn.Meta.Store;

/// <summary>
/// The retention policy asked for by CREATE RETENTION POLICY or CREATE DATABASE … WITH: unset parts
/// take InfluxDB's defaults (name autogen, replication 1, infinite duration, shard duration by policy
/// duration). Durations are nanoseconds; <see cref="ShardGroupDuration"/> 0 means unset.
/// </summary>
public sealed record RetentionPolicySpec(string? Name = null, long? Duration = null, int? ReplicaN = null, long ShardGroupDuration = 0)
{
    internal RetentionPolicyInfo ToInfo(string name, int defaultReplicaN)
    {
        long duration = Duration ?? 0;
        return new RetentionPolicyInfo(name, ReplicaN ?? defaultReplicaN, duration,
            RetentionRules.NormaliseShardGroupDuration(ShardGroupDuration, duration), []);
    }

    /// <summary>InfluxDB's RetentionPolicySpec.Matches: the set parts agree with <paramref name="rp"/>.</summary>
    internal bool Matches(RetentionPolicyInfo? rp) =>
        rp is not null
        && (string.IsNullOrEmpty(Name) || Name == rp.Name)
        && (Duration is not { } d || d == rp.Duration)
        && (ReplicaN is not { } n || n == rp.ReplicaN)
        && RetentionRules.NormaliseShardGroupDuration(ShardGroupDuration, rp.Duration) == rp.ShardGroupDuration;
}
