using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Cairn.Query.Parsing;

namespace Cairn.Query.Tests.Parsing;

/// <summary>
/// Every command of InfluxDB's own server test suite (tests/conformance/server_cases.json): it parses and
/// round-trips, or InfluxDB answered "error parsing query" for it and so do we, with the same text.
/// </summary>
public class ConformanceCorpusTests
{
    private const string ParseErrorMarker = "error parsing query";

    [Test]
    public async Task Parse_EveryCorpusCommand_ParsesOrFailsAsInfluxDB()
    {
        string? path = FindCorpus();
        if (path is null)
        {
            Skip.Test("conformance corpus tests/conformance/server_cases.json not found next to the repository");
            return;
        }

        var cases = LoadCommands(path);
        int parsed = 0, roundTripped = 0, lossyPrinted = 0, expectedErrors = 0, errorsMatched = 0;
        var failures = new List<string>();

        foreach (var (command, expected) in cases)
        {
            bool influxFailed = expected.Contains(ParseErrorMarker, StringComparison.Ordinal);
            bool ok = InfluxQLParser.TryParse(command, null, out var query, out var error);
            if (influxFailed)
            {
                expectedErrors++;
                if (ok)
                {
                    failures.Add($"parsed, but InfluxDB failed: {command}");
                    continue;
                }
                string? influxMessage = ErrorMessage(expected);
                if (influxMessage == error!.ResponseMessage) errorsMatched++;
                else failures.Add($"error text differs for {command}: influx={influxMessage} cairn={error.ResponseMessage}");
                continue;
            }

            if (!ok)
            {
                failures.Add($"failed to parse: {command}: {error!.Text}");
                continue;
            }
            parsed++;
            foreach (var statement in query!.Statements)
            {
                if (RoundTrip.LossyReason(statement) is not null)
                {
                    lossyPrinted++;
                    continue;
                }
                if (RoundTrip.Check(statement) is { } problem) failures.Add(problem);
                else roundTripped++;
            }
        }

        var report = new StringBuilder()
            .AppendLine($"corpus commands: {cases.Count}")
            .AppendLine($"parsed: {parsed}; statements round-tripped: {roundTripped}; lossy by design (printed only): {lossyPrinted}")
            .AppendLine($"InfluxDB parse errors: {expectedErrors}; same error text: {errorsMatched}")
            .AppendLine($"failures: {failures.Count}");
        foreach (var f in failures) report.AppendLine("  " + f);
        Console.WriteLine(report.ToString());

        await Assert.That(failures).IsEmpty();
        await Assert.That(errorsMatched).IsEqualTo(expectedErrors);
    }

    /// <summary>
    /// The corpus is copied into tests/conformance under the repository root (the directory holding Cairn.sln). The root is
    /// found from this source file's path (builds may put the binaries anywhere) or the working directory.
    /// </summary>
    private static string? FindCorpus([CallerFilePath] string sourceFile = "")
    {
        foreach (string start in new[] { Path.GetDirectoryName(sourceFile) ?? "", Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = start.Length == 0 ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "Cairn.sln"))) continue;
                string candidate = Path.Combine(dir.FullName, "tests", "conformance", "server_cases.json");
                if (File.Exists(candidate)) return candidate;
                break;
            }
        }
        return null;
    }

    private static List<(string Command, string Expected)> LoadCommands(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var commands = new List<(string, string)>();
        foreach (var test in document.RootElement.EnumerateArray())
        {
            if (!test.TryGetProperty("queries", out var queries)) continue;
            foreach (var q in queries.EnumerateArray())
            {
                string command = q.GetProperty("command").GetString()!;
                string expected = q.TryGetProperty("exp", out var exp) ? exp.GetString() ?? "" : "";
                commands.Add((command, expected));
            }
        }
        return commands;
    }

    private static string? ErrorMessage(string expectedBody)
    {
        try
        {
            using var body = JsonDocument.Parse(expectedBody);
            return body.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
