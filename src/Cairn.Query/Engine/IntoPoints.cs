using System.Globalization;
using System.Text;
using Cairn.Query.Results;

namespace Cairn.Query.Engine;

/// <summary>
/// SELECT … INTO: the rows of a result as line protocol, one point per row, as influxql's into iterator writes
/// them: the series' tags as tags, every non-null column but time as a field, rows with no value left out.
/// </summary>
public static class IntoPoints
{
    /// <summary>
    /// Encodes <paramref name="series"/> into <paramref name="measurement"/> ("" keeps each series' own name, for
    /// <c>:MEASUREMENT</c>). Returns the body and the number of points in it.
    /// </summary>
    /// <remarks>Columns named in <paramref name="tagColumns"/> (top()/bottom() tag arguments) are written as tags.</remarks>
    public static (byte[] Body, int Points) Encode(IReadOnlyList<ResultSeries> series, string measurement, IReadOnlySet<string>? tagColumns = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var sb = new StringBuilder();
        int points = 0;
        foreach (var s in series)
        {
            foreach (var row in s.Values)
            {
                var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var (k, v) in s.Tags) tags[k] = v;
                for (int c = 1; c < row.Length && c < s.Columns.Count; c++)
                {
                    if (tagColumns is not null && tagColumns.Contains(s.Columns[c]) && row[c] is string tv) tags[s.Columns[c]] = tv;
                }
                var prefix = new StringBuilder();
                Escape(prefix, measurement.Length != 0 ? measurement : s.Name, measurementName: true);
                foreach (var (k, v) in tags)
                {
                    if (v.Length == 0) continue;
                    prefix.Append(',');
                    Escape(prefix, k, false);
                    prefix.Append('=');
                    Escape(prefix, v, false);
                }
                var fields = new StringBuilder();
                for (int c = 1; c < row.Length && c < s.Columns.Count; c++)
                {
                    if (tagColumns is not null && tagColumns.Contains(s.Columns[c])) continue;
                    string? value = row[c] switch
                    {
                        double d when double.IsFinite(d) => d.ToString("R", CultureInfo.InvariantCulture),
                        long l => l.ToString(CultureInfo.InvariantCulture) + "i",
                        ulong u => u.ToString(CultureInfo.InvariantCulture) + "u",
                        bool b => b ? "true" : "false",
                        string str => "\"" + str.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
                        _ => null,
                    };
                    if (value is null) continue;
                    if (fields.Length > 0) fields.Append(',');
                    Escape(fields, s.Columns[c], false);
                    fields.Append('=').Append(value);
                }
                if (fields.Length == 0 || row[0] is not ResultTime time) continue;
                sb.Append(prefix).Append(' ').Append(fields).Append(' ')
                    .Append(time.UnixNanoseconds.ToString(CultureInfo.InvariantCulture)).Append('\n');
                points++;
            }
        }
        return (Encoding.UTF8.GetBytes(sb.ToString()), points);
    }

    private static void Escape(StringBuilder sb, string text, bool measurementName)
    {
        foreach (char ch in text)
        {
            if (ch is ',' or ' ' || (!measurementName && ch == '=')) sb.Append('\\');
            sb.Append(ch);
        }
    }
}
