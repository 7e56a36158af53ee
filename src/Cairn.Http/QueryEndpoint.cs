using System.Buffers;
using System.Globalization;
using Cairn.Http.Auth;
using Cairn.Http.Statements;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Parsing;
using Cairn.Query.Results;
using Cairn.Storage.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Cairn.Http;

/// <summary>
/// <c>GET|POST /query</c> as InfluxDB 1.x's httpd handler serves it: <c>q</c> from the query string or a
/// form body (urlencoded or multipart, a field or a file), <c>db</c>, <c>rp</c>, <c>params</c>, <c>epoch</c>,
/// <c>pretty</c>, <c>chunked</c> and <c>chunk_size</c>; one result per statement under its statement_id. A GET runs writes too,
/// with InfluxDB's read-only warning in the result's messages.
/// </summary>
/// <remarks>
/// The caller adds the standard headers (<c>InfluxResponses.AddStandardHeaders</c>) before dispatching here.
/// Request-level failures answer <c>{"error":"…"}</c> with 400 and an <c>X-Influxdb-Error</c> header;
/// statement failures answer 200 with the error inside the statement's result.
/// </remarks>
public sealed class QueryEndpoint
{
    private readonly StatementExecutor _executor;

    /// <summary>Serves queries with an executor over <paramref name="meta"/> and <paramref name="shards"/> (retention-autocreate on).</summary>
    public QueryEndpoint(IMetaStore meta, IShardCatalog shards) : this(new StatementExecutor(meta, shards))
    {
    }

    /// <summary>Serves queries with <paramref name="executor"/> (to pass a clock or retention-autocreate off).</summary>
    public QueryEndpoint(StatementExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        _executor = executor;
    }

    /// <summary><c>[http] auth-enabled</c>: when set and enabled, each query is authorized for the request's user before it runs.</summary>
    public HttpAuthentication? Authentication { get; init; }

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsPost(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, POST";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "method not allowed", pretty: false).ConfigureAwait(false);
            return;
        }

        var ct = context.RequestAborted;
        IFormCollection? form = null;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
            form = await request.ReadFormAsync(ct).ConfigureAwait(false);

