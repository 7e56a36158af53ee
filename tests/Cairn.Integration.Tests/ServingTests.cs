using System.Net;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>The zero-config run and the endpoints every data and meta node serves.</summary>
public class ServingTests
{
    [Test]
    public async Task ZeroConfig_ServesPingHealthAndDebugVars_WithDevelopmentLicence()
    {
        await using var sandbox = new Sandbox();
        var process = sandbox.Run([], Sandbox.LoopbackEnvironment());
        var ready = await process.WaitForReadyAsync();

        await Assert.That(ready["role"]).IsEqualTo("both");
        await Assert.That(string.Join(",", ready.Keys)).IsEqualTo("role,http,rpc,meta-http,raft");
        foreach (var key in new[] { "http", "rpc", "meta-http", "raft" })
        {
            await Assert.That(ready[key]).StartsWith("127.0.0.1:");
            await Assert.That(int.Parse(ready[key].Split(':')[1])).IsGreaterThan(0);
        }

        using var http = Sandbox.Http(ready["http"]);
        using var ping = await http.GetAsync("/ping");
        await Assert.That(ping.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That(ping.Headers.GetValues("X-Influxdb-Version").Single()).Matches(@"^1\.\d+\.\d+-c\d+\.\d+\.\d+$");
        await Assert.That(ping.Headers.GetValues("X-Influxdb-Build").Single()).IsEqualTo("ENT");
        await Assert.That(Guid.TryParse(ping.Headers.GetValues("Request-Id").Single(), out _)).IsTrue();

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ping"));
        await Assert.That(head.StatusCode).IsEqualTo(HttpStatusCode.NoContent);

        using var verbose = await http.GetAsync("/ping?verbose=true");
        await Assert.That(verbose.StatusCode).IsEqualTo(HttpStatusCode.OK);
        using (var doc = JsonDocument.Parse(await verbose.Content.ReadAsStringAsync()))
            await Assert.That(doc.RootElement.GetProperty("version").GetString()).IsEqualTo(ping.Headers.GetValues("X-Influxdb-Version").Single());

        var health = await http.GetStringAsync("/health");
        await Assert.That(health).StartsWith("{\"checks\":[],\"message\":\"ready for queries and writes\",\"name\":\"influxdb\",\"status\":\"pass\",\"version\":\"");

        using (var vars = JsonDocument.Parse(await http.GetStringAsync("/debug/vars")))
        {
            var root = vars.RootElement;
            await Assert.That(root.GetProperty("cmdline")[1].GetString()).IsEqualTo("run");
            await Assert.That(root.GetProperty("memstats").GetProperty("HeapSys").GetInt64()).IsGreaterThan(0);
            await Assert.That(root.GetProperty("runtime").GetProperty("threads").GetInt32()).IsGreaterThan(0);
            await Assert.That(root.GetProperty("runtime").GetProperty("uptimeSeconds").GetDouble()).IsGreaterThanOrEqualTo(0);
            var ent = root.GetProperty("entitlements");
            await Assert.That(ent.GetProperty("licenseType").GetString()).IsEqualTo("development");
            await Assert.That(ent.GetProperty("licenseExpiry").GetString()).IsEqualTo("2036-01-01T00:00:00Z");
            await Assert.That(ent.GetProperty("maxDataNodes").GetInt32()).IsEqualTo(8);
            await Assert.That(ent.GetProperty("maxCores").GetInt32()).IsEqualTo(0);
            await Assert.That(ent.GetProperty("coresInUse").GetArrayLength()).IsEqualTo(Environment.ProcessorCount);
        }

        using var missing = await http.GetAsync("/no-such-endpoint");
        await Assert.That(missing.StatusCode).IsEqualTo(HttpStatusCode.NotFound);

        using var meta = Sandbox.Http(ready["meta-http"]);
        using var metaPing = await meta.GetAsync("/ping");
        await Assert.That(metaPing.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        await Assert.That(metaPing.Headers.Contains("X-Influxdb-Version")).IsTrue();
        using (var metaVars = JsonDocument.Parse(await meta.GetStringAsync("/debug/vars")))
            await Assert.That(metaVars.RootElement.TryGetProperty("memstats", out _)).IsTrue();
        // The meta API does not serve the data API.
        using var metaHealth = await meta.GetAsync("/health");
        await Assert.That(metaHealth.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task ZeroConfig_DirectoriesDefaultUnderVar_AndStdoutHoldsOnlyReady()
    {
        await using var sandbox = new Sandbox();
        var config = await CairnProcess.RunToEndAsync(["config"], sandbox.Dir);
        await Assert.That(config.Stdout).Contains("dir = \"./var/data\"");
        await Assert.That(config.Stdout).Contains("wal-dir = \"./var/wal\"");

        var process = sandbox.Run([], Sandbox.LoopbackEnvironment());
        await process.WaitForReadyAsync();
        process.Signal(CairnProcess.SIGTERM);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
        await Assert.That(process.StdoutLines.Count).IsEqualTo(1);
        await Assert.That(process.StdoutLines.Single()).StartsWith("READY role=both ");
    }

    [Test]
    [Arguments("data", "role,http,rpc")]
    [Arguments("meta", "role,meta-http,raft")]
    [Arguments("both", "role,http,rpc,meta-http,raft")]
    public async Task RoleFlag_BindsOnlyThatRolesListeners(string role, string expectedKeys)
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        // The file says one role; the flag wins.
        var (process, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license), role: role == "meta" ? "data" : "meta"), null, "--role", role);
        await Assert.That(ready["role"]).IsEqualTo(role);
        await Assert.That(string.Join(",", ready.Keys)).IsEqualTo(expectedKeys);
        // Every announced listener accepts connections.
        foreach (var (key, value) in ready.Where(kv => kv.Key != "role"))
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            var parts = value.Split(':');
            await tcp.ConnectAsync(parts[0], int.Parse(parts[1]));
            await Assert.That(tcp.Connected).IsTrue();
        }
        if (ready.TryGetValue("http", out var data))
        {
            using var http = Sandbox.Http(data);
            using var ping = await http.GetAsync("/ping");
            await Assert.That(ping.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        }
        await process.DisposeAsync();
    }

    [Test]
    public async Task RoleFromToml_IsUsedWithoutFlag()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var (_, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license), role: "meta"));
        await Assert.That(ready["role"]).IsEqualTo("meta");
        await Assert.That(ready.ContainsKey("http")).IsFalse();
    }

    [Test]
    public async Task PortInUse_ExitsOneNamingTheSetting()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        using var blocker = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        int port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var env = new Dictionary<string, string> { ["CAIRN_BIND_ADDRESS"] = $"127.0.0.1:{port}" };
        var config = sandbox.WriteFile("c.toml", sandbox.LoopbackToml(Sandbox.LicenseToml(license), role: "data"));
        var process = sandbox.Run(["--config", config], env);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(20))).IsEqualTo(1);
        await Assert.That(process.Stderr).Contains("bind-address");
        await Assert.That(process.Stdout).DoesNotContain("READY");
    }
}
