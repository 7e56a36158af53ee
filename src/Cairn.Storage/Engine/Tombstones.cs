using Cairn.Common.Hashing;
using Cairn.Common.Platform;
using System.Buffers;
using System.Buffers.Binary;
using Cairn.Storage.Index;
using Cairn.Storage.Shards;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Cairn.Storage.Engine;

/// <summary>
/// A delete: every value of <paramref name="SeriesKey"/> (all of its fields) with a timestamp in
/// [<paramref name="MinTime"/>, <paramref name="MaxTime"/>], both ends included.
/// </summary>
public readonly record struct Tombstone(byte[] SeriesKey, long MinTime, long MaxTime);

/// <summary>
/// The deletes of one shard, by series key: sorted, merged, inclusive time ranges. Immutable, so any
/// number of threads read it while a writer builds the next one with <see cref="With"/>
/// (copy-on-write). Reads allocate nothing: lookups probe the dictionary with a span.
/// </summary>
public sealed class TombstoneSet
{
    private static readonly Dictionary<byte[], (long Min, long Max)[]> NoRanges = new(ByteKeyComparer.Instance);

    private readonly Dictionary<byte[], (long Min, long Max)[]> _ranges;
    private readonly Dictionary<byte[], (long Min, long Max)[]>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    private TombstoneSet(Dictionary<byte[], (long Min, long Max)[]> ranges, long through)
    {
        _ranges = ranges;
        _bySpan = ranges.GetAlternateLookup<ReadOnlySpan<byte>>();
        Through = through;
    }

    /// <summary>No deletes.</summary>
    public static TombstoneSet Empty { get; } = new(NoRanges, 0);

    public bool IsEmpty => _ranges.Count == 0;

    /// <summary>Series with at least one deleted range.</summary>
    public int SeriesCount => _ranges.Count;

    /// <summary>
    /// For <see cref="TombstoneFile"/>: the sequence number after the last tombstone record this set
    /// includes, so a compaction that applied this set clears exactly those records.
    /// </summary>
    internal long Through { get; }

    /// <summary>A set holding <paramref name="tombstones"/>; ranges with min above max delete nothing and are ignored.</summary>
    public static TombstoneSet Create(IEnumerable<Tombstone> tombstones) => Empty.With(tombstones);

    /// <summary>A new set holding this one's deletes and <paramref name="tombstones"/>; this set is unchanged.</summary>
    public TombstoneSet With(IEnumerable<Tombstone> tombstones) => With(tombstones, Through);

    internal TombstoneSet With(IEnumerable<Tombstone> tombstones, long through)
    {
        ArgumentNullException.ThrowIfNull(tombstones);
        var added = new Dictionary<byte[], List<(long Min, long Max)>>(ByteKeyComparer.Instance);
        var lookup = added.GetAlternateLookup<ReadOnlySpan<byte>>();
        foreach (Tombstone tombstone in tombstones)
        {
            ArgumentNullException.ThrowIfNull(tombstone.SeriesKey, nameof(tombstones));
            if (tombstone.MinTime > tombstone.MaxTime) continue;
            if (!lookup.TryGetValue(tombstone.SeriesKey, out List<(long Min, long Max)>? list))
            {
                list = new List<(long Min, long Max)>();
                added.Add(tombstone.SeriesKey.ToArray(), list); // a copy: the caller may reuse its array
            }
            list.Add((tombstone.MinTime, tombstone.MaxTime));
        }
        if (added.Count == 0) return Through == through ? this : new TombstoneSet(_ranges, through);

        var ranges = new Dictionary<byte[], (long Min, long Max)[]>(_ranges, ByteKeyComparer.Instance);
        foreach (var (key, list) in added)
        {
            if (ranges.TryGetValue(key, out (long Min, long Max)[]? existing))
                list.AddRange(existing);
            ranges[key] = MergeRanges(list);
        }
        return new TombstoneSet(ranges, through);
    }