        // Go's pretty flag reads the URL only; everything else is r.FormValue (body first, then URL).
        bool pretty = request.Query["pretty"].ToString() == "true";
        string text = FormValue(request, form, "q").Trim();
        if (text.Length == 0 && form?.Files.GetFile("q") is { } file)
        {
            using var reader = new StreamReader(file.OpenReadStream());
            text = (await reader.ReadToEndAsync(ct).ConfigureAwait(false)).Trim();
        }
        if (text.Length == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "missing required parameter \"q\"", pretty).ConfigureAwait(false);
            return;
        }

        IReadOnlyDictionary<string, object?>? parameters = null;
        string rawParams = FormValue(request, form, "params");
        if (rawParams.Length != 0)
        {
            if (!QueryParameters.TryParseJson(rawParams, out var parsed, out var paramsError))
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, paramsError!, pretty).ConfigureAwait(false);
                return;
            }
            parameters = parsed;
        }

        if (!InfluxQLParser.TryParse(text, parameters, out InfluxQuery? query, out var parseError))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, parseError.ResponseMessage, pretty).ConfigureAwait(false);
            return;
        }

        string database = FormValue(request, form, "db");
        UserInfo? user = null;
        if (Authentication is { Enabled: true } auth)
        {
            user = HttpAuthentication.UserOf(context);
            if (QueryAuthorizer.Authorize(auth.Meta.Current, user, query, database) is { } denied)
            {
                await WriteErrorAsync(context, StatusCodes.Status403Forbidden, "error authorizing query: " + denied, pretty).ConfigureAwait(false);
                return;
            }
        }

        bool chunked = FormValue(request, form, "chunked") == "true";
        int chunkSize = ExecutionOptions.DefaultChunkSize;
        if (chunked && long.TryParse(FormValue(request, form, "chunk_size"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long requested)
            && requested > 0)
            chunkSize = (int)Math.Min(requested, int.MaxValue);
        var options = new ExecutionOptions(database, FormValue(request, form, "rp"), ReadOnly: HttpMethods.IsGet(request.Method), User: user,
            ChunkSize: chunkSize);
        var format = new ResultFormat(pretty, ResultFormat.EpochDivisorOf(FormValue(request, form, "epoch").Trim()));

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var encoding = Negotiate(request.Headers.Accept);
        response.ContentType = encoding switch
        {
            ResponseEncoding.Csv => CsvContentType(request.Headers.Accept),
            ResponseEncoding.Msgpack => "application/x-msgpack",
            _ => "application/json",
        };
        var csv = encoding == ResponseEncoding.Csv ? new QueryResponseCsv(format) : null;
        // Registered for SHOW QUERIES / KILL QUERY, bounded by max-concurrent-queries and query-timeout.
        using var running = _executor.Queries.Attach(text, options.Database, ct, out var attachError);
        var buffer = new QueryResponseBuffer();
        if (running is null)
        {
            await Emit(QueryResult.Failed(0, attachError!)).ConfigureAwait(false);
        }
        else
        {
            int produced = 0;
            var results = _executor.ExecuteAsync(query, options, running.Token).GetAsyncEnumerator(running.Token);
            try
            {
                while (true)
                {
                    QueryResult result;
                    try
                    {
                        if (!await results.MoveNextAsync().ConfigureAwait(false)) break;
                        result = results.Current;
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        // KILL QUERY or query-timeout: the statement running now ends with InfluxDB's text.
                        result = QueryResult.Failed(produced, running.InterruptionReason);
                        await Emit(result).ConfigureAwait(false);
                        break;
                    }
                    produced = result.StatementId + 1;
                    await Emit(result).ConfigureAwait(false);
                }
            }
            finally
            {
                await results.DisposeAsync().ConfigureAwait(false);
            }
        }
        if (chunked) return;

        async ValueTask Emit(QueryResult result)
        {
            if (!chunked)
            {
                buffer.Add(result);
                return;
            }
            // One response object per result, each flushed as it is ready.
            var chunk = new ArrayBufferWriter<byte>(256);
            Encode(chunk, [result], format, encoding, csv);
            await response.Body.WriteAsync(chunk.WrittenMemory, ct).ConfigureAwait(false);
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
        }

        var body = new ArrayBufferWriter<byte>(512);
        Encode(body, buffer.Results, format, encoding, csv);
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, ct).ConfigureAwait(false);
    }

    private enum ResponseEncoding { Json, Csv, Msgpack }

    private static void Encode(ArrayBufferWriter<byte> output, IReadOnlyList<QueryResult> results, ResultFormat format, ResponseEncoding encoding, QueryResponseCsv? csv)
    {
        switch (encoding)
        {
            case ResponseEncoding.Csv: csv!.Write(output, results); break;
            case ResponseEncoding.Msgpack: QueryResponseMsgpack.Write(output, results, format); break;
            default: QueryResponseJson.Write(output, results, format); break;
        }
    }

    /// <summary>
    /// InfluxDB's content negotiation: the Accept entries by descending q, the first that names (or
    /// wildcards) application/json, application/csv, text/csv or application/x-msgpack; JSON otherwise.
    /// </summary>
    private static ResponseEncoding Negotiate(StringValues accept)
    {
        foreach (var (type, sub) in AcceptEntries(accept))
        {
            if ((type is "*" or "application") && (sub is "*" or "json")) return ResponseEncoding.Json;
            if ((type is "*" or "application") && sub == "csv") return ResponseEncoding.Csv;
            if ((type is "*" or "text") && sub == "csv") return ResponseEncoding.Csv;
            if ((type is "*" or "application") && sub == "x-msgpack") return ResponseEncoding.Msgpack;
        }
        return ResponseEncoding.Json;
    }

    private static string CsvContentType(StringValues accept)
    {
        foreach (var (type, sub) in AcceptEntries(accept))
        {
            if ((type is "*" or "application") && (sub is "*" or "json")) break;
            if ((type is "*" or "application") && sub == "csv") return "application/csv";
            if (type == "text" && sub == "csv") return "text/csv";
        }
        return "application/csv";
    }

    private static IEnumerable<(string Type, string SubType)> AcceptEntries(StringValues accept)
    {
        var entries = new List<(string Type, string SubType, double Q, int Order)>();
        foreach (var header in accept)
        {
            if (header is null) continue;
            foreach (var part in header.Split(','))
            {
                var pieces = part.Split(';');
                var media = pieces[0].Trim();
                int slash = media.IndexOf('/');
                if (slash <= 0) continue;
                double q = 1;
                foreach (var parameter in pieces.Skip(1))
                {
                    var kv = parameter.Split('=', 2);
                    if (kv.Length == 2 && kv[0].Trim() == "q" && double.TryParse(kv[1].Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed)) q = parsed;
                }
                entries.Add((media[..slash], media[(slash + 1)..], q, entries.Count));
            }
        }
        return entries.OrderByDescending(e => e.Q).ThenBy(e => e.Order).Select(e => (e.Type, e.SubType));
    }

    /// <summary>Go's <c>r.FormValue</c>: the form body's value, else the URL's; the first of repeated values.</summary>
    private static string FormValue(HttpRequest request, IFormCollection? form, string key)
    {
        if (form is not null && form.TryGetValue(key, out StringValues fromForm) && fromForm.Count > 0) return fromForm[0] ?? "";
        return request.Query.TryGetValue(key, out var fromQuery) && fromQuery.Count > 0 ? fromQuery[0] ?? "" : "";
    }

    // Go sends the bytes as they are; Kestrel refuses non-ASCII header values, so those become '?'.
    private static string HeaderText(string message) =>
        string.Create(message.Length, message, static (span, text) =>
        {
            for (int i = 0; i < text.Length; i++) span[i] = text[i] is >= ' ' and <= '~' ? text[i] : '?';
        });

    /// <summary>InfluxDB's httpError: the status, <c>X-Influxdb-Error</c> (first 1024 characters) and <c>{"error":"…"}</c>.</summary>
    /// <summary>InfluxDB's httpError: the status, <c>X-Influxdb-Error</c> (first 1024 characters) and <c>{"error":…}</c> plus a newline.</summary>
    internal static async Task WriteErrorAsync(HttpContext context, int status, string message, bool pretty)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers["X-Influxdb-Error"] = HeaderText(message.Length > 1024 ? message[..1024] : message);
        response.ContentType = "application/json";
        var body = new ArrayBufferWriter<byte>(128);
        QueryResponseJson.WriteError(body, message, pretty);
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
