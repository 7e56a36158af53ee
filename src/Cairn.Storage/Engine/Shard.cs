using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using Cairn.Storage.Encoding;
using Cairn.Storage.Index;
using Cairn.Storage.Shards;
using Cairn.Storage.Wal;
using NLog;

namespace Cairn.Storage.Engine;

/// <summary>An immutable data file of a shard and the generations of snapshots it holds.</summary>
internal sealed record DataFile(ShardFileReader Reader, long MinGeneration, long MaxGeneration, int Level)
{
    public const string Extension = ".csf";

    public string Name => FileName(MinGeneration, MaxGeneration, Level);

    public static string FileName(long minGeneration, long maxGeneration, int level) =>
        string.Create(CultureInfo.InvariantCulture, $"{minGeneration:D9}-{maxGeneration:D9}-L{level}{Extension}");

    public static bool TryParse(string name, out long minGeneration, out long maxGeneration, out int level)
    {
        minGeneration = maxGeneration = level = 0;
        if (!name.EndsWith(Extension, StringComparison.Ordinal)) return false;
        var parts = name[..^Extension.Length].Split('-');
        return parts.Length == 3 && parts[2].StartsWith('L')
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out minGeneration)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out maxGeneration)
            && int.TryParse(parts[2].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out level)
            && minGeneration <= maxGeneration && level >= 1;
    }
}

/// <summary>Raised when a write would push a shard's cache past <c>cache-max-memory-size</c>.</summary>
public sealed class CacheFullException(long size, long limit)
    : Exception(string.Create(CultureInfo.InvariantCulture, $"cache-max-memory-size exceeded: ({size}/{limit})"));

/// <summary>What a shard holds, for <c>/debug/vars</c> and tests.</summary>
public readonly record struct ShardStatistics(int Files, long DiskBytes, long CacheBytes, long CacheValues, int SeriesCount,
    long Snapshots, long Compactions, long FullCompactions, bool HasTombstones);