    /// <summary>The deleted ranges of <paramref name="seriesKey"/>, sorted, disjoint and not adjacent; empty when none.</summary>
    public ReadOnlySpan<(long Min, long Max)> RangesFor(ReadOnlySpan<byte> seriesKey) =>
        _ranges.Count != 0 && _bySpan.TryGetValue(seriesKey, out (long Min, long Max)[]? ranges) ? ranges : default;

    /// <summary>
    /// As <see cref="RangesFor"/>, for a shard key (series key + <c>#!~#</c> + field key): the series key
    /// is what precedes the first separator, as InfluxDB splits it. A key without a separator is taken whole.
    /// </summary>
    public ReadOnlySpan<(long Min, long Max)> RangesForKey(ReadOnlySpan<byte> shardKey)
    {
        if (_ranges.Count == 0) return default;
        int separator = shardKey.IndexOf(ShardKey.Separator);
        return RangesFor(separator < 0 ? shardKey : shardKey[..separator]);
    }

    /// <summary>Whether every timestamp in [<paramref name="min"/>, <paramref name="max"/>] of the series is deleted.</summary>
    public bool Covers(ReadOnlySpan<byte> seriesKey, long min, long max) => Covers(RangesFor(seriesKey), min, max);

    /// <summary>Whether the series' value at <paramref name="timestamp"/> is deleted.</summary>
    public bool Deletes(ReadOnlySpan<byte> seriesKey, long timestamp) => Covers(RangesFor(seriesKey), timestamp, timestamp);

    /// <summary>Whether any timestamp in [<paramref name="min"/>, <paramref name="max"/>] of the series is deleted.</summary>
    public bool Overlaps(ReadOnlySpan<byte> seriesKey, long min, long max) => Overlaps(RangesFor(seriesKey), min, max);

    /// <summary>
    /// Removes the series' deleted points from <paramref name="timestamps"/> and the matching
    /// <paramref name="values"/> in place, keeping the order of the rest; returns how many remain (at the front).
    /// </summary>
    public int Apply<T>(ReadOnlySpan<byte> seriesKey, Span<long> timestamps, Span<T> values) =>
        Apply(RangesFor(seriesKey), timestamps, values);

    /// <summary>The merged ranges as tombstones, series in no particular order; allocates.</summary>
    public IEnumerable<Tombstone> Enumerate()
    {
        foreach (var (key, ranges) in _ranges)
        {
            foreach (var (min, max) in ranges)
                yield return new Tombstone(key, min, max);
        }
    }

    /// <summary>Whether sorted, merged <paramref name="ranges"/> cover all of [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static bool Covers(ReadOnlySpan<(long Min, long Max)> ranges, long min, long max)
    {
        if (ranges.IsEmpty) return false;
        int i = FirstReaching(ranges, min);
        return i < ranges.Length && ranges[i].Min <= min && ranges[i].Max >= max;
    }

    /// <summary>Whether sorted, merged <paramref name="ranges"/> touch [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static bool Overlaps(ReadOnlySpan<(long Min, long Max)> ranges, long min, long max)
    {
        if (ranges.IsEmpty || min > max) return false;
        int i = FirstReaching(ranges, min);
        return i < ranges.Length && ranges[i].Min <= max;
    }

    /// <summary>
    /// As the instance <see cref="Apply{T}(ReadOnlySpan{byte}, Span{long}, Span{T})"/>, with the ranges looked up
    /// once by the caller (per key, then per block). Ascending timestamps take one pass; others work too.
    /// </summary>
    public static int Apply<T>(ReadOnlySpan<(long Min, long Max)> ranges, Span<long> timestamps, Span<T> values)
    {
        if (values.Length < timestamps.Length)
            throw new ArgumentException($"{timestamps.Length} timestamps but {values.Length} values.", nameof(values));
        int count = timestamps.Length;
        if (ranges.IsEmpty || count == 0) return count;

        int write = 0, r = 0;
        long previous = long.MinValue;
        for (int i = 0; i < count; i++)
        {
            long t = timestamps[i];
            if (t < previous) r = FirstReaching(ranges, t);
            else while (r < ranges.Length && ranges[r].Max < t) r++;
            previous = t;
            if (r < ranges.Length && ranges[r].Min <= t) continue;
            if (write != i)
            {
                timestamps[write] = t;
                values[write] = values[i];
            }
            write++;
        }
        return write;
    }

