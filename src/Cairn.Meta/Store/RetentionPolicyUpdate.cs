namespace Cairn.Meta.Store;

/// <summary>The parts of a retention policy ALTER RETENTION POLICY changes; null leaves a part alone. Durations are nanoseconds.</summary>
public sealed record RetentionPolicyUpdate(string? Name = null, long? Duration = null, int? ReplicaN = null, long? ShardGroupDuration = null);
