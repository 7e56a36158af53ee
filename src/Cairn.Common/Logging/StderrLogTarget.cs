using System.Globalization;
using System.Text;
using System.Text.Json;
using NLog;
using NLog.Targets;

namespace Cairn.Common.Logging;

public enum LogFormat
{
    Logfmt,
    Json,
}

/// <summary>
/// Writes each event as one line on stderr, as logfmt or JSON, always with time, level, component
/// and message, then the event's properties as key=value pairs:
/// <c>ts=2026-11-26T13:00:00.123456Z lvl=info component=http msg="Listening" addr=127.0.0.1:8086</c>
/// </summary>
internal sealed class StderrLogTarget : Target
{
    private readonly TextWriter _writer;
    private readonly Lock _gate = new();

    public StderrLogTarget(TextWriter writer, LogFormat format)
    {
        _writer = writer;
        Format = format;
        Name = "stderr";
    }

    public LogFormat Format { get; set; }

    protected override void Write(LogEventInfo logEvent)
    {
        var line = Format == LogFormat.Json ? RenderJson(logEvent) : RenderLogfmt(logEvent);
        lock (_gate)
        {
            _writer.Write(line);
            _writer.Flush();
        }
    }

    internal static string LevelName(LogLevel level) =>
        level == LogLevel.Trace ? "trace" : level == LogLevel.Debug ? "debug" : level == LogLevel.Info ? "info"
        : level == LogLevel.Warn ? "warn" : level == LogLevel.Error ? "error" : "fatal";

    private static string Timestamp(LogEventInfo e) =>
        e.TimeStamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    internal static string RenderLogfmt(LogEventInfo e)
    {
        var sb = new StringBuilder(128);
        sb.Append("ts=").Append(Timestamp(e));
        sb.Append(" lvl=").Append(LevelName(e.Level));
        sb.Append(" component=");
        AppendLogfmtValue(sb, Component(e));
        sb.Append(" msg=");
        AppendLogfmtValue(sb, e.FormattedMessage ?? "");
        if (e.HasProperties)
        {
            foreach (var (k, v) in e.Properties)
            {
                sb.Append(' ').Append(Convert.ToString(k, CultureInfo.InvariantCulture)).Append('=');
                AppendLogfmtValue(sb, Convert.ToString(v, CultureInfo.InvariantCulture) ?? "");
            }
        }
        if (e.Exception is { } ex)
        {
            sb.Append(" error=");
            AppendLogfmtValue(sb, ex.GetType().Name + ": " + ex.Message);
        }
        return sb.Append('\n').ToString();
    }

    private static string Component(LogEventInfo e) => string.IsNullOrEmpty(e.LoggerName) ? "cairn" : e.LoggerName;

    private static void AppendLogfmtValue(StringBuilder sb, string value)
    {
        bool quote = value.Length == 0;
        foreach (var ch in value)
        {
            if (ch <= ' ' || ch == '"' || ch == '=' || ch == '\\') { quote = true; break; }
        }
        if (!quote) { sb.Append(value); return; }
        sb.Append('"');
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(ch); break;
            }
        }
        sb.Append('"');
    }

    internal static string RenderJson(LogEventInfo e)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer, Web.JsonWriting.Compact))
        {
            json.WriteStartObject();
            json.WriteString("ts", Timestamp(e));
            json.WriteString("lvl", LevelName(e.Level));
            json.WriteString("component", Component(e));
            json.WriteString("msg", e.FormattedMessage ?? "");
            if (e.HasProperties)
            {
                foreach (var (k, v) in e.Properties)
                {
                    var name = Convert.ToString(k, CultureInfo.InvariantCulture) ?? "";
                    switch (v)
                    {
                        case null: json.WriteNull(name); break;
                        case bool b: json.WriteBoolean(name, b); break;
                        case int i: json.WriteNumber(name, i); break;
                        case long l: json.WriteNumber(name, l); break;
                        case double d when double.IsFinite(d): json.WriteNumber(name, d); break;
                        default: json.WriteString(name, Convert.ToString(v, CultureInfo.InvariantCulture)); break;
                    }
                }
            }
            if (e.Exception is { } ex) json.WriteString("error", ex.GetType().Name + ": " + ex.Message);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }
}
