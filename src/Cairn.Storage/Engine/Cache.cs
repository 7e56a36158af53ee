using Cairn.Storage.Index;
using Cairn.Storage.Shards;

namespace Cairn.Storage.Engine;

/// <summary>
/// The values of one shard key (series + field) held in memory, in arrival order. Reads and
/// snapshots sort by time and keep the last value written for a timestamp, as InfluxDB does.
/// </summary>
internal sealed class CacheEntry(byte[] key, FieldType type)
{
    public readonly byte[] Key = key;
    public FieldType Type = type;
    public long[] Times = new long[4];
    public long[] Bits = type == FieldType.String ? [] : new long[4];
    public string[] Strings = type == FieldType.String ? new string[4] : [];
    public int Count;
    public bool Ordered = true;   // times strictly ascending so far: no sort needed

    /// <summary>Appends one value; returns the bytes it adds to the cache's size.</summary>
    public int Add(long time, long bits, ReadOnlySpan<byte> text)
    {
        if (Count == Times.Length)
        {
            Array.Resize(ref Times, Count * 2);
            if (Type == FieldType.String) Array.Resize(ref Strings, Count * 2);
            else Array.Resize(ref Bits, Count * 2);
        }
        if (Count > 0 && time <= Times[Count - 1]) Ordered = false;
        Times[Count] = time;
        int size = 16;
        if (Type == FieldType.String)
        {
            var s = System.Text.Encoding.UTF8.GetString(text);
            Strings[Count] = s;
            size += 24 + 2 * s.Length;
        }
        else Bits[Count] = bits;
        Count++;
        return size;
    }

    /// <summary>Sorts by time and drops earlier duplicates (the last write of a timestamp wins).</summary>
    public void Normalize()
    {
        if (Ordered) return;
        var order = new int[Count];
        for (int i = 0; i < Count; i++) order[i] = i;
        var times = Times;
        // Stable: equal times keep arrival order, so the last of a run is the newest.
        Array.Sort(order, (a, b) => times[a] != times[b] ? times[a].CompareTo(times[b]) : a.CompareTo(b));
        var newTimes = new long[Math.Max(Count, 4)];
        var newBits = Type == FieldType.String ? [] : new long[newTimes.Length];
        var newStrings = Type == FieldType.String ? new string[newTimes.Length] : [];
        int n = 0;
        for (int i = 0; i < Count; i++)
        {
            int j = order[i];
            if (i + 1 < Count && times[order[i + 1]] == times[j]) continue; // a newer value of this time follows
            newTimes[n] = times[j];
            if (Type == FieldType.String) newStrings[n] = Strings[j];
            else newBits[n] = Bits[j];
            n++;
        }
        Times = newTimes;
        Bits = newBits;
        Strings = newStrings;
        Count = n;
        Ordered = true;
    }

    /// <summary>Removes values with times in [min, max]; returns how many went.</summary>
    public int RemoveRange(long min, long max)
    {
        int n = 0;
        for (int i = 0; i < Count; i++)
        {
            if (Times[i] >= min && Times[i] <= max) continue;
            Times[n] = Times[i];
            if (Type == FieldType.String) Strings[n] = Strings[i];
            else Bits[n] = Bits[i];
            n++;
        }
        int removed = Count - n;
        Count = n;
        return removed;
    }
}

