using Cairn.Cluster;
using Cairn.Cluster.HintedHandoff;
using Cairn.Cluster.Query;
using Cairn.Cluster.Write;
using Cairn.Common.Config;
using Cairn.Http;
using Cairn.Http.Auth;
using Cairn.Http.Statements;
using Cairn.Http.Write;
using Cairn.Meta.Auth;
using Cairn.Meta.Client;
using Cairn.Meta.Store;
using Cairn.Query.Engine;
using Cairn.Query.Execution;
using Cairn.Services;
using Cairn.Storage.Engine;
using Microsoft.AspNetCore.Http;
using NLog;

namespace Cairn.Server;

/// <summary>
/// What a data node holds open: the meta store (local to a `both` node; for a `data` node, a cached copy
/// of the cluster's, see <see cref="RemoteMetaStore"/>), the shard store, the points writer and query endpoint over them, and the retention and
/// shard-precreation services.
/// </summary>
internal sealed class DataServices : IAsyncDisposable
{
    private static readonly Logger Log = LogManager.GetLogger("data");
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _background = [];

    private DataServices(IMetaStore meta, TsdbStore store, CairnConfig config, bool clustered)
    {
        Meta = meta;
        Store = store;
        var cluster = config.Cluster;
        var client = new ClusterClient(new ClusterClientOptions
        {
            InternalSharedSecret = config.Meta.MetaInternalSharedSecret,
            DialTimeout = cluster.DialTimeout,
            PoolMaxIdleTime = cluster.PoolMaxIdleTime,
            PoolMaxIdleStreams = (int)Math.Clamp(cluster.PoolMaxIdleStreams, 1, 10_000),
            Tls = Cairn.Common.Net.TlsSettings.ForDataClient(config),
        });
        ClusterContext = new ClusterContext(meta, store, client, new ClusterService(), () => (meta as RemoteMetaStore)?.NodeId ?? 0, new ClusterTimeouts
        {
            WriteTimeout = cluster.WriteTimeout > TimeSpan.Zero ? cluster.WriteTimeout : TimeSpan.FromSeconds(10),
            ShardReaderTimeout = cluster.ShardReaderTimeout > TimeSpan.Zero ? cluster.ShardReaderTimeout : TimeSpan.FromSeconds(10),
            AllowOutOfOrderWrites = cluster.AllowOutOfOrderWrites,
        });
        var shardWriter = new ShardWriter(store);
        WriteShardHandler.Register(ClusterContext, shardWriter);
        ShardQueryService.Register(ClusterContext);
        ClusterContext.Service.Handle(ClusterMethod.Ping, (_, _) => ValueTask.FromResult(new WireWriter(8).U64(ClusterContext.LocalNodeId).Written));
        // Hinted handoff holds writes for other data nodes: only a clustered data node has any.
        var hh = config.HintedHandoff;
        if (clustered && hh.Enabled)
        {
            Handoff = new HintedHandoffService(new HintedHandoffOptions
            {
                Dir = hh.Dir,
                MaxSize = hh.MaxSize,
                MaxAge = hh.MaxAge,
                RetryRateLimit = hh.RetryRateLimit,
                RetryInterval = hh.RetryInterval,
                RetryMaxInterval = hh.RetryMaxInterval < hh.RetryInterval ? hh.RetryInterval : hh.RetryMaxInterval,
                PurgeInterval = hh.PurgeInterval,
                RetryConcurrency = (int)Math.Clamp(hh.RetryConcurrency, 1, 1024),
                BatchSize = Math.Max(hh.BatchSize, 1),
                MaxWritesPending = (int)Math.Clamp(hh.MaxWritesPending, 0, int.MaxValue),
            }, HintedHandoffReplay.Sender(ClusterContext), TimeProvider.System);
        }
        Writer = new PointsWriter(meta, shardWriter, ClusterContext, Handoff);
        Statistics = new ClusterStatistics(ClusterContext, shardWriter, Writer);
        if (Handoff is { } handoff) Statistics.More = json => HintedHandoffReplay.WriteStatistics(json, handoff);
        // One hasher for CREATE USER and for request authentication, so both share its cache of checked passwords.
        var passwords = new PasswordHasher();
        var http = config.Http;
        Authentication = new HttpAuthentication(meta, passwords, http.AuthEnabled, http.Realm, http.SharedSecret, TimeProvider.System);
        var limits = config.Cluster;
        var executor = new StatementExecutor(meta, store, TimeProvider.System, config.Meta.RetentionAutocreate)
        {
            Cluster = ClusterContext,
            Writer = Writer,
            Passwords = passwords,
            SelectLimits = new SelectLimits(
                (int)Math.Clamp(limits.MaxSelectSeries, 0, int.MaxValue),
                (int)Math.Clamp(limits.MaxSelectPoint, 0, int.MaxValue),
                (int)Math.Clamp(limits.MaxSelectBuckets, 0, int.MaxValue)),
            Queries = new QueryRegistry
            {
                MaxConcurrentQueries = (int)Math.Clamp(limits.MaxConcurrentQueries, 0, int.MaxValue),
                QueryTimeout = limits.QueryTimeout,
                LogQueriesAfter = limits.LogQueriesAfter,
            },
        };
        executor.RegisterClusterMethods();
        Query = new QueryEndpoint(executor) { Authentication = Authentication }.HandleAsync;
    }

