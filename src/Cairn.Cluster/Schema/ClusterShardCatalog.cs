using Cairn.Meta.Store;
using Cairn.Storage.Engine;

namespace Cairn.Cluster.Schema;

/// <summary>
/// The shards of some databases across the cluster, for one meta query: this node's shards as the store holds them,
/// and every other shard meta lists as a <see cref="RemoteShardView"/> fetched from one of its owners. Statement code
/// written against <see cref="IShardCatalog"/> runs over it unchanged. Dispose it when the statement is done.
/// </summary>
public sealed class ClusterShardCatalog : IShardCatalog, IDisposable
{
    // A bound on pages per shard against an owner whose cursor never ends (4 MiB pages: 4 TiB of series keys).
    private const int MaxPages = 1 << 20;

    private readonly List<IShardView> _shards;
    private readonly List<RemoteShardView> _remote;

    private ClusterShardCatalog(List<IShardView> shards, List<RemoteShardView> remote)
    {
        shards.Sort((a, b) => a.Id.CompareTo(b.Id));
        _shards = shards;
        _remote = remote;
    }

    /// <summary>
    /// Gathers the shards of <paramref name="databases"/>: local ones from the store, remote ones (those of live
    /// shard groups this node does not hold) from an owner each, in parallel, each within <c>shard-reader-timeout</c>
    /// and failing over to the next owner. <see cref="ShardUnavailableException"/> when no owner of a shard answers.
    /// </summary>
    public static async Task<ClusterShardCatalog> GatherAsync(ClusterContext cluster, MetaState state, IEnumerable<string> databases,
        CancellationToken cancellationToken)
    {
        var shards = new List<IShardView>();
        var fetches = new List<Task<RemoteShardView?>>();
        foreach (var database in databases.Distinct(StringComparer.Ordinal))
        {
            var local = cluster.Store.Shards(database);
            var held = new Dictionary<ulong, IShardView>();
            foreach (var shard in local) held[shard.Id] = shard;
            if (!cluster.IsClustered(state) || state.Database(database) is not { } db)
            {
                shards.AddRange(local);
                continue;
            }
            // A group split over several shards (replication below the data node count) is read as one index, as a
            // single server holds it: conditions such as `tag !~ /re/` judge a measurement by all its series in a group.
            var split = new HashSet<ulong>();
            foreach (var rp in db.RetentionPolicies)
            {
                foreach (var group in rp.ShardGroups)
                {
                    if (group.Deleted) continue;
                    if (group.Shards.Length > 1)
                    {
                        foreach (var shard in group.Shards) split.Add(shard.Id);
                        fetches.Add(FetchGroupAsync(cluster, state, database, rp.Name, group, held, cancellationToken));
                        continue;
                    }
                    foreach (var shard in group.Shards)
                    {
                        if (held.ContainsKey(shard.Id)) continue;
                        var owners = ShardOwners.ForRead(cluster, state, shard, localHasShard: false);
                        if (owners.Count == 0) continue;
                        fetches.Add(FetchAsync(cluster, database, rp.Name, shard.Id, owners, cancellationToken));
                    }
                }
            }
            foreach (var shard in local)
                if (!split.Contains(shard.Id)) shards.Add(shard);
        }

        var remote = new List<RemoteShardView>(fetches.Count);
        try
        {
            await Task.WhenAll(fetches).ConfigureAwait(false);
        }
        catch
        {
            foreach (var fetch in fetches)
                if (fetch.IsCompletedSuccessfully) fetch.Result?.Dispose();
            throw;
        }
        foreach (var fetch in fetches)
        {
            if (fetch.Result is not { } view) continue;
            remote.Add(view);
            shards.Add(view);
        }
        return new ClusterShardCatalog(shards, remote);
    }

    private static Task<RemoteShardView?> FetchAsync(ClusterContext cluster, string database, string retentionPolicy, ulong shardId,
        List<ShardOwner> owners, CancellationToken cancellationToken) =>
        ShardOwners.ReadAsync(shardId, owners, async (owner, ct) =>
        {
            var view = RemoteShardView.Create(shardId, database, retentionPolicy);
            try
            {
                // Page by page from one owner (an owner that fails partway is left for the next whole).
                bool present = await ReadPagesAsync(view, (measurement, after) =>
                    RemotePageAsync(cluster, owner, database, shardId, measurement, after, ct)).ConfigureAwait(false);
                // An owner that never took a write for the shard holds nothing of it: no series.
                return present ? view : Discard(view);
            }
            catch
            {
                view.Dispose();
                throw;
            }
        }, cancellationToken);

