using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cairn.Query.Results;

/// <summary>
/// <c>Accept: application/csv</c> (or <c>text/csv</c>): InfluxDB's csvFormatter. One header
/// <c>name,tags,&lt;columns&gt;</c> per statement (again whenever the columns change, after a blank
/// line), tags as <c>k=v,k=v</c>, times as Unix nanoseconds (or the <c>epoch</c> unit), null as an
/// empty cell, fields quoted as Go's encoding/csv quotes them. Statements without series print nothing.
/// </summary>
public sealed class QueryResponseCsv(ResultFormat format)
{
    private int _statementId = -1;
    private IReadOnlyList<string>? _columns;

    /// <summary>Writes a whole response (or one chunk of a chunked one, keeping the header state).</summary>
    public void Write(IBufferWriter<byte> output, IReadOnlyList<QueryResult> results)
    {
        var text = new StringBuilder();
        foreach (var result in results)
        {
            if (result.Series.Count == 0) continue;
            if (result.StatementId != _statementId)
            {
                if (_statementId >= 0) text.Append('\n');
                _statementId = result.StatementId;
                _columns = result.Series[0].Columns;
                Header(text, _columns);
            }
            for (int i = 0; i < result.Series.Count; i++)
            {
                var series = result.Series[i];
                if (i > 0 && !series.Columns.SequenceEqual(result.Series[i - 1].Columns))
                {
                    text.Append('\n');
                    _columns = series.Columns;
                    Header(text, _columns);
                }
                string tags = string.Join(',', series.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value));
                foreach (var row in series.Values)
                {
                    Field(text, series.Name);
                    text.Append(',');
                    Field(text, tags);
                    foreach (var value in row)
                    {
                        text.Append(',');
                        Field(text, Cell(value));
                    }
                    text.Append('\n');
                }
            }
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        output.Write(bytes);
    }

    /// <summary>A request-level error: <c>error</c>, then the message.</summary>
    public static void WriteError(IBufferWriter<byte> output, string error)
    {
        var text = new StringBuilder("error\n");
        Field(text, error);
        text.Append('\n');
        output.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static void Header(StringBuilder text, IReadOnlyList<string> columns)
    {
        text.Append("name,tags");
        foreach (var column in columns)
        {
            text.Append(',');
            Field(text, column);
        }
        text.Append('\n');
    }

    private string Cell(object? value) => value switch
    {
        null => "",
        double d => GoFormatFloat(d),
        float f => GoFormatFloat(f),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        ulong u => u.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => s,
        ResultTime t => (format.EpochDivisor > 0 ? t.UnixNanoseconds / format.EpochDivisor : t.UnixNanoseconds).ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>.</summary>
    private static string GoFormatFloat(double value) => Parsing.GoFormat.FormatFloatF(value);

    /// <summary>Go's encoding/csv: quote a field holding the delimiter, a quote, CR or LF, or starting with a space; double the quotes.</summary>
    private static void Field(StringBuilder text, string field)
    {
        bool quote = field.Length > 0 && (char.IsWhiteSpace(field[0]) || field.AsSpan().IndexOfAny(",\"\r\n") >= 0);
        if (field == @"\.") quote = true;
        if (!quote)
        {
            text.Append(field);
            return;
        }
        text.Append('"');
        foreach (char c in field)
        {
            if (c == '"') text.Append("\"\"");
            else text.Append(c);
        }
        text.Append('"');
    }
}
