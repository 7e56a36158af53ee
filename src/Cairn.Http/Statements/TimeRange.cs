using Cairn.Meta.Store;

namespace Cairn.Http.Statements;

/// <summary>
/// The time bounds a WHERE clause puts on a statement, inclusive, in Unix nanoseconds: influxql's TimeRange.
/// An unset bound is the edge of the representable range.
/// </summary>
internal readonly record struct TimeRange(long? MinSet, long? MaxSet)
{
    public static readonly TimeRange Unbounded = default;

    public long Min => MinSet ?? RetentionRules.MinTime;

    public long Max => MaxSet ?? RetentionRules.MaxTime;

    public bool IsUnbounded => MinSet is null && MaxSet is null;

    /// <summary>Both ranges at once; influxql intersects even across OR ("there is no such thing as OR with time").</summary>
    public TimeRange Intersect(TimeRange other) => new(
        MinSet is { } a ? other.MinSet is { } b ? Math.Max(a, b) : a : other.MinSet,
        MaxSet is { } x ? other.MaxSet is { } y ? Math.Min(x, y) : x : other.MaxSet);
}
