namespace Cairn.Storage.Engine;

/// <summary>
/// What reading one series field over a time range touches in a shard, as InfluxDB's tsm1 engine counts it for
/// EXPLAIN (<c>seriesCost</c>): the data files holding a block in the range, those blocks and their encoded bytes,
/// and the values in the cache.
/// </summary>
public readonly record struct ReadCost(int Files, long Blocks, long BlockBytes, long CachedValues)
{
    public static ReadCost operator +(ReadCost a, ReadCost b) =>
        new(a.Files + b.Files, a.Blocks + b.Blocks, a.BlockBytes + b.BlockBytes, a.CachedValues + b.CachedValues);
}
