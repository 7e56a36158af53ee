using Cairn.Meta.Store;
using Cairn.Storage.Engine;
using NLog;

namespace Cairn.Services;

/// <summary>
/// <c>[retention]</c>: every <c>check-interval</c>, marks the shard groups that have passed their
/// policy's duration as deleted, removes the local shards of deleted groups (and shards meta no
/// longer knows), and prunes groups with no shards left from meta.
/// </summary>
public sealed class RetentionService(IMetaStore meta, IShardCatalog shards, TsdbStore store, TimeProvider time)
{
    private static readonly Logger Log = LogManager.GetLogger("retention");

    /// <summary>Runs <see cref="RunOnceAsync"/> every <paramref name="interval"/> until <paramref name="stop"/>.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    Log.Error("retention check failed: {0}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One retention pass; returns how many local shards it deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
        foreach (var db in meta.Current.Databases)
            foreach (var rp in db.RetentionPolicies)
                foreach (var group in rp.ExpiredShardGroups(now))
                {
                    var result = await meta.ExecuteAsync(new DeleteShardGroupCommand(db.Name, rp.Name, group.Id, now), cancellationToken).ConfigureAwait(false);
                    if (result.IsOk)
                        Log.Info("shard group {0} of {1}.{2} passed the retention period and is deleted", group.Id, db.Name, rp.Name);
                }

        // Which shards meta still wants kept: those of live groups. The local shards are listed first:
        // any of them was created after its group, so the meta state read next already has that group.
        var local = store.AllShards;
        var live = new HashSet<ulong>();
        var doomed = new List<ulong>();
        foreach (var db in meta.Current.Databases)
            foreach (var rp in db.RetentionPolicies)
                foreach (var group in rp.ShardGroups)
                    foreach (var shard in group.Shards)
                    {
                        if (group.Deleted) doomed.Add(shard.Id);
                        else live.Add(shard.Id);
                    }

        int deleted = 0;
        foreach (var shard in local)
        {
            if (live.Contains(shard.Id)) continue;
            Log.Info("deleting shard {0} of {1}.{2}: its shard group is gone", shard.Id, shard.Database, shard.RetentionPolicy);
            await shards.DeleteShardAsync(shard.Id, cancellationToken).ConfigureAwait(false);
            deleted++;
        }
        foreach (ulong id in doomed)
            await meta.ExecuteAsync(new DropShardCommand(id, now), cancellationToken).ConfigureAwait(false);
        if (doomed.Count > 0)
            await meta.ExecuteAsync(new PruneShardGroupsCommand(now), cancellationToken).ConfigureAwait(false);
        return deleted;
    }
}
