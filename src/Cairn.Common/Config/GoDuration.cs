using System.Globalization;
using System.Text;

namespace Cairn.Common.Config;

/// <summary>
/// Durations written the way InfluxDB's TOML files and Go's time package write them:
/// "10s", "1m0s", "168h0m0s", "500ms", "1h30m", "0".
/// </summary>
public static class GoDuration
{
    private const decimal MaxNanoseconds = long.MaxValue;

    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s.IsEmpty) return false;
        bool negative = false;
        if (s[0] == '-' || s[0] == '+') { negative = s[0] == '-'; s = s[1..]; }
        if (s.SequenceEqual("0")) return true;
        if (s.IsEmpty) return false;

        decimal totalNanos = 0;
        while (!s.IsEmpty)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == 0) return false;
            if (!decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            s = s[i..];
            int u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.') u++;
            decimal unit = s[..u] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60m * 1_000_000_000m,
                "h" => 3600m * 1_000_000_000m,
                _ => -1m,
            };
            if (unit < 0) return false;
            s = s[u..];
            // Go durations are int64 nanoseconds; anything larger is rejected, as Go rejects it.
            if (number > MaxNanoseconds / unit) return false;
            totalNanos += number * unit;
            if (totalNanos > MaxNanoseconds) return false;
        }
        long ticks = (long)Math.Round(totalNanos / 100m);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"invalid duration \"{text}\"");

    /// <summary>Formats as Go's <c>time.Duration.String()</c> does (at 100 ns resolution).</summary>
    public static string Format(TimeSpan value)
    {
        long ticks = value.Ticks;
        if (ticks == 0) return "0s";
        var sb = new StringBuilder();
        if (ticks < 0) sb.Append('-');
        // Int128: a TimeSpan set in code may exceed Go's int64-nanosecond range.
        Int128 nanos = Int128.Abs(ticks) * 100;
        if (nanos < 1_000_000_000L)
        {
            if (nanos < 1_000) return sb.Append(nanos.ToString(CultureInfo.InvariantCulture)).Append("ns").ToString();
            if (nanos < 1_000_000) return AppendFraction(sb, (long)nanos, 1_000).Append("µs").ToString();
            return AppendFraction(sb, (long)nanos, 1_000_000).Append("ms").ToString();
        }
        Int128 hours = nanos / 3_600_000_000_000L;
        nanos -= hours * 3_600_000_000_000L;
        long minutes = (long)(nanos / 60_000_000_000L);
        nanos -= minutes * 60_000_000_000L;
        if (hours > 0) sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (hours > 0 || minutes > 0) sb.Append(minutes).Append('m');
        return AppendFraction(sb, (long)nanos, 1_000_000_000L).Append('s').ToString();
    }

    private static StringBuilder AppendFraction(StringBuilder sb, long nanos, long unit)
    {
        sb.Append(nanos / unit);
        long rest = nanos % unit;
        if (rest == 0) return sb;
        var digits = rest.ToString(CultureInfo.InvariantCulture).PadLeft((int)Math.Log10(unit), '0').TrimEnd('0');
        return sb.Append('.').Append(digits);
    }
}
