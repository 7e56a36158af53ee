using System.Net;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>Configuration through the real binary: errors, warnings, environment overrides, `cairn config`.</summary>
public class ConfigTests
{
    [Test]
    [Arguments("[logging]\nlevel = \"loud\"\n", "[logging] level", "loud")]
    [Arguments("[cluster]\nwrite-timeout = \"abc\"\n", "[cluster] write-timeout", "abc")]
    [Arguments("[data]\ncache-max-memory-size = true\n", "[data] cache-max-memory-size", "true")]
    [Arguments("hostname = 5\n", "hostname", "5")]
    [Arguments("[node]\nrole = \"storage\"\n", "[node] role", "storage")]
    public async Task WrongTypeOrValue_ExitsOne_NamingSectionKeyAndValue(string toml, string key, string value)
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var config = sandbox.WriteFile("bad.toml", toml + Sandbox.LicenseToml(license));
        var process = sandbox.Run(["--config", config]);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(20))).IsEqualTo(1);
        var error = process.Stderr.Split('\n').FirstOrDefault(l => l.Contains("config error")) ?? "";
        await Assert.That(error).Contains(key);
        await Assert.That(error).Contains(value);
        await Assert.That(process.Stdout).DoesNotContain("READY");
    }

    [Test]
    public async Task InvalidToml_ExitsOne()
    {
        await using var sandbox = new Sandbox();
        var config = sandbox.WriteFile("broken.toml", "[http\nbind-address = ");
        var process = sandbox.Run(["--config", config]);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(20))).IsEqualTo(1);
        await Assert.That(process.Stderr).Contains("not valid TOML");
    }

    [Test]
    public async Task MissingConfigFile_ExitsOne()
    {
        await using var sandbox = new Sandbox();
        var process = sandbox.Run(["--config", sandbox.PathOf("nope.toml")]);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(20))).IsEqualTo(1);
        await Assert.That(process.Stderr).Contains("nope.toml");
    }

    [Test]
    public async Task ConfigPathVariable_IsUsedWhenNoFlag()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var config = sandbox.WriteFile("via-env.toml", sandbox.LoopbackToml(Sandbox.LicenseToml(license), role: "meta"));
        var process = sandbox.Run([], new Dictionary<string, string> { ["CAIRN_CONFIG_PATH"] = config });
        var ready = await process.WaitForReadyAsync();
        await Assert.That(ready["role"]).IsEqualTo("meta");
        await Assert.That(process.Stderr).DoesNotContain("CAIRN_CONFIG_PATH is ignored");
    }

    [Test]
    public async Task UnknownKeysAndVariables_AreWarningsThatNameThem()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var toml = sandbox.LoopbackToml(Sandbox.LicenseToml(license) + "[retention]\nno-such-key = 1\n[no-such-section]\nx = 1\n", role: "data");
        var env = new Dictionary<string, string> { ["CAIRN_HTTP_NO_SUCH_THING"] = "1" };
        var (process, _) = await sandbox.StartAsync(toml, env);
        await Assert.That(process.Stderr).Contains("[retention] no-such-key");
        await Assert.That(process.Stderr).Contains("[no-such-section]");
        await Assert.That(process.Stderr).Contains("CAIRN_HTTP_NO_SUCH_THING");
    }

    [Test]
    public async Task EveryExampleVariable_OverridesTheFile()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var file = sandbox.WriteFile("file.toml", """
            bind-address = "127.0.0.1:1"
            hostname = "from-file"
            [meta]
            http-bind-address = "127.0.0.1:2"
            bind-address = "127.0.0.1:0"
            dir = "/from-file/meta"
            [data]
            wal-dir = "/from-file/wal"
            [hinted-handoff]
            max-size = 1
            [http]
            bind-address = "127.0.0.1:3"
            [enterprise]
            license-path = "/from-file/license.json"
            """);
        var env = new Dictionary<string, string>
        {
            ["CAIRN_HTTP_BIND_ADDRESS"] = "127.0.0.1:0",
            ["CAIRN_BIND_ADDRESS"] = "127.0.0.1:0",
            ["CAIRN_HOSTNAME"] = "from-env",
            ["CAIRN_META_HTTP_BIND_ADDRESS"] = "127.0.0.1:0",
            ["CAIRN_DATA_WAL_DIR"] = sandbox.PathOf("wal-from-env"),
            ["CAIRN_HINTED_HANDOFF_MAX_SIZE"] = "2g",
            ["CAIRN_ENTERPRISE_LICENSE_PATH"] = license,
        };

        // What the process would run with: `cairn config --config FILE` merges the environment.
        var merged = await CairnProcess.RunToEndAsync(["config", "--config", file], sandbox.Dir, env);
        await Assert.That(merged.Code).IsEqualTo(0);
        var lines = merged.Stdout.Split('\n').Select(l => l.Trim()).ToArray();
        await Assert.That(lines).Contains("hostname = \"from-env\"");
        await Assert.That(lines).Contains("wal-dir = \"" + sandbox.PathOf("wal-from-env") + "\"");
        await Assert.That(lines).Contains("max-size = 2147483648");
        await Assert.That(lines).Contains("license-path = \"" + license + "\"");
        await Assert.That(lines).Contains("dir = \"/from-file/meta\"");

        // And the node itself: the listener addresses and licence from the environment are the ones used.
        var (_, ready) = await sandbox.StartAsync(File.ReadAllText(file), env);
        await Assert.That(ready["http"]).IsNotEqualTo("127.0.0.1:3");
        await Assert.That(ready["rpc"]).IsNotEqualTo("127.0.0.1:1");
        await Assert.That(ready["meta-http"]).IsNotEqualTo("127.0.0.1:2");
        using var http = Sandbox.Http(ready["http"]);
        using var ping = await http.GetAsync("/ping");
        await Assert.That(ping.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
    }

    [Test]
    [Arguments("data")]
    [Arguments("meta")]
    [Arguments("both")]
    public async Task PrintedDefaults_ParseBackToTheSameValues_AndRun(string role)
    {
        await using var sandbox = new Sandbox();
        var printed = await CairnProcess.RunToEndAsync(["config", "--role", role], sandbox.Dir);
        await Assert.That(printed.Code).IsEqualTo(0);
        await Assert.That(printed.Stdout).Contains("# ");
        var file = sandbox.WriteFile("defaults.toml", printed.Stdout);

        var reread = await CairnProcess.RunToEndAsync(["config", "--config", file, "--role", role], sandbox.Dir);
        await Assert.That(reread.Code).IsEqualTo(0);
        await Assert.That(reread.Stderr).IsEqualTo("");
        await Assert.That(reread.Stdout).IsEqualTo(printed.Stdout);

        // The printed file runs as it is, once moved to loopback and given a licence.
        var env = Sandbox.LoopbackEnvironment();
        env["CAIRN_ENTERPRISE_LICENSE_PATH"] = await sandbox.ValidLicenseAsync();
        var process = sandbox.Run(["--config", file, "--role", role], env);
        var ready = await process.WaitForReadyAsync();
        await Assert.That(ready["role"]).IsEqualTo(role);
        await Assert.That(process.Stderr).DoesNotContain("lvl=warn");
    }

    [Test]
    public async Task JsonLogFormat_WritesOneJsonObjectPerLine()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var (process, _) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license) + "[logging]\nformat = \"json\"\n", role: "data"));
        process.Signal(CairnProcess.SIGTERM);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
        var lines = process.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await Assert.That(lines.Length).IsGreaterThan(2);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            foreach (var key in new[] { "ts", "lvl", "component", "msg" })
                await Assert.That(doc.RootElement.TryGetProperty(key, out _)).IsTrue();
        }
    }

    [Test]
    public async Task LogfmtLines_HaveTimeLevelComponentAndMessage()
    {
        await using var sandbox = new Sandbox();
        var process = sandbox.Run([], Sandbox.LoopbackEnvironment());
        await process.WaitForReadyAsync();
        foreach (var line in process.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            await Assert.That(line).Matches(@"^ts=\d{4}-\d\d-\d\dT[\d:.]+Z lvl=(debug|info|warn|error|fatal) component=\S+ msg=");
    }
}
