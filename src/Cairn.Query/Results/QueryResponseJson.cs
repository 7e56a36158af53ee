using System.Buffers;

namespace Cairn.Query.Results;

/// <summary>
/// The body of a <c>/query</c> response, byte for byte as InfluxDB 1.x writes it (httpd.Response,
/// query.Result and models.Row marshalled by encoding/json), each response followed by a newline:
/// <code>
/// {"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["db0"]]}]}]}
/// </code>
/// Keys in Go's field order, empty parts left out (<c>omitempty</c>): a result without series is
/// <c>{"statement_id":0}</c>, a failed one <c>{"statement_id":0,"error":"…"}</c>, a request that failed as a
/// whole <c>{"error":"…"}</c>. Chunked output writes one response per result with <see cref="WriteChunk"/>.
/// </summary>
public static class QueryResponseJson
{
    /// <summary>Writes <c>{"results":[…]}</c> (or <c>{}</c> when there are none), then a newline.</summary>
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<QueryResult> results, ResultFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(results);
        var json = new GoJsonWriter(output, format.Pretty);
        json.StartObject();
        if (results.Count > 0)
        {
            json.PropertyName("results");
            json.StartArray();
            foreach (var result in results) WriteResult(json, result, format);
            json.EndArray();
        }
        json.EndObject();
        json.NewLine();
    }

    /// <summary>One chunk of a chunked response: <c>{"results":[result]}</c> and a newline.</summary>
    public static void WriteChunk(IBufferWriter<byte> output, QueryResult result, ResultFormat format) =>
        Write(output, [result], format);

    /// <summary>A request-level error: <c>{"error":"…"}</c> and a newline.</summary>
    public static void WriteError(IBufferWriter<byte> output, string error, bool pretty = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        var json = new GoJsonWriter(output, pretty);
        json.StartObject();
        json.PropertyName("error");
        json.String(error);
        json.EndObject();
        json.NewLine();
    }

    /// <summary>The bytes of <see cref="Write"/>, for tests and small answers.</summary>
    public static byte[] ToBytes(IReadOnlyList<QueryResult> results, ResultFormat format = default)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, results, format);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteResult(GoJsonWriter json, QueryResult result, ResultFormat format)
    {
        json.StartObject();
        json.PropertyName("statement_id");
        json.Integer(result.StatementId);
        if (result.Series.Count > 0)
        {
            json.PropertyName("series");
            json.StartArray();
            foreach (var series in result.Series) WriteSeries(json, series, format);
            json.EndArray();
        }
        if (result.Messages.Count > 0)
        {
            json.PropertyName("messages");
            json.StartArray();
            foreach (var message in result.Messages)
            {
                json.StartObject();
                json.PropertyName("level");
                json.String(message.Level);
                json.PropertyName("text");
                json.String(message.Text);
                json.EndObject();
            }
            json.EndArray();
        }
        if (result.Partial)
        {
            json.PropertyName("partial");
            json.Boolean(true);
        }
        if (!string.IsNullOrEmpty(result.Error))
        {
            json.PropertyName("error");
            json.String(result.Error);
        }
        json.EndObject();
    }

    private static void WriteSeries(GoJsonWriter json, ResultSeries series, ResultFormat format)
    {
        json.StartObject();
        if (series.Name.Length > 0)
        {
            json.PropertyName("name");
            json.String(series.Name);
        }
        if (series.Tags.Count > 0)
        {
            json.PropertyName("tags");
            json.StartObject();
            foreach (var (key, value) in series.Tags)
            {
                json.PropertyName(key);
                json.String(value);
            }
            json.EndObject();
        }
        if (series.Columns.Count > 0)
        {
            json.PropertyName("columns");
            json.StartArray();
            foreach (var column in series.Columns) json.String(column);
            json.EndArray();
        }
        if (series.Values.Count > 0)
        {
            json.PropertyName("values");
            json.StartArray();
            foreach (var row in series.Values)
            {
                json.StartArray();
                for (int i = 0; i < row.Length; i++) WriteCell(json, row[i], i == 0 ? format.EpochDivisor : 0);
                json.EndArray();
            }
            json.EndArray();
        }
        if (series.Partial)
        {
            json.PropertyName("partial");
            json.Boolean(true);
        }
        json.EndObject();
    }

    private static void WriteCell(GoJsonWriter json, object? cell, long epochDivisor)
    {
        switch (cell)
        {
            case null: json.Null(); break;
            case string s: json.String(s); break;
            case long l: json.Integer(l); break;
            case int i: json.Integer(i); break;
            case ulong u: json.Unsigned(u); break;
            case double d: json.Float(d); break;
            case bool b: json.Boolean(b); break;
            case ResultTime t when epochDivisor > 0: json.Integer(t.UnixNanoseconds / epochDivisor); break;
            case ResultTime t: json.String(ResultText.Rfc3339Nano(t.UnixNanoseconds, t.ZoneOffsetSeconds)); break;
            case string[] strings:
                json.StartArray();
                foreach (var item in strings) json.String(item);
                json.EndArray();
                break;
            default:
                throw new InvalidOperationException($"result cell of type {cell.GetType().Name} has no JSON form");
        }
    }
}
