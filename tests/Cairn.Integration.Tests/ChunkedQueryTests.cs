using System.Text;

namespace Cairn.Integration.Tests;

/// <summary>
/// <c>chunked=true</c> and <c>chunk_size</c> on /query, Cairn against the real InfluxDB 1.6.7, byte for byte: a
/// series longer than the chunk, several series and measurements, several statements (SELECT and not), an empty
/// SELECT, LIMIT/SLIMIT, a failing statement, the 10000-row default and the parameter values that fall back to it.
/// </summary>
public class ChunkedQueryTests
{
    private const long T0 = 946_684_800; // 2000-01-01T00:00:00Z, seconds

    private static string Points()
    {
        var lines = new StringBuilder();
        for (int i = 0; i < 25; i++) lines.Append($"cpu,host=a value={i} {(T0 + i) * 1_000_000_000L}\n");
        for (int i = 0; i < 3; i++) lines.Append($"cpu,host=b value={100 + i}.5 {(T0 + i) * 1_000_000_000L}\n");
        lines.Append($"mem,host=a free=5i {T0 * 1_000_000_000L}\n");
        for (int i = 0; i < 10_005; i++) lines.Append($"big value={i}i {(T0 + i) * 1_000_000_000L}\n");
        return lines.ToString();
    }

    /// <summary>(query string parameters after db=chunks, q).</summary>
    private static readonly (string Parameters, string Query)[] Requests =
    [
        ("chunked=true&chunk_size=10", "SELECT value FROM cpu GROUP BY host"),
        ("chunked=true&chunk_size=7", "SELECT value FROM cpu GROUP BY host; SELECT * FROM mem; SHOW DATABASES; SELECT value FROM cpu"),
        ("chunked=true&chunk_size=5",
            "SELECT value FROM nothing; SELECT count(value) FROM cpu GROUP BY time(2s) fill(none); SELECT value FROM cpu LIMIT 12 SLIMIT 1; SELECT bad(value) FROM cpu"),
        ("chunked=true&chunk_size=3", "SELECT value FROM cpu WHERE host = 'b'; SELECT max(value) FROM cpu GROUP BY host"),
        ("chunked=true", "SELECT value FROM big"),
        ("chunked=true&chunk_size=0", "SELECT value FROM cpu"),
        ("chunked=true&chunk_size=-3", "SELECT value FROM cpu"),
        ("chunked=true&chunk_size=abc", "SELECT value FROM cpu"),
        ("chunked=true&chunk_size=4&pretty=true", "SELECT value FROM cpu LIMIT 6"),
        ("chunked=true&chunk_size=4&epoch=s", "SELECT value FROM cpu GROUP BY host"),
        ("chunk_size=2", "SELECT value FROM cpu GROUP BY host"),
        ("chunked=1&chunk_size=2", "SELECT value FROM cpu"),
    ];

    [Test]
    public async Task ChunkedQueries_AnswerAsInfluxDb167()
    {
        var influxdTask = InfluxdProcess.StartAsync();
        await using var sandbox = new Sandbox();
        var cairn = sandbox.Run([], Sandbox.LoopbackEnvironment());
        var ready = await cairn.WaitForReadyAsync();
        await using var influxd = await influxdTask;
        using var cairnHttp = Sandbox.Http(ready["http"]);
        using var influxHttp = Sandbox.Http(influxd.HostPort);
        foreach (var http in new[] { cairnHttp, influxHttp })
        {
            await DataNode.QueryAsync(http, "CREATE DATABASE chunks");
            var (status, body) = await DataNode.WriteAsync(http, "chunks", Points());
            await Assert.That((int)status).IsEqualTo(204).Because(body);
        }

        var differences = new StringBuilder();
        foreach (var (parameters, query) in Requests)
        {
            string path = "/query?db=chunks&" + parameters + "&q=" + Uri.EscapeDataString(query);
            var ours = await GetAsync(cairnHttp, path);
            var theirs = await GetAsync(influxHttp, path);
            if (ours != theirs)
                differences.Append("\n• ").Append(path).Append("\n    cairn:  ").Append(Shorten(ours)).Append("\n    influx: ").Append(Shorten(theirs));
        }
        await Assert.That(differences.ToString()).IsEmpty().Because("chunked answers differ:" + differences);
    }

    private static async Task<string> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}\n{await response.Content.ReadAsStringAsync()}";
    }

    private static string Shorten(string text) => text.Length > 4000 ? text[..2000] + " … " + text[^2000..] : text;
}
