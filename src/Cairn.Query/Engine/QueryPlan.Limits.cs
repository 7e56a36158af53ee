namespace Cairn.Query.Engine;

/// <summary>
/// The <c>[cluster]</c> SELECT limits where InfluxDB 1.x applies them: buckets when the statement is prepared,
/// series when a shard's iterators are made, points as storage yields them.
/// </summary>
internal sealed partial class QueryPlan
{
    /// <summary>The statement's limits and point count; a subquery shares its parent's.</summary>
    public SelectContext? Context { get; init; }

    /// <summary>False for a subquery: InfluxDB checks buckets only when it prepares the outer statement.</summary>
    public bool TopLevel { get; init; } = true;

    private SelectLimits Limits => Context?.Limits ?? SelectLimits.None;

    /// <summary>
    /// <c>max-select-buckets</c> over a time range with a lower bound (query/compile.go Prepare): the windows from
    /// the first bound's to the one holding the upper bound less a nanosecond.
    /// </summary>
    private string? CheckBuckets()
    {
        int limit = Limits.MaxBuckets;
        if (limit <= 0 || !TopLevel || _raw || Interval <= 0 || _range.MinSet is not { } min) return null;
        long first = Window(min);
        long last = Window(_range.Max - 1);
        long buckets = (last - first + Interval) / Interval;
        return buckets > limit ? SelectLimits.BucketsExceeded(buckets, limit) : null;
    }

    /// <summary>
    /// Where reading starts. With <c>max-select-buckets</c> and no lower bound, InfluxDB maps shards (and so reads)
    /// from the window <c>limit - 1</c> intervals before the last one; windows and fill still start at the first
    /// point. Its test of the room left (<c>last - MinNanoTime</c>) wraps around in Go for any time after 1970,
    /// and does so here with unchecked arithmetic. Transformations read <c>ExtraIntervals</c> windows earlier (later with ORDER BY time DESC, see Run).
    /// </summary>
    private long ReadStart()
    {
        long min = _range.Min;
        bool bounded = _range.MinSet is not null;
        int limit = Limits.MaxBuckets;
        if (!bounded && limit > 0 && TopLevel && !_raw && Interval > 0)
        {
            long last = Window(_range.Max - 1);
            long room = unchecked(last - (long.MinValue + 2));
            if (room / Interval <= limit)
            {
                min = last - Interval * (limit - 1);
                bounded = true;
            }
        }
        if (Interval > 0 && compiler.ExtraIntervals > 0 && bounded && Ascending)
            min = Math.Max(QueryTimeRange.MinTime, min - compiler.ExtraIntervals * Interval);
        return min;
    }

    /// <summary>
    /// <c>max-select-series</c> for the series one shard matched (tsdb's Shards.CreateIterator and the engine's
    /// tag-set iterators): more than the limit in one GROUP BY tag set fails as the engine counts (limit + 1),
    /// otherwise more in the shard fails with the shard's count.
    /// </summary>
    private string? CheckSeries(List<SeriesEntry> matched)
    {
        int limit = Limits.MaxSeries;
        if (limit <= 0 || matched.Count <= limit) return null;
        var perTagSet = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in matched)
        {
            string key = _dimensions.Count == 0 ? "" : string.Join('\0', _dimensions.Select(d => s.Tag(d) ?? ""));
            int n = perTagSet.TryGetValue(key, out int c) ? c + 1 : 1;
            if (n > limit) return SelectLimits.SeriesExceeded(n, limit);
            perTagSet[key] = n;
        }
        return SelectLimits.SeriesExceeded(matched.Count, limit);
    }

    /// <summary>
    /// <c>max-select-point</c>: counts the points a series yielded after the condition, as storage iterators do. Also
    /// where a running statement notices it was killed or timed out (the executor answers with the reason).
    /// </summary>
    private string? CountPoints(int points)
    {
        if (Context is not { } context) return null;
        context.CancellationToken.ThrowIfCancellationRequested();
        long read = context.AddPointsRead(points);
        int limit = Limits.MaxPoints;
        return limit > 0 && read > limit ? SelectLimits.PointsExceeded(read, limit) : null;
    }
}
