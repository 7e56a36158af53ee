using System.Globalization;
using System.Text;

namespace Cairn.Query.Parsing;

/// <summary>
/// Go's number, duration and time formatting where InfluxQL's printer depends on it:
/// <c>strconv.FormatFloat(f, 'f'|'g', -1, 64)</c>, <c>time.Duration.String()</c>, RFC3339Nano,
/// and <c>strconv.ParseFloat</c>'s acceptance rules.
/// </summary>
public static class GoFormat
{
    /// <summary><c>strconv.FormatFloat(v, 'f', -1, 64)</c>: shortest digits that round-trip, never an exponent.</summary>
    public static string FormatFloatF(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        var sb = new StringBuilder();
        if (double.IsNegative(value)) sb.Append('-');
        Decompose(value, out string digits, out int point);
        AppendFixed(sb, digits, point);
        return sb.ToString();
    }

    /// <summary>
    /// Go's <c>fmt</c> <c>%v</c> of a float64, i.e. <c>strconv.FormatFloat(v, 'g', -1, 64)</c>: shortest digits,
    /// with an exponent (<c>1e+06</c>, <c>1e-05</c>) when the decimal exponent is below -4 or at least 6.
    /// </summary>
    public static string FormatFloatG(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";
        var sb = new StringBuilder();
        if (double.IsNegative(value)) sb.Append('-');
        Decompose(value, out string digits, out int point);
        if (digits.Length == 0)
        {
            sb.Append('0');
            return sb.ToString();
        }
        int exponent = point - 1;
        // strconv uses precision 6 for the %e/%f decision when formatting the shortest representation.
        if (exponent < -4 || exponent >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            int abs = Math.Abs(exponent);
            if (abs < 10) sb.Append('0');
            sb.Append(abs.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        AppendFixed(sb, digits, point);
        return sb.ToString();
    }

    /// <summary>Splits |value| into its shortest round-trip decimal digits (no leading/trailing zeros) and the
    /// position of the decimal point relative to the first digit.</summary>
    private static void Decompose(double value, out string digits, out int point)
    {
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        int exponent = 0;
        string mantissa = r;
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = r[..e];
        }
        int dot = mantissa.IndexOf('.');
        int intLength = dot < 0 ? mantissa.Length : dot;
        string all = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int lead = 0;
        while (lead < all.Length && all[lead] == '0') lead++;
        all = all[lead..].TrimEnd('0');
        digits = all;
        point = intLength - lead + exponent;
    }

    private static void AppendFixed(StringBuilder sb, string digits, int point)
    {
        if (digits.Length == 0)
        {
            sb.Append('0');
            return;
        }
        if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
    }

    /// <summary>
    /// <c>strconv.ParseFloat(s, 64)</c> for the texts InfluxQL produces: decimal numbers, and Go's special
    /// spellings of infinity and NaN. Out-of-range values fail, as Go reports them with ErrRange.
    /// </summary>
    public static bool TryParseFloat(string text, out double value)
    {
        var span = text.AsSpan();
        bool negative = false;
        var body = span;
        if (body.Length > 0 && (body[0] == '+' || body[0] == '-'))
        {
            negative = body[0] == '-';
            body = body[1..];
        }
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase) && span.Length == body.Length)
        {
            value = double.NaN;
            return true;
        }
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (!(InfluxQLText.IsDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
            {
                value = 0;
                return false;
            }
        }
        if (!double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return false;
        return !double.IsInfinity(value);
    }

    /// <summary>Go's <c>time.Duration.String()</c>: <c>1h0m0s</c>, <c>1m30s</c>, <c>1.5s</c>, <c>500ms</c>, <c>1.5µs</c>, <c>0s</c>.</summary>
    public static string DurationString(long nanoseconds)
    {
        if (nanoseconds == 0) return "0s";
        var sb = new StringBuilder();
        if (nanoseconds < 0) sb.Append('-');
        ulong u = nanoseconds < 0 ? unchecked((ulong)(-nanoseconds)) : (ulong)nanoseconds;
        var inv = CultureInfo.InvariantCulture;
        if (u < 1_000_000_000UL)
        {
            if (u < 1_000UL) return sb.Append(u.ToString(inv)).Append("ns").ToString();
            if (u < 1_000_000UL) return AppendFraction(sb, u, 1_000UL, 3).Append("µs").ToString();
            return AppendFraction(sb, u, 1_000_000UL, 6).Append("ms").ToString();
        }
        ulong seconds = u / 1_000_000_000UL;
        ulong fraction = u % 1_000_000_000UL;
        ulong minutes = seconds / 60;
        seconds %= 60;
        ulong hours = minutes / 60;
        minutes %= 60;
        if (hours > 0) sb.Append(hours.ToString(inv)).Append('h');
        if (hours > 0 || minutes > 0) sb.Append(minutes.ToString(inv)).Append('m');
        sb.Append(seconds.ToString(inv));
        AppendFractionDigits(sb, fraction, 9);
        return sb.Append('s').ToString();
    }

    private static StringBuilder AppendFraction(StringBuilder sb, ulong value, ulong unit, int digits)
    {
        sb.Append((value / unit).ToString(CultureInfo.InvariantCulture));
        AppendFractionDigits(sb, value % unit, digits);
        return sb;
    }

    private static void AppendFractionDigits(StringBuilder sb, ulong fraction, int digits)
    {
        if (fraction == 0) return;
        string text = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        sb.Append('.').Append(text);
    }

    /// <summary>Go's <c>time.RFC3339Nano</c> of a UTC instant given in Unix nanoseconds: trailing zeros of the
    /// fraction trimmed, no fraction when zero, <c>Z</c> as the zone.</summary>
    public static string Rfc3339Nano(long unixNanoseconds)
    {
        long seconds = Math.DivRem(unixNanoseconds, 1_000_000_000L, out long nanos);
        if (nanos < 0)
        {
            nanos += 1_000_000_000L;
            seconds--;
        }
        var time = DateTime.UnixEpoch.AddSeconds(seconds);
        var sb = new StringBuilder(time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFractionDigits(sb, (ulong)nanos, 9);
        return sb.Append('Z').ToString();
    }
}
