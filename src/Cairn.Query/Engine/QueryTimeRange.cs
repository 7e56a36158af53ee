namespace Cairn.Query.Engine;

/// <summary>
/// The time bounds a WHERE clause puts on a SELECT, inclusive, in Unix nanoseconds: influxql's TimeRange.
/// An unset bound is the edge of influxql's representable range.
/// </summary>
public readonly record struct QueryTimeRange(long? MinSet, long? MaxSet)
{
    /// <summary>influxql.MinTime: the smallest time a point may have.</summary>
    public const long MinTime = long.MinValue + 2;

    /// <summary>influxql.MaxTime.</summary>
    public const long MaxTime = long.MaxValue - 1;

    public static readonly QueryTimeRange Unbounded = default;

    public long Min => MinSet ?? MinTime;

    public long Max => MaxSet ?? MaxTime;

    public bool IsUnbounded => MinSet is null && MaxSet is null;

    /// <summary>Both ranges at once; influxql intersects even across OR.</summary>
    public QueryTimeRange Intersect(QueryTimeRange other) => new(
        MinSet is { } a ? other.MinSet is { } b ? Math.Max(a, b) : a : other.MinSet,
        MaxSet is { } x ? other.MaxSet is { } y ? Math.Min(x, y) : x : other.MaxSet);
}
