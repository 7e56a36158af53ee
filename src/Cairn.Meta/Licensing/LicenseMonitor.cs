using NLog;

namespace Cairn.Meta.Licensing;

/// <summary>
/// Logs what the licence allows as time passes: a warning every hour of a grace period, an error
/// when the grace period ends. Wakes at least every 30 seconds so a reloaded licence is noticed.
/// </summary>
public sealed class LicenseMonitor(LicenseState state, TimeProvider time)
{
    private static readonly Logger Log = LogManager.GetLogger("license");
    private static readonly TimeSpan WarningInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        LicensePhase? last = null;
        var lastWarning = DateTimeOffset.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var status = state.Evaluate(now);
            switch (status.Phase)
            {
                case LicensePhase.Grace when last != LicensePhase.Grace || now - lastWarning >= WarningInterval:
                    Log.Warn("{0} expired at {1}; it is honoured until {2}, then writes and metadata changes are refused",
                        status.License.Describe(), LicenseCodec.FormatTime(status.License.Expires), LicenseCodec.FormatTime(status.GraceEnds!.Value));
                    lastWarning = now;
                    break;
                case LicensePhase.Expired when last != LicensePhase.Expired:
                    Log.Error("{0} expired at {1} and its grace period ended at {2}: writes and metadata changes are refused",
                        status.License.Describe(), LicenseCodec.FormatTime(status.License.Expires), LicenseCodec.FormatTime(status.GraceEnds!.Value));
                    break;
                case LicensePhase.Valid when last is LicensePhase.Grace or LicensePhase.Expired:
                    Log.Info("{0} is valid until {1}", status.License.Describe(), LicenseCodec.FormatTime(status.License.Expires));
                    break;
            }
            last = status.Phase;

            var next = status.Phase switch
            {
                LicensePhase.Valid => status.License.Expires - now,
                LicensePhase.Grace => Min(status.GraceEnds!.Value - now, lastWarning + WarningInterval - now),
                _ => MaxSleep,
            };
            next = next < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : next > MaxSleep ? MaxSleep : next;
            try { await Task.Delay(next, time, cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
