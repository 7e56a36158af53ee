using NLog;

namespace Cairn.Storage.Wal;

/// <summary>Settings of one shard's WAL, with InfluxDB's defaults.</summary>
public sealed class WalOptions
{
    public const long DefaultSegmentSize = 10L << 20;
    public const long MinSegmentSize = 256;
    public const long MaxSegmentSize = 1L << 30;

    /// <summary>
    /// <c>[data] wal-fsync-delay</c>: after the first entry of a group is taken, wait up to this long
    /// for more before the one write and fsync that acknowledge them all. Zero syncs each group as
    /// soon as it is taken (concurrent appenders still share a group).
    /// </summary>
    public TimeSpan FsyncDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// A segment is closed before an entry would take it past this size; an entry larger than this
    /// gets a segment of its own.
    /// </summary>
    public long SegmentSize { get; init; } = DefaultSegmentSize;

    /// <summary>Appends waiting for the writer; beyond this, <see cref="WriteAheadLog.AppendAsync"/> waits for room (back-pressure).</summary>
    public int QueueDepth { get; init; } = 256;

    /// <summary>Most entries one group commit takes.</summary>
    public int MaxGroupEntries { get; init; } = 1024;

    /// <summary>Most payload bytes one group commit takes (a single larger entry still goes alone).</summary>
    public long MaxGroupBytes { get; init; } = 16L << 20;

    /// <summary>Where damage found in recovery is reported; NLog's "wal" logger when null.</summary>
    public Logger? Logger { get; init; }

    /// <summary>The first problem with these settings, or null when they are usable.</summary>
    public string? Validate()
    {
        if (FsyncDelay < TimeSpan.Zero) return $"wal-fsync-delay must not be negative (is {FsyncDelay})";
        if (FsyncDelay > TimeSpan.FromMinutes(1)) return $"wal-fsync-delay must be at most 1m (is {FsyncDelay})";
        if (SegmentSize < MinSegmentSize || SegmentSize > MaxSegmentSize)
            return $"WAL segment size must be between {MinSegmentSize} and {MaxSegmentSize} bytes (is {SegmentSize})";
        if (QueueDepth < 1 || QueueDepth > 1 << 20) return $"WAL queue depth must be between 1 and {1 << 20} (is {QueueDepth})";
        if (MaxGroupEntries < 1 || MaxGroupEntries > 1 << 16) return $"WAL group size must be between 1 and {1 << 16} entries (is {MaxGroupEntries})";
        if (MaxGroupBytes < 1) return $"WAL group bytes must be positive (is {MaxGroupBytes})";
        return null;
    }
}
