namespace Cairn.Query.Engine;

/// <summary>
/// The GROUP BY time windows of a statement: interval, offset and tz() zone. One definition of a window's bounds,
/// shared by the planner and by a data node folding partials of its shards for another node's query.
/// </summary>
public sealed class QueryWindows
{
    private readonly TimeZoneInfo? _zone;

    public QueryWindows(long interval, long offset, string? location)
    {
        Interval = interval;
        Offset = offset;
        Location = location;
        _zone = ZoneOf(location);
    }

    /// <summary>The window length in nanoseconds; 0 without GROUP BY time (one window, keyed 0).</summary>
    public long Interval { get; }

    public long Offset { get; }

    /// <summary>The tz() location as the statement names it, or null.</summary>
    public string? Location { get; }

    public bool HasZone => _zone is not null;

    /// <summary>influxql's IteratorOptions.Window: the window of <paramref name="t"/>, aligned in the tz() zone.</summary>
    public (long Start, long End) Bounds(long t)
    {
        long d = Interval;
        t -= Offset;
        long zone = ZoneNanoseconds(t);
        long dt = (t + zone) % d;
        if (dt < 0) dt += d;
        long start = QueryTimeRange.MinTime + dt >= t ? QueryTimeRange.MinTime : t - dt;
        start += Offset;
        if (_zone is not null)
        {
            long o = zone - ZoneNanoseconds(start);
            if (o != 0 && Math.Abs(o) < d) start += o;
        }
        long rest = d - dt;
        long end = QueryTimeRange.MaxTime - rest <= t ? QueryTimeRange.MaxTime : t + rest;
        end += Offset;
        if (_zone is not null)
        {
            // A zone change inside the window lengthens or shortens it (a 23h or 25h day), unless the change is not
            // smaller than the interval (hourly windows keep their hour) or would empty the window.
            long o = zone - ZoneNanoseconds(end);
            if (o != 0 && Math.Abs(o) < d && end + o > start) end += o;
        }
        return (start, end);
    }

    /// <summary>The zone's offset from UTC at <paramref name="t"/>, in seconds (0 without tz()).</summary>
    public int ZoneSeconds(long t)
    {
        if (_zone is null) return 0;
        long ms = Math.Clamp(t / 1_000_000, -62135596800000L, 253402300799000L);
        return (int)_zone.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(ms)).TotalSeconds;
    }

    private long ZoneNanoseconds(long t) => ZoneSeconds(t) * 1_000_000_000L;

    private static TimeZoneInfo? ZoneOf(string? location)
    {
        if (location is null or "UTC" or "") return null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(location);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }
}
