namespace Cairn.Query.Results;

/// <summary>
/// How a response is written: indented (<c>pretty=true</c>) and whether timestamps become integers
/// (<c>epoch=h|m|s|ms|u|ns</c>).
/// </summary>
/// <param name="Pretty">Indent as Go's <c>json.MarshalIndent(v, "", "    ")</c>.</param>
/// <param name="EpochDivisor">0: timestamps as RFC3339Nano strings; otherwise Unix nanoseconds divided by this.</param>
public readonly record struct ResultFormat(bool Pretty = false, long EpochDivisor = 0)
{
    /// <summary>
    /// The divisor InfluxDB uses for the <c>epoch</c> parameter: h, m, s, ms, u; any other non-empty value
    /// (ns included) means nanoseconds; empty or null means no conversion (0).
    /// </summary>
    public static long EpochDivisorOf(string? epoch) => epoch switch
    {
        null or "" => 0,
        "u" => 1_000L,
        "ms" => 1_000_000L,
        "s" => 1_000_000_000L,
        "m" => 60_000_000_000L,
        "h" => 3_600_000_000_000L,
        _ => 1L,
    };
}