    /// <summary>The first range whose max is at or after <paramref name="time"/>.</summary>
    private static int FirstReaching(ReadOnlySpan<(long Min, long Max)> ranges, long time)
    {
        int lo = 0, hi = ranges.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (ranges[mid].Max < time) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>Sorts and merges overlapping and adjacent ranges, so a covered span is always one range.</summary>
    private static (long Min, long Max)[] MergeRanges(List<(long Min, long Max)> ranges)
    {
        ranges.Sort(static (a, b) => a.Min.CompareTo(b.Min));
        var merged = new List<(long Min, long Max)>(ranges.Count);
        (long Min, long Max) current = ranges[0];
        for (int i = 1; i < ranges.Count; i++)
        {
            var next = ranges[i];
            if (next.Min <= current.Max || (current.Max != long.MaxValue && next.Min == current.Max + 1))
                current.Max = Math.Max(current.Max, next.Max);
            else
            {
                merged.Add(current);
                current = next;
            }
        }
        merged.Add(current);
        return merged.ToArray();
    }
}

/// <summary>
/// The tombstone log of one shard directory, <c>tombstones.log</c> (docs/formats/tombstones.md): the
/// deletes not yet folded into the shard's data files by a full compaction. Every <see cref="Append"/>
/// is fsync'd before it returns, so an acknowledged delete survives a crash. Opening reads every good
/// record; a torn or damaged tail is cut off with a warning, never an exception. Thread-safe:
/// <see cref="Current"/> is read without a lock, appends and clears are serialized.
/// <code>
/// header (8 bytes)
/// offset  size  meaning
/// 0       4     magic "CTMB" (43 54 4D 42)
/// 4       1     format version (1)
/// 5       3     reserved, zero
///
/// record (24 + n bytes), back to back to the end of the file
/// 0       4     n: series key length (uint32, at most 65535)
/// 4       4     CRC-32C of bytes 0..3 then 8..24+n (length, key, times)
/// 8       n     series key
/// 8+n     8     min time (ns, inclusive)
/// 16+n    8     max time (ns, inclusive), not below min time
/// </code>
/// </summary>
public sealed class TombstoneFile : IDisposable
{
    /// <summary>The log's name in a shard directory.</summary>
    public const string FileName = "tombstones.log";

    public const byte Version = 1;
    internal const int HeaderSize = 8;
    internal const int RecordFixedSize = 24;

    /// <summary>"CTMB": Cairn TOMBstones.</summary>
    internal static ReadOnlySpan<byte> Magic => "CTMB"u8;

    private readonly Lock _lock = new();
    private readonly Logger _log;

    // Every record in the file, in order; the first has sequence number _firstSequence.
    private readonly List<Tombstone> _records;
    private long _firstSequence;

    private SafeFileHandle? _handle; // null until the first append creates the file
    private long _length;
    private bool _failed;
    private bool _disposed;
    private TombstoneSet _current;

    private TombstoneFile(string path, Logger log, SafeFileHandle? handle, long length, List<Tombstone> records)
    {
        Path = path;
        _log = log;
        _handle = handle;
        _length = length;
        _records = records;
        _current = TombstoneSet.Empty.With(records, records.Count);
    }

    /// <summary>The log's full path.</summary>
    public string Path { get; }

    /// <summary>Every delete in the log, merged. Replaced (never changed) by each append or clear.</summary>
    public TombstoneSet Current => Volatile.Read(ref _current);

    /// <summary>Records read back at open.</summary>
    public int RecordsLoaded { get; private init; }

    /// <summary>Bytes cut from the end at open: a record torn by a crash, or damage and everything after it.</summary>
    public long BytesTruncated { get; private init; }

