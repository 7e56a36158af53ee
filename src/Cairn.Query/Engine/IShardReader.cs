using System.Text;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

/// <summary>
/// What the SELECT engine reads from one shard: its measurements, their fields, tag keys and series, and the
/// values of one series field in a time range. Small on purpose, so a remote node can answer it over RPC.
/// </summary>
public interface IShardReader
{
    IReadOnlyList<string> Measurements();

    /// <summary>Whether the shard holds measurement <paramref name="name"/> (a FROM that names one, not a regex).</summary>
    bool HasMeasurement(string name)
    {
        foreach (var m in Measurements())
            if (m == name) return true;
        return false;
    }

    /// <summary>The field keys of a measurement and their types, sorted by key.</summary>
    IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement);

    /// <summary>The tag keys of a measurement, sorted.</summary>
    IReadOnlyList<string> TagKeys(string measurement);

    /// <summary>The live series of a measurement: series key and tags (sorted by key).</summary>
    IReadOnlyList<SeriesEntry> Series(string measurement);

    /// <summary>The live series of a measurement whose tag <paramref name="tagKey"/> is <paramref name="tagValue"/> (not empty).</summary>
    IReadOnlyList<SeriesEntry> Series(string measurement, string tagKey, string tagValue) =>
        [.. Series(measurement).Where(s => s.Tag(tagKey) == tagValue)];

    /// <summary>The values of <paramref name="field"/> of a series in [minTime, maxTime], or null.</summary>
    ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime);

    /// <summary>
    /// The values <see cref="Read"/> returns, passed to <paramref name="sink"/> ascending in one or more runs (spans valid
    /// only during the call); nothing when there are none.
    /// </summary>
    void Scan(byte[] seriesKey, string field, long minTime, long maxTime, ShardValueSink sink)
    {
        var values = Read(seriesKey, field, minTime, maxTime);
        if (values is not null && values.Count > 0) sink(values.Type, values.Times, values.Bits, values.Strings);
    }

    /// <summary>
    /// <see cref="Scan(byte[], string, long, long, ShardValueSink)"/>, offering <paramref name="wholeBlocks"/> the stored
    /// blocks wholly inside the range as their statistics (first and last time, point count) where those are exact; what
    /// it refuses, and everything else, goes to <paramref name="sink"/>. Readers that keep no block statistics decode all.
    /// </summary>
    void Scan(byte[] seriesKey, string field, long minTime, long maxTime, ShardValueSink sink, ShardBlockCountSink? wholeBlocks) =>
        Scan(seriesKey, field, minTime, maxTime, sink);

    /// <summary>What <see cref="Read"/> with the same arguments touches (EXPLAIN's files, blocks, block bytes, cached values).</summary>
    ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime);

    /// <summary>The shard's id, as EXPLAIN ANALYZE names it; 0 for a source that is not a shard (a subquery).</summary>
    ulong ShardId { get; }

    /// <summary>
    /// The shard group the shard belongs to when the group has several shards (a cluster spreads a group's series
    /// over them); 0 when unknown or alone. The planner orders and levels the shards of one group as the one shard a
    /// single server keeps for that time range, so the answer does not depend on how the group was split.
    /// </summary>
    ulong ShardGroupId => 0;

    /// <summary>
    /// Whether the shard's group may hold points in [<paramref name="min"/>, <paramref name="max"/>]: a statement with a
    /// time range reads only such shards, as InfluxDB maps shards by the statement's time range. True when unknown.
    /// </summary>
    bool Overlaps(long min, long max) => true;
}

/// <summary>One series of a measurement: its key and its tags as (key, value) pairs sorted by key.</summary>
public sealed record SeriesEntry(byte[] Key, KeyValuePair<string, string>[] Tags)
{
    /// <summary>The entry of a stored series key (its tags sorted by key), or null when the key does not parse.</summary>
    public static SeriesEntry? Parse(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!SeriesKeyParser.TryParse(key, out _, out var tags)) return null;
        var pairs = new KeyValuePair<string, string>[tags.Count];
        for (int i = 0; i < tags.Count; i++)
            pairs[i] = new(Encoding.UTF8.GetString(tags.Key(i)), Encoding.UTF8.GetString(tags.Value(i)));
        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new SeriesEntry(key, pairs);
    }

    /// <summary>The value of tag <paramref name="key"/>, or null when the series does not have it.</summary>
    public string? Tag(string key)
    {
        foreach (var t in Tags)
        {
            if (t.Key == key) return t.Value;
        }
        return null;
    }
}

/// <summary>An <see cref="IShardReader"/> over a local shard.</summary>
public sealed class ShardViewReader(IShardView shard) : IShardReader
{
    public IReadOnlyList<string> Measurements() => shard.Index.Measurements();

    public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement) => shard.Index.Fields(measurement);

    public IReadOnlyList<string> TagKeys(string measurement) => shard.Index.TagKeys(measurement);

    public IReadOnlyList<SeriesEntry> Series(string measurement) => Entries(shard.Index.SeriesIds(measurement));

    public IReadOnlyList<SeriesEntry> Series(string measurement, string tagKey, string tagValue) =>
        Entries(shard.Index.SeriesIdsForTag(measurement, tagKey, tagValue));

    private List<SeriesEntry> Entries(uint[] ids)
    {
        var list = new List<SeriesEntry>(ids.Length);
        foreach (var id in ids)
            if (shard.Index.SeriesKey(id) is { } key && SeriesEntry.Parse(key) is { } entry) list.Add(entry);
        return list;
    }

    public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime) =>
        shard.Read(seriesKey, Encoding.UTF8.GetBytes(field), minTime, maxTime);

    public void Scan(byte[] seriesKey, string field, long minTime, long maxTime, ShardValueSink sink) =>
        shard.Scan(seriesKey, Encoding.UTF8.GetBytes(field), minTime, maxTime, sink);

    public void Scan(byte[] seriesKey, string field, long minTime, long maxTime, ShardValueSink sink, ShardBlockCountSink? wholeBlocks) =>
        shard.Scan(seriesKey, Encoding.UTF8.GetBytes(field), minTime, maxTime, sink, wholeBlocks);

    public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) =>
        shard.Cost(seriesKey, Encoding.UTF8.GetBytes(field), minTime, maxTime);

    public ulong ShardId => shard.Id;

    public ulong ShardGroupId { get; init; }

    /// <summary>The shard group's time range [start, end), where the resolver knows it; everything otherwise.</summary>
    public (long Start, long End) GroupRange { get; init; } = (long.MinValue, long.MaxValue);

    public bool Overlaps(long min, long max) => GroupRange.Start <= max && GroupRange.End > min;
}