/// <summary>
/// One shard: its WAL, cache, immutable memory-mapped data files, tombstones and series index
/// (ARCHITECTURE.md §4–5). A write is acknowledged once its WAL entry is fsync'd and its values are
/// in the cache; the cache is written out as a level-1 file by <see cref="SnapshotAsync"/> and the
/// files merged by level by <see cref="CompactAsync"/>. Restart replays the WAL into the cache.
/// </summary>
public sealed class Shard : IShardView, IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly Logger _log;
    private readonly WriteGate _gate = new();
    private readonly SemaphoreSlim _maintenance = new(1, 1);
    private readonly ShardTombstones _tombstones;
    private WriteAheadLog _wal = null!;
    private Cache _cache = new();
    private Cache? _snapshot;
    private ImmutableArray<DataFile> _files = [];
    private long _nextGeneration = 1;
    private long _lastWriteTicks = Environment.TickCount64;
    private long _fullyCompactedAtWrite = -1;
    private long _writeCount;
    private long _snapshots, _compactions, _fullCompactions;
    private int _closed;

    private Shard(ulong id, string database, string retentionPolicy, string dataDirectory, string walDirectory, EngineOptions options)
    {
        Id = id;
        Database = database;
        RetentionPolicy = retentionPolicy;
        DataDirectory = dataDirectory;
        WalDirectory = walDirectory;
        _options = options;
        _log = options.Logger ?? LogManager.GetLogger("shard");
        Directory.CreateDirectory(dataDirectory);
        _tombstones = ShardTombstones.Open(dataDirectory, _log);
        Index = SeriesIndex.Open(dataDirectory, new SeriesIndexOptions { MaxValuesPerTag = options.MaxValuesPerTag > 0 ? options.MaxValuesPerTag : int.MaxValue });
    }

    public ulong Id { get; }

    public string Database { get; }

    public string RetentionPolicy { get; }

    public string DataDirectory { get; }

    public string WalDirectory { get; }

    public SeriesIndex Index { get; }

    /// <summary>Bytes the caches hold (the live one and any snapshot being written).</summary>
    public long CacheSize => _cache.Size + (_snapshot?.Size ?? 0);

    /// <summary>The data files, oldest first.</summary>
    public IReadOnlyList<string> FilePaths => [.. _files.Select(f => f.Reader.Path)];

    public ShardStatistics Statistics
    {
        get
        {
            var files = _files;
            long bytes = 0;
            foreach (var f in files) bytes += f.Reader.Length;
            return new ShardStatistics(files.Length, bytes, CacheSize, _cache.Values + (_snapshot?.Values ?? 0), Index.SeriesCount,
                Interlocked.Read(ref _snapshots), Interlocked.Read(ref _compactions), Interlocked.Read(ref _fullCompactions), !_tombstones.IsEmpty);
        }
    }

    /// <summary>
    /// Opens a shard: maps its data files (a damaged file is logged, named and left out), opens its
    /// index and tombstones, and replays its WAL into the cache.
    /// </summary>
    public static async Task<Shard> OpenAsync(ulong id, string database, string retentionPolicy, string dataDirectory, string walDirectory,
        EngineOptions options, CancellationToken cancellationToken = default)
    {
        var shard = new Shard(id, database, retentionPolicy, dataDirectory, walDirectory, options);
        try
        {
            shard.OpenFiles();
            shard._wal = await WriteAheadLog.OpenAsync(walDirectory, new WalOptions
            {
                FsyncDelay = options.WalFsyncDelay,
                SegmentSize = options.WalSegmentSize,
                Logger = shard._log,
            }, cancellationToken).ConfigureAwait(false);
            await shard.ReplayAsync(cancellationToken).ConfigureAwait(false);
            return shard;
        }
        catch
        {
            await shard.CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void OpenFiles()
    {
        var found = new List<(string Path, long Min, long Max, int Level)>();
        foreach (var path in Directory.EnumerateFiles(DataDirectory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                File.Delete(path); // an interrupted snapshot or compaction: its inputs are still here
                continue;
            }
            if (DataFile.TryParse(name, out long min, out long max, out int level)) found.Add((path, min, max, level));
        }
        // A compaction that renamed its output but died before deleting its inputs leaves files whose
        // generations the output covers: the output holds all they held.
        found.Sort((a, b) => a.Max != b.Max ? a.Max.CompareTo(b.Max) : b.Min.CompareTo(a.Min));
        var kept = new List<DataFile>();
        foreach (var f in found)
        {
            if (found.Any(o => o.Path != f.Path && o.Min <= f.Min && o.Max >= f.Max && (o.Min != f.Min || o.Max != f.Max || o.Level > f.Level)))
            {
                _log.Info("shard {0}: removing {1}, superseded by a finished compaction", Id, f.Path);
                File.Delete(f.Path);
                continue;
            }
            try
            {
                kept.Add(new DataFile(ShardFileReader.Open(f.Path), f.Min, f.Max, f.Level));
            }
            catch (ShardFileCorruptException e)
            {
                _log.Error("shard {0}: data file {1} is damaged and left out: {2}", Id, f.Path, e.Message);
            }
            _nextGeneration = Math.Max(_nextGeneration, f.Max + 1);
        }
        _files = [.. kept];
    }

    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        long entries = 0, bad = 0;
        var result = await _wal.ReplayAsync(entry =>
        {
            entries++;
            try
            {
                if (entry.Type == ShardWalEntry.Points)
                {
                    EnsureIndexed(entry.Payload.Span);
                    _cache.Insert(entry.Payload.Span);
                }
                else if (entry.Type == ShardWalEntry.DeleteRange)
                {
                    var (keys, min, max) = ShardWalEntry.DecodeDelete(entry.Payload.Span);
                    _cache.DeleteRange(keys, min, max);
                }
            }
            catch (InvalidDataException e)
            {
                bad++;
                _log.Error("shard {0}: WAL entry {1} in {2} is malformed and skipped: {3}", Id, entry.Sequence, WalDirectory, e.Message);
            }
            return ValueTask.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var c in result.Corruptions)
            _log.Error("shard {0}: WAL file {1} is damaged at offset {2} ({3}); replayed what precedes it", Id, c.File, c.Offset, c.Damage);
        if (entries > 0)
            _log.Info("shard {0}: replayed {1} WAL entries ({2} values) from {3}", Id, entries, _cache.Values, WalDirectory);
    }

    /// <summary>Re-creates the series and fields of a replayed entry that the index log had not kept.</summary>
    private void EnsureIndexed(ReadOnlySpan<byte> payload)
    {
        var reader = new PointsPayloadReader(payload);
        byte[]? measurement = null;
        while (reader.NextPoint())
        {
            if (!Index.TryGetId(reader.SeriesKey, out _))
            {
                if (!SeriesKeyParser.TryParse(reader.SeriesKey, out measurement, out var tags))
                    throw new InvalidDataException("series key does not parse");
                Index.TryGetOrAdd(reader.SeriesKey, measurement, tags, out _, out _);
            }
            else measurement = SeriesKeyParser.Measurement(reader.SeriesKey);
            while (reader.NextField())
                Index.TryRegisterField(measurement, reader.FieldName, reader.FieldType, out _);
        }
    }

    /// <summary>
    /// Makes a points payload durable in the WAL, then visible in the cache. The caller has already
    /// registered its series and fields in <see cref="Index"/>.
    /// </summary>
    /// <exception cref="CacheFullException">The cache is at <c>cache-max-memory-size</c>.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        long limit = _options.CacheMaxMemorySize;
        if (limit > 0)
        {
            long size = CacheSize + payload.Length;
            if (size > limit) throw new CacheFullException(size, limit);
        }
        await _gate.EnterWriterAsync().ConfigureAwait(false);
        try
        {
            await _wal.AppendAsync(ShardWalEntry.Points, payload, cancellationToken).ConfigureAwait(false);
            _cache.Insert(payload.Span);
        }
        finally
        {
            _gate.ExitWriter();
        }
        Volatile.Write(ref _lastWriteTicks, Environment.TickCount64);
        Interlocked.Increment(ref _writeCount);
    }

    /// <summary>True when the cache should be written out now: big enough, or cold.</summary>
    public bool NeedsSnapshot()
    {
        if (_cache.IsEmpty) return false;
        if (_cache.Size >= _options.CacheSnapshotMemorySize) return true;
        return Environment.TickCount64 - Volatile.Read(ref _lastWriteTicks) >= (long)_options.CacheSnapshotWriteColdDuration.TotalMilliseconds;
    }

    /// <summary>True when the shard has had no writes for <c>compact-full-write-cold-duration</c>.</summary>
    public bool IsCold => Environment.TickCount64 - Volatile.Read(ref _lastWriteTicks) >= (long)_options.CompactFullWriteColdDuration.TotalMilliseconds;

    /// <summary>
    /// Writes the cache to a new level-1 file and removes the WAL segments it covered. Returns false
    /// when there was nothing to write. A failure keeps the values in memory (and in the WAL).
    /// </summary>
    public async Task<bool> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        await _maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SnapshotLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _maintenance.Release();
        }
    }

    private async Task<bool> SnapshotLockedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0) return false;
        long rolledThrough;
        if (_snapshot is null)
        {
            if (_cache.IsEmpty) return false;
            await _gate.EnterExclusiveAsync().ConfigureAwait(false);
            try
            {
                rolledThrough = await _wal.RollAsync(cancellationToken).ConfigureAwait(false);
                _snapshot = _cache;
                _cache = new Cache();
                _snapshotRolledThrough = rolledThrough;
            }
            finally
            {
                _gate.ExitExclusive();
            }
        }
        else
        {
            // A snapshot that failed earlier: its values are in segments up to the one rolled then.
            rolledThrough = _snapshotRolledThrough;
        }

        var entries = _snapshot.SortedEntries();
        long generation = _nextGeneration;
        var path = Path.Combine(DataDirectory, DataFile.FileName(generation, generation, 1));
        await Task.Run(() => WriteSnapshotFile(path, entries), cancellationToken).ConfigureAwait(false);
        _nextGeneration = generation + 1;
        var reader = ShardFileReader.Open(path);
        ImmutableInterlocked.Update(ref _files, files => files.Add(new DataFile(reader, generation, generation, 1)));
        _snapshot = null;
        // Series created since the last flush must outlive the WAL segments that could re-create them.
        await Index.FlushAsync(cancellationToken).ConfigureAwait(false);
        MergeIndexIfLogIsLarge();
        await _wal.RemoveSegmentsThroughAsync(rolledThrough, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _snapshots);
        _log.Debug("shard {0}: snapshot of {1} keys to {2}", Id, entries.Length, path);
        return true;
    }

    private long _snapshotRolledThrough = long.MaxValue;

    /// <summary>Decode buffers for <see cref="Read"/>, one per thread: reads are synchronous, so none is shared.</summary>
    [ThreadStatic]
    private static EncodingWorkspace? t_readWorkspace;

    /// <summary>
    /// Folds the series log into <c>series.idx</c> once it passes <c>max-index-log-file-size</c>, so a
    /// restart maps the index instead of replaying a long log.
    /// </summary>
    private void MergeIndexIfLogIsLarge(long threshold = -1)
    {
        var log = new FileInfo(Path.Combine(DataDirectory, SeriesIndex.LogName));
        if (!log.Exists || log.Length < (threshold >= 0 ? threshold : _options.MaxIndexLogFileSize)) return;
        Index.Merge();
        _log.Debug("shard {0}: merged a {1}-byte series log into {2}", Id, log.Length, SeriesIndex.FileName);
    }

    private static void WriteSnapshotFile(string path, CacheEntry[] entries)
    {
        using var workspace = new EncodingWorkspace();
        using var writer = new ShardFileWriter(path, workspace);
        bool[]? booleans = null;
        foreach (var e in entries)
        {
            if (e.Count == 0) continue;
            var times = e.Times.AsSpan(0, e.Count);
            switch (e.Type)
            {
                case FieldType.Float:
                    writer.WriteSeries(e.Key, times, System.Runtime.InteropServices.MemoryMarshal.Cast<long, double>(e.Bits.AsSpan(0, e.Count)));
                    break;
                case FieldType.Integer:
                    writer.WriteSeries(e.Key, times, e.Bits.AsSpan(0, e.Count));
                    break;
                case FieldType.Unsigned:
                    writer.WriteSeries(e.Key, times, System.Runtime.InteropServices.MemoryMarshal.Cast<long, ulong>(e.Bits.AsSpan(0, e.Count)));
                    break;
                case FieldType.Boolean:
                    if (booleans is null || booleans.Length < e.Count) booleans = new bool[Math.Max(e.Count, 1024)];
                    for (int i = 0; i < e.Count; i++) booleans[i] = e.Bits[i] != 0;
                    writer.WriteSeries(e.Key, times, booleans.AsSpan(0, e.Count));
                    break;
                case FieldType.String:
                    writer.WriteSeries(e.Key, times, e.Strings.AsSpan(0, e.Count));
                    break;
            }
        }
        writer.Complete();
    }

    /// <summary>
    /// Runs the compactions due: leveled merges, and when the shard is cold (or <paramref name="forceFull"/>)
    /// one full compaction to a single file with every tombstone applied. <paramref name="slots"/>
    /// bounds how many compactions run at once across shards. Returns how many merges ran.
    /// </summary>
    public async Task<int> CompactAsync(SemaphoreSlim slots, bool forceFull = false, CancellationToken cancellationToken = default)
    {
        await _maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int ran = 0;
            long writes = Interlocked.Read(ref _writeCount);
            bool full = forceFull || (IsCold && _fullyCompactedAtWrite != writes);
            var files = _files;
            var plans = CompactionPlanner.Plan(
                [.. files.Select(f => (f.Reader.Path, f.MaxGeneration, f.Level, f.Reader.Length))],
                full, !_tombstones.IsEmpty, _options.FilesPerLevel);
            foreach (var plan in plans)
            {
                if (Volatile.Read(ref _closed) != 0) break;
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (await RunPlanAsync(plan, cancellationToken).ConfigureAwait(false)) ran++;
                }
                finally
                {
                    slots.Release();
                }
            }
            if (full && _snapshot is null && _cache.IsEmpty && _files.Length <= 1)
            {
                _fullyCompactedAtWrite = writes;
                if (!_tombstones.IsEmpty && plans.Count > 0) _tombstones.Clear();
                if (plans.Count > 0) Interlocked.Increment(ref _fullCompactions);
                MergeIndexIfLogIsLarge(threshold: SeriesIndexLog.HeaderSize + 1); // a cold shard's index is read in place on restart
            }
            return ran;
        }
        finally
        {
            _maintenance.Release();
        }
    }

    private async Task<bool> RunPlanAsync(CompactionPlan plan, CancellationToken cancellationToken)
    {
        var all = _files;
        var inputs = new List<DataFile>();
        foreach (var path in plan.Inputs)
        {
            var f = all.FirstOrDefault(x => x.Reader.Path == path);
            if (f is null) return false;
            inputs.Add(f);
        }
        inputs.Sort((a, b) => a.MaxGeneration.CompareTo(b.MaxGeneration));
        long min = inputs.Min(f => f.MinGeneration), max = inputs.Max(f => f.MaxGeneration);
        // Rewriting a single file (tombstones applied) keeps its generations: the level goes up so the
        // names differ, and the higher level marks the rewrite as the one that supersedes at startup.
        int level = plan.OutputLevel;
        var output = Path.Combine(DataDirectory, DataFile.FileName(min, max, level));
        while (File.Exists(output) || inputs.Any(f => f.Reader.Path == output))
            output = Path.Combine(DataDirectory, DataFile.FileName(min, max, ++level));
        var tombstones = _tombstones;
        ShardFileSummary? summary;
        try
        {
            summary = await Task.Run(() =>
            {
                using var workspace = new EncodingWorkspace();
                return ShardFileMerger.Merge([.. inputs.Select(f => f.Reader)], reader => tombstones.For(inputs.First(f => f.Reader == reader).MaxGeneration),
                    output, workspace, ShardFileWriter.DefaultMaxPointsPerBlock, cancellationToken);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ShardFileCorruptException or CorruptBlockException or InvalidDataException)
        {
            _log.Error("shard {0}: compaction of {1} skipped: {2}", Id, string.Join(", ", inputs.Select(f => f.Reader.Path)), e.Message);
            return false;
        }
        DataFile? merged = summary is null ? null : new DataFile(ShardFileReader.Open(output), min, max, level);
        ImmutableInterlocked.Update(ref _files, files =>
        {
            var list = files.RemoveAll(f => inputs.Contains(f));
            if (merged is not null)
            {
                int at = 0;
                while (at < list.Length && list[at].MaxGeneration < merged.MaxGeneration) at++;
                list = list.Insert(at, merged);
            }
            return list;
        });
        foreach (var f in inputs) f.Reader.MarkForDelete();
        Interlocked.Increment(ref _compactions);
        _log.Debug("shard {0}: compacted {1} files to {2}", Id, inputs.Count, merged?.Reader.Path ?? "(nothing left)");
        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteSeriesAsync(IReadOnlyList<uint> seriesIds, long minTime, long maxTime, CancellationToken cancellationToken)
    {
        var keys = new List<byte[]>(seriesIds.Count);
        foreach (uint id in seriesIds)
            if (Index.SeriesKey(id) is { } key) keys.Add(key);
        if (keys.Count == 0) return;
        await DeleteKeysAsync(keys, minTime, maxTime, cancellationToken).ConfigureAwait(false);

        // A series with nothing left in this shard leaves the index.
        var gone = new List<uint>();
        bool everything = minTime == long.MinValue && maxTime == long.MaxValue;
        foreach (uint id in seriesIds)
        {
            var key = Index.SeriesKey(id);
            if (key is null) continue;
            if (everything || !HasData(key)) gone.Add(id);
        }
        if (gone.Count > 0) Index.DeleteSeries([.. gone]);
    }

    /// <inheritdoc/>
    public async ValueTask DeleteMeasurementAsync(string measurement, CancellationToken cancellationToken)
    {
        var ids = Index.SeriesIds(measurement);
        var keys = new List<byte[]>(ids.Length);
        foreach (uint id in ids)
            if (Index.SeriesKey(id) is { } key) keys.Add(key);
        if (keys.Count > 0) await DeleteKeysAsync(keys, long.MinValue, long.MaxValue, cancellationToken).ConfigureAwait(false);
        Index.DeleteMeasurement(measurement);
        await Index.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteKeysAsync(List<byte[]> keys, long min, long max, CancellationToken cancellationToken)
    {
        await _maintenance.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Files first (durable tombstones that bind only files written so far), then the WAL
            // record that replays the delete against the cache in order with the writes around it.
            long newest = _files.IsEmpty ? 0 : _files.Max(f => f.MaxGeneration);
            if (newest > 0) _tombstones.Add(keys, min, max, newest);
            await _gate.EnterExclusiveAsync().ConfigureAwait(false);
            try
            {
                await _wal.AppendAsync(ShardWalEntry.DeleteRange, ShardWalEntry.EncodeDelete(keys, min, max), cancellationToken).ConfigureAwait(false);
                _cache.DeleteRange(keys, min, max);
                _snapshot?.DeleteRange(keys, min, max);
            }
            finally
            {
                _gate.ExitExclusive();
            }
            Interlocked.Increment(ref _writeCount); // a cold shard compacts again to drop the tombstones
        }
        finally
        {
            _maintenance.Release();
        }
    }

    /// <summary>True when any value of the series remains (cache or files, tombstones applied).</summary>
    public bool HasData(ReadOnlySpan<byte> seriesKey)
    {
        if (_cache.HasSeries(seriesKey) || (_snapshot?.HasSeries(seriesKey) ?? false)) return true;
        var prefix = ShardKey.SeriesPrefix(seriesKey);
        foreach (var f in _files)
        {
            if (!f.Reader.TryAcquireLease(out var lease)) continue;
            using (lease)
            {
                var set = _tombstones.For(f.MaxGeneration);
                foreach (var entry in f.Reader.EnumerateKeys(prefix))
                {
                    if (set.IsEmpty) return true;
                    foreach (var block in f.Reader.EnumerateBlocks(entry, long.MinValue, long.MaxValue))
                        if (!set.Covers(seriesKey, block.MinTime, block.MaxTime)) return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// The values of one series field in [<paramref name="minTime"/>, <paramref name="maxTime"/>]:
    /// files oldest first, then the caches, newest value of a timestamp winning; null when none.
    /// </summary>
    public ShardValues? Read(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime = long.MinValue, long maxTime = long.MaxValue)
    {
        var key = ShardKey.Compose(seriesKey, field);
        var runs = new List<(long[] Times, long[] Bits, string[] Strings)>();
        FieldType? type = null;
        var workspace = t_readWorkspace ??= new EncodingWorkspace();
        foreach (var f in _files)
        {
            if (!f.Reader.TryAcquireLease(out var lease)) continue;
            using (lease)
            {
                if (!f.Reader.TryFindKey(key, out var entry)) continue;
                var run = ReadEntry(f.Reader, entry, minTime, maxTime, workspace);
                var set = _tombstones.For(f.MaxGeneration);
                if (!set.IsEmpty) run = Filter(run, seriesKey, set, entry.FieldType);
                if (type is not null && type != entry.FieldType) runs.Clear();
                type = entry.FieldType;
                if (run.Times.Length > 0) runs.Add(run);
            }
        }
        foreach (var cache in new[] { _snapshot, _cache })
        {
            if (cache is null) continue;
            List<long> times = [], bits = [];
            List<string> strings = [];
            if (!cache.TryRead(key, minTime, maxTime, out var cacheType, times, bits, strings)) continue;
            if (type is not null && type != cacheType) runs.Clear();
            type = cacheType;
            if (times.Count > 0) runs.Add(([.. times], [.. bits], [.. strings]));
        }
        return type is null ? null : ShardValues.Merge(type.Value, runs);
    }

    [ThreadStatic]
    private static ScanScratch? t_scanScratch;

    /// <summary>Decode buffers of <see cref="Scan"/>, one set per thread, grown to the largest block seen.</summary>
    private sealed class ScanScratch
    {
        public long[] Times = new long[ShardFileWriter.DefaultMaxPointsPerBlock];
        public long[] Bits = new long[ShardFileWriter.DefaultMaxPointsPerBlock];
        public bool[] Flags = new bool[ShardFileWriter.DefaultMaxPointsPerBlock];
        public readonly List<string> Strings = [];

        public void Reserve(int count)
        {
            if (Times.Length >= count) return;
            Times = new long[count];
            Bits = new long[count];
            Flags = new bool[count];
        }
    }

    /// <summary>
    /// Passes the values <see cref="Read"/> would return to <paramref name="sink"/>, ascending, in one or more runs, without
    /// building arrays for them when one data file alone holds the field (no cached values, no tombstones): its blocks are
    /// decoded into per-thread buffers and handed over one by one. The spans are valid only during the call.
    /// </summary>
    public void Scan(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime, long maxTime, ShardValueSink sink) =>
        Scan(seriesKey, field, minTime, maxTime, sink, wholeBlocks: null);

    /// <summary>
    /// <see cref="Scan(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, long, ShardValueSink)"/>, offering
    /// <paramref name="wholeBlocks"/> each block wholly inside [<paramref name="minTime"/>, <paramref name="maxTime"/>]
    /// as its statistics first, where they are exact: when one data file alone holds the field (no cached values, no
    /// tombstones), as the blocks of one key in one file hold sorted, distinct timestamps. The blocks it refuses, the
    /// partial blocks at the range's edges, and every value off that path go to <paramref name="sink"/>.
    /// </summary>
    public void Scan(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime, long maxTime, ShardValueSink sink, ShardBlockCountSink? wholeBlocks)
    {
        var key = ShardKey.Compose(seriesKey, field);
        if (_cache.Get(key) is null && _snapshot?.Get(key) is null && TryScanOneFile(key, minTime, maxTime, sink, wholeBlocks)) return;
        var values = Read(seriesKey, field, minTime, maxTime);
        if (values is not null && values.Count > 0) sink(values.Type, values.Times, values.Bits, values.Strings);
    }

    private bool TryScanOneFile(byte[] key, long minTime, long maxTime, ShardValueSink sink, ShardBlockCountSink? wholeBlocks)
    {
        var files = _files;
        DataFile? holder = null;
        ShardIndexEntry entry = default;
        foreach (var f in files)
        {
            if (!f.Reader.TryAcquireLease(out var lease)) return false;
            using (lease)
            {
                if (!f.Reader.TryFindKey(key, out var found)) continue;
                if (holder is not null) return false;
                (holder, entry) = (f, found);
            }
        }
        if (holder is null) return true;
        // The entry found above stays valid: the file is immutable, and a new lease means it is still mapped.
        if (!_tombstones.For(holder.MaxGeneration).IsEmpty || !holder.Reader.TryAcquireLease(out var held)) return false;
        using (held)
        {
            var workspace = t_readWorkspace ??= new EncodingWorkspace();
            var scratch = t_scanScratch ??= new ScanScratch();
            foreach (var block in holder.Reader.EnumerateBlocks(entry, minTime, maxTime))
            {
                if (wholeBlocks is not null && block.MinTime >= minTime && block.MaxTime <= maxTime
                    && wholeBlocks(entry.FieldType, block.MinTime, block.MaxTime, block.Count))
                    continue;
                scratch.Reserve(block.Count);
                var times = scratch.Times.AsSpan(0, block.Count);
                var bits = scratch.Bits.AsSpan(0, block.Count);
                int n;
                if (entry.FieldType == FieldType.String)
                {
                    scratch.Strings.Clear();
                    n = holder.Reader.ReadBlock(entry, block.Index, times, scratch.Strings, workspace);
                }
                else
                {
                    n = ReadNumberBlock(holder.Reader, entry, block.Index, times, bits, ref scratch.Flags, workspace);
                }
                // Only the first and last blocks of the range can hold values outside it.
                int lo = 0, hi = n;
                while (lo < hi && times[lo] < minTime) lo++;
                while (hi > lo && times[hi - 1] > maxTime) hi--;
                if (lo == hi) continue;
                if (entry.FieldType == FieldType.String)
                    sink(entry.FieldType, times[lo..hi], default, CollectionsMarshal.AsSpan(scratch.Strings)[lo..hi]);
                else
                    sink(entry.FieldType, times[lo..hi], bits[lo..hi], default);
            }
        }
        return true;
    }

    /// <summary>
    /// What <see cref="Read"/> touches for one series field, counted as InfluxDB's FileStore.Cost and engine seriesCost
    /// do: a block counts when its time range overlaps (<paramref name="minTime"/>, <paramref name="maxTime"/>) strictly
    /// and tombstones do not cover it, a file when one of its blocks counts; cached values in [min, max] count from
    /// the snapshot and the live cache.
    /// </summary>
    public ReadCost Cost(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime, long maxTime)
    {
        var key = ShardKey.Compose(seriesKey, field);
        int files = 0;
        long blocks = 0, bytes = 0;
        foreach (var f in _files)
        {
            if (!(f.Reader.MaxTime > minTime && f.Reader.MinTime < maxTime)) continue;
            if (!f.Reader.TryAcquireLease(out var lease)) continue;
            using (lease)
            {
                if (!f.Reader.TryFindKey(key, out var entry)) continue;
                var set = _tombstones.For(f.MaxGeneration);
                bool counted = false;
                foreach (var block in f.Reader.EnumerateBlocks(entry, minTime, maxTime))
                {
                    if (!(block.MaxTime > minTime && block.MinTime < maxTime)) continue;
                    if (!set.IsEmpty && set.Covers(seriesKey, block.MinTime, block.MaxTime)) continue;
                    blocks++;
                    bytes += block.Size;
                    counted = true;
                }
                if (counted) files++;
            }
        }
        long cached = (_snapshot?.Count(key, minTime, maxTime) ?? 0) + _cache.Count(key, minTime, maxTime);
        return new ReadCost(files, blocks, bytes, cached);
    }

    private static (long[] Times, long[] Bits, string[] Strings) ReadEntry(ShardFileReader reader, ShardIndexEntry entry, long min, long max, EncodingWorkspace workspace)
    {
        if (entry.FieldType == FieldType.String) return ReadStrings(reader, entry, min, max, workspace);
        // Numbers decode straight into one pair of arrays sized from the index; only the edge blocks can hold points
        // outside the range, and those are squeezed out in place.
        int total = 0;
        foreach (var block in reader.EnumerateBlocks(entry, min, max)) total += block.Count;
        // Every element is written below before it is read: no need to zero them first.
        var times = GC.AllocateUninitializedArray<long>(total);
        var bits = GC.AllocateUninitializedArray<long>(total);
        bool[] flags = [];
        int n = 0;
        foreach (var block in reader.EnumerateBlocks(entry, min, max))
        {
            var t = times.AsSpan(n, block.Count);
            var v = bits.AsSpan(n, block.Count);
            n += ReadNumberBlock(reader, entry, block.Index, t, v, ref flags, workspace);
        }
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            if (times[i] < min || times[i] > max) continue;
            times[kept] = times[i];
            bits[kept] = bits[i];
            kept++;
        }
        if (kept != total)
        {
            Array.Resize(ref times, kept);
            Array.Resize(ref bits, kept);
        }
        return (times, bits, []);
    }

    /// <summary>
    /// Decodes a numeric block into <paramref name="times"/> and the values' bits (a double's bits, a long, an unsigned
    /// long, 0 or 1 for a boolean through <paramref name="flags"/>, grown as needed); returns the point count.
    /// </summary>
    private static int ReadNumberBlock(ShardFileReader reader, in ShardIndexEntry entry, int block, Span<long> times, Span<long> bits,
        ref bool[] flags, EncodingWorkspace workspace)
    {
        switch (entry.FieldType)
        {
            case FieldType.Float: return reader.ReadBlock(entry, block, times, MemoryMarshal.Cast<long, double>(bits), workspace);
            case FieldType.Integer: return reader.ReadBlock(entry, block, times, bits, workspace);
            case FieldType.Unsigned: return reader.ReadBlock(entry, block, times, MemoryMarshal.Cast<long, ulong>(bits), workspace);
            default:
                if (flags.Length < times.Length) flags = new bool[times.Length];
                int n = reader.ReadBlock(entry, block, times, flags.AsSpan(0, times.Length), workspace);
                for (int i = 0; i < n; i++) bits[i] = flags[i] ? 1 : 0;
                return n;
        }
    }

    private static (long[] Times, long[] Bits, string[] Strings) ReadStrings(ShardFileReader reader, ShardIndexEntry entry, long min, long max, EncodingWorkspace workspace)
    {
        List<long> times = [];
        List<string> strings = [];
        var t = new long[ShardFileWriter.DefaultMaxPointsPerBlock * 2];
        var v = new List<string>();
        foreach (var block in reader.EnumerateBlocks(entry, min, max))
        {
            if (t.Length < block.Count) t = new long[block.Count];
            v.Clear();
            int n = reader.ReadBlock(entry, block.Index, t, v, workspace);
            for (int i = 0; i < n; i++) if (t[i] >= min && t[i] <= max) { times.Add(t[i]); strings.Add(v[i]); }
        }
        return ([.. times], [], [.. strings]);
    }

    private static (long[] Times, long[] Bits, string[] Strings) Filter((long[] Times, long[] Bits, string[] Strings) run, ReadOnlySpan<byte> seriesKey, TombstoneSet set, FieldType type)
    {
        List<long> times = [], bits = [];
        List<string> strings = [];
        for (int i = 0; i < run.Times.Length; i++)
        {
            if (set.Deletes(seriesKey, run.Times[i])) continue;
            times.Add(run.Times[i]);
            if (type == FieldType.String) strings.Add(run.Strings[i]);
            else bits.Add(run.Bits[i]);
        }
        return ([.. times], [.. bits], [.. strings]);
    }

    /// <summary>Every shard key with data in files or caches, sorted (tombstones not applied).</summary>
    public IReadOnlyList<byte[]> ShardKeys()
    {
        var keys = new SortedSet<byte[]>(ByteKeyComparer.Instance);
        foreach (var f in _files)
        {
            if (!f.Reader.TryAcquireLease(out var lease)) continue;
            using (lease)
                foreach (var entry in f.Reader.EnumerateKeys()) keys.Add(entry.Key());
        }
        if (_snapshot is { } snapshot) foreach (var k in snapshot.SortedKeys()) keys.Add(k);
        foreach (var k in _cache.SortedKeys()) keys.Add(k);
        return [.. keys];
    }

    /// <summary>Flushes the index and closes WAL, files and index. Values in the cache stay in the WAL for the next open.</summary>
    public async ValueTask CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        await _maintenance.WaitAsync().ConfigureAwait(false);
        try
        {
            await _gate.CloseAsync().ConfigureAwait(false);
            if (_wal is not null) await _wal.CloseAsync().ConfigureAwait(false);
            try { await Index.FlushAsync().ConfigureAwait(false); }
            catch (IOException e) { _log.Error("shard {0}: flushing the series index failed: {1}", Id, e.Message); }
            Index.Dispose();
            foreach (var f in _files) f.Reader.Dispose();
            _tombstones.Dispose();
        }
        finally
        {
            _maintenance.Release();
        }
    }

    public ValueTask DisposeAsync() => CloseAsync();

    public override string ToString() => $"shard {Id} ({Database}.{RetentionPolicy})";
}
