using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Cairn.Integration.Tests;

/// <summary>Startup refusals, grace periods, core caps and licence reload, against the real binary.</summary>
public class LicenseTests
{
    private static async Task AssertRefusedAsync(Sandbox sandbox, string role, string toml, string expected, IReadOnlyDictionary<string, string>? env = null)
    {
        var config = sandbox.WriteFile($"refused-{role}-{Guid.NewGuid():N}.toml", toml);
        var process = sandbox.Run(["--config", config, "--role", role], env);
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await Assert.That(code).IsEqualTo(1);
        await Assert.That(process.Stderr).Contains("license key verification failed");
        await Assert.That(process.Stderr).Contains(expected);
        await Assert.That(process.Stdout).DoesNotContain("READY");
    }

    [Test]
    [Arguments("meta")]
    [Arguments("data")]
    public async Task Startup_WithoutLicence_IsRefused(string role)
    {
        await using var sandbox = new Sandbox();
        await AssertRefusedAsync(sandbox, role, sandbox.LoopbackToml(), "no licence configured");
    }

    [Test]
    [Arguments("meta")]
    [Arguments("data")]
    public async Task Startup_WithBothLicenceSettings_IsRefused(string role)
    {
        await using var sandbox = new Sandbox();
        var path = await sandbox.ValidLicenseAsync();
        var inline = File.ReadAllText(path).Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", " ");
        var toml = sandbox.LoopbackToml($"[enterprise]\nlicense-path = \"{path}\"\nlicense-key = \"{inline}\"\n");
        await AssertRefusedAsync(sandbox, role, toml, "both set");
    }

    [Test]
    [Arguments("meta")]
    [Arguments("data")]
    public async Task Startup_WithForeignSignature_IsRefused(string role)
    {
        await using var sandbox = new Sandbox();
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyPath = sandbox.WriteFile("foreign.pem", foreign.ExportPkcs8PrivateKeyPem());
        var license = await sandbox.IssueLicenseAsync("foreign.json", DateTimeOffset.UtcNow.AddYears(1), keyPath: keyPath);
        await AssertRefusedAsync(sandbox, role, sandbox.LoopbackToml(Sandbox.LicenseToml(license)), "bad signature");
    }