    public IMetaStore Meta { get; }

    /// <summary>The cluster's meta store when this is a data-only node; null on a `both` node.</summary>
    public RemoteMetaStore? Cluster => Meta as RemoteMetaStore;

    public TsdbStore Store { get; }

    /// <summary>The data plane's shared parts: client to the other data nodes, the cluster service, this node's id.</summary>
    public ClusterContext ClusterContext { get; }

    public PointsWriter Writer { get; }

    /// <summary>The hinted-handoff queues of a clustered data node (null on a single server or when disabled).</summary>
    public HintedHandoffService? Handoff { get; }

    /// <summary>The write, cluster and rpc entries of /debug/vars.</summary>
    public ClusterStatistics Statistics { get; }

    /// <summary><c>[http] auth-enabled</c>, realm and shared secret, over this node's users.</summary>
    public HttpAuthentication Authentication { get; }

    /// <summary>The /query handler.</summary>
    public Func<HttpContext, Task> Query { get; }

    public static async Task<DataServices> OpenAsync(CairnConfig config, bool clustered)
    {
        IMetaStore meta = clustered
            ? await RemoteMetaStore.OpenAsync(config.Meta.Dir, config.Meta.MetaInternalSharedSecret)
            : await LocalMetaStore.OpenAsync(config.Meta.Dir);
        var data = config.Data;
        var store = new TsdbStore(data.Dir, data.WalDir, new EngineOptions
        {
            WalFsyncDelay = data.WalFsyncDelay,
            CacheMaxMemorySize = data.CacheMaxMemorySize,
            CacheSnapshotMemorySize = data.CacheSnapshotMemorySize,
            CacheSnapshotWriteColdDuration = data.CacheSnapshotWriteColdDuration,
            CompactFullWriteColdDuration = data.CompactFullWriteColdDuration,
            MaxConcurrentCompactions = (int)Math.Clamp(data.MaxConcurrentCompactions, 0, 1024),
            MaxSeriesPerDatabase = (int)Math.Clamp(data.MaxSeriesPerDatabase, 0, int.MaxValue),
            MaxValuesPerTag = (int)Math.Clamp(data.MaxValuesPerTag, 0, int.MaxValue),
            MaxIndexLogFileSize = data.MaxIndexLogFileSize,
            MaintenanceInterval = MaintenanceInterval(),
        });
        try
        {
            await store.OpenAsync();
        }
        catch
        {
            await store.DisposeAsync();
            await ((IAsyncDisposable)meta).DisposeAsync();
            throw;
        }
        var services = new DataServices(meta, store, config, clustered);
        try
        {
            if (services.Handoff is { } handoff) await handoff.OpenAsync(CancellationToken.None);
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
        return services;
    }

    /// <summary>CAIRN_ENGINE_MAINTENANCE_INTERVAL (a Go duration) lets tests snapshot and compact often; 1s otherwise.</summary>
    private static TimeSpan MaintenanceInterval()
    {
        var text = Environment.GetEnvironmentVariable("CAIRN_ENGINE_MAINTENANCE_INTERVAL");
        return !string.IsNullOrEmpty(text) && GoDuration.TryParse(text, out var interval) && interval > TimeSpan.Zero ? interval : TimeSpan.FromSeconds(1);
    }

    /// <summary>Starts snapshots and compactions, retention and shard precreation.</summary>
    public void StartBackground(CairnConfig config)
    {
        Cluster?.Start();
        if (Handoff is { } handoff)
        {
            handoff.Start();
            _background.Add(HintedHandoffReplay.DropRemovedNodesAsync(Meta, ClusterContext, handoff, _stop.Token));
        }
        Store.StartMaintenance();
        if (config.Retention.Enabled)
            _background.Add(new RetentionService(Meta, Store, Store, TimeProvider.System).RunAsync(config.Retention.CheckInterval, _stop.Token));
        if (config.ShardPrecreation.Enabled)
            _background.Add(new ShardPrecreationService(Meta, TimeProvider.System)
                .RunAsync(config.ShardPrecreation.CheckInterval, config.ShardPrecreation.AdvancePeriod, _stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_background);
        if (Handoff is not null) await Handoff.DisposeAsync();
        await ClusterContext.Client.DisposeAsync();
        await Store.DisposeAsync();
        await ((IAsyncDisposable)Meta).DisposeAsync();
        _stop.Dispose();
        Log.Debug("data services closed");
    }
}
