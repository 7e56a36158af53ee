using System.Buffers;

namespace Cairn.Storage.LineProtocol;

/// <summary>
/// One of InfluxDB's unescaping rules: a backslash followed by one of the escapable bytes stands for that
/// byte; any other backslash is kept as it is.
/// </summary>
internal sealed class Escaping
{
    /// <summary>Measurement names (escape.Unescape, for point.Name()) and field keys (escape.AppendUnescaped).</summary>
    public static readonly Escaping NameOrFieldKey = new(",\" ="u8);

    /// <summary>Tag keys and values (unescapeTag, for point.Tags()).</summary>
    public static readonly Escaping Tag = new(", ="u8);

    /// <summary>The text between the quotes of a string value (unescapeStringField).</summary>
    public static readonly Escaping StringValue = new("\\\""u8);

    private readonly SearchValues<byte> _escapable;

    private Escaping(ReadOnlySpan<byte> escapable)
    {
        _escapable = SearchValues.Create(escapable);
    }

    /// <summary>Writes the unescaped form of <paramref name="raw"/>; returns its length (never longer).</summary>
    public static int Unescape(ReadOnlySpan<byte> raw, Span<byte> destination, Escaping escaping)
    {
        int backslash = raw.IndexOf((byte)'\\');
        if (backslash < 0)
        {
            raw.CopyTo(destination);
            return raw.Length;
        }

        raw[..backslash].CopyTo(destination);
        int written = backslash;
        int i = backslash;
        while (i < raw.Length)
        {
            byte c = raw[i];
            if (c == '\\' && i + 1 < raw.Length && escaping._escapable.Contains(raw[i + 1]))
            {
                destination[written++] = raw[i + 1];
                i += 2;
                continue;
            }

            destination[written++] = c;
            i++;
        }

        return written;
    }
}
