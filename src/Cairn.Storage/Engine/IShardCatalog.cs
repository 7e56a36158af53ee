using Cairn.Storage.Index;

namespace Cairn.Storage.Engine;

/// <summary>
/// One shard as the statement executor sees it: its series index (read in place) and the deletes
/// that statements such as <c>DROP SERIES</c> and <c>DELETE</c> apply to it.
/// </summary>
public interface IShardView
{
    ulong Id { get; }

    string Database { get; }

    string RetentionPolicy { get; }

    /// <summary>The shard's series index: measurements, tag keys and values, series ids and field keys.</summary>
    SeriesIndex Index { get; }

    /// <summary>
    /// Deletes the values of the given series with timestamps in [<paramref name="minTime"/>,
    /// <paramref name="maxTime"/>] (tombstones on disk, entries in the cache). A series left with no
    /// values in this shard is removed from the shard's index.
    /// </summary>
    ValueTask DeleteSeriesAsync(IReadOnlyList<uint> seriesIds, long minTime, long maxTime, CancellationToken cancellationToken);

    /// <summary>Deletes a measurement: every value of its series, its series and its fields.</summary>
    ValueTask DeleteMeasurementAsync(string measurement, CancellationToken cancellationToken);

    /// <summary>
    /// The values of one field of one series with timestamps in [<paramref name="minTime"/>, <paramref name="maxTime"/>],
    /// sorted, deduplicated, deletes applied; null when there are none. Views without data answer null.
    /// </summary>
    ShardValues? Read(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime, long maxTime) => null;

    /// <summary>
    /// The values <see cref="Read"/> returns, passed to <paramref name="sink"/> ascending in one or more runs (spans valid
    /// only during the call); nothing when there are none.
    /// </summary>
    void Scan(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime, long maxTime, ShardValueSink sink)
    {
        var values = Read(seriesKey, field, minTime, maxTime);
        if (values is not null && values.Count > 0) sink(values.Type, values.Times, values.Bits, values.Strings);
    }

    /// <summary>
    /// <see cref="Scan(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, long, ShardValueSink)"/>, offering
    /// <paramref name="wholeBlocks"/> the stored blocks wholly inside the range as their statistics where those are exact;
    /// what it refuses, and everything else, goes to <paramref name="sink"/>. Views that keep no block statistics decode all.
    /// </summary>
    void Scan(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime, long maxTime, ShardValueSink sink, ShardBlockCountSink? wholeBlocks) =>
        Scan(seriesKey, field, minTime, maxTime, sink);

    /// <summary>What <see cref="Read"/> of the same arguments touches: files, blocks, their bytes, cached values. Views without data touch nothing.</summary>
    ReadCost Cost(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> field, long minTime, long maxTime) => default;
}

/// <summary>The shards this node holds, by database and retention policy, and the deletes of whole shards.</summary>
public interface IShardCatalog
{
    /// <summary>The open shards of a database, of one retention policy when it is given, in shard id order.</summary>
    IReadOnlyList<IShardView> Shards(string database, string? retentionPolicy = null);

    /// <summary>Closes a shard and removes its files (data, index and WAL). Unknown ids are ignored.</summary>
    ValueTask DeleteShardAsync(ulong id, CancellationToken cancellationToken);

    /// <summary>Closes and removes every shard of a database.</summary>
    ValueTask DeleteDatabaseAsync(string database, CancellationToken cancellationToken);

    /// <summary>Closes and removes every shard of one retention policy.</summary>
    ValueTask DeleteRetentionPolicyAsync(string database, string retentionPolicy, CancellationToken cancellationToken);
}
