using System.Text.Json;
using Cairn.Common.Logging;
using NLog;
using NLog.Config;

namespace Cairn.Common.Tests;

public class LoggingTests
{
    private static readonly DateTime At = new DateTime(2026, 11, 26, 13, 0, 0, 123, DateTimeKind.Utc).AddTicks(4560);

    private static LogEventInfo Event(LogLevel level, string? logger, string message, params (string Key, object? Value)[] properties)
    {
        var e = new LogEventInfo(level, logger, message) { TimeStamp = At };
        foreach (var (k, v) in properties) e.Properties[k] = v;
        return e;
    }

    // ---- logfmt ----------------------------------------------------------------------------

    [Test]
    public async Task RenderLogfmt_SimpleEvent_IsOneLineWithTsLvlComponentMsg()
    {
        var line = StderrLogTarget.RenderLogfmt(Event(LogLevel.Info, "http", "Listening", ("addr", "127.0.0.1:8086")));
        await Assert.That(line).IsEqualTo("ts=2026-11-26T13:00:00.123456Z lvl=info component=http msg=Listening addr=127.0.0.1:8086\n");
    }

    [Test]
    public async Task RenderLogfmt_LocalTimestamp_IsPrintedInUtc()
    {
        var e = Event(LogLevel.Info, "x", "m");
        e.TimeStamp = At.ToLocalTime();
        await Assert.That(StderrLogTarget.RenderLogfmt(e)).StartsWith("ts=2026-11-26T13:00:00.123456Z ");
    }

    [Test]
    [Arguments("two words", "\"two words\"")]
    [Arguments("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [Arguments("a=b", "\"a=b\"")]
    [Arguments("back\\slash", "\"back\\\\slash\"")]
    [Arguments("line1\nline2", "\"line1\\nline2\"")]
    [Arguments("tab\there", "\"tab\\there\"")]
    [Arguments("cr\rhere", "\"cr\\rhere\"")]
    [Arguments("", "\"\"")]
    [Arguments("plain", "plain")]
    [Arguments("héllo", "héllo")]
    public async Task RenderLogfmt_Value_QuotedOnlyWhenNeeded(string value, string rendered)
    {
        var line = StderrLogTarget.RenderLogfmt(Event(LogLevel.Info, "c", "m", ("k", value)));
        await Assert.That(line).IsEqualTo($"ts=2026-11-26T13:00:00.123456Z lvl=info component=c msg=m k={rendered}\n");
    }

    [Test]
    public async Task RenderLogfmt_MessageWithSpaces_IsQuoted()
    {
        var line = StderrLogTarget.RenderLogfmt(Event(LogLevel.Warn, "license", "licence expired: \"x\" = gone"));
        await Assert.That(line).Contains(" lvl=warn ");
        await Assert.That(line).Contains(" msg=\"licence expired: \\\"x\\\" = gone\"");
        await Assert.That(line.Count(c => c == '\n')).IsEqualTo(1);
    }

    [Test]
    [Arguments("Trace", "trace")]
    [Arguments("Debug", "debug")]
    [Arguments("Info", "info")]
    [Arguments("Warn", "warn")]
    [Arguments("Error", "error")]
    [Arguments("Fatal", "fatal")]
    public async Task RenderLogfmt_Level_UsesLowerCaseName(string level, string name)
    {
        var line = StderrLogTarget.RenderLogfmt(Event(LogLevel.FromString(level), "c", "m"));
        await Assert.That(line).Contains($" lvl={name} ");
    }

    [Test]
    public async Task RenderLogfmt_NoLoggerName_ComponentIsCairn()
    {
        var line = StderrLogTarget.RenderLogfmt(Event(LogLevel.Info, null, "m"));
        await Assert.That(line).Contains(" component=cairn ");
        var json = StderrLogTarget.RenderJson(Event(LogLevel.Info, "", "m"));
        using var doc = JsonDocument.Parse(json);
        await Assert.That(doc.RootElement.GetProperty("component").GetString()).IsEqualTo("cairn");
    }

    [Test]
    public async Task RenderLogfmt_Exception_AddsErrorWithTypeAndMessage()
    {
        var e = Event(LogLevel.Error, "c", "failed");
        e.Exception = new InvalidOperationException("disk full");
        var line = StderrLogTarget.RenderLogfmt(e);
        await Assert.That(line).EndsWith(" error=\"InvalidOperationException: disk full\"\n");
    }

    [Test]
    public async Task RenderLogfmt_Properties_KeepOrderAndUseInvariantCulture()
    {
        var line = StderrLogTarget.RenderLogfmt(Event(LogLevel.Info, "c", "m", ("n", 1.5), ("b", true), ("i", 42)));
        await Assert.That(line).EndsWith(" n=1.5 b=True i=42\n");
    }

    // ---- JSON ------------------------------------------------------------------------------

