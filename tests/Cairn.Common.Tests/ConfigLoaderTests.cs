using Cairn.Common.Config;

namespace Cairn.Common.Tests;

public class ConfigLoaderTests
{
    // ---- Environment variables -------------------------------------------------------------

    [Test]
    public async Task Load_HttpBindAddressVariable_SetsHttpBindAddress()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_HTTP_BIND_ADDRESS", "127.0.0.1:9086")));
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo("127.0.0.1:9086");
        await Assert.That(loaded.Config.BindAddress).IsEqualTo(":8088");
        await Assert.That(loaded.Config.Meta.HttpBindAddress).IsEqualTo(":8091");
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_BindAddressVariable_SetsTopLevelBindAddress()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_BIND_ADDRESS", ":9999")));
        await Assert.That(loaded.Config.BindAddress).IsEqualTo(":9999");
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":8086");
        await Assert.That(loaded.Config.Meta.BindAddress).IsEqualTo(":8089");
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_HostnameVariable_SetsHostname()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_HOSTNAME", "node-7.example.com")));
        await Assert.That(loaded.Config.Hostname).IsEqualTo("node-7.example.com");
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_MetaHttpBindAddressVariable_SetsMetaHttpBindAddress()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_META_HTTP_BIND_ADDRESS", "[::1]:18091")));
        await Assert.That(loaded.Config.Meta.HttpBindAddress).IsEqualTo("[::1]:18091");
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":8086");
        await Assert.That(loaded.Config.Meta.BindAddress).IsEqualTo(":8089");
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_DataWalDirVariable_SetsDataWalDir()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_DATA_WAL_DIR", "/mnt/wal")));
        await Assert.That(loaded.Config.Data.WalDir).IsEqualTo("/mnt/wal");
        await Assert.That(loaded.Config.Data.Dir).IsEqualTo("./var/data");
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_HintedHandoffMaxSizeVariable_SetsMaxSize()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_HINTED_HANDOFF_MAX_SIZE", "2g")));
        await Assert.That(loaded.Config.HintedHandoff.MaxSize).IsEqualTo(2L << 30);
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_EnterpriseLicensePathVariable_SetsLicensePathAndIsNotZeroConfig()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_ENTERPRISE_LICENSE_PATH", "/etc/cairn/license.json")));
        await Assert.That(loaded.Config.Enterprise.LicensePath).IsEqualTo("/etc/cairn/license.json");
        await Assert.That(loaded.LicenseFromEnvironment).IsTrue();
        await Assert.That(loaded.IsZeroConfig).IsFalse();
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_EnterpriseLicenseKeyVariable_SetsLicenseKeyAndIsNotZeroConfig()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_ENTERPRISE_LICENSE_KEY", "{\"id\":\"x\"}")));
        await Assert.That(loaded.Config.Enterprise.LicenseKey).IsEqualTo("{\"id\":\"x\"}");
        await Assert.That(loaded.LicenseFromEnvironment).IsTrue();
        await Assert.That(loaded.IsZeroConfig).IsFalse();
    }

    [Test]
    public async Task Load_NoFileNoLicenseVariable_IsZeroConfigWithDefaults()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("PATH", "/usr/bin"), ("HOME", "/root")));
        await Assert.That(loaded.IsZeroConfig).IsTrue();
        await Assert.That(loaded.FilePath).IsNull();
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":8086");
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_EmptyLicenseVariable_StillZeroConfig()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_ENTERPRISE_LICENSE_PATH", "")));
        await Assert.That(loaded.LicenseFromEnvironment).IsFalse();
        await Assert.That(loaded.IsZeroConfig).IsTrue();
    }

    [Test]
    public async Task Load_FileGiven_IsNotZeroConfig()
    {
        using var file = new TempFile("hostname = \"h\"\n");
        var loaded = ConfigLoader.Load(file.Path, Env.Of());
        await Assert.That(loaded.FilePath).IsEqualTo(file.Path);
        await Assert.That(loaded.IsZeroConfig).IsFalse();
    }

    [Test]
    public async Task Load_ConfigPathVariable_IsNotAKeyAndGivesNoWarning()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_CONFIG_PATH", "/etc/cairn/x.toml"), ("CAIRN_LICENSE_PUBKEY", "/k.pem")));
        await AssertClean(loaded);
    }

    [Test]
    public async Task Load_UnknownCairnVariable_WarnsNamingIt()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_FOO", "1"), ("CAIRN_HTTP_BIND_ADDRESS", ":1")));
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Warnings[0]).Contains("CAIRN_FOO");
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":1");
    }

    [Test]
    public async Task Load_NonCairnVariables_AreIgnoredSilently()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("INFLUXDB_HTTP_BIND_ADDRESS", ":1"), ("cairn_http_bind_address", ":2"), ("PATH", "/bin")));
        await AssertClean(loaded);
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":8086");
    }

    [Test]
    public async Task Load_VariableOfEveryKind_ConvertsToTypedValue()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(
            ("CAIRN_REPORTING_DISABLED", "true"),
            ("CAIRN_HTTP_MAX_ROW_LIMIT", "5000"),
            ("CAIRN_DATA_CACHE_MAX_MEMORY_SIZE", "1073741824"),
            ("CAIRN_DATA_CACHE_SNAPSHOT_MEMORY_SIZE", "25m"),
            ("CAIRN_CLUSTER_WRITE_TIMEOUT", "1m30s"),
            ("CAIRN_NODE_ROLE", "meta"),
            ("CAIRN_LOGGING_FORMAT", "json")));
        await AssertClean(loaded);
        await Assert.That(loaded.Config.ReportingDisabled).IsTrue();
        await Assert.That(loaded.Config.Http.MaxRowLimit).IsEqualTo(5000L);
        await Assert.That(loaded.Config.Data.CacheMaxMemorySize).IsEqualTo(1_073_741_824L);
        await Assert.That(loaded.Config.Data.CacheSnapshotMemorySize).IsEqualTo(25L << 20);
        await Assert.That(loaded.Config.Cluster.WriteTimeout).IsEqualTo(TimeSpan.FromSeconds(90));
        await Assert.That(loaded.Config.Node.Role).IsEqualTo(NodeRole.Meta);
        await Assert.That(loaded.Config.Logging.Format).IsEqualTo("json");
    }

    [Test]
    public async Task Load_BadVariableValue_ErrorNamesKeyValueAndVariable()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_CLUSTER_WRITE_TIMEOUT", "soon")));
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(1);
        var error = loaded.Diagnostics.Errors[0];
        await Assert.That(error).Contains("[cluster] write-timeout");
        await Assert.That(error).Contains("\"soon\"");
        await Assert.That(error).Contains("CAIRN_CLUSTER_WRITE_TIMEOUT");
        await Assert.That(loaded.Config.Cluster.WriteTimeout).IsEqualTo(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task Load_EnvironmentOverFile_EnvironmentWins()
    {
        using var file = new TempFile("""
            hostname = "from-file"
            [http]
              bind-address = ":1111"
              max-row-limit = 10
            [data]
              wal-dir = "/file/wal"
            """);
        var loaded = ConfigLoader.Load(file.Path, Env.Of(
            ("CAIRN_HTTP_BIND_ADDRESS", ":2222"),
            ("CAIRN_DATA_WAL_DIR", "/env/wal")));
        await AssertClean(loaded);
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":2222");
        await Assert.That(loaded.Config.Data.WalDir).IsEqualTo("/env/wal");
        // Keys the environment does not touch keep the file's values.
        await Assert.That(loaded.Config.Hostname).IsEqualTo("from-file");
        await Assert.That(loaded.Config.Http.MaxRowLimit).IsEqualTo(10L);
    }

    [Test]
    public async Task Load_EmptyVariable_IsIgnored()
    {
        using var file = new TempFile("[http]\n  bind-address = \":1111\"\n");
        var loaded = ConfigLoader.Load(file.Path, Env.Of(("CAIRN_HTTP_BIND_ADDRESS", ""), ("CAIRN_HTTP_ENABLED", "")));
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":1111");
        await Assert.That(loaded.Config.Http.Enabled).IsTrue();
    }

    // ---- String arrays ---------------------------------------------------------------------

    [Test]
    public async Task LoadText_CoordinatorSection_IsReadAsCluster()
    {
        var loaded = ConfigLoader.LoadText("[coordinator]\n  query-timeout = \"30s\"\n  max-concurrent-queries = 7\n");
        await Assert.That(loaded.Diagnostics.Warnings).IsEmpty();
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Config.Cluster.QueryTimeout).IsEqualTo(TimeSpan.FromSeconds(30));
        await Assert.That(loaded.Config.Cluster.MaxConcurrentQueries).IsEqualTo(7);
    }

    [Test]
    public async Task LoadText_StringArray_ReadsEveryItemInOrder()
    {
        var loaded = ConfigLoader.LoadText("[http]\n  access-log-status-filters = [\"4xx\", \"5xx\", \"200\"]\n[tls]\n  ciphers = [\"TLS_AES_128_GCM_SHA256\"]\n");
        await AssertClean(loaded);
        await Assert.That(string.Join("|", loaded.Config.Http.AccessLogStatusFilters)).IsEqualTo("4xx|5xx|200");
        await Assert.That(string.Join("|", loaded.Config.Tls.Ciphers)).IsEqualTo("TLS_AES_128_GCM_SHA256");
    }

    [Test]
    public async Task LoadText_EmptyStringArray_StaysEmpty()
    {
        var loaded = ConfigLoader.LoadText("[http]\n  access-log-status-filters = []\n");
        await AssertClean(loaded);
        await Assert.That(loaded.Config.Http.AccessLogStatusFilters).IsEmpty();
    }

    [Test]
    public async Task LoadText_ArrayWithNonString_IsErrorNamingKey()
    {
        var loaded = ConfigLoader.LoadText("[http]\n  access-log-status-filters = [\"4xx\", 500]\n");
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("[http] access-log-status-filters");
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("array of strings");
    }

    [Test]
    public async Task LoadText_StringForArrayKey_IsError()
    {
        var loaded = ConfigLoader.LoadText("[http]\n  access-log-status-filters = \"4xx\"\n");
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("[http] access-log-status-filters");
    }

    [Test]
    public async Task Load_ArrayOrdinalVariables_BuildArrayInOrdinalOrder()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(
            ("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_1", "5xx"),
            ("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_0", "4xx"),
            ("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_10", "301")));
        await AssertClean(loaded);
        await Assert.That(string.Join("|", loaded.Config.Http.AccessLogStatusFilters)).IsEqualTo("4xx|5xx|301");
    }

    [Test]
    public async Task Load_CommaSeparatedArrayVariable_SplitsAndTrims()
    {
        var loaded = ConfigLoader.Load(null, Env.Of(("CAIRN_TLS_CIPHERS", "A, B ,C,,")));
        await AssertClean(loaded);
        await Assert.That(string.Join("|", loaded.Config.Tls.Ciphers)).IsEqualTo("A|B|C");
    }

    [Test]
    public async Task Load_ArrayOrdinalVariable_OverridesThatItemOfTheFile()
    {
        using var file = new TempFile("[http]\n  access-log-status-filters = [\"4xx\", \"5xx\"]\n");
        var loaded = ConfigLoader.Load(file.Path, Env.Of(("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_1", "2xx")));
        await AssertClean(loaded);
        await Assert.That(string.Join("|", loaded.Config.Http.AccessLogStatusFilters)).IsEqualTo("4xx|2xx");
    }

    [Test]
    public async Task Load_WholeArrayVariable_ReplacesTheFilesArray()
    {
        using var file = new TempFile("[http]\n  access-log-status-filters = [\"4xx\", \"5xx\", \"3xx\"]\n");
        var loaded = ConfigLoader.Load(file.Path, Env.Of(("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS", "2xx")));
        await AssertClean(loaded);
        await Assert.That(string.Join("|", loaded.Config.Http.AccessLogStatusFilters)).IsEqualTo("2xx");
    }

    // ---- Unknown keys and sections ---------------------------------------------------------

    [Test]
    public async Task LoadText_UnknownKeyInSection_WarnsNamingSectionAndKey()
    {
        var loaded = ConfigLoader.LoadText("[http]\n  bind-adress = \":1\"\n");
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Warnings[0]).Contains("[http] bind-adress");
    }

    [Test]
    public async Task LoadText_UnknownTopLevelKey_WarnsNamingKey()
    {
        var loaded = ConfigLoader.LoadText("no-such-thing = 1\n");
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Warnings[0]).Contains("no-such-thing");
    }

    [Test]
    public async Task LoadText_UnknownSection_WarnsNamingSection()
    {
        var loaded = ConfigLoader.LoadText("[graphite]\n  enabled = true\n[[udp]]\n  enabled = true\n");
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).Count().IsEqualTo(2);
        await Assert.That(string.Join("\n", loaded.Diagnostics.Warnings)).Contains("[graphite]");
        await Assert.That(string.Join("\n", loaded.Diagnostics.Warnings)).Contains("[udp]");
    }

    [Test]
    public async Task Load_UnknownKeyInFile_WarningNamesTheFile()
    {
        using var file = new TempFile("[data]\n  no-such-key = 1\n");
        var loaded = ConfigLoader.Load(file.Path, Env.Of());
        await Assert.That(loaded.Diagnostics.Warnings).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Warnings[0]).Contains("[data] no-such-key");
        await Assert.That(loaded.Diagnostics.Warnings[0]).Contains(file.Path);
    }

    [Test]
    public async Task LoadText_SectionNameInWrongCase_IsUnknownSection()
    {
        var loaded = ConfigLoader.LoadText("[HTTP]\n  bind-address = \":1\"\n");
        await Assert.That(loaded.Diagnostics.Warnings).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Warnings[0]).Contains("[HTTP]");
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":8086");
    }

    // ---- Wrong types and bad values --------------------------------------------------------

    [Test]
    [Arguments("[http]\n  bind-address = 5\n", "[http] bind-address", "5")]
    [Arguments("[data]\n  cache-max-memory-size = true\n", "[data] cache-max-memory-size", "true")]
    [Arguments("[cluster]\n  write-timeout = \"abc\"\n", "[cluster] write-timeout", "\"abc\"")]
    [Arguments("[logging]\n  level = \"loud\"\n", "[logging] level", "\"loud\"")]
    [Arguments("[logging]\n  format = \"xml\"\n", "[logging] format", "\"xml\"")]
    [Arguments("[node]\n  role = \"x\"\n", "[node] role", "\"x\"")]
    [Arguments("[http]\n  bind-address = \"nonsense\"\n", "[http] bind-address", "\"nonsense\"")]
    [Arguments("[meta]\n  http-bind-address = \"localhost:99999\"\n", "[meta] http-bind-address", "\"localhost:99999\"")]
    [Arguments("bind-address = \"nonsense\"\n", "bind-address", "\"nonsense\"")]
    [Arguments("[http]\n  enabled = \"yes\"\n", "[http] enabled", "\"yes\"")]
    [Arguments("[http]\n  enabled = 1\n", "[http] enabled", "1")]
    [Arguments("[http]\n  max-row-limit = \"many\"\n", "[http] max-row-limit", "\"many\"")]
    [Arguments("[http]\n  max-row-limit = 1.5\n", "[http] max-row-limit", "1.5")]
    [Arguments("[http]\n  max-row-limit = -1\n", "[http] max-row-limit", "-1")]
    [Arguments("[cluster]\n  write-timeout = 10\n", "[cluster] write-timeout", "10")]
    [Arguments("[cluster]\n  write-timeout = \"-10s\"\n", "[cluster] write-timeout", "\"-10s\"")]
    [Arguments("[data]\n  cache-max-memory-size = \"1x\"\n", "[data] cache-max-memory-size", "\"1x\"")]
    [Arguments("[data]\n  cache-max-memory-size = -5\n", "[data] cache-max-memory-size", "-5")]
    [Arguments("hostname = 42\n", "hostname", "42")]
    public async Task LoadText_WrongTypeOrValue_ErrorNamesKeyAndValue(string toml, string display, string value)
    {
        var loaded = ConfigLoader.LoadText(toml);
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(1);
        var error = loaded.Diagnostics.Errors[0];
        await Assert.That(error).StartsWith(display + " = ");
        await Assert.That(error).Contains(value);
    }

    [Test]
    public async Task LoadText_WrongValue_KeepsTheDefault()
    {
        var loaded = ConfigLoader.LoadText("[http]\n  bind-address = 5\n[logging]\n  level = \"loud\"\n[node]\n  role = \"x\"\n");
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(3);
        await Assert.That(loaded.Config.Http.BindAddress).IsEqualTo(":8086");
        await Assert.That(loaded.Config.Logging.Level).IsEqualTo("info");
        await Assert.That(loaded.Config.Node.Role).IsEqualTo(NodeRole.Both);
    }

    [Test]
    public async Task LoadText_HugeDuration_IsErrorNotException()
    {
        LoadedConfig? loaded = null;
        Exception? thrown = null;
        try { loaded = ConfigLoader.LoadText("[cluster]\n  write-timeout = \"100000000000000000000h\"\n"); }
        catch (Exception e) { thrown = e; }
        await Assert.That(thrown).IsNull();
        await Assert.That(loaded!.Diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("[cluster] write-timeout");
    }

    [Test]
    public async Task LoadText_InvalidToml_IsError()
    {
        var loaded = ConfigLoader.LoadText("[http\nbind-address = \n");
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("not valid TOML");
        // The parser's position, not the serializer's wrapping.
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("(1,6)");
        await Assert.That(loaded.Diagnostics.Errors[0]).DoesNotContain("converter");
    }

    [Test]
    [Arguments("hostname = \"a\"\nhostname = \"b\"\n")]
    [Arguments("[http]\nbind-address = \":1\"\n[http]\nbind-address = \":2\"\n")]
    public async Task LoadText_DuplicateKeyOrTable_IsError(string toml)
    {
        var loaded = ConfigLoader.LoadText(toml);
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("not valid TOML");
    }

    [Test]
    public async Task Load_UnreadableFile_IsErrorNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cairn-common-test-{Guid.NewGuid():N}-missing.toml");
        var loaded = ConfigLoader.Load(path, Env.Of());
        await Assert.That(loaded.Diagnostics.Errors).Count().IsEqualTo(1);
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains(path);
        await Assert.That(loaded.Diagnostics.Errors[0]).Contains("cannot be read");
    }

    // ---- Accepted forms --------------------------------------------------------------------

    [Test]
    public async Task LoadText_SizeAsStringOrInteger_BothAccepted()
    {
        var loaded = ConfigLoader.LoadText("""
            [data]
              cache-max-memory-size = "1g"
              cache-snapshot-memory-size = 26214400
              compact-throughput = "48m"
              max-index-log-file-size = "1k"
            [hinted-handoff]
              max-size = 10737418240
            [http]
              max-body-size = "25m"
            """);
        await AssertClean(loaded);
        await Assert.That(loaded.Config.Data.CacheMaxMemorySize).IsEqualTo(1L << 30);
        await Assert.That(loaded.Config.Data.CacheSnapshotMemorySize).IsEqualTo(26_214_400L);
        await Assert.That(loaded.Config.Data.CompactThroughput).IsEqualTo(48L << 20);
        await Assert.That(loaded.Config.Data.MaxIndexLogFileSize).IsEqualTo(1024L);
        await Assert.That(loaded.Config.HintedHandoff.MaxSize).IsEqualTo(10_737_418_240L);
        await Assert.That(loaded.Config.Http.MaxBodySize).IsEqualTo(25L << 20);
    }

    [Test]
    public async Task LoadText_TypicalInfluxFile_SetsEveryKindOfValue()
    {
        var loaded = ConfigLoader.LoadText("""
            reporting-disabled = true
            bind-address = ":8188"
            hostname = "data-1"
            [node]
              role = "data"
            [meta]
              dir = "/var/lib/cairn/meta"
              election-timeout = "2s"
            [data]
              wal-fsync-delay = "100ms"
              max-series-per-database = 0
            [hinted-handoff]
              max-age = "168h0m0s"
            [logging]
              format = "json"
              level = "debug"
            [continuous_queries]
              run-interval = "1.5s"
            """);
        await AssertClean(loaded);
        var c = loaded.Config;
        await Assert.That(c.ReportingDisabled).IsTrue();
        await Assert.That(c.BindAddress).IsEqualTo(":8188");
        await Assert.That(c.Hostname).IsEqualTo("data-1");
        await Assert.That(c.Node.Role).IsEqualTo(NodeRole.Data);
        await Assert.That(c.Meta.Dir).IsEqualTo("/var/lib/cairn/meta");
        await Assert.That(c.Meta.ElectionTimeout).IsEqualTo(TimeSpan.FromSeconds(2));
        await Assert.That(c.Data.WalFsyncDelay).IsEqualTo(TimeSpan.FromMilliseconds(100));
        await Assert.That(c.Data.MaxSeriesPerDatabase).IsEqualTo(0L);
        await Assert.That(c.HintedHandoff.MaxAge).IsEqualTo(TimeSpan.FromDays(7));
        await Assert.That(c.Logging.Format).IsEqualTo("json");
        await Assert.That(c.Logging.Level).IsEqualTo("debug");
        await Assert.That(c.ContinuousQueries.RunInterval).IsEqualTo(TimeSpan.FromMilliseconds(1500));
    }

    [Test]
    public async Task LoadText_Empty_GivesDefaults()
    {
        var loaded = ConfigLoader.LoadText("");
        await AssertClean(loaded);
        var defaults = new CairnConfig();
        var differing = ConfigSchema.Keys
            .Where(k => DefaultConfigWriter.Literal(k, k.Get(loaded.Config)) != DefaultConfigWriter.Literal(k, k.Get(defaults)))
            .Select(k => k.Display).ToList();
        await Assert.That(differing).IsEmpty();
    }

    [Test]
    public async Task CairnConfig_Defaults_MatchInfluxDefaults()
    {
        var c = new CairnConfig();
        await Assert.That(c.Http.BindAddress).IsEqualTo(":8086");
        await Assert.That(c.BindAddress).IsEqualTo(":8088");
        await Assert.That(c.Meta.BindAddress).IsEqualTo(":8089");
        await Assert.That(c.Meta.HttpBindAddress).IsEqualTo(":8091");
        await Assert.That(c.Node.Role).IsEqualTo(NodeRole.Both);
        await Assert.That(c.HintedHandoff.MaxSize).IsEqualTo(10L << 30);
        await Assert.That(c.HintedHandoff.MaxAge).IsEqualTo(TimeSpan.FromHours(168));
        await Assert.That(c.Logging.Level).IsEqualTo("info");
        await Assert.That(c.Logging.Format).IsEqualTo("logfmt");
        await Assert.That(c.Enterprise.LicenseKey).IsEqualTo("");
        await Assert.That(c.Enterprise.LicensePath).IsEqualTo("");
    }

    private static async Task AssertClean(LoadedConfig loaded)
    {
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).IsEmpty();
    }
}
