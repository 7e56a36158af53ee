using NLog;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>The <c>[hinted-handoff]</c> settings, with InfluxDB Enterprise's defaults (docs/hinted-handoff.md).</summary>
public sealed class HintedHandoffOptions
{
    public const long MinSegmentSize = 64;
    public const long MaxSegmentSize = 1L << 30;

    /// <summary><c>enabled</c>: when false the service opens nothing, starts nothing and refuses appends.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>dir</c>: one subdirectory per destination node, named by its id.</summary>
    public string Dir { get; init; } = "";

    /// <summary><c>max-size</c>: bytes of segment files one destination's queue may hold.</summary>
    public long MaxSize { get; init; } = 10L << 30;

    /// <summary><c>max-age</c>: entries older than this (from enqueue time) are dropped. Zero keeps them forever.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(168);

    /// <summary><c>retry-rate-limit</c>: most record bytes replayed per second per destination; 0 is no limit.</summary>
    public long RetryRateLimit { get; init; }

    /// <summary><c>retry-interval</c>: the wait after a first failed delivery; it doubles with each further failure.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>retry-max-interval</c>: the longest wait between delivery attempts.</summary>
    public TimeSpan RetryMaxInterval { get; init; } = TimeSpan.FromSeconds(200);

    /// <summary><c>purge-interval</c>: how often entries older than <see cref="MaxAge"/> are dropped from idle or failing queues.</summary>
    public TimeSpan PurgeInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A segment is closed before a record would take it past this size; a larger record gets a segment of its own.</summary>
    public long SegmentSize { get; init; } = 10L << 20;

    /// <summary>
    /// <c>retry-concurrency</c>: most replay requests in flight at once to one destination. Never two for the same
    /// shard: a shard's entries go one request after another, in queue order, so a later write to a series never
    /// lands before an earlier one.
    /// </summary>
    public int RetryConcurrency { get; init; } = 20;

    /// <summary>
    /// <c>batch-size</c>: most request bytes one replay request carries. Consecutive entries for the same shard are
    /// merged into one request up to this size; an entry larger than it goes alone.
    /// </summary>
    public long BatchSize { get; init; } = 512000;

    /// <summary>
    /// <c>max-writes-pending</c>: most appends that may wait at once to enter one destination's queue; one more
    /// is refused at once (<see cref="HintedHandoffQueueBlockedException"/>). Zero is no limit.
    /// </summary>
    public int MaxWritesPending { get; init; } = 1024;

    /// <summary>Where queue repairs and delivery failures are reported; NLog's "hh" logger when null.</summary>
    public Logger? Logger { get; init; }

    /// <summary>How long disposal waits for a replay loop whose sender ignores cancellation.</summary>
    internal TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first problem with these settings, or null when they are usable.</summary>
    public string? Validate()
    {
        if (!Enabled) return null;
        if (string.IsNullOrWhiteSpace(Dir)) return "hinted-handoff dir must be set";
        if (MaxSize <= 0) return $"hinted-handoff max-size must be positive (is {MaxSize})";
        if (MaxAge < TimeSpan.Zero) return $"hinted-handoff max-age must not be negative (is {MaxAge})";
        if (RetryRateLimit < 0) return $"hinted-handoff retry-rate-limit must not be negative (is {RetryRateLimit})";
        if (RetryInterval <= TimeSpan.Zero) return $"hinted-handoff retry-interval must be positive (is {RetryInterval})";
        if (RetryMaxInterval < RetryInterval)
            return $"hinted-handoff retry-max-interval ({RetryMaxInterval}) must not be less than retry-interval ({RetryInterval})";
        if (PurgeInterval <= TimeSpan.Zero) return $"hinted-handoff purge-interval must be positive (is {PurgeInterval})";
        if (SegmentSize < MinSegmentSize || SegmentSize > MaxSegmentSize)
            return $"hinted-handoff segment size must be between {MinSegmentSize} and {MaxSegmentSize} bytes (is {SegmentSize})";
        if (RetryConcurrency < 1) return $"hinted-handoff retry-concurrency must be at least 1 (is {RetryConcurrency})";
        if (BatchSize < 1) return $"hinted-handoff batch-size must be positive (is {BatchSize})";
        if (MaxWritesPending < 0) return $"hinted-handoff max-writes-pending must not be negative (is {MaxWritesPending})";
        return null;
    }
}
