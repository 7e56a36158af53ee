using NLog;

namespace Cairn.Storage.Engine;

/// <summary>The <c>[data]</c> settings the shard engine runs by, with InfluxDB's defaults.</summary>
public sealed class EngineOptions
{
    /// <summary><c>wal-fsync-delay</c>: how long the WAL waits to gather more writes into one fsync.</summary>
    public TimeSpan WalFsyncDelay { get; init; } = TimeSpan.Zero;

    /// <summary>WAL segment size before it rolls over.</summary>
    public long WalSegmentSize { get; init; } = 10L << 20;

    /// <summary><c>cache-max-memory-size</c>: a shard refuses writes past this many cached bytes (0: no limit).</summary>
    public long CacheMaxMemorySize { get; init; } = 1_000_000_000;

    /// <summary><c>cache-snapshot-memory-size</c>: the cache is written to a shard file past this size.</summary>
    public long CacheSnapshotMemorySize { get; init; } = 25L << 20;

    /// <summary><c>cache-snapshot-write-cold-duration</c>: a cache with no writes for this long is written out.</summary>
    public TimeSpan CacheSnapshotWriteColdDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>compact-full-write-cold-duration</c>: a shard with no writes for this long is compacted to one file.</summary>
    public TimeSpan CompactFullWriteColdDuration { get; init; } = TimeSpan.FromHours(4);

    /// <summary><c>max-concurrent-compactions</c> (0: half the cores, at least one).</summary>
    public int MaxConcurrentCompactions { get; init; }

    /// <summary><c>max-series-per-database</c> (0: no limit).</summary>
    public int MaxSeriesPerDatabase { get; init; } = 1_000_000;

    /// <summary><c>max-values-per-tag</c> (0: no limit).</summary>
    public int MaxValuesPerTag { get; init; } = 100_000;

    /// <summary><c>max-index-log-file-size</c>: the series log is merged into the mapped index file past this size.</summary>
    public long MaxIndexLogFileSize { get; init; } = 1L << 20;

    /// <summary>How often the background loop looks for snapshots and compactions to run.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Level-1 files gathered before a leveled compaction.</summary>
    public int FilesPerLevel { get; init; } = 4;

    public Logger? Logger { get; init; }

    internal int CompactionSlots => MaxConcurrentCompactions > 0 ? MaxConcurrentCompactions : Math.Max(1, Environment.ProcessorCount / 2);
}
