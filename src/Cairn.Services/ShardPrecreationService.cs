using Cairn.Meta.Store;
using NLog;

namespace Cairn.Services;

/// <summary>
/// <c>[shard-precreation]</c>: every <c>check-interval</c>, creates the next shard group of each
/// retention policy whose newest group ends within <c>advance-period</c>, so writes at a group
/// boundary do not wait for meta.
/// </summary>
public sealed class ShardPrecreationService(IMetaStore meta, TimeProvider time)
{
    private static readonly Logger Log = LogManager.GetLogger("shard-precreation");

    public async Task RunAsync(TimeSpan interval, TimeSpan advancePeriod, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(advancePeriod, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    Log.Error("shard precreation failed: {0}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; returns how many shard groups it created.</summary>
    public async Task<int> RunOnceAsync(TimeSpan advancePeriod, CancellationToken cancellationToken)
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
        long cutoff = now + advancePeriod.Ticks * 100;
        int created = 0;
        foreach (var db in meta.Current.Databases)
            foreach (var rp in db.RetentionPolicies)
            {
                ShardGroupInfo? newest = null;
                foreach (var group in rp.ShardGroups)
                    if (!group.Deleted && (newest is null || group.EndTime > newest.EndTime)) newest = group;
                // Only a group that is current (now inside it) and about to end gets a successor.
                if (newest is null || newest.Truncated || newest.EndTime > cutoff || newest.EndTime <= now) continue;
                if (rp.ShardGroupByTimestamp(newest.EndTime) is not null) continue;
                var result = await meta.ExecuteAsync(new CreateShardGroupCommand(db.Name, rp.Name, newest.EndTime), cancellationToken).ConfigureAwait(false);
                if (result.IsOk && result.Changed)
                {
                    created++;
                    Log.Info("precreated shard group {0} of {1}.{2} starting {3}", result.ShardGroupId, db.Name, rp.Name,
                        DateTimeOffset.FromUnixTimeMilliseconds(newest.EndTime / 1_000_000).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        return created;
    }
}
