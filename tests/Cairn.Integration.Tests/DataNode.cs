using System.Net;
using System.Text;

namespace Cairn.Integration.Tests;

/// <summary>Helpers for tests that write to and query a running data node over HTTP.</summary>
internal static class DataNode
{
    /// <summary>[data] keys (for <c>LoopbackToml(dataExtra:)</c>) of an engine that snapshots and compacts often.</summary>
    public static string EagerEngineToml(string cacheSnapshot = "64k", string fullCold = "2s") => $"""
        cache-snapshot-memory-size = "{cacheSnapshot}"
        cache-snapshot-write-cold-duration = "1s"
        compact-full-write-cold-duration = "{fullCold}"
        """;

    public static Dictionary<string, string> EagerEngineEnvironment() => new() { ["CAIRN_ENGINE_MAINTENANCE_INTERVAL"] = "50ms" };

    /// <summary>POST /query with form body; returns status and body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> QueryAsync(HttpClient http, string q, string? db = null)
    {
        var form = new Dictionary<string, string> { ["q"] = q };
        if (db is not null) form["db"] = db;
        using var response = await http.PostAsync("/query", new FormUrlEncodedContent(form));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(HttpStatusCode Status, string Body)> WriteAsync(HttpClient http, string db, string body, string? extraQuery = null)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        using var response = await http.PostAsync($"/write?db={Uri.EscapeDataString(db)}" + (extraQuery is null ? "" : "&" + extraQuery), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Runs `cairn inspect export --lponly` over a stopped node; returns the lines and exit code.</summary>
    public static async Task<(int Code, string[] Lines, string Stderr)> ExportAsync(Sandbox sandbox, string configPath)
    {
        var outPath = sandbox.PathOf("export-" + Guid.NewGuid().ToString("N")[..6] + ".lp");
        var (code, _, stderr) = await CairnProcess.RunToEndAsync(["inspect", "export", "--config", configPath, "--lponly", "--out", outPath], sandbox.Dir);
        var lines = File.Exists(outPath) ? await File.ReadAllLinesAsync(outPath) : [];
        return (code, lines, stderr);
    }

    public static IEnumerable<string> DataFiles(Sandbox sandbox) =>
        Directory.Exists(sandbox.PathOf("data")) ? Directory.EnumerateFiles(sandbox.PathOf("data"), "*.csf", SearchOption.AllDirectories) : [];
}
