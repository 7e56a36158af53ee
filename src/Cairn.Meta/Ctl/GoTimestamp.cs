using System.Globalization;
using System.Text;

namespace Cairn.Meta.Ctl;

/// <summary>
/// An RFC 3339 timestamp as the meta API sends it, kept to the nanosecond with its zone offset,
/// and printed the way influxd-ctl's Go code prints a <c>time.Time</c>.
/// </summary>
internal readonly struct GoTimestamp
{
    private readonly DateTime _local;   // wall-clock time in the sender's offset, whole seconds
    private readonly TimeSpan _offset;
    private readonly int _nanos;

    private GoTimestamp(DateTime local, TimeSpan offset, int nanos)
    {
        _local = local;
        _offset = offset;
        _nanos = nanos;
    }

    /// <summary>Go's zero time, 0001-01-01T00:00:00Z, which the API sends for "never".</summary>
    public bool IsZero => _nanos == 0 && _local.Ticks - _offset.Ticks == 0;

    /// <summary>Parses <c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)</c>; an empty string is the zero time.</summary>
    public static bool TryParse(string text, out GoTimestamp value)
    {
        value = default;
        if (text.Length == 0)
        {
            value = new GoTimestamp(DateTime.MinValue, TimeSpan.Zero, 0);
            return true;
        }
        if (text.Length < 20 || !DateTime.TryParseExact(text.AsSpan(0, 19), "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return false;
        int i = 19;
        int nanos = 0;
        if (text[i] == '.')
        {
            int start = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            int digits = i - start;
            if (digits is 0 or > 9) return false;
            nanos = int.Parse(text.AsSpan(start, digits), CultureInfo.InvariantCulture);
            for (int d = digits; d < 9; d++) nanos *= 10;
        }
        var zone = text.AsSpan(i);
        TimeSpan offset;
        if (zone is "Z" or "z") offset = TimeSpan.Zero;
        else if (zone.Length == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':'
                 && int.TryParse(zone.Slice(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hh)
                 && int.TryParse(zone.Slice(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var mm))
        {
            offset = new TimeSpan(hh, mm, 0);
            if (zone[0] == '-') offset = -offset;
        }
        else return false;
        value = new GoTimestamp(local, offset, nanos);
        return true;
    }

    /// <summary>Go's <c>time.RFC3339</c>: seconds, then Z or ±hh:mm.</summary>
    public string FormatRfc3339() => AppendZone(new StringBuilder(_local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)), colon: true, zulu: true).ToString();

    /// <summary>Go's <c>time.RFC3339Nano</c>: like RFC 3339 with the fraction's trailing zeros dropped.</summary>
    public string FormatRfc3339Nano()
    {
        var sb = new StringBuilder(_local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(sb);
        return AppendZone(sb, colon: true, zulu: true).ToString();
    }

    /// <summary>
    /// Go's <c>time.Time.String()</c>, <c>2006-01-02 15:04:05.999999999 -0700 MST</c>. A time
    /// parsed from a numeric offset has no zone name, so Go prints the offset twice
    /// (<c>-0400 -0400</c>); UTC prints as <c>+0000 UTC</c>.
    /// </summary>
    public string FormatGoString()
    {
        var sb = new StringBuilder(_local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(sb);
        sb.Append(' ');
        AppendZone(sb, colon: false, zulu: false);
        sb.Append(' ');
        if (_offset == TimeSpan.Zero) sb.Append("UTC");
        else AppendZone(sb, colon: false, zulu: false);
        return sb.ToString();
    }

    private void AppendFraction(StringBuilder sb)
    {
        if (_nanos == 0) return;
        sb.Append('.').Append(_nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
    }

    private StringBuilder AppendZone(StringBuilder sb, bool colon, bool zulu)
    {
        if (zulu && _offset == TimeSpan.Zero) return sb.Append('Z');
        var abs = _offset.Duration();
        sb.Append(_offset < TimeSpan.Zero ? '-' : '+').Append(abs.Hours.ToString("D2", CultureInfo.InvariantCulture));
        if (colon) sb.Append(':');
        return sb.Append(abs.Minutes.ToString("D2", CultureInfo.InvariantCulture));
    }
}
