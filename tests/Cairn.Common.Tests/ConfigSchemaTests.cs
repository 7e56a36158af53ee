using Cairn.Common.Config;

namespace Cairn.Common.Tests;

public class ConfigSchemaTests
{
    [Test]
    [Arguments("CAIRN_HTTP_BIND_ADDRESS", "http", "bind-address")]
    [Arguments("CAIRN_BIND_ADDRESS", "", "bind-address")]
    [Arguments("CAIRN_HOSTNAME", "", "hostname")]
    [Arguments("CAIRN_GOSSIP_FREQUENCY", "", "gossip-frequency")]
    [Arguments("CAIRN_REPORTING_DISABLED", "", "reporting-disabled")]
    [Arguments("CAIRN_META_HTTP_BIND_ADDRESS", "meta", "http-bind-address")]
    [Arguments("CAIRN_META_BIND_ADDRESS", "meta", "bind-address")]
    [Arguments("CAIRN_META_GOSSIP_FREQUENCY", "meta", "gossip-frequency")]
    [Arguments("CAIRN_META_DATA_USE_TLS", "meta", "data-use-tls")]
    [Arguments("CAIRN_META_META_TLS_ENABLED", "meta", "meta-tls-enabled")]
    [Arguments("CAIRN_DATA_WAL_DIR", "data", "wal-dir")]
    [Arguments("CAIRN_DATA_DIR", "data", "dir")]
    [Arguments("CAIRN_HINTED_HANDOFF_MAX_SIZE", "hinted-handoff", "max-size")]
    [Arguments("CAIRN_HINTED_HANDOFF_DIR", "hinted-handoff", "dir")]
    [Arguments("CAIRN_ENTERPRISE_LICENSE_PATH", "enterprise", "license-path")]
    [Arguments("CAIRN_ENTERPRISE_LICENSE_KEY", "enterprise", "license-key")]
    [Arguments("CAIRN_CONTINUOUS_QUERIES_RUN_INTERVAL", "continuous_queries", "run-interval")]
    [Arguments("CAIRN_SHARD_PRECREATION_ADVANCE_PERIOD", "shard-precreation", "advance-period")]
    [Arguments("CAIRN_ANTI_ENTROPY_ENABLED", "anti-entropy", "enabled")]
    [Arguments("CAIRN_HTTP_HTTPS_ENABLED", "http", "https-enabled")]
    [Arguments("CAIRN_CLUSTER_HTTPS_ENABLED", "cluster", "https-enabled")]
    [Arguments("CAIRN_NODE_ROLE", "node", "role")]
    [Arguments("CAIRN_LOGGING_LEVEL", "logging", "level")]
    [Arguments("CAIRN_TLS_MIN_VERSION", "tls", "min-version")]
    public async Task TryResolveEnvironment_KnownVariable_FindsKey(string variable, string section, string name)
    {
        var ok = ConfigSchema.TryResolveEnvironment(variable, out var key, out var index);
        await Assert.That(ok).IsTrue();
        await Assert.That(key.Section).IsEqualTo(section);
        await Assert.That(key.Name).IsEqualTo(name);
        await Assert.That(index).IsNull();
    }

    [Test]
    public async Task TryResolveEnvironment_EveryKeysOwnVariable_ResolvesToThatKey()
    {
        var wrong = new List<string>();
        foreach (var key in ConfigSchema.Keys)
        {
            if (!ConfigSchema.TryResolveEnvironment(key.EnvironmentName, out var found, out var index) || !ReferenceEquals(found, key) || index is not null)
                wrong.Add($"{key.EnvironmentName} -> {(found is null ? "nothing" : found.Display)}");
        }
        await Assert.That(wrong).IsEmpty();
    }

    [Test]
    public async Task EnvironmentName_EveryKey_IsUnique()
    {
        var duplicates = ConfigSchema.Keys.GroupBy(k => k.EnvironmentName).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        await Assert.That(duplicates).IsEmpty();
    }

    [Test]
    public async Task Path_EveryKey_IsUnique()
    {
        var duplicates = ConfigSchema.Keys.GroupBy(k => k.Path).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        await Assert.That(duplicates).IsEmpty();
    }

