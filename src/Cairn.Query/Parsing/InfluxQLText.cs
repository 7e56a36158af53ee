using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Cairn.Query.Parsing;

/// <summary>
/// The text rules InfluxQL shares between parsing and printing: identifier and string quoting,
/// and InfluxQL durations (<c>1h30m</c>, <c>10u</c>, <c>2w</c>) as int64 nanoseconds.
/// </summary>
public static class InfluxQLText
{
    private const long Microsecond = 1_000;
    private const long Millisecond = 1_000_000;
    private const long Second = 1_000_000_000;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;
    private const long Week = 7 * Day;

    /// <summary>The message influxql gives for any malformed duration.</summary>
    public const string InvalidDuration = "invalid duration";

    /// <summary>
    /// Quotes the segments of a (possibly dotted) identifier as influxql's <c>QuoteIdent</c>: a segment is
    /// double-quoted when it is a keyword, is not a bare identifier, is a non-empty segment before the last,
    /// or is an empty first or last segment.
    /// </summary>
    public static string QuoteIdent(params ReadOnlySpan<string> segments)
    {
        var sb = new StringBuilder();
        AppendQuotedIdent(sb, segments);
        return sb.ToString();
    }

    internal static void AppendQuotedIdent(StringBuilder sb, string ident) => AppendQuotedIdent(sb, [ident]);

    internal static void AppendQuotedIdent(StringBuilder sb, ReadOnlySpan<string> segments)
    {
        for (int i = 0; i < segments.Length; i++)
        {
            string segment = segments[i];
            bool last = i == segments.Length - 1;
            bool quote = IdentNeedsQuotes(segment)
                || (!last && segment.Length != 0)
                || ((i == 0 || last) && segment.Length == 0);
            if (quote) sb.Append('"');
            foreach (char c in segment)
            {
                switch (c)
                {
                    case '\n': sb.Append("\\n"); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '"': sb.Append("\\\""); break;
                    default: sb.Append(c); break;
                }
            }
            if (quote) sb.Append('"');
            if (!last) sb.Append('.');
        }
    }

    /// <summary>True when the identifier must be double-quoted: a keyword, or not <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IdentNeedsQuotes(string ident)
    {
        if (Tokens.Lookup(ident) != Token.Ident) return true;
        for (int i = 0; i < ident.Length; i++)
        {
            char c = ident[i];
            bool ok = i == 0 ? IsIdentFirstChar(c) : IsIdentChar(c);
            if (!ok) return true;
        }
        return false;
    }

    /// <summary>Single-quotes a string literal, escaping newline, backslash and single quote.</summary>
    public static string QuoteString(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendQuotedString(sb, value);
        return sb.ToString();
    }

    internal static void AppendQuotedString(StringBuilder sb, string value)
    {
        sb.Append('\'');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('\'');
    }

    /// <summary>
    /// Formats nanoseconds in the largest InfluxQL unit that divides them exactly:
    /// <c>0s</c>, <c>2w</c>, <c>3d</c>, <c>5h</c>, <c>90s</c>, <c>15ms</c>, <c>3u</c>, <c>7ns</c>.
    /// </summary>
    public static string FormatDuration(long nanoseconds)
    {
        var inv = CultureInfo.InvariantCulture;
        if (nanoseconds == 0) return "0s";
        if (nanoseconds % Week == 0) return (nanoseconds / Week).ToString(inv) + "w";
        if (nanoseconds % Day == 0) return (nanoseconds / Day).ToString(inv) + "d";
        if (nanoseconds % Hour == 0) return (nanoseconds / Hour).ToString(inv) + "h";
        if (nanoseconds % Minute == 0) return (nanoseconds / Minute).ToString(inv) + "m";
        if (nanoseconds % Second == 0) return (nanoseconds / Second).ToString(inv) + "s";
        if (nanoseconds % Millisecond == 0) return (nanoseconds / Millisecond).ToString(inv) + "ms";
        if (nanoseconds % Microsecond == 0) return (nanoseconds / Microsecond).ToString(inv) + "u";
        return nanoseconds.ToString(inv) + "ns";
    }

    /// <summary>
    /// Parses an InfluxQL duration (<c>10ns</c>, <c>10u</c>/<c>10µ</c>, <c>15ms</c>, <c>1s</c>, <c>2m</c>, <c>2h</c>,
    /// <c>2d</c>, <c>2w</c>, concatenations like <c>1h30m</c>, a leading <c>-</c>) into nanoseconds.
    /// On failure <paramref name="error"/> is influxql's message: <c>invalid duration</c> or
    /// <c>overflowed duration 15251w: choose a smaller duration or INF</c>.
    /// </summary>
    public static bool TryParseDuration(string text, out long nanoseconds, [NotNullWhen(false)] out string? error)
    {
        nanoseconds = 0;
        error = InvalidDuration;
        // influxql rejects strings shorter than two bytes (UTF-8) outright.
        if (Encoding.UTF8.GetByteCount(text) < 2) return false;

        int i = 0;
        bool negative = false;
        if (text[0] == '-')
        {
            negative = true;
            i++;
        }

        long total = 0;
        long measure = 0;
        string unit = "";
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && IsDigit(text[i])) i++;
            if (i >= text.Length || i == start) return false;
            if (!long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out long n)) return false;
            measure = n;

            char c = text[i];
            unit = c.ToString();
            // Go's time.Duration arithmetic wraps on overflow; the sign check below catches it as influxql does.
            unchecked
            {
                switch (c)
                {
                    case 'n':
                        if (i + 1 < text.Length && text[i + 1] == 's')
                        {
                            unit = "ns";
                            total += n;
                            i += 2;
                            continue;
                        }
                        return false;
                    case 'u':
                    case 'µ':
                        total += n * Microsecond;
                        break;
                    case 'm':
                        if (i + 1 < text.Length && text[i + 1] == 's')
                        {
                            unit = "ms";
                            total += n * Millisecond;
                            i += 2;
                            continue;
                        }
                        total += n * Minute;
                        break;
                    case 's':
                        total += n * Second;
                        break;
                    case 'h':
                        total += n * Hour;
                        break;
                    case 'd':
                        total += n * Day;
                        break;
                    case 'w':
                        total += n * Week;
                        break;
                    default:
                        return false;
                }
            }
            i++;
        }

        if (total < 0 && !negative)
        {
            error = $"overflowed duration {measure.ToString(CultureInfo.InvariantCulture)}{unit}: choose a smaller duration or INF";
            return false;
        }
        nanoseconds = negative ? unchecked(-total) : total;
        error = null;
        return true;
    }

    internal static bool IsDigit(int c) => c >= '0' && c <= '9';

    internal static bool IsLetter(int c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    internal static bool IsIdentChar(int c) => IsLetter(c) || IsDigit(c) || c == '_';

    internal static bool IsIdentFirstChar(int c) => IsLetter(c) || c == '_';
}
