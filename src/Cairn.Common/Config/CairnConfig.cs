namespace Cairn.Common.Config;

// Typed configuration. Property initialisers are the built-in defaults (the zero-config run);
// ConfigSchema maps every TOML key onto exactly one property here.

public sealed class CairnConfig
{
    public bool ReportingDisabled { get; set; }
    /// <summary>Data node cluster RPC listener (InfluxDB's top-level <c>bind-address</c>).</summary>
    public string BindAddress { get; set; } = ":8088";
    public string Hostname { get; set; } = "localhost";
    public TimeSpan GossipFrequency { get; set; } = TimeSpan.FromSeconds(3);

    public NodeSection Node { get; } = new();
    public EnterpriseSection Enterprise { get; } = new();
    public MetaSection Meta { get; } = new();
    public DataSection Data { get; } = new();
    public ClusterSection Cluster { get; } = new();
    public HintedHandoffSection HintedHandoff { get; } = new();
    public AntiEntropySection AntiEntropy { get; } = new();
    public RetentionSection Retention { get; } = new();
    public ShardPrecreationSection ShardPrecreation { get; } = new();
    public MonitorSection Monitor { get; } = new();
    public HttpSection Http { get; } = new();
    public LoggingSection Logging { get; } = new();
    public SubscriberSection Subscriber { get; } = new();
    public ContinuousQueriesSection ContinuousQueries { get; } = new();
    public TlsSection Tls { get; } = new();
}

public sealed class NodeSection
{
    public NodeRole Role { get; set; } = NodeRole.Both;
}

public sealed class EnterpriseSection
{
    public string LicenseKey { get; set; } = "";
    public string LicensePath { get; set; } = "";
}

