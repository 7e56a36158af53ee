using Cairn.Common;
using Cairn.Common.Web;
using Cairn.Meta.Licensing;
using Microsoft.AspNetCore.Http;

namespace Cairn.Http;

/// <summary>
/// The data node's public HTTP API. The dispatcher is a switch on the path: it is the hot entry for
/// every write and query, and it keeps the API free of reflection-based routing.
/// </summary>
public sealed class DataHttpApi(LicenseState license, Func<IReadOnlyList<int>> coresInUse)
{
    public Task HandleAsync(HttpContext context)
    {
        InfluxResponses.AddStandardHeaders(context.Response);
        return context.Request.Path.Value switch
        {
            "/ping" => InfluxResponses.PingAsync(context),
            "/health" => HealthAsync(context),
            "/debug/vars" => DebugVarsAsync(context),
            "/write" or "/api/v2/write" => WriteAsync(context),
            _ => InfluxResponses.NotFoundAsync(context),
        };
    }

    /// <summary>GET /health: InfluxDB 1.8's body (Go marshals a map, so keys are sorted).</summary>
    private static Task HealthAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            return InfluxResponses.MethodNotAllowedAsync(context, "GET, HEAD");
        context.Response.StatusCode = StatusCodes.Status200OK;
        return InfluxResponses.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("checks");
            json.WriteEndArray();
            json.WriteString("message", "ready for queries and writes");
            json.WriteString("name", "influxdb");
            json.WriteString("status", "pass");
            json.WriteString("version", BuildInfo.ServerVersion);
            json.WriteEndObject();
        });
    }

    private Task DebugVarsAsync(HttpContext context) =>
        InfluxResponses.DebugVarsAsync(context, json => license.WriteEntitlements(json, coresInUse()));

    /// <summary>
    /// POST /write. The storage engine is not built yet, so no database exists: after the licence
    /// and parameter checks every write is answered as InfluxDB answers a write to a missing database.
    /// </summary>
    private Task WriteAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
            return InfluxResponses.MethodNotAllowedAsync(context, "POST");
        if (license.Refusal("write") is { } refusal)
            return InfluxResponses.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, refusal);
        var db = DatabaseName(context.Request);
        if (string.IsNullOrEmpty(db))
            return InfluxResponses.ErrorAsync(context, StatusCodes.Status400BadRequest, "database is required");
        return InfluxResponses.ErrorAsync(context, StatusCodes.Status404NotFound, $"database not found: \"{db}\"");
    }

    private static string? DatabaseName(HttpRequest request)
    {
        if (request.Path.Value == "/api/v2/write")
        {
            var bucket = request.Query["bucket"].ToString();
            int slash = bucket.IndexOf('/');
            return slash >= 0 ? bucket[..slash] : bucket;
        }
        return request.Query["db"].ToString();
    }
}
