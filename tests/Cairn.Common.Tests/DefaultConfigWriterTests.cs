using Cairn.Common.Config;

namespace Cairn.Common.Tests;

public class DefaultConfigWriterTests
{
    [Test]
    [Arguments(NodeRole.Meta)]
    [Arguments(NodeRole.Data)]
    [Arguments(NodeRole.Both)]
    public async Task Write_Defaults_ParsesBackCleanWithSameValues(NodeRole role)
    {
        var defaults = new CairnConfig();
        var text = DefaultConfigWriter.Write(defaults, role);
        var loaded = ConfigLoader.LoadText(text);
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).IsEmpty();
        await Assert.That(Mismatches(defaults, loaded.Config, role)).IsEmpty();
    }

    [Test]
    [Arguments(NodeRole.Meta)]
    [Arguments(NodeRole.Data)]
    [Arguments(NodeRole.Both)]
    public async Task Write_Defaults_PrintsEveryKeyOfTheRoleOnce(NodeRole role)
    {
        var text = DefaultConfigWriter.Write(new CairnConfig(), role);
        var lines = text.Split('\n');
        var missing = new List<string>();
        foreach (var key in ConfigSchema.Keys.Where(k => (k.Roles & role) != 0))
        {
            var assignment = "  " + key.Name + " = ";
            // The key appears under its own section header.
            var header = key.Section.Length == 0 ? -1 : Array.IndexOf(lines, "[" + key.Section + "]");
            var found = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith(assignment, StringComparison.Ordinal) && x.i > header).ToList();
            if (found.Count == 0) missing.Add(key.Display);
            if (!text.Contains("(" + key.EnvironmentName + ")", StringComparison.Ordinal)) missing.Add(key.EnvironmentName);
        }
        await Assert.That(missing).IsEmpty();
    }

    [Test]
    public async Task Write_MetaRole_HasNoDataOnlySections()
    {
        var text = DefaultConfigWriter.Write(new CairnConfig(), NodeRole.Meta);
        await Assert.That(text).DoesNotContain("[http]");
        await Assert.That(text).DoesNotContain("[data]");
        await Assert.That(text).DoesNotContain("[hinted-handoff]");
        await Assert.That(text).DoesNotContain("[cluster]");
        await Assert.That(text).DoesNotContain("\n  wal-dir = ");
        await Assert.That(text).DoesNotContain("\n  gossip-frequency = \"3s\"");
        // Keys meta nodes do use are there.
        await Assert.That(text).Contains("[meta]");
        await Assert.That(text).Contains("\n  election-timeout = \"1s\"\n");
        await Assert.That(text).Contains("\n  http-bind-address = \":8091\"\n");
        await Assert.That(text).Contains("[enterprise]");
        await Assert.That(text).Contains("[logging]");
        await Assert.That(text).Contains("(meta role)");
    }

    [Test]
    public async Task Write_DataRole_HasNoMetaOnlyKeys()
    {
        var text = DefaultConfigWriter.Write(new CairnConfig(), NodeRole.Data);
        await Assert.That(text).DoesNotContain("\n  election-timeout = ");
        await Assert.That(text).DoesNotContain("\n  http-bind-address = ");
        await Assert.That(text).DoesNotContain("\n  consensus-timeout = ");
        // The [meta] section is there for the keys data nodes use.
        await Assert.That(text).Contains("[meta]");
        await Assert.That(text).Contains("\n  meta-tls-enabled = false\n");
        await Assert.That(text).Contains("[http]");
        await Assert.That(text).Contains("\n  bind-address = \":8086\"\n");
        await Assert.That(text).Contains("\n  max-size = 10737418240\n");
        await Assert.That(text).Contains("\n  max-age = \"168h0m0s\"\n");
        await Assert.That(text).Contains("(data role)");
    }

    [Test]
    public async Task Write_AnyRole_TopLevelKeysComeBeforeTheFirstSection()
    {
        var text = DefaultConfigWriter.Write(new CairnConfig(), NodeRole.Both);
        int firstSection = text.IndexOf("\n[", StringComparison.Ordinal);
        int hostname = text.IndexOf("\n  hostname = ", StringComparison.Ordinal);
        await Assert.That(hostname).IsGreaterThan(0);
        await Assert.That(hostname).IsLessThan(firstSection);
    }

    [Test]
    public async Task Write_NonDefaultValues_RoundTrip()
    {
        var config = new CairnConfig();
        config.Hostname = "node \"one\" \\ é";
        config.BindAddress = "[::1]:18088";
        config.Node.Role = NodeRole.Data;
        config.Enterprise.LicensePath = "/etc/cairn/licence.json";
        config.Enterprise.LicenseKey = "{\n\t\"id\": \"x\"\n}";
        config.Meta.ElectionTimeout = TimeSpan.FromMilliseconds(1500);
        config.Data.WalFsyncDelay = TimeSpan.FromTicks(15);
        config.Data.CacheMaxMemorySize = 3L << 30;
        config.Data.QueryLogEnabled = false;
        config.HintedHandoff.MaxAge = TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1.25);
        config.Http.AccessLogStatusFilters = ["4xx", "5\"xx"];
        config.Http.MaxRowLimit = 12345;
        config.Logging.Level = "warn";
        config.Logging.Format = "json";
        config.Tls.Ciphers = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

        var loaded = ConfigLoader.LoadText(DefaultConfigWriter.Write(config, NodeRole.Both));
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).IsEmpty();
        await Assert.That(Mismatches(config, loaded.Config, NodeRole.Both)).IsEmpty();
        await Assert.That(loaded.Config.Hostname).IsEqualTo("node \"one\" \\ é");
        await Assert.That(loaded.Config.Enterprise.LicenseKey).IsEqualTo("{\n\t\"id\": \"x\"\n}");
        await Assert.That(loaded.Config.Data.WalFsyncDelay).IsEqualTo(TimeSpan.FromTicks(15));
        await Assert.That(string.Join("|", loaded.Config.Http.AccessLogStatusFilters)).IsEqualTo("4xx|5\"xx");
        await Assert.That(loaded.Config.Node.Role).IsEqualTo(NodeRole.Data);
    }

    [Test]
    public async Task Write_EveryKeyChangedFromDefault_RoundTrips()
    {
        var defaults = new CairnConfig();
        var config = new CairnConfig();
        foreach (var key in ConfigSchema.Keys) key.Set(config, OtherValue(key, key.Get(defaults)));

        // Every key really was changed, so the round trip below checks each of them.
        var unchanged = ConfigSchema.Keys
            .Where(k => DefaultConfigWriter.Literal(k, k.Get(config)) == DefaultConfigWriter.Literal(k, k.Get(defaults)))
            .Select(k => k.Display).ToList();
        await Assert.That(unchanged).IsEmpty();

        var loaded = ConfigLoader.LoadText(DefaultConfigWriter.Write(config, NodeRole.Both));
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(loaded.Diagnostics.Warnings).IsEmpty();
        await Assert.That(Mismatches(config, loaded.Config, NodeRole.Both)).IsEmpty();
    }

    [Test]
    [Arguments(NodeRole.Meta)]
    [Arguments(NodeRole.Data)]
    public async Task Write_RoleFiltered_KeysOfOtherRoleStayDefaultWhenReadBack(NodeRole role)
    {
        var defaults = new CairnConfig();
        var config = new CairnConfig();
        foreach (var key in ConfigSchema.Keys) key.Set(config, OtherValue(key, key.Get(defaults)));
        var loaded = ConfigLoader.LoadText(DefaultConfigWriter.Write(config, role));
        await Assert.That(loaded.Diagnostics.Errors).IsEmpty();
        await Assert.That(Mismatches(config, loaded.Config, role)).IsEmpty();
        var leaked = ConfigSchema.Keys.Where(k => (k.Roles & role) == 0)
            .Where(k => DefaultConfigWriter.Literal(k, k.Get(loaded.Config)) != DefaultConfigWriter.Literal(k, k.Get(defaults)))
            .Select(k => k.Display).ToList();
        await Assert.That(leaked).IsEmpty();
    }

    [Test]
    public async Task Literal_EachKind_IsTomlLiteral()
    {
        await Assert.That(DefaultConfigWriter.Literal(Key("http", "bind-address"), ":8086")).IsEqualTo("\":8086\"");
        await Assert.That(DefaultConfigWriter.Literal(Key("http", "enabled"), true)).IsEqualTo("true");
        await Assert.That(DefaultConfigWriter.Literal(Key("http", "max-row-limit"), 10L)).IsEqualTo("10");
        await Assert.That(DefaultConfigWriter.Literal(Key("data", "cache-max-memory-size"), 1L << 30)).IsEqualTo("1073741824");
        await Assert.That(DefaultConfigWriter.Literal(Key("hinted-handoff", "max-age"), TimeSpan.FromHours(168))).IsEqualTo("\"168h0m0s\"");
        await Assert.That(DefaultConfigWriter.Literal(Key("http", "access-log-status-filters"), new[] { "4xx", "5xx" })).IsEqualTo("[\"4xx\", \"5xx\"]");
        await Assert.That(DefaultConfigWriter.Literal(Key("http", "access-log-status-filters"), Array.Empty<string>())).IsEqualTo("[]");
    }

    [Test]
    public async Task Literal_StringWithSpecialCharacters_IsEscaped()
    {
        var literal = DefaultConfigWriter.Literal(Key("", "hostname"), "a\"b\\c\nd\te\u0001");
        await Assert.That(literal).IsEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
    }

    private static ConfigKey Key(string section, string name) => ConfigSchema.Find(section, name)!;

    /// <summary>Keys of <paramref name="role"/> whose values differ, as "key: expected vs actual".</summary>
    private static List<string> Mismatches(CairnConfig expected, CairnConfig actual, NodeRole role) =>
        ConfigSchema.Keys
            .Where(k => (k.Roles & role) != 0)
            .Select(k => (k, e: DefaultConfigWriter.Literal(k, k.Get(expected)), a: DefaultConfigWriter.Literal(k, k.Get(actual))))
            .Where(x => x.e != x.a)
            .Select(x => $"{x.k.Display}: {x.e} vs {x.a}")
            .ToList();

    /// <summary>A valid value for <paramref name="key"/> that differs from <paramref name="current"/>.</summary>
    private static object OtherValue(ConfigKey key, object current)
    {
        switch (key.Kind)
        {
            case ConfigValueKind.Boolean: return !(bool)current;
            case ConfigValueKind.Integer: return (long)current + 7;
            case ConfigValueKind.Size: return (long)current + (3L << 20) + 1;
            case ConfigValueKind.Duration: return (TimeSpan)current + TimeSpan.FromMilliseconds(1500) + TimeSpan.FromTicks(3);
            case ConfigValueKind.StringArray: return new[] { "first \"item\"", "second\\item", "é" };
            default:
                if (key.Validate is null) return $"{key.Name} \"quoted\" \\ back\tslash\nnewline é µ 🚀";
                foreach (var candidate in new[] { "127.0.0.1:12345", "[::1]:23456", "meta", "data", "json", "debug", "tls1.2" })
                    if (candidate != (string)current && key.Validate(candidate) is null) return candidate;
                throw new InvalidOperationException($"no other value for {key.Display}");
        }
    }
}
