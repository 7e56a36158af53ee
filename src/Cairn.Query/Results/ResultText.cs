using System.Globalization;
using Cairn.Query.Parsing;

namespace Cairn.Query.Results;

/// <summary>
/// Go's text forms of durations and times that result cells carry as strings (SHOW RETENTION POLICIES,
/// SHOW SHARDS): <c>time.Duration.String()</c> and <c>time.RFC3339</c>.
/// </summary>
public static class ResultText
{
    /// <summary>Go's <c>time.Duration.String()</c>: <c>168h0m0s</c>, <c>1h0m0s</c>, <c>0s</c>.</summary>
    public static string Duration(long nanoseconds) => GoFormat.DurationString(nanoseconds);

    /// <summary>Go's <c>time.RFC3339Nano</c> of a UTC instant: fraction trimmed of trailing zeros.</summary>
    public static string Rfc3339Nano(long unixNanoseconds) => GoFormat.Rfc3339Nano(unixNanoseconds);

    /// <summary>RFC3339Nano in a zone <paramref name="offsetSeconds"/> east of UTC: local time and <c>±hh:mm</c> (<c>Z</c> at offset 0).</summary>
    public static string Rfc3339Nano(long unixNanoseconds, int offsetSeconds)
    {
        if (offsetSeconds == 0) return GoFormat.Rfc3339Nano(unixNanoseconds);
        string local = GoFormat.Rfc3339Nano(unchecked(unixNanoseconds + offsetSeconds * 1_000_000_000L));
        int minutes = Math.Abs(offsetSeconds) / 60;
        return string.Concat(local[..^1], offsetSeconds < 0 ? "-" : "+",
            (minutes / 60).ToString("00", CultureInfo.InvariantCulture), ":", (minutes % 60).ToString("00", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Go's <c>t.UTC().Format(time.RFC3339)</c>: whole seconds (the fraction is dropped, rounding toward the
    /// past as Go's time does), <c>Z</c> as the zone. Takes <see cref="Int128"/> so that an end time plus a
    /// retention duration can be formatted without overflow.
    /// </summary>
    public static string Rfc3339(Int128 unixNanoseconds)
    {
        Int128 seconds = unixNanoseconds / 1_000_000_000;
        if (unixNanoseconds % 1_000_000_000 < 0) seconds--;
        var time = DateTime.UnixEpoch.AddTicks((long)seconds * TimeSpan.TicksPerSecond);
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
