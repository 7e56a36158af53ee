using Microsoft.Extensions.Logging;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;
using NLogLevel = NLog.LogLevel;

namespace Cairn.Common.Logging;

/// <summary>
/// Routes Microsoft.Extensions.Logging (Kestrel, the host) into NLog so that every log line,
/// ours and the framework's, has one format. Framework categories are logged under "http".
/// </summary>
public sealed class NLogLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Bridge(NLog.LogManager.GetLogger(
        categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? "http" : categoryName));

    public void Dispose() { }

    private sealed class Bridge(NLog.Logger logger) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(MelLevel logLevel) => logLevel != MelLevel.None && logger.IsEnabled(Map(logLevel));

        public void Log<TState>(MelLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            logger.Log(new NLog.LogEventInfo(Map(logLevel), logger.Name, formatter(state, exception)) { Exception = exception });
        }

        private static NLogLevel Map(MelLevel level) => level switch
        {
            MelLevel.Trace => NLogLevel.Trace,
            MelLevel.Debug => NLogLevel.Debug,
            MelLevel.Information => NLogLevel.Info,
            MelLevel.Warning => NLogLevel.Warn,
            MelLevel.Error => NLogLevel.Error,
            _ => NLogLevel.Fatal,
        };
    }
}