    [Test]
    [Arguments("http", "bind-address", "CAIRN_HTTP_BIND_ADDRESS", "[http] bind-address", "http:bind-address")]
    [Arguments("", "hostname", "CAIRN_HOSTNAME", "hostname", "hostname")]
    [Arguments("hinted-handoff", "max-size", "CAIRN_HINTED_HANDOFF_MAX_SIZE", "[hinted-handoff] max-size", "hinted-handoff:max-size")]
    [Arguments("continuous_queries", "log-enabled", "CAIRN_CONTINUOUS_QUERIES_LOG_ENABLED", "[continuous_queries] log-enabled", "continuous_queries:log-enabled")]
    public async Task Find_Key_HasEnvironmentNameDisplayAndPath(string section, string name, string env, string display, string path)
    {
        var key = ConfigSchema.Find(section, name);
        await Assert.That(key).IsNotNull();
        await Assert.That(key!.EnvironmentName).IsEqualTo(env);
        await Assert.That(key.Display).IsEqualTo(display);
        await Assert.That(key.Path).IsEqualTo(path);
    }

    [Test]
    [Arguments("http", "no-such-key")]
    [Arguments("nosection", "enabled")]
    [Arguments("", "enabled")]
    [Arguments("HTTP", "bind-address")]
    public async Task Find_UnknownKey_ReturnsNull(string section, string name)
    {
        await Assert.That(ConfigSchema.Find(section, name)).IsNull();
    }

    [Test]
    [Arguments("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_0", "access-log-status-filters", 0)]
    [Arguments("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_1", "access-log-status-filters", 1)]
    [Arguments("CAIRN_TLS_CIPHERS_12", "ciphers", 12)]
    public async Task TryResolveEnvironment_ArrayOrdinal_GivesIndex(string variable, string name, int expected)
    {
        await Assert.That(ConfigSchema.TryResolveEnvironment(variable, out var key, out var index)).IsTrue();
        await Assert.That(key.Name).IsEqualTo(name);
        await Assert.That(index).IsEqualTo(expected);
    }

    [Test]
    [Arguments("CAIRN_FOO")]
    [Arguments("CAIRN_HTTP_FOO")]
    [Arguments("CAIRN_HTTP")]
    [Arguments("CAIRN_")]
    [Arguments("CAIRN_HTTP_BIND_ADDRESS_0")]
    [Arguments("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_X")]
    [Arguments("CAIRN_HTTP_ACCESS_LOG_STATUS_FILTERS_-1")]
    [Arguments("cairn_http_bind_address")]
    [Arguments("INFLUXDB_HTTP_BIND_ADDRESS")]
    [Arguments("CAIRN_WAL_DIR")]
    [Arguments("CAIRN_HINTED_MAX_SIZE")]
    public async Task TryResolveEnvironment_NotAKey_ReturnsFalse(string variable)
    {
        await Assert.That(ConfigSchema.TryResolveEnvironment(variable, out _, out _)).IsFalse();
    }

    [Test]
    public async Task ReservedEnvironmentNames_ConfigPathAndPubKey_AreReserved()
    {
        await Assert.That(ConfigSchema.ReservedEnvironmentNames.Contains("CAIRN_CONFIG_PATH")).IsTrue();
        await Assert.That(ConfigSchema.ReservedEnvironmentNames.Contains("CAIRN_LICENSE_PUBKEY")).IsTrue();
    }

    [Test]
    public async Task Sections_Schema_ListsEverySectionOnceInOrder()
    {
        string[] expected =
        [
            "node", "enterprise", "meta", "data", "cluster", "hinted-handoff", "anti-entropy", "retention",
            "shard-precreation", "monitor", "http", "logging", "subscriber", "continuous_queries", "tls",
        ];
        await Assert.That(string.Join(",", ConfigSchema.Sections)).IsEqualTo(string.Join(",", expected));
        await Assert.That(ConfigSchema.IsSection("hinted-handoff")).IsTrue();
        await Assert.That(ConfigSchema.IsSection("hinted_handoff")).IsFalse();
    }

    [Test]
    public async Task Keys_EveryKey_IsGroupedContiguouslyBySection()
    {
        // DefaultConfigWriter prints one header per run of keys, so a section split in two would be printed twice (invalid TOML).
        var runs = new List<string>();
        foreach (var key in ConfigSchema.Keys)
            if (runs.Count == 0 || runs[^1] != key.Section) runs.Add(key.Section);
        await Assert.That(runs.Count).IsEqualTo(runs.Distinct().Count());
        await Assert.That(runs[0]).IsEqualTo("");
    }

    [Test]
    public async Task Keys_EveryKey_HasDocAndRole()
    {
        var bad = ConfigSchema.Keys.Where(k => string.IsNullOrWhiteSpace(k.Doc) || (k.Roles & NodeRole.Both) == 0).Select(k => k.Display).ToList();
        await Assert.That(bad).IsEmpty();
    }
}
