using NLog;
using NLog.Config;

namespace Cairn.Common.Logging;

/// <summary>
/// NLog configured in code: one stderr target, one rule whose level and format can change at run
/// time (SIGHUP), so stdout stays free for the READY line.
/// </summary>
public static class LogSetup
{
    private static StderrLogTarget? _target;
    private static LoggingRule? _rule;

    public static void Configure(string format, string level) => Configure(format, level, Console.Error);

    public static void Configure(string format, string level, TextWriter writer)
    {
        var config = new LoggingConfiguration();
        _target = new StderrLogTarget(writer, ParseFormat(format));
        config.AddTarget(_target);
        _rule = new LoggingRule("*", ParseLevel(level), LogLevel.Fatal, _target);
        config.LoggingRules.Add(_rule);
        LogManager.Configuration = config;
    }

    /// <summary>Applies a new level and format to every existing logger.</summary>
    public static void Reconfigure(string format, string level)
    {
        if (_rule is null || _target is null)
        {
            Configure(format, level);
            return;
        }
        _target.Format = ParseFormat(format);
        _rule.SetLoggingLevels(ParseLevel(level), LogLevel.Fatal);
        LogManager.ReconfigExistingLoggers();
    }

    public static LogFormat ParseFormat(string format) =>
        string.Equals(format, "json", StringComparison.OrdinalIgnoreCase) ? LogFormat.Json : LogFormat.Logfmt;

    public static LogLevel ParseLevel(string level) => level.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warn,
        "error" => LogLevel.Error,
        _ => LogLevel.Info,
    };

    public static void Shutdown() => LogManager.Shutdown();
}
