namespace Cairn.Common.Config;

/// <summary>
/// Every configuration key Cairn knows, in the order `cairn config` prints them. Sections and
/// keys follow InfluxDB Enterprise's meta and data node files; `[node] role` is Cairn's own.
/// </summary>
public static class ConfigSchema
{
    public const string EnvironmentPrefix = "CAIRN_";

    /// <summary>Environment names that are not keys and must not be warned about.</summary>
    public static readonly IReadOnlySet<string> ReservedEnvironmentNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "CAIRN_CONFIG_PATH",
        "CAIRN_LICENSE_PUBKEY",
        "CAIRN_ENGINE_MAINTENANCE_INTERVAL", // tests: how often the engine looks for snapshots and compactions
    };

    public static IReadOnlyList<ConfigKey> Keys { get; } = BuildKeys();

    public static IReadOnlyList<string> Sections { get; } = Keys.Select(k => k.Section).Where(s => s.Length > 0).Distinct().ToArray();

    private static readonly Dictionary<string, ConfigKey> ByPath = Keys.ToDictionary(k => k.Path, StringComparer.Ordinal);

    /// <summary>Section names by length, longest first, so CAIRN_HINTED_HANDOFF_* never matches a shorter section.</summary>
    private static readonly string[] SectionsLongestFirst = Sections.OrderByDescending(s => s.Length).ToArray();

    public static ConfigKey? Find(string section, string name) =>
        ByPath.GetValueOrDefault(section.Length == 0 ? name : section + ":" + name);

    public static bool IsSection(string name) => Sections.Contains(name, StringComparer.Ordinal);

    /// <summary>Sections read as another: InfluxDB OSS's <c>[coordinator]</c> is Enterprise's <c>[cluster]</c>.</summary>
    public static string? SectionAlias(string name) => name == "coordinator" ? "cluster" : null;

    public static string EnvironmentPart(string name) => name.ToUpperInvariant().Replace('-', '_');

    /// <summary>
    /// Resolves CAIRN_SECTION_KEY against the schema, as InfluxDB resolves INFLUXDB_*: sections
    /// are tried longest name first, then the top level. Array keys take a trailing ordinal (_0).
    /// </summary>
    public static bool TryResolveEnvironment(string variable, out ConfigKey key, out int? arrayIndex)
    {
        key = null!;
        arrayIndex = null;
        if (!variable.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)) return false;
        var rest = variable[EnvironmentPrefix.Length..];
        foreach (var section in SectionsLongestFirst)
        {
            var prefix = EnvironmentPart(section) + "_";
            if (rest.StartsWith(prefix, StringComparison.Ordinal) && TryMatchKey(section, rest[prefix.Length..], out key, out arrayIndex))
                return true;
        }
        return TryMatchKey("", rest, out key, out arrayIndex);
    }

    private static bool TryMatchKey(string section, string envKey, out ConfigKey key, out int? arrayIndex)
    {
        arrayIndex = null;
        foreach (var candidate in Keys)
        {
            if (candidate.Section != section) continue;
            var name = EnvironmentPart(candidate.Name);
            if (envKey == name) { key = candidate; return true; }
            if (candidate.Kind == ConfigValueKind.StringArray && envKey.StartsWith(name + "_", StringComparison.Ordinal)
                && int.TryParse(envKey.AsSpan(name.Length + 1), out var index) && index >= 0)
            {
                key = candidate;
                arrayIndex = index;
                return true;
            }
        }
        key = null!;
        return false;
    }

    private static ConfigKey[] BuildKeys()
    {
        var k = new List<ConfigKey>();
        const NodeRole M = NodeRole.Meta, D = NodeRole.Data, B = NodeRole.Both;

        // Top level.
        k.Add(Bool("", "reporting-disabled", B, "Cairn sends no usage reports; kept for InfluxDB compatibility.", c => c.ReportingDisabled, (c, v) => c.ReportingDisabled = v));
        k.Add(Address("", "bind-address", D, "Cluster RPC listener of a data node (writes, remote reads, meta to data control).", c => c.BindAddress, (c, v) => c.BindAddress = v));
        k.Add(Str("", "hostname", B, "Name other nodes and clients use to reach this node; shown for listeners bound to all interfaces.", c => c.Hostname, (c, v) => c.Hostname = v));
        k.Add(Dur("", "gossip-frequency", D, "How often a data node reports its status to the cluster.", c => c.GossipFrequency, (c, v) => c.GossipFrequency = v));

        k.Add(new ConfigKey
        {
            Section = "node", Name = "role", Kind = ConfigValueKind.String, Roles = B,
            Doc = "Services this process runs: \"meta\", \"data\" or \"both\". `cairn run --role` wins over this.",
            Get = c => c.Node.Role.ToName(),
            Set = (c, v) => c.Node.Role = NodeRoleNames.TryParse((string)v, out var r) ? r : NodeRole.Both,
            Validate = v => NodeRoleNames.TryParse((string)v, out _) ? null : "must be \"meta\", \"data\" or \"both\"",
        });

        k.Add(Str("enterprise", "license-key", B, "The licence document itself (JSON). Exactly one of license-key and license-path must be set.", c => c.Enterprise.LicenseKey, (c, v) => c.Enterprise.LicenseKey = v));
        k.Add(Str("enterprise", "license-path", B, "Path of the licence file (JSON). Reloaded on SIGHUP.", c => c.Enterprise.LicensePath, (c, v) => c.Enterprise.LicensePath = v));

        k.Add(Str("meta", "dir", B, "Meta store (meta nodes) or the list of meta servers a data node joined (data nodes).", c => c.Meta.Dir, (c, v) => c.Meta.Dir = v));
        k.Add(Address("meta", "bind-address", M, "Raft listener between meta nodes.", c => c.Meta.BindAddress, (c, v) => c.Meta.BindAddress = v));
        k.Add(Address("meta", "http-bind-address", M, "Meta HTTP API listener (cairn ctl, data nodes).", c => c.Meta.HttpBindAddress, (c, v) => c.Meta.HttpBindAddress = v));
        k.Add(Bool("meta", "https-enabled", M, "Serve the meta HTTP API over TLS.", c => c.Meta.HttpsEnabled, (c, v) => c.Meta.HttpsEnabled = v));
        k.Add(Str("meta", "https-certificate", M, "PEM certificate (or bundle) for the meta HTTP API.", c => c.Meta.HttpsCertificate, (c, v) => c.Meta.HttpsCertificate = v));
        k.Add(Str("meta", "https-private-key", M, "PEM private key for the meta HTTP API.", c => c.Meta.HttpsPrivateKey, (c, v) => c.Meta.HttpsPrivateKey = v));
        k.Add(Bool("meta", "https-insecure-tls", M, "Skip certificate checks between meta nodes.", c => c.Meta.HttpsInsecureTls, (c, v) => c.Meta.HttpsInsecureTls = v));
        k.Add(Bool("meta", "data-use-tls", M, "Dial data nodes' RPC ports with TLS; set it when they serve TLS (their https-enabled).", c => c.Meta.DataUseTls, (c, v) => c.Meta.DataUseTls = v));
        k.Add(Bool("meta", "data-insecure-tls", M, "Do not check data nodes' certificates on the RPC port.", c => c.Meta.DataInsecureTls, (c, v) => c.Meta.DataInsecureTls = v));
        k.Add(Dur("meta", "gossip-frequency", M, "How often meta nodes announce themselves.", c => c.Meta.GossipFrequency, (c, v) => c.Meta.GossipFrequency = v));
        k.Add(Dur("meta", "announcement-expiration", M, "How long an announcement stays valid.", c => c.Meta.AnnouncementExpiration, (c, v) => c.Meta.AnnouncementExpiration = v));
        k.Add(Bool("meta", "retention-autocreate", B, "Create the autogen retention policy with each new database.", c => c.Meta.RetentionAutocreate, (c, v) => c.Meta.RetentionAutocreate = v));
        k.Add(Dur("meta", "election-timeout", M, "Raft election timeout.", c => c.Meta.ElectionTimeout, (c, v) => c.Meta.ElectionTimeout = v));
        k.Add(Dur("meta", "heartbeat-timeout", M, "Raft heartbeat timeout.", c => c.Meta.HeartbeatTimeout, (c, v) => c.Meta.HeartbeatTimeout = v));
        k.Add(Dur("meta", "leader-lease-timeout", M, "Raft leader lease.", c => c.Meta.LeaderLeaseTimeout, (c, v) => c.Meta.LeaderLeaseTimeout = v));
        k.Add(Dur("meta", "commit-timeout", M, "Raft commit timeout.", c => c.Meta.CommitTimeout, (c, v) => c.Meta.CommitTimeout = v));
        k.Add(Dur("meta", "consensus-timeout", M, "How long a meta change waits for consensus.", c => c.Meta.ConsensusTimeout, (c, v) => c.Meta.ConsensusTimeout = v));
        k.Add(Bool("meta", "cluster-tracing", M, "Log every meta HTTP request.", c => c.Meta.ClusterTracing, (c, v) => c.Meta.ClusterTracing = v));
        k.Add(Bool("meta", "logging-enabled", B, "Log meta service messages.", c => c.Meta.LoggingEnabled, (c, v) => c.Meta.LoggingEnabled = v));
        k.Add(Bool("meta", "pprof-enabled", M, "Serve /debug/pprof on the meta HTTP API.", c => c.Meta.PprofEnabled, (c, v) => c.Meta.PprofEnabled = v));
        k.Add(Dur("meta", "lease-duration", M, "Length of a lease (continuous queries and the like).", c => c.Meta.LeaseDuration, (c, v) => c.Meta.LeaseDuration = v));
        k.Add(Bool("meta", "auth-enabled", M, "Require authentication on the meta HTTP API.", c => c.Meta.AuthEnabled, (c, v) => c.Meta.AuthEnabled = v));
        k.Add(Bool("meta", "ldap-allowed", M, "Allow LDAP users.", c => c.Meta.LdapAllowed, (c, v) => c.Meta.LdapAllowed = v));
        k.Add(Str("meta", "shared-secret", M, "Secret for JWTs from clients (cairn ctl -secret).", c => c.Meta.SharedSecret, (c, v) => c.Meta.SharedSecret = v));
        k.Add(Str("meta", "internal-shared-secret", M, "Secret for JWTs between nodes.", c => c.Meta.InternalSharedSecret, (c, v) => c.Meta.InternalSharedSecret = v));
        k.Add(Str("meta", "password-hash", B, "Password hashing scheme.", c => c.Meta.PasswordHash, (c, v) => c.Meta.PasswordHash = v));
        k.Add(Bool("meta", "ensure-fips", B, "Refuse to start unless the hash schemes are FIPS-approved.", c => c.Meta.EnsureFips, (c, v) => c.Meta.EnsureFips = v));
        k.Add(Bool("meta", "meta-tls-enabled", D, "Reach the meta nodes over TLS.", c => c.Meta.MetaTlsEnabled, (c, v) => c.Meta.MetaTlsEnabled = v));
        k.Add(Bool("meta", "meta-insecure-tls", D, "Skip certificate checks on the meta nodes.", c => c.Meta.MetaInsecureTls, (c, v) => c.Meta.MetaInsecureTls = v));
        k.Add(Bool("meta", "meta-auth-enabled", D, "The meta nodes require authentication (must match their auth-enabled).", c => c.Meta.MetaAuthEnabled, (c, v) => c.Meta.MetaAuthEnabled = v));
        k.Add(Str("meta", "meta-internal-shared-secret", D, "Secret for JWTs to the meta nodes (their internal-shared-secret).", c => c.Meta.MetaInternalSharedSecret, (c, v) => c.Meta.MetaInternalSharedSecret = v));

        k.Add(Str("data", "dir", D, "Shard files and series indexes.", c => c.Data.Dir, (c, v) => c.Data.Dir = v));
        k.Add(Str("data", "wal-dir", D, "Write-ahead logs.", c => c.Data.WalDir, (c, v) => c.Data.WalDir = v));
        k.Add(Bool("data", "trace-logging-enabled", D, "Verbose storage engine logs.", c => c.Data.TraceLoggingEnabled, (c, v) => c.Data.TraceLoggingEnabled = v));
        k.Add(Bool("data", "query-log-enabled", D, "Log each query before it runs.", c => c.Data.QueryLogEnabled, (c, v) => c.Data.QueryLogEnabled = v));
        k.Add(Dur("data", "wal-fsync-delay", D, "Wait this long to group WAL fsyncs; 0 syncs every write.", c => c.Data.WalFsyncDelay, (c, v) => c.Data.WalFsyncDelay = v));
        k.Add(Bool("data", "ingress-metric-by-measurement-enabled", D, "Count points written per measurement.", c => c.Data.IngressMetricByMeasurementEnabled, (c, v) => c.Data.IngressMetricByMeasurementEnabled = v));
        k.Add(Bool("data", "ingress-metric-by-login-enabled", D, "Count points written per user.", c => c.Data.IngressMetricByLoginEnabled, (c, v) => c.Data.IngressMetricByLoginEnabled = v));
        k.Add(Size("data", "cache-max-memory-size", D, "A shard refuses writes when its cache passes this size.", c => c.Data.CacheMaxMemorySize, (c, v) => c.Data.CacheMaxMemorySize = v));
        k.Add(Size("data", "cache-snapshot-memory-size", D, "Write the cache to a shard file once it passes this size.", c => c.Data.CacheSnapshotMemorySize, (c, v) => c.Data.CacheSnapshotMemorySize = v));
        k.Add(Dur("data", "cache-snapshot-write-cold-duration", D, "Write the cache to a shard file after this long without writes.", c => c.Data.CacheSnapshotWriteColdDuration, (c, v) => c.Data.CacheSnapshotWriteColdDuration = v));
        k.Add(Int("data", "max-concurrent-compactions", D, "Compactions at once; 0 means half the cores.", c => c.Data.MaxConcurrentCompactions, (c, v) => c.Data.MaxConcurrentCompactions = v));
        k.Add(Size("data", "compact-throughput", D, "Compaction write rate, bytes per second.", c => c.Data.CompactThroughput, (c, v) => c.Data.CompactThroughput = v));
        k.Add(Size("data", "compact-throughput-burst", D, "Compaction write burst, bytes.", c => c.Data.CompactThroughputBurst, (c, v) => c.Data.CompactThroughputBurst = v));
        k.Add(Dur("data", "compact-full-write-cold-duration", D, "Fully compact a shard after this long without writes.", c => c.Data.CompactFullWriteColdDuration, (c, v) => c.Data.CompactFullWriteColdDuration = v));
        k.Add(Str("data", "index-version", D, "Accepted for InfluxDB compatibility; Cairn has one persistent index.", c => c.Data.IndexVersion, (c, v) => c.Data.IndexVersion = v));
        k.Add(Int("data", "max-series-per-database", D, "Refuse new series past this count; 0 is no limit.", c => c.Data.MaxSeriesPerDatabase, (c, v) => c.Data.MaxSeriesPerDatabase = v));
        k.Add(Int("data", "max-values-per-tag", D, "Refuse new tag values past this count per tag key; 0 is no limit.", c => c.Data.MaxValuesPerTag, (c, v) => c.Data.MaxValuesPerTag = v));
        k.Add(Size("data", "max-index-log-file-size", D, "Accepted for InfluxDB compatibility.", c => c.Data.MaxIndexLogFileSize, (c, v) => c.Data.MaxIndexLogFileSize = v));
        k.Add(Int("data", "series-id-set-cache-size", D, "Accepted for InfluxDB compatibility.", c => c.Data.SeriesIdSetCacheSize, (c, v) => c.Data.SeriesIdSetCacheSize = v));

        k.Add(Dur("cluster", "dial-timeout", D, "Timeout for connecting to another data node.", c => c.Cluster.DialTimeout, (c, v) => c.Cluster.DialTimeout = v));
        k.Add(Dur("cluster", "pool-max-idle-time", D, "Close pooled connections idle this long.", c => c.Cluster.PoolMaxIdleTime, (c, v) => c.Cluster.PoolMaxIdleTime = v));
        k.Add(Int("cluster", "pool-max-idle-streams", D, "Idle streams kept per peer.", c => c.Cluster.PoolMaxIdleStreams, (c, v) => c.Cluster.PoolMaxIdleStreams = v));
        k.Add(Bool("cluster", "allow-out-of-order-writes", D, "Write past a non-empty hinted-handoff queue.", c => c.Cluster.AllowOutOfOrderWrites, (c, v) => c.Cluster.AllowOutOfOrderWrites = v));
        k.Add(Dur("cluster", "shard-reader-timeout", D, "Give up on a shard owner after this long and try another.", c => c.Cluster.ShardReaderTimeout, (c, v) => c.Cluster.ShardReaderTimeout = v));
        k.Add(Bool("cluster", "https-enabled", D, "Serve the RPC port over TLS and dial other data nodes with TLS.", c => c.Cluster.HttpsEnabled, (c, v) => c.Cluster.HttpsEnabled = v));
        k.Add(Str("cluster", "https-certificate", D, "PEM certificate (and chain) for the RPC port; required with https-enabled.", c => c.Cluster.HttpsCertificate, (c, v) => c.Cluster.HttpsCertificate = v));
        k.Add(Str("cluster", "https-private-key", D, "PEM private key for the RPC port; empty: it is in https-certificate.", c => c.Cluster.HttpsPrivateKey, (c, v) => c.Cluster.HttpsPrivateKey = v));
        k.Add(Bool("cluster", "https-insecure-tls", D, "Do not check other data nodes' certificates on the RPC port.", c => c.Cluster.HttpsInsecureTls, (c, v) => c.Cluster.HttpsInsecureTls = v));
        k.Add(Bool("cluster", "cluster-tracing", D, "Log every RPC call.", c => c.Cluster.ClusterTracing, (c, v) => c.Cluster.ClusterTracing = v));
        k.Add(Dur("cluster", "write-timeout", D, "Timeout for a write to reach its shard owners.", c => c.Cluster.WriteTimeout, (c, v) => c.Cluster.WriteTimeout = v));
        k.Add(Int("cluster", "max-concurrent-queries", D, "Queries at once on this node; 0 is no limit.", c => c.Cluster.MaxConcurrentQueries, (c, v) => c.Cluster.MaxConcurrentQueries = v));
        k.Add(Int("cluster", "max-concurrent-deletes", D, "Deletes at once on this node.", c => c.Cluster.MaxConcurrentDeletes, (c, v) => c.Cluster.MaxConcurrentDeletes = v));
        k.Add(Dur("cluster", "query-timeout", D, "Kill queries running longer; 0 is no limit.", c => c.Cluster.QueryTimeout, (c, v) => c.Cluster.QueryTimeout = v));
        k.Add(Dur("cluster", "log-queries-after", D, "Log queries running longer; 0 is off.", c => c.Cluster.LogQueriesAfter, (c, v) => c.Cluster.LogQueriesAfter = v));
        k.Add(Bool("cluster", "log-timedout-queries", D, "Log queries that time out.", c => c.Cluster.LogTimedoutQueries, (c, v) => c.Cluster.LogTimedoutQueries = v));
        k.Add(Int("cluster", "max-select-point", D, "Points a SELECT may process; 0 is no limit.", c => c.Cluster.MaxSelectPoint, (c, v) => c.Cluster.MaxSelectPoint = v));
        k.Add(Int("cluster", "max-select-series", D, "Series a SELECT may process; 0 is no limit.", c => c.Cluster.MaxSelectSeries, (c, v) => c.Cluster.MaxSelectSeries = v));
        k.Add(Int("cluster", "max-select-buckets", D, "GROUP BY time buckets a SELECT may make; 0 is no limit.", c => c.Cluster.MaxSelectBuckets, (c, v) => c.Cluster.MaxSelectBuckets = v));
        k.Add(Bool("cluster", "termination-query-log", D, "Log running queries when the process is told to stop.", c => c.Cluster.TerminationQueryLog, (c, v) => c.Cluster.TerminationQueryLog = v));

        k.Add(Bool("hinted-handoff", "enabled", D, "Queue writes for unreachable shard owners.", c => c.HintedHandoff.Enabled, (c, v) => c.HintedHandoff.Enabled = v));
        k.Add(Str("hinted-handoff", "dir", D, "Hinted-handoff queues.", c => c.HintedHandoff.Dir, (c, v) => c.HintedHandoff.Dir = v));
        k.Add(Size("hinted-handoff", "max-size", D, "Largest queue per destination node, bytes.", c => c.HintedHandoff.MaxSize, (c, v) => c.HintedHandoff.MaxSize = v));
        k.Add(Dur("hinted-handoff", "max-age", D, "Drop queued writes older than this.", c => c.HintedHandoff.MaxAge, (c, v) => c.HintedHandoff.MaxAge = v));
        k.Add(Int("hinted-handoff", "retry-concurrency", D, "Blocks sent at once per destination.", c => c.HintedHandoff.RetryConcurrency, (c, v) => c.HintedHandoff.RetryConcurrency = v));
        k.Add(Size("hinted-handoff", "retry-rate-limit", D, "Replay rate, bytes per second; 0 is no limit.", c => c.HintedHandoff.RetryRateLimit, (c, v) => c.HintedHandoff.RetryRateLimit = v));
        k.Add(Dur("hinted-handoff", "retry-interval", D, "First wait between replay attempts.", c => c.HintedHandoff.RetryInterval, (c, v) => c.HintedHandoff.RetryInterval = v));
        k.Add(Dur("hinted-handoff", "retry-max-interval", D, "Longest wait between replay attempts.", c => c.HintedHandoff.RetryMaxInterval, (c, v) => c.HintedHandoff.RetryMaxInterval = v));
        k.Add(Dur("hinted-handoff", "purge-interval", D, "How often old queue entries are dropped.", c => c.HintedHandoff.PurgeInterval, (c, v) => c.HintedHandoff.PurgeInterval = v));
        k.Add(Size("hinted-handoff", "batch-size", D, "Bytes per replayed block.", c => c.HintedHandoff.BatchSize, (c, v) => c.HintedHandoff.BatchSize = v));
        k.Add(Int("hinted-handoff", "max-writes-pending", D, "Queued appends waiting at once.", c => c.HintedHandoff.MaxWritesPending, (c, v) => c.HintedHandoff.MaxWritesPending = v));

        k.Add(Bool("anti-entropy", "enabled", D, "Check shard owners against each other.", c => c.AntiEntropy.Enabled, (c, v) => c.AntiEntropy.Enabled = v));
        k.Add(Dur("anti-entropy", "check-interval", D, "How often to check.", c => c.AntiEntropy.CheckInterval, (c, v) => c.AntiEntropy.CheckInterval = v));
        k.Add(Int("anti-entropy", "max-fetch", D, "Digests fetched at once.", c => c.AntiEntropy.MaxFetch, (c, v) => c.AntiEntropy.MaxFetch = v));
        k.Add(Int("anti-entropy", "max-sync", D, "Shards repaired at once.", c => c.AntiEntropy.MaxSync, (c, v) => c.AntiEntropy.MaxSync = v));
        k.Add(Bool("anti-entropy", "auto-repair-missing", D, "Copy missing shards from other owners.", c => c.AntiEntropy.AutoRepairMissing, (c, v) => c.AntiEntropy.AutoRepairMissing = v));

        k.Add(Bool("retention", "enabled", D, "Drop shard groups past their retention policy.", c => c.Retention.Enabled, (c, v) => c.Retention.Enabled = v));
        k.Add(Dur("retention", "check-interval", D, "How often to check.", c => c.Retention.CheckInterval, (c, v) => c.Retention.CheckInterval = v));

        k.Add(Bool("shard-precreation", "enabled", D, "Create shard groups before they are needed.", c => c.ShardPrecreation.Enabled, (c, v) => c.ShardPrecreation.Enabled = v));
        k.Add(Dur("shard-precreation", "check-interval", D, "How often to check.", c => c.ShardPrecreation.CheckInterval, (c, v) => c.ShardPrecreation.CheckInterval = v));
        k.Add(Dur("shard-precreation", "advance-period", D, "How far ahead to create them.", c => c.ShardPrecreation.AdvancePeriod, (c, v) => c.ShardPrecreation.AdvancePeriod = v));

        k.Add(Bool("monitor", "store-enabled", D, "Record internal statistics in a database.", c => c.Monitor.StoreEnabled, (c, v) => c.Monitor.StoreEnabled = v));
        k.Add(Str("monitor", "store-database", D, "Database for internal statistics.", c => c.Monitor.StoreDatabase, (c, v) => c.Monitor.StoreDatabase = v));
        k.Add(Dur("monitor", "store-interval", D, "How often to record them.", c => c.Monitor.StoreInterval, (c, v) => c.Monitor.StoreInterval = v));
        k.Add(Dur("monitor", "remote-collect-interval", D, "How often to gather other data nodes' statistics.", c => c.Monitor.RemoteCollectInterval, (c, v) => c.Monitor.RemoteCollectInterval = v));

        k.Add(Bool("http", "enabled", D, "Serve the public HTTP API.", c => c.Http.Enabled, (c, v) => c.Http.Enabled = v));
        k.Add(Address("http", "bind-address", D, "Public HTTP API listener (/write, /query, /ping, /health, /debug/vars).", c => c.Http.BindAddress, (c, v) => c.Http.BindAddress = v));
        k.Add(Bool("http", "auth-enabled", D, "Require credentials.", c => c.Http.AuthEnabled, (c, v) => c.Http.AuthEnabled = v));
        k.Add(Str("http", "realm", D, "Realm in WWW-Authenticate.", c => c.Http.Realm, (c, v) => c.Http.Realm = v));
        k.Add(Bool("http", "log-enabled", D, "Log HTTP requests.", c => c.Http.LogEnabled, (c, v) => c.Http.LogEnabled = v));
        k.Add(Bool("http", "suppress-write-log", D, "Leave /write out of the request log.", c => c.Http.SuppressWriteLog, (c, v) => c.Http.SuppressWriteLog = v));
        k.Add(Str("http", "access-log-path", D, "Request log file; empty logs to stderr.", c => c.Http.AccessLogPath, (c, v) => c.Http.AccessLogPath = v));
        k.Add(Strings("http", "access-log-status-filters", D, "Only log these statuses, e.g. [\"4xx\", \"5xx\"].", c => c.Http.AccessLogStatusFilters, (c, v) => c.Http.AccessLogStatusFilters = v));
        k.Add(Bool("http", "write-tracing", D, "Log every write body.", c => c.Http.WriteTracing, (c, v) => c.Http.WriteTracing = v));
        k.Add(Bool("http", "pprof-enabled", D, "Serve /debug/pprof.", c => c.Http.PprofEnabled, (c, v) => c.Http.PprofEnabled = v));
        k.Add(Bool("http", "https-enabled", D, "Serve HTTPS.", c => c.Http.HttpsEnabled, (c, v) => c.Http.HttpsEnabled = v));
        k.Add(Str("http", "https-certificate", D, "PEM certificate for HTTPS.", c => c.Http.HttpsCertificate, (c, v) => c.Http.HttpsCertificate = v));
        k.Add(Str("http", "https-private-key", D, "PEM private key for HTTPS.", c => c.Http.HttpsPrivateKey, (c, v) => c.Http.HttpsPrivateKey = v));
        k.Add(Str("http", "shared-secret", D, "Secret for JWT bearer tokens.", c => c.Http.SharedSecret, (c, v) => c.Http.SharedSecret = v));
        k.Add(Size("http", "max-body-size", D, "Largest request body, bytes; 0 is no limit.", c => c.Http.MaxBodySize, (c, v) => c.Http.MaxBodySize = v));
        k.Add(Int("http", "max-row-limit", D, "Rows per result in non-chunked responses; 0 is no limit.", c => c.Http.MaxRowLimit, (c, v) => c.Http.MaxRowLimit = v));
        k.Add(Int("http", "max-connection-limit", D, "Open connections; 0 is no limit.", c => c.Http.MaxConnectionLimit, (c, v) => c.Http.MaxConnectionLimit = v));
        k.Add(Bool("http", "unix-socket-enabled", D, "Also serve on a unix socket.", c => c.Http.UnixSocketEnabled, (c, v) => c.Http.UnixSocketEnabled = v));
        k.Add(Str("http", "bind-socket", D, "Path of that unix socket.", c => c.Http.BindSocket, (c, v) => c.Http.BindSocket = v));
        k.Add(Int("http", "max-concurrent-write-limit", D, "Writes at once; 0 is no limit.", c => c.Http.MaxConcurrentWriteLimit, (c, v) => c.Http.MaxConcurrentWriteLimit = v));
        k.Add(Int("http", "max-enqueued-write-limit", D, "Writes waiting at once; 0 is no limit.", c => c.Http.MaxEnqueuedWriteLimit, (c, v) => c.Http.MaxEnqueuedWriteLimit = v));
        k.Add(Dur("http", "enqueued-write-timeout", D, "How long a write may wait; 0 is no limit.", c => c.Http.EnqueuedWriteTimeout, (c, v) => c.Http.EnqueuedWriteTimeout = v));

        k.Add(new ConfigKey
        {
            Section = "logging", Name = "format", Kind = ConfigValueKind.String, Roles = B,
            Doc = "\"logfmt\" or \"json\" (\"auto\" means logfmt). Logs go to stderr.",
            Get = c => c.Logging.Format, Set = (c, v) => c.Logging.Format = (string)v,
            Validate = v => (string)v is "logfmt" or "json" or "auto" ? null : "must be \"logfmt\", \"json\" or \"auto\"",
        });
        k.Add(new ConfigKey
        {
            Section = "logging", Name = "level", Kind = ConfigValueKind.String, Roles = B,
            Doc = "\"debug\", \"info\", \"warn\" or \"error\". Reloaded on SIGHUP.",
            Get = c => c.Logging.Level, Set = (c, v) => c.Logging.Level = (string)v,
            Validate = v => (string)v is "debug" or "info" or "warn" or "error" ? null : "must be \"debug\", \"info\", \"warn\" or \"error\"",
        });
        k.Add(Bool("logging", "suppress-logo", B, "Accepted for InfluxDB compatibility; Cairn prints no logo.", c => c.Logging.SuppressLogo, (c, v) => c.Logging.SuppressLogo = v));

        k.Add(Bool("subscriber", "enabled", D, "Forward writes to subscriptions.", c => c.Subscriber.Enabled, (c, v) => c.Subscriber.Enabled = v));
        k.Add(Dur("subscriber", "http-timeout", D, "Timeout for a forwarded write.", c => c.Subscriber.HttpTimeout, (c, v) => c.Subscriber.HttpTimeout = v));
        k.Add(Bool("subscriber", "insecure-skip-verify", D, "Skip certificate checks on subscribers.", c => c.Subscriber.InsecureSkipVerify, (c, v) => c.Subscriber.InsecureSkipVerify = v));
        k.Add(Str("subscriber", "ca-certs", D, "CA bundle for subscribers.", c => c.Subscriber.CaCerts, (c, v) => c.Subscriber.CaCerts = v));
        k.Add(Int("subscriber", "write-concurrency", D, "Forwarding writers per subscription.", c => c.Subscriber.WriteConcurrency, (c, v) => c.Subscriber.WriteConcurrency = v));
        k.Add(Int("subscriber", "write-buffer-size", D, "Writes buffered per subscription.", c => c.Subscriber.WriteBufferSize, (c, v) => c.Subscriber.WriteBufferSize = v));
        k.Add(Size("subscriber", "total-buffer-bytes", D, "Bytes buffered for all subscriptions; 0 is no limit.", c => c.Subscriber.TotalBufferBytes, (c, v) => c.Subscriber.TotalBufferBytes = v));

        k.Add(Bool("continuous_queries", "enabled", D, "Run continuous queries.", c => c.ContinuousQueries.Enabled, (c, v) => c.ContinuousQueries.Enabled = v));
        k.Add(Bool("continuous_queries", "log-enabled", D, "Log continuous query runs.", c => c.ContinuousQueries.LogEnabled, (c, v) => c.ContinuousQueries.LogEnabled = v));
        k.Add(Bool("continuous_queries", "query-stats-enabled", D, "Record continuous query statistics.", c => c.ContinuousQueries.QueryStatsEnabled, (c, v) => c.ContinuousQueries.QueryStatsEnabled = v));
        k.Add(Dur("continuous_queries", "run-interval", D, "How often to check for queries to run.", c => c.ContinuousQueries.RunInterval, (c, v) => c.ContinuousQueries.RunInterval = v));

        k.Add(Strings("tls", "ciphers", B, "TLS cipher suites (IANA names); empty means the platform's defaults.", c => c.Tls.Ciphers, (c, v) => c.Tls.Ciphers = v));
        k.Add(TlsVersion("min-version", "Lowest TLS version, e.g. \"tls1.2\"; empty: the platform's.", c => c.Tls.MinVersion, (c, v) => c.Tls.MinVersion = v));
        k.Add(TlsVersion("max-version", "Highest TLS version; empty: the platform's.", c => c.Tls.MaxVersion, (c, v) => c.Tls.MaxVersion = v));

        return k.ToArray();
    }

    private static ConfigKey Str(string section, string name, NodeRole roles, string doc, Func<CairnConfig, string> get, Action<CairnConfig, string> set) =>
        new() { Section = section, Name = name, Kind = ConfigValueKind.String, Roles = roles, Doc = doc, Get = get, Set = (c, v) => set(c, (string)v) };

    private static ConfigKey Address(string section, string name, NodeRole roles, string doc, Func<CairnConfig, string> get, Action<CairnConfig, string> set) =>
        new()
        {
            Section = section, Name = name, Kind = ConfigValueKind.String, Roles = roles, Doc = doc, Get = get, Set = (c, v) => set(c, (string)v),
            Validate = v => BindAddress.TryParse((string)v, out _, out var error) ? null : error,
        };

    private static ConfigKey TlsVersion(string name, string doc, Func<CairnConfig, string> get, Action<CairnConfig, string> set) =>
        new()
        {
            Section = "tls", Name = name, Kind = ConfigValueKind.String, Roles = NodeRole.Both, Doc = doc, Get = get, Set = (c, v) => set(c, (string)v),
            Validate = v => Net.TlsSettings.VersionProblem((string)v),
        };

    private static ConfigKey Bool(string section, string name, NodeRole roles, string doc, Func<CairnConfig, bool> get, Action<CairnConfig, bool> set) =>
        new() { Section = section, Name = name, Kind = ConfigValueKind.Boolean, Roles = roles, Doc = doc, Get = c => get(c), Set = (c, v) => set(c, (bool)v) };

    private static ConfigKey Int(string section, string name, NodeRole roles, string doc, Func<CairnConfig, long> get, Action<CairnConfig, long> set) =>
        new()
        {
            Section = section, Name = name, Kind = ConfigValueKind.Integer, Roles = roles, Doc = doc, Get = c => get(c), Set = (c, v) => set(c, (long)v),
            Validate = v => (long)v < 0 ? "must not be negative" : null,
        };

    private static ConfigKey Size(string section, string name, NodeRole roles, string doc, Func<CairnConfig, long> get, Action<CairnConfig, long> set) =>
        new() { Section = section, Name = name, Kind = ConfigValueKind.Size, Roles = roles, Doc = doc, Get = c => get(c), Set = (c, v) => set(c, (long)v) };

    private static ConfigKey Dur(string section, string name, NodeRole roles, string doc, Func<CairnConfig, TimeSpan> get, Action<CairnConfig, TimeSpan> set) =>
        new()
        {
            Section = section, Name = name, Kind = ConfigValueKind.Duration, Roles = roles, Doc = doc, Get = c => get(c), Set = (c, v) => set(c, (TimeSpan)v),
            Validate = v => (TimeSpan)v < TimeSpan.Zero ? "must not be negative" : null,
        };

    private static ConfigKey Strings(string section, string name, NodeRole roles, string doc, Func<CairnConfig, IReadOnlyList<string>> get, Action<CairnConfig, IReadOnlyList<string>> set) =>
        new() { Section = section, Name = name, Kind = ConfigValueKind.StringArray, Roles = roles, Doc = doc, Get = get, Set = (c, v) => set(c, (IReadOnlyList<string>)v) };
}