    [Test]
    [Arguments("meta")]
    [Arguments("data")]
    public async Task Startup_WithAlteredLicence_IsRefused(string role)
    {
        await using var sandbox = new Sandbox();
        var path = await sandbox.ValidLicenseAsync();
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"max-data-nodes\": 4", "\"max-data-nodes\": 400"));
        await AssertRefusedAsync(sandbox, role, sandbox.LoopbackToml(Sandbox.LicenseToml(path)), "bad signature");
    }

    [Test]
    [Arguments("meta")]
    [Arguments("data")]
    public async Task Startup_WithMalformedLicence_IsRefused(string role)
    {
        await using var sandbox = new Sandbox();
        var path = sandbox.WriteFile("broken.json", "{\"licensee\": \"x\", ");
        await AssertRefusedAsync(sandbox, role, sandbox.LoopbackToml(Sandbox.LicenseToml(path)), "malformed");
    }

    [Test]
    public async Task Startup_WithUnreadableLicencePath_IsRefused()
    {
        await using var sandbox = new Sandbox();
        await AssertRefusedAsync(sandbox, "data", sandbox.LoopbackToml(Sandbox.LicenseToml(sandbox.PathOf("missing.json"))), "cannot read licence file");
    }

    [Test]
    public async Task Startup_LicenceInEnvironmentWithoutFile_IsNotZeroConfig()
    {
        // No config file, but a licence variable: the licence must be valid (no development fallback).
        await using var sandbox = new Sandbox();
        var env = Sandbox.LoopbackEnvironment();
        env["CAIRN_ENTERPRISE_LICENSE_PATH"] = sandbox.PathOf("missing.json");
        var process = sandbox.Run([], env);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(20))).IsEqualTo(1);
        await Assert.That(process.Stderr).Contains("cannot read licence file");
    }

    [Test]
    public async Task LicenseKeyInline_IsAccepted_AndReportedAsLicenseKey()
    {
        await using var sandbox = new Sandbox();
        var path = await sandbox.ValidLicenseAsync();
        var env = new Dictionary<string, string> { ["CAIRN_ENTERPRISE_LICENSE_KEY"] = File.ReadAllText(path) };
        var (_, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(), env, "--role", "data");
        using var http = Sandbox.Http(ready["http"]);
        using var vars = JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
        await Assert.That(vars.RootElement.GetProperty("entitlements").GetProperty("licenseType").GetString()).IsEqualTo("license-key");
    }

    [Test]
    public async Task ExpiredLicence_ServesForGraceStart_ThenRefusesWrites()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.IssueLicenseAsync("expired.json", DateTimeOffset.UtcNow.AddDays(-1), graceStart: "4s", id: "expired-licence");
        var (process, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license)), null, "--role", "data");
        using var http = Sandbox.Http(ready["http"]);

        // Within grace: the write gets past the licence (to "database not found": storage has no databases yet).
        using (var during = await http.PostAsync("/write?db=mydb", new StringContent("cpu value=1")))
        {
            await Assert.That(during.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
            await Assert.That(await during.Content.ReadAsStringAsync()).IsEqualTo("{\"error\":\"database not found: \\\"mydb\\\"\"}\n");
        }
        await Assert.That(await process.StderrEventuallyContainsAsync("expired-licence", TimeSpan.FromSeconds(5))).IsTrue();
        await Assert.That(process.Stderr).Contains("lvl=warn");

        var refused = await PollWriteStatusAsync(http, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20));
        await Assert.That(refused.Status).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That(refused.Body).Contains("licence expired-licence");
        await Assert.That(refused.Body).Contains("grace period ended");
        // Reads of the node's state still work.
        using var ping = await http.GetAsync("/ping");
        await Assert.That(ping.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
    }

    [Test]
    public async Task Sighup_WithRenewedLicence_LiftsRefusalAndAppliesNewCoreCap()
    {
        if (Environment.ProcessorCount < 2) return;
        await using var sandbox = new Sandbox();
        var path = sandbox.PathOf("license.json");
        File.Copy(await sandbox.IssueLicenseAsync("old.json", DateTimeOffset.UtcNow.AddDays(-1), graceStart: "1s", id: "old-licence"), path);
        var (process, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(path)), null, "--role", "data");
        using var http = Sandbox.Http(ready["http"]);
        var refused = await PollWriteStatusAsync(http, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20));
        await Assert.That(refused.Status).IsEqualTo(HttpStatusCode.ServiceUnavailable);

        File.Copy(await sandbox.IssueLicenseAsync("new.json", DateTimeOffset.UtcNow.AddYears(1), maxCores: 1, id: "new-licence"), path, overwrite: true);
        process.Signal(CairnProcess.SIGHUP);
        var allowed = await PollWriteStatusAsync(http, HttpStatusCode.NotFound, TimeSpan.FromSeconds(20));
        await Assert.That(allowed.Status).IsEqualTo(HttpStatusCode.NotFound);

        using var vars = JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
        var ent = vars.RootElement.GetProperty("entitlements");
        await Assert.That(ent.GetProperty("maxCores").GetInt32()).IsEqualTo(1);
        await Assert.That(ent.GetProperty("coresInUse").GetArrayLength()).IsEqualTo(1);
        await Assert.That(ProcStatus.CpusAllowedList(process.Pid)).IsEqualTo(ent.GetProperty("coresInUse")[0].GetInt32().ToString());
        await Assert.That(process.Stderr).Contains("new-licence");
    }

    [Test]
    public async Task Sighup_WithBrokenLicence_KeepsRunningLicence()
    {
        await using var sandbox = new Sandbox();
        var path = sandbox.PathOf("license.json");
        File.Copy(await sandbox.ValidLicenseAsync("good.json"), path);
        var (process, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(path)), null, "--role", "data");
        File.WriteAllText(path, "not a licence");
        process.Signal(CairnProcess.SIGHUP);
        await Assert.That(await process.StderrEventuallyContainsAsync("keeping the running licence", TimeSpan.FromSeconds(10))).IsTrue();
        using var http = Sandbox.Http(ready["http"]);
        using var write = await http.PostAsync("/write?db=x", new StringContent("m v=1"));
        await Assert.That(write.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(process.HasExited).IsFalse();
    }

    [Test]
    public async Task MaxCoresOne_PinsEveryThreadToOneCore()
    {
        if (Environment.ProcessorCount < 2) return;
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync(maxCores: 1);
        var (process, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license)), null, "--role", "data");
        using var http = Sandbox.Http(ready["http"]);
        using var vars = JsonDocument.Parse(await http.GetStringAsync("/debug/vars"));
        var cores = vars.RootElement.GetProperty("entitlements").GetProperty("coresInUse");
        await Assert.That(cores.GetArrayLength()).IsEqualTo(1);

        var expected = cores[0].GetInt32().ToString();
        await Assert.That(ProcStatus.CpusAllowedList(process.Pid)).IsEqualTo(expected);
        foreach (var task in Directory.GetDirectories($"/proc/{process.Pid}/task"))
            await Assert.That(ProcStatus.CpusAllowedList(process.Pid, Path.GetFileName(task))).IsEqualTo(expected);
        await Assert.That(process.Stderr).Contains("pinned to cores " + expected);
    }

    [Test]
    public async Task MetaRole_IsNotPinned()
    {
        if (Environment.ProcessorCount < 2) return;
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync(maxCores: 1);
        var (process, _) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license)), null, "--role", "meta");
        await Assert.That(ProcStatus.CpusAllowedList(process.Pid)).Contains("-");
    }

    private static async Task<(HttpStatusCode Status, string Body)> PollWriteStatusAsync(HttpClient http, HttpStatusCode wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        (HttpStatusCode, string) last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.PostAsync("/write?db=mydb", new StringContent("cpu value=1"));
            last = (response.StatusCode, await response.Content.ReadAsStringAsync());
            if (response.StatusCode == wanted) return last;
            await Task.Delay(100);
        }
        return last;
    }
}

internal static class ProcStatus
{
    public static string CpusAllowedList(int pid, string? tid = null)
    {
        var path = tid is null ? $"/proc/{pid}/status" : $"/proc/{pid}/task/{tid}/status";
        var line = File.ReadAllLines(path).First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        return line["Cpus_allowed_list:".Length..].Trim();
    }
}