    [Test]
    public async Task RenderJson_Event_IsOneLineOfValidJsonWithStandardKeys()
    {
        var line = StderrLogTarget.RenderJson(Event(LogLevel.Info, "http", "Listening on \"all\" <interfaces>", ("addr", "127.0.0.1:8086")));
        await Assert.That(line).EndsWith("\n");
        await Assert.That(line.TrimEnd('\n')).DoesNotContain("\n");
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        await Assert.That(root.GetProperty("ts").GetString()).IsEqualTo("2026-11-26T13:00:00.123456Z");
        await Assert.That(root.GetProperty("lvl").GetString()).IsEqualTo("info");
        await Assert.That(root.GetProperty("component").GetString()).IsEqualTo("http");
        await Assert.That(root.GetProperty("msg").GetString()).IsEqualTo("Listening on \"all\" <interfaces>");
        await Assert.That(root.GetProperty("addr").GetString()).IsEqualTo("127.0.0.1:8086");
    }

    [Test]
    public async Task RenderJson_TypedProperties_KeepJsonTypes()
    {
        var line = StderrLogTarget.RenderJson(Event(LogLevel.Debug, "c", "m",
            ("int", 7), ("long", 1L << 40), ("bool", false), ("double", 2.5), ("nan", double.NaN), ("null", null), ("span", TimeSpan.FromSeconds(1))));
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        await Assert.That(root.GetProperty("int").GetInt32()).IsEqualTo(7);
        await Assert.That(root.GetProperty("long").GetInt64()).IsEqualTo(1L << 40);
        await Assert.That(root.GetProperty("bool").ValueKind).IsEqualTo(JsonValueKind.False);
        await Assert.That(root.GetProperty("double").GetDouble()).IsEqualTo(2.5);
        await Assert.That(root.GetProperty("nan").ValueKind).IsEqualTo(JsonValueKind.String);
        await Assert.That(root.GetProperty("null").ValueKind).IsEqualTo(JsonValueKind.Null);
        await Assert.That(root.GetProperty("span").GetString()).IsEqualTo("00:00:01");
    }

    [Test]
    public async Task RenderJson_Exception_AddsErrorField()
    {
        var e = Event(LogLevel.Error, "store", "failed");
        e.Exception = new IOException("disk \"full\"");
        using var doc = JsonDocument.Parse(StderrLogTarget.RenderJson(e));
        await Assert.That(doc.RootElement.GetProperty("error").GetString()).IsEqualTo("IOException: disk \"full\"");
        await Assert.That(doc.RootElement.GetProperty("lvl").GetString()).IsEqualTo("error");
    }

    [Test]
    public async Task RenderJson_ControlCharactersInMessage_StayOnOneLine()
    {
        var line = StderrLogTarget.RenderJson(Event(LogLevel.Info, "c", "a\nb\r\tc"));
        await Assert.That(line.IndexOf('\n')).IsEqualTo(line.Length - 1);
        using var doc = JsonDocument.Parse(line);
        await Assert.That(doc.RootElement.GetProperty("msg").GetString()).IsEqualTo("a\nb\r\tc");
    }

    // ---- Through NLog ----------------------------------------------------------------------

    [Test]
    public async Task Target_LoggedThroughPrivateFactory_WritesLinesInChosenFormat()
    {
        var writer = new StringWriter();
        var target = new StderrLogTarget(writer, LogFormat.Logfmt);
        using var factory = new LogFactory();
        var config = new LoggingConfiguration(factory);
        config.AddRule(LogLevel.Info, LogLevel.Fatal, target);
        factory.Configuration = config;
        var logger = factory.GetLogger("meta");

        logger.Debug("hidden");
        logger.Info("first");
        target.Format = LogFormat.Json;
        logger.Warn("second");

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await Assert.That(lines).Count().IsEqualTo(2);
        await Assert.That(lines[0]).Contains("lvl=info component=meta msg=first");
        using var doc = JsonDocument.Parse(lines[1]);
        await Assert.That(doc.RootElement.GetProperty("msg").GetString()).IsEqualTo("second");
        await Assert.That(doc.RootElement.GetProperty("lvl").GetString()).IsEqualTo("warn");
    }

    // ---- LogSetup parsing ------------------------------------------------------------------

    [Test]
    [Arguments("json", LogFormat.Json)]
    [Arguments("JSON", LogFormat.Json)]
    [Arguments("logfmt", LogFormat.Logfmt)]
    [Arguments("auto", LogFormat.Logfmt)]
    [Arguments("", LogFormat.Logfmt)]
    public async Task ParseFormat_Name_GivesFormat(string name, LogFormat expected)
    {
        await Assert.That(LogSetup.ParseFormat(name)).IsEqualTo(expected);
    }

    [Test]
    [Arguments("trace", "Trace")]
    [Arguments("debug", "Debug")]
    [Arguments("DEBUG", "Debug")]
    [Arguments("info", "Info")]
    [Arguments("warn", "Warn")]
    [Arguments("warning", "Warn")]
    [Arguments("error", "Error")]
    [Arguments("bogus", "Info")]
    public async Task ParseLevel_Name_GivesLevel(string name, string expected)
    {
        await Assert.That(LogSetup.ParseLevel(name)).IsEqualTo(LogLevel.FromString(expected));
    }
}