/// <summary>
/// A shard's in-memory cache: the values acknowledged since the last snapshot, by shard key.
/// Inserts take one lock; readers copy out under it. Size is an estimate of the managed bytes held.
/// </summary>
internal sealed class Cache
{
    private readonly Dictionary<byte[], CacheEntry> _entries = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], CacheEntry>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly Lock _lock = new();
    private long _size;
    private long _values;

    public Cache() => _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>Estimated bytes held.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>Values held (duplicates included).</summary>
    public long Values => Volatile.Read(ref _values);

    public int KeyCount
    {
        get { lock (_lock) return _entries.Count; }
    }

    public bool IsEmpty => Volatile.Read(ref _values) == 0;

    /// <summary>Inserts every value of a points payload (see <see cref="ShardWalEntry"/>).</summary>
    public void Insert(ReadOnlySpan<byte> payload, TombstoneFilter? filter = null)
    {
        Span<byte> scratch = stackalloc byte[1024];
        var reader = new PointsPayloadReader(payload);
        long added = 0, values = 0;
        lock (_lock)
        {
            while (reader.NextPoint())
            {
                var series = reader.SeriesKey;
                if (filter is not null && filter(series, reader.Timestamp)) continue;
                while (reader.NextField())
                {
                    var name = reader.FieldName;
                    int length = series.Length + ShardKey.Separator.Length + name.Length;
                    Span<byte> key = length <= scratch.Length ? scratch[..length] : new byte[length];
                    series.CopyTo(key);
                    ShardKey.Separator.CopyTo(key[series.Length..]);
                    name.CopyTo(key[(series.Length + ShardKey.Separator.Length)..]);
                    if (!_bySpan.TryGetValue(key, out var entry))
                    {
                        entry = new CacheEntry(key.ToArray(), reader.FieldType);
                        _entries.Add(entry.Key, entry);
                        added += 64 + length;
                    }
                    else if (entry.Type != reader.FieldType)
                    {
                        // Only after the field was deleted and came back with another type: the old values are gone.
                        added -= 16L * entry.Count;
                        values -= entry.Count;
                        var fresh = new CacheEntry(entry.Key, reader.FieldType);
                        _entries[entry.Key] = fresh;
                        entry = fresh;
                    }
                    added += entry.Add(reader.Timestamp, reader.Bits, reader.StringValue);
                    values++;
                }
            }
            _size += added;
            _values += values;
        }
    }

    /// <summary>Removes the values of the given series (every field) in [min, max].</summary>
    public void DeleteRange(IReadOnlyCollection<byte[]> seriesKeys, long min, long max)
    {
        if (seriesKeys.Count == 0) return;
        var set = new HashSet<byte[]>(seriesKeys, ByteKeyComparer.Instance);
        var lookup = set.GetAlternateLookup<ReadOnlySpan<byte>>();
        lock (_lock)
        {
            List<byte[]>? empty = null;
            foreach (var (key, entry) in _entries)
            {
                int sep = key.AsSpan().IndexOf(ShardKey.Separator);
                if (sep < 0 || !lookup.Contains(key.AsSpan(0, sep))) continue;
                int removed = entry.RemoveRange(min, max);
                _values -= removed;
                _size -= 16L * removed;
                if (entry.Count == 0) (empty ??= []).Add(key);
            }
            if (empty is not null)
                foreach (var key in empty) _entries.Remove(key);
        }
    }

    /// <summary>True when any value of the series is held.</summary>
    public bool HasSeries(ReadOnlySpan<byte> seriesKey)
    {
        lock (_lock)
        {
            foreach (var key in _entries.Keys)
                if (key.AsSpan().StartsWith(seriesKey) && key.AsSpan(seriesKey.Length).StartsWith(ShardKey.Separator))
                    return true;
        }
        return false;
    }

    /// <summary>The entry of a shard key, normalized (sorted, deduplicated), or null.</summary>
    public CacheEntry? Get(ReadOnlySpan<byte> shardKey)
    {
        lock (_lock)
        {
            if (!_bySpan.TryGetValue(shardKey, out var entry)) return null;
            entry.Normalize();
            return entry;
        }
    }

    /// <summary>Copies the values of <paramref name="shardKey"/> in [min, max] into the sink, sorted by time.</summary>
    public bool TryRead(ReadOnlySpan<byte> shardKey, long min, long max, out FieldType type, List<long> times, List<long> bits, List<string> strings)
    {
        lock (_lock)
        {
            type = default;
            if (!_bySpan.TryGetValue(shardKey, out var entry)) return false;
            entry.Normalize();
            type = entry.Type;
            for (int i = 0; i < entry.Count; i++)
            {
                long t = entry.Times[i];
                if (t < min || t > max) continue;
                times.Add(t);
                if (entry.Type == FieldType.String) strings.Add(entry.Strings[i]);
                else bits.Add(entry.Bits[i]);
            }
            return true;
        }
    }

    /// <summary>How many values of <paramref name="shardKey"/> lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Count(ReadOnlySpan<byte> shardKey, long min, long max)
    {
        lock (_lock)
        {
            if (!_bySpan.TryGetValue(shardKey, out var entry)) return 0;
            entry.Normalize();
            long n = 0;
            for (int i = 0; i < entry.Count; i++)
                if (entry.Times[i] >= min && entry.Times[i] <= max) n++;
            return n;
        }
    }

    /// <summary>Every shard key held, sorted bytewise.</summary>
    public byte[][] SortedKeys()
    {
        byte[][] keys;
        lock (_lock) keys = [.. _entries.Keys];
        Array.Sort(keys, ByteKeyComparer.Instance);
        return keys;
    }

    /// <summary>All entries normalized and sorted by key: what a snapshot writes. Call once no writer inserts any more.</summary>
    public CacheEntry[] SortedEntries()
    {
        CacheEntry[] entries;
        lock (_lock)
        {
            entries = [.. _entries.Values];
            foreach (var e in entries) e.Normalize();
        }
        Array.Sort(entries, (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return entries;
    }
}

/// <summary>True when the value of <paramref name="seriesKey"/> at <paramref name="timestamp"/> is deleted.</summary>
internal delegate bool TombstoneFilter(ReadOnlySpan<byte> seriesKey, long timestamp);