    /// <summary>
    /// Opens the log in <paramref name="directory"/> and loads its records. A missing log is empty and is
    /// created by the first append. The first bad record (short, impossible length, CRC mismatch) and
    /// everything after it are cut off, with a warning naming the file.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a tombstone log, or a version this build cannot read.</exception>
    public static TombstoneFile Open(string directory, Logger? log)
    {
        log ??= LogManager.GetLogger("tombstones");
        string path = System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), FileName);
        if (!File.Exists(path))
            return new TombstoneFile(path, log, null, 0, new List<Tombstone>());

        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize)
        {
            // The log is created through a rename with its header, so this is damage, and no record fits anyway.
            log.Warn("Tombstone log {0} is {1} bytes, shorter than its header; starting it empty", path, bytes.Length);
            WriteFile(path, []);
            return new TombstoneFile(path, log, OpenHandle(path), HeaderSize, new List<Tombstone>()) { BytesTruncated = bytes.Length };
        }
        if (!bytes.AsSpan(0, 4).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a tombstone log (bad magic).");
        if (bytes[4] != Version)
            throw new InvalidDataException($"{path} is tombstone log version {bytes[4]}; this build reads version {Version}.");

        var records = new List<Tombstone>();
        int at = HeaderSize;
        string? damage = null;
        while (at < bytes.Length)
        {
            damage = ReadRecord(bytes.AsSpan(at), out Tombstone tombstone, out int size);
            if (damage is not null) break;
            records.Add(tombstone);
            at += size;
        }

        SafeFileHandle handle = OpenHandle(path);
        if (at < bytes.Length)
        {
            log.Warn("Tombstone log {0} is damaged at offset {1} ({2}); dropping the {3} bytes from there to the end",
                path, at, damage, bytes.Length - at);
            try
            {
                RandomAccess.SetLength(handle, at);
                RandomAccess.FlushToDisk(handle);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        return new TombstoneFile(path, log, handle, at, records) { RecordsLoaded = records.Count, BytesTruncated = bytes.Length - at };
    }

    /// <summary>
    /// Appends <paramref name="tombstones"/> and fsyncs before returning; then <see cref="Current"/> includes them.
    /// After a failed write the log refuses further appends (the file's state is unknown): reopen it.
    /// </summary>
    public void Append(IReadOnlyList<Tombstone> tombstones)
    {
        ArgumentNullException.ThrowIfNull(tombstones);
        int size = 0;
        for (int i = 0; i < tombstones.Count; i++)
        {
            Tombstone t = tombstones[i];
            if (t.SeriesKey is null)
                throw new ArgumentException($"Tombstone {i} has no series key.", nameof(tombstones));
            if (t.SeriesKey.Length > ShardKey.MaxLength)
                throw new ArgumentException($"Tombstone {i}'s series key has {t.SeriesKey.Length} bytes; at most {ShardKey.MaxLength}.", nameof(tombstones));
            if (t.MinTime > t.MaxTime)
                throw new ArgumentException($"Tombstone {i}'s min time {t.MinTime} is after its max time {t.MaxTime}.", nameof(tombstones));
            size = checked(size + RecordFixedSize + t.SeriesKey.Length);
        }
        if (tombstones.Count == 0) return;

        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            int at = 0;
            var copies = new Tombstone[tombstones.Count];
            for (int i = 0; i < tombstones.Count; i++)
            {
                copies[i] = tombstones[i] with { SeriesKey = tombstones[i].SeriesKey.ToArray() };
                at += WriteRecord(buffer.AsSpan(at), copies[i]);
            }

            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_failed)
                    throw new InvalidOperationException($"An earlier write to {Path} failed; reopen the tombstone log.");
                if (_handle is null)
                {
                    WriteFile(Path, []);
                    _handle = OpenHandle(Path);
                    _length = HeaderSize;
                }
                try
                {
                    RandomAccess.Write(_handle, buffer.AsSpan(0, size), _length);
                    RandomAccess.FlushToDisk(_handle);
                }
                catch
                {
                    _failed = true;
                    throw;
                }
                _length += size;
                _records.AddRange(copies);
                Volatile.Write(ref _current, _current.With(copies, _firstSequence + _records.Count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Empties the log (after a full compaction applied every delete in it): writes a header-only file
    /// beside it, fsyncs, renames it over the log and fsyncs the directory, so a crash leaves either the
    /// old log or the empty one. A log that was never created stays absent.
    /// </summary>
    public void Clear()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ReplaceHoldingLock([]);
        }
    }

    /// <summary>
    /// As <see cref="Clear"/>, but keeps the records appended after <paramref name="applied"/> (a
    /// <see cref="Current"/> of this log) was taken: a full compaction that applied that set removes
    /// only what it applied, and deletes that arrived while it ran stay in force.
    /// </summary>
    public void ClearApplied(TombstoneSet applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long applies = Math.Clamp(applied.Through - _firstSequence, 0, _records.Count);
            ReplaceHoldingLock(_records.GetRange((int)applies, _records.Count - (int)applies));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _handle?.Dispose();
            _handle = null;
        }
    }

    private void ReplaceHoldingLock(List<Tombstone> keep)
    {
        long next = _firstSequence + _records.Count;
        if (_handle is not null || File.Exists(Path))
        {
            // Closed first: a rename over an open file fails on Windows.
            _handle?.Dispose();
            _handle = null;
            WriteFile(Path, keep);
            _handle = OpenHandle(Path);
            _length = HeaderSize;
            foreach (Tombstone t in keep)
                _length += RecordFixedSize + t.SeriesKey.Length;
            _failed = false;
        }
        _records.Clear();
        _records.AddRange(keep);
        _firstSequence = next - keep.Count;
        Volatile.Write(ref _current, TombstoneSet.Empty.With(keep, next));
    }

    /// <summary>Null when <paramref name="bytes"/> starts with a whole, valid record; else what is wrong.</summary>
    private static string? ReadRecord(ReadOnlySpan<byte> bytes, out Tombstone tombstone, out int size)
    {
        tombstone = default;
        size = 0;
        if (bytes.Length < RecordFixedSize) return "short record";
        uint keyLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (keyLength > ShardKey.MaxLength) return "key length out of range";
        if (keyLength > bytes.Length - RecordFixedSize) return "short record";
        size = RecordFixedSize + (int)keyLength;
        uint crc = Crc32C.Append(Crc32C.Compute(bytes[..4]), bytes[8..size]);
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..])) return "CRC mismatch";
        ReadOnlySpan<byte> times = bytes[(8 + (int)keyLength)..];
        long min = BinaryPrimitives.ReadInt64LittleEndian(times);
        long max = BinaryPrimitives.ReadInt64LittleEndian(times[8..]);
        if (min > max) return "min time after max time";
        tombstone = new Tombstone(bytes.Slice(8, (int)keyLength).ToArray(), min, max);
        return null;
    }

    private static int WriteRecord(Span<byte> destination, Tombstone tombstone)
    {
        int n = tombstone.SeriesKey.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)n);
        tombstone.SeriesKey.CopyTo(destination[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[(8 + n)..], tombstone.MinTime);
        BinaryPrimitives.WriteInt64LittleEndian(destination[(16 + n)..], tombstone.MaxTime);
        int size = RecordFixedSize + n;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Append(Crc32C.Compute(destination[..4]), destination[8..size]));
        return size;
    }

    /// <summary>Writes a log holding <paramref name="records"/> to <paramref name="path"/> through a temporary file, a rename and a directory fsync.</summary>
    private static void WriteFile(string path, List<Tombstone> records)
    {
        int size = HeaderSize;
        foreach (Tombstone t in records)
            size = checked(size + RecordFixedSize + t.SeriesKey.Length);
        byte[] bytes = new byte[size];
        Magic.CopyTo(bytes);
        bytes[4] = Version;
        int at = HeaderSize;
        foreach (Tombstone t in records)
            at += WriteRecord(bytes.AsSpan(at), t);

        string temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(System.IO.Path.GetDirectoryName(path)!);
    }

    private static SafeFileHandle OpenHandle(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
}
