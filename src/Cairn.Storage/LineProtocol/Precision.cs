namespace Cairn.Storage.LineProtocol;

/// <summary>
/// The unit of the timestamps in a write body: the <c>precision</c> query parameter of <c>/write</c>.
/// </summary>
public enum Precision : byte
{
    /// <summary><c>n</c>, <c>ns</c>, empty, or any value InfluxDB does not know.</summary>
    Nanosecond,

    /// <summary><c>u</c>.</summary>
    Microsecond,

    /// <summary><c>ms</c>.</summary>
    Millisecond,

    /// <summary><c>s</c>.</summary>
    Second,

    /// <summary><c>m</c>.</summary>
    Minute,

    /// <summary><c>h</c>.</summary>
    Hour,
}

/// <summary>Conversions between <see cref="Precision"/>, its query text and nanoseconds.</summary>
public static class PrecisionExtensions
{
    /// <summary>
    /// Maps the <c>precision</c> query parameter as InfluxDB 1.x does (models.GetPrecisionMultiplier and
    /// point.SetPrecision): <c>u</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> are units; every other value,
    /// including <c>ns</c>, <c>us</c> and garbage, means nanoseconds. InfluxDB's /write never rejects it.
    /// </summary>
    public static Precision ParsePrecision(ReadOnlySpan<char> text) => text switch
    {
        "u" => Precision.Microsecond,
        "ms" => Precision.Millisecond,
        "s" => Precision.Second,
        "m" => Precision.Minute,
        "h" => Precision.Hour,
        _ => Precision.Nanosecond,
    };

    /// <summary>Nanoseconds in one unit of <paramref name="precision"/>.</summary>
    public static long Multiplier(this Precision precision) => precision switch
    {
        Precision.Microsecond => 1_000L,
        Precision.Millisecond => 1_000_000L,
        Precision.Second => 1_000_000_000L,
        Precision.Minute => 60_000_000_000L,
        Precision.Hour => 3_600_000_000_000L,
        _ => 1L,
    };

    /// <summary>
    /// Rounds <paramref name="unixNanos"/> down to a whole unit, as InfluxDB does to the server time it
    /// gives points written without a timestamp.
    /// </summary>
    public static long Truncate(this Precision precision, long unixNanos)
    {
        long unit = precision.Multiplier();
        long remainder = unixNanos % unit;
        return remainder < 0 ? unixNanos - remainder - unit : unixNanos - remainder;
    }
}