public sealed class MetaSection
{
    public string Dir { get; set; } = "./var/meta";
    public string BindAddress { get; set; } = ":8089";
    public string HttpBindAddress { get; set; } = ":8091";
    public bool HttpsEnabled { get; set; }
    public string HttpsCertificate { get; set; } = "";
    public string HttpsPrivateKey { get; set; } = "";
    public bool HttpsInsecureTls { get; set; }
    public bool DataUseTls { get; set; }
    public bool DataInsecureTls { get; set; }
    public TimeSpan GossipFrequency { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan AnnouncementExpiration { get; set; } = TimeSpan.FromSeconds(30);
    public bool RetentionAutocreate { get; set; } = true;
    public TimeSpan ElectionTimeout { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan LeaderLeaseTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan ConsensusTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public bool ClusterTracing { get; set; }
    public bool LoggingEnabled { get; set; } = true;
    public bool PprofEnabled { get; set; } = true;
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);
    public bool AuthEnabled { get; set; }
    public bool LdapAllowed { get; set; }
    public string SharedSecret { get; set; } = "";
    public string InternalSharedSecret { get; set; } = "";
    public string PasswordHash { get; set; } = "bcrypt";
    public bool EnsureFips { get; set; }
    // Keys a data node uses to reach the meta nodes.
    public bool MetaTlsEnabled { get; set; }
    public bool MetaInsecureTls { get; set; }
    public bool MetaAuthEnabled { get; set; }
    public string MetaInternalSharedSecret { get; set; } = "";
}

public sealed class DataSection
{
    public string Dir { get; set; } = "./var/data";
    public string WalDir { get; set; } = "./var/wal";
    public bool TraceLoggingEnabled { get; set; }
    public bool QueryLogEnabled { get; set; } = true;
    public TimeSpan WalFsyncDelay { get; set; } = TimeSpan.Zero;
    public bool IngressMetricByMeasurementEnabled { get; set; }
    public bool IngressMetricByLoginEnabled { get; set; }
    public long CacheMaxMemorySize { get; set; } = 1_000_000_000;
    public long CacheSnapshotMemorySize { get; set; } = 26_214_400;
    public TimeSpan CacheSnapshotWriteColdDuration { get; set; } = TimeSpan.FromMinutes(10);
    public long MaxConcurrentCompactions { get; set; }
    public long CompactThroughput { get; set; } = 48L << 20;
    public long CompactThroughputBurst { get; set; } = 48L << 20;
    public TimeSpan CompactFullWriteColdDuration { get; set; } = TimeSpan.FromHours(4);
    public string IndexVersion { get; set; } = "inmem";
    public long MaxSeriesPerDatabase { get; set; } = 1_000_000;
    public long MaxValuesPerTag { get; set; } = 100_000;
    public long MaxIndexLogFileSize { get; set; } = 1L << 20;
    public long SeriesIdSetCacheSize { get; set; } = 100;
}

public sealed class ClusterSection
{
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan PoolMaxIdleTime { get; set; } = TimeSpan.FromSeconds(60);
    public long PoolMaxIdleStreams { get; set; } = 100;
    public bool AllowOutOfOrderWrites { get; set; }
    public TimeSpan ShardReaderTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public bool HttpsEnabled { get; set; }
    public string HttpsCertificate { get; set; } = "";
    public string HttpsPrivateKey { get; set; } = "";
    public bool HttpsInsecureTls { get; set; }
    public bool ClusterTracing { get; set; }
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public long MaxConcurrentQueries { get; set; }
    public long MaxConcurrentDeletes { get; set; } = 1;
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.Zero;
    public TimeSpan LogQueriesAfter { get; set; } = TimeSpan.Zero;
    public bool LogTimedoutQueries { get; set; }
    public long MaxSelectPoint { get; set; }
    public long MaxSelectSeries { get; set; }
    public long MaxSelectBuckets { get; set; }
    public bool TerminationQueryLog { get; set; }
}

public sealed class HintedHandoffSection
{
    public bool Enabled { get; set; } = true;
    public string Dir { get; set; } = "./var/hh";
    public long MaxSize { get; set; } = 10_737_418_240;
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(168);
    public long RetryConcurrency { get; set; } = 20;
    public long RetryRateLimit { get; set; }
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(200);
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(1);
    public long BatchSize { get; set; } = 512_000;
    public long MaxWritesPending { get; set; } = 1024;
}

public sealed class AntiEntropySection
{
    public bool Enabled { get; set; }
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(5);
    public long MaxFetch { get; set; } = 10;
    public long MaxSync { get; set; } = 1;
    public bool AutoRepairMissing { get; set; } = true;
}

public sealed class RetentionSection
{
    public bool Enabled { get; set; } = true;
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(30);
}

public sealed class ShardPrecreationSection
{
    public bool Enabled { get; set; } = true;
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan AdvancePeriod { get; set; } = TimeSpan.FromMinutes(30);
}

public sealed class MonitorSection
{
    public bool StoreEnabled { get; set; } = true;
    public string StoreDatabase { get; set; } = "_internal";
    public TimeSpan StoreInterval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan RemoteCollectInterval { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class HttpSection
{
    public bool Enabled { get; set; } = true;
    public string BindAddress { get; set; } = ":8086";
    public bool AuthEnabled { get; set; }
    public string Realm { get; set; } = "InfluxDB";
    public bool LogEnabled { get; set; } = true;
    public bool SuppressWriteLog { get; set; }
    public string AccessLogPath { get; set; } = "";
    public IReadOnlyList<string> AccessLogStatusFilters { get; set; } = [];
    public bool WriteTracing { get; set; }
    public bool PprofEnabled { get; set; } = true;
    public bool HttpsEnabled { get; set; }
    public string HttpsCertificate { get; set; } = "/etc/ssl/cairn.pem";
    public string HttpsPrivateKey { get; set; } = "";
    public string SharedSecret { get; set; } = "";
    public long MaxBodySize { get; set; } = 25_000_000;
    public long MaxRowLimit { get; set; }
    public long MaxConnectionLimit { get; set; }
    public bool UnixSocketEnabled { get; set; }
    public string BindSocket { get; set; } = "/var/run/cairn.sock";
    public long MaxConcurrentWriteLimit { get; set; }
    public long MaxEnqueuedWriteLimit { get; set; }
    public TimeSpan EnqueuedWriteTimeout { get; set; } = TimeSpan.Zero;
}

public sealed class LoggingSection
{
    public string Format { get; set; } = "logfmt";
    public string Level { get; set; } = "info";
    public bool SuppressLogo { get; set; }
}

public sealed class SubscriberSection
{
    public bool Enabled { get; set; } = true;
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public bool InsecureSkipVerify { get; set; }
    public string CaCerts { get; set; } = "";
    public long WriteConcurrency { get; set; } = 40;
    public long WriteBufferSize { get; set; } = 1000;
    public long TotalBufferBytes { get; set; }
}

public sealed class ContinuousQueriesSection
{
    public bool Enabled { get; set; } = true;
    public bool LogEnabled { get; set; } = true;
    public bool QueryStatsEnabled { get; set; }
    public TimeSpan RunInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class TlsSection
{
    public IReadOnlyList<string> Ciphers { get; set; } = [];
    public string MinVersion { get; set; } = "";
    public string MaxVersion { get; set; } = "";
}
