using System.Globalization;
using System.Text;
using Cairn.Storage;

namespace Cairn.Storage.Tests.LineProtocol;

/// <summary>A point as a test generates it: unescaped names, typed values.</summary>
internal sealed record PointModel(
    string Measurement,
    IReadOnlyList<(string Key, string Value)> Tags,
    IReadOnlyList<(string Key, FieldType Type, object Value)> Fields,
    long? Timestamp);

/// <summary>
/// Test-only line protocol writer: escapes per the InfluxDB 1.x rules so that the parser must give the
/// model back. Names must be representable (<see cref="IsRepresentable"/>): InfluxDB has no escape for a
/// backslash, so a backslash before a byte that has a meaning, or at the end of a name, cannot be written.
/// </summary>
internal static class LineProtocolWriter
{
    /// <summary>Bytes with a meaning after a backslash, in some part of a line.</summary>
    private const string EscapeTargets = ", =\"\\";

    public static bool IsRepresentable(string name, bool isMeasurement, bool isFirstFieldKey = false)
    {
        if (name.Length == 0 || name.Contains('\n') || name.Contains('\r'))
        {
            return false;
        }

        // Leading tabs and NULs are whitespace before a line or the fields; '#' starts a comment.
        if ((isMeasurement || isFirstFieldKey) && (name[0] == '\t' || name[0] == '\0'))
        {
            return false;
        }

        if (isMeasurement && name[0] == '#')
        {
            return false;
        }

        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && (i == name.Length - 1 || EscapeTargets.Contains(name[i + 1])))
            {
                return false;
            }
        }

        return true;
    }

    public static string EscapeMeasurement(string name)
        => name.Replace(",", "\\,").Replace(" ", "\\ ").Replace("=", "\\=").Replace("\"", "\\\"");

    public static string EscapeTag(string text) => text.Replace(",", "\\,").Replace(" ", "\\ ").Replace("=", "\\=");

    public static string EscapeFieldKey(string text) => EscapeTag(text);

    public static string QuoteString(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>The series key the parser must produce: escaped measurement, tags sorted by escaped key bytes.</summary>
    public static string SeriesKey(PointModel point)
    {
        var key = new StringBuilder(EscapeMeasurement(point.Measurement));
        foreach ((string Key, string Value) tag in SortedTags(point))
        {
            key.Append(',').Append(EscapeTag(tag.Key)).Append('=').Append(EscapeTag(tag.Value));
        }

        return key.ToString();
    }

    public static IEnumerable<(string Key, string Value)> SortedTags(PointModel point)
        => point.Tags.OrderBy(t => System.Text.Encoding.UTF8.GetBytes(EscapeTag(t.Key)), ByteOrder.Instance);

    public static string Line(PointModel point, string separator = " ")
    {
        var line = new StringBuilder(EscapeMeasurement(point.Measurement));
        foreach ((string key, string value) in point.Tags)
        {
            line.Append(',').Append(EscapeTag(key)).Append('=').Append(EscapeTag(value));
        }

        line.Append(separator);
        for (int i = 0; i < point.Fields.Count; i++)
        {
            (string key, FieldType type, object value) = point.Fields[i];
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append(EscapeFieldKey(key)).Append('=').Append(FormatValue(type, value));
        }

        if (point.Timestamp is long timestamp)
        {
            line.Append(separator).Append(timestamp.ToString(CultureInfo.InvariantCulture));
        }

        return line.ToString();
    }

    public static string FormatValue(FieldType type, object value) => type switch
    {
        FieldType.Float => ((double)value).ToString("R", CultureInfo.InvariantCulture),
        FieldType.Integer => ((long)value).ToString(CultureInfo.InvariantCulture) + "i",
        FieldType.Unsigned => ((ulong)value).ToString(CultureInfo.InvariantCulture) + "u",
        FieldType.Boolean => (string)value,
        _ => QuoteString((string)value),
    };

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
