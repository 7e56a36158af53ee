using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Cairn.Common.Web;

/// <summary>Headers and small bodies every InfluxDB 1.x HTTP response has, shared by the data and meta APIs.</summary>
public static class InfluxResponses
{
    /// <summary>InfluxDB Enterprise answers "ENT"; clients only show it.</summary>
    public const string Build = "ENT";

    public static void AddStandardHeaders(HttpResponse response)
    {
        var id = Guid.NewGuid().ToString();
        var headers = response.Headers;
        headers["Request-Id"] = id;
        headers["X-Request-Id"] = id;
        headers["X-Influxdb-Build"] = Build;
        headers["X-Influxdb-Version"] = BuildInfo.ServerVersion;
    }

    /// <summary>GET|HEAD /ping: 204, or 200 with {"version":…} when verbose=true.</summary>
    public static Task PingAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            return MethodNotAllowedAsync(context, "GET, HEAD");
        if (IsTrue(request.Query["verbose"]))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return WriteJsonAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("version", BuildInfo.ServerVersion);
                json.WriteEndObject();
            });
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>GET /debug/vars: expvar-style JSON, the runtime part first, then the caller's own sections.</summary>
    public static Task DebugVarsAsync(HttpContext context, Action<Utf8JsonWriter> writeSections)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
            return MethodNotAllowedAsync(context, "GET");
        context.Response.StatusCode = StatusCodes.Status200OK;
        return WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            RuntimeStats.WriteCommon(json);
            writeSections(json);
            json.WriteEndObject();
        }, indented: true);
    }

    public static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = allow;
        return ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "method not allowed");
    }

    public static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("404 page not found\n");
    }

    /// <summary>InfluxDB's error body: {"error":"…"} with the given status.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", message);
            json.WriteEndObject();
        });
    }

    public static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write, bool indented = false)
    {
        var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer, indented ? JsonWriting.Indented : JsonWriting.Compact))
            write(json);
        if (indented) buffer.WriteByte((byte)'\n');
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    public static bool IsTrue(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("t", StringComparison.OrdinalIgnoreCase));

    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