    /// <summary>
    /// The shards of one split group as one index: the local ones copied page by page, each remote one from one of its
    /// owners (a replica that fails partway leaves keys the next one adds again, which is harmless).
    /// </summary>
    private static async Task<RemoteShardView?> FetchGroupAsync(ClusterContext cluster, MetaState state, string database, string retentionPolicy,
        ShardGroupInfo group, Dictionary<ulong, IShardView> held, CancellationToken cancellationToken)
    {
        var view = RemoteShardView.Create(group.Shards[0].Id, database, retentionPolicy);
        try
        {
            bool present = false;
            foreach (var shard in group.Shards)
            {
                if (held.TryGetValue(shard.Id, out var local))
                {
                    present |= await ReadPagesAsync(view, (measurement, after) =>
                        Task.FromResult(ShardIndexMessage.Response(local.Index, measurement, after))).ConfigureAwait(false);
                    continue;
                }
                var owners = ShardOwners.ForRead(cluster, state, shard, localHasShard: false);
                if (owners.Count == 0) continue;
                present |= await ShardOwners.ReadAsync(shard.Id, owners, (owner, ct) => ReadPagesAsync(view, (measurement, after) =>
                    RemotePageAsync(cluster, owner, database, shard.Id, measurement, after, ct)), cancellationToken).ConfigureAwait(false);
            }
            return present ? view : Discard(view);
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads a shard's index into <paramref name="view"/> page by page from <paramref name="page"/> (an owner's answers,
    /// or a local shard's own pages); true when the source holds the shard.
    /// </summary>
    private static async Task<bool> ReadPagesAsync(RemoteShardView view, Func<string, uint, Task<ReadOnlyMemory<byte>>> page)
    {
        bool present = false;
        (string Measurement, uint After)? cursor = ("", 0);
        for (int n = 0; cursor is { } at; n++)
        {
            if (n >= MaxPages) throw new InvalidDataException("shard index: more than " + MaxPages + " pages");
            (bool pagePresent, cursor) = ShardIndexMessage.ReadResponse(await page(at.Measurement, at.After).ConfigureAwait(false), view);
            present |= pagePresent;
            if (cursor == at) throw new InvalidDataException("shard index: the owner's page cursor did not advance");
        }
        return present;
    }

    private static async Task<ReadOnlyMemory<byte>> RemotePageAsync(ClusterContext cluster, ShardOwner owner, string database, ulong shardId,
        string measurement, uint after, CancellationToken cancellationToken) =>
        await cluster.Client.CallAsync(owner.Address!, ClusterMethod.ShardIndex, ShardIndexMessage.Request(database, shardId, measurement, after),
            cluster.Timeouts.ShardReaderTimeout, cancellationToken).ConfigureAwait(false);

    private static RemoteShardView? Discard(RemoteShardView view)
    {
        view.Dispose();
        return null;
    }

    /// <summary>Answers <see cref="ClusterMethod.ShardIndex"/> from this node's store.</summary>
    public static void RegisterHandler(ClusterContext cluster) =>
        cluster.Service.Handle(ClusterMethod.ShardIndex, (request, _) =>
        {
            var (database, shardId, fromMeasurement, afterSeriesId) = ShardIndexMessage.ReadRequest(request);
            IShardView? shard = null;
            foreach (var candidate in cluster.Store.Shards(database))
                if (candidate.Id == shardId) shard = candidate;
            return ValueTask.FromResult(ShardIndexMessage.Response(shard?.Index, fromMeasurement, afterSeriesId));
        });

    public IReadOnlyList<IShardView> Shards(string database, string? retentionPolicy = null)
    {
        var selected = new List<IShardView>();
        foreach (var shard in _shards)
            if (shard.Database == database && (retentionPolicy is null || shard.RetentionPolicy == retentionPolicy)) selected.Add(shard);
        return selected;
    }

    public ValueTask DeleteShardAsync(ulong id, CancellationToken cancellationToken) => throw ReadOnly();

    public ValueTask DeleteDatabaseAsync(string database, CancellationToken cancellationToken) => throw ReadOnly();

    public ValueTask DeleteRetentionPolicyAsync(string database, string retentionPolicy, CancellationToken cancellationToken) => throw ReadOnly();

    private static NotSupportedException ReadOnly() => new("the cluster's shards are read here; deletes go to each node");

    public void Dispose()
    {
        foreach (var view in _remote) view.Dispose();
    }
}
