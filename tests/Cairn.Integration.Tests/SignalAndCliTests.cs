using System.Diagnostics;
using System.Net;

namespace Cairn.Integration.Tests;

/// <summary>Signals and the small commands.</summary>
public class SignalAndCliTests
{
    [Test]
    [Arguments("both", CairnProcess.SIGTERM)]
    [Arguments("data", CairnProcess.SIGTERM)]
    [Arguments("meta", CairnProcess.SIGTERM)]
    [Arguments("both", CairnProcess.SIGINT)]
    public async Task StopSignal_ExitsZeroWithinTenSeconds(string role, int signal)
    {
        await using var sandbox = new Sandbox();
        var process = sandbox.Run(["--role", role], Sandbox.LoopbackEnvironment());
        var ready = await process.WaitForReadyAsync();
        if (ready.TryGetValue("http", out var http))
        {
            using var client = Sandbox.Http(http);
            using var ping = await client.GetAsync("/ping");
            await Assert.That(ping.StatusCode).IsEqualTo(HttpStatusCode.NoContent);
        }
        var clock = Stopwatch.StartNew();
        process.Signal(signal);
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(code).IsEqualTo(0);
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(10));
        await Assert.That(process.Stderr).Contains("stopped");
    }

    [Test]
    public async Task Sigterm_WithOpenIdleConnection_StillExitsInTime()
    {
        await using var sandbox = new Sandbox();
        var process = sandbox.Run(["--role", "data"], Sandbox.LoopbackEnvironment());
        var ready = await process.WaitForReadyAsync();
        var parts = ready["http"].Split(':');
        using var idle = new System.Net.Sockets.TcpClient();
        await idle.ConnectAsync(parts[0], int.Parse(parts[1]));
        var rpc = ready["rpc"].Split(':');
        using var idleRpc = new System.Net.Sockets.TcpClient();
        await idleRpc.ConnectAsync(rpc[0], int.Parse(rpc[1]));
        process.Signal(CairnProcess.SIGTERM);
        await Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(10))).IsEqualTo(0);
    }

    [Test]
    public async Task Sighup_ChangesLogLevelWithoutRestart()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var config = sandbox.WriteFile("c.toml", sandbox.LoopbackToml(Sandbox.LicenseToml(license) + "[logging]\nlevel = \"info\"\n", role: "data"));
        var process = sandbox.Run(["--config", config]);
        var ready = await process.WaitForReadyAsync();
        using var http = Sandbox.Http(ready["http"]);

        using (await http.GetAsync("/ping?probe=before")) { }
        File.WriteAllText(config, File.ReadAllText(config).Replace("level = \"info\"", "level = \"debug\""));
        process.Signal(CairnProcess.SIGHUP);
        await Assert.That(await process.StderrEventuallyContainsAsync("log level is debug", TimeSpan.FromSeconds(10))).IsTrue();
        using (await http.GetAsync("/ping?probe=after")) { }

        await Assert.That(await process.StderrEventuallyContainsAsync("path=/ping", TimeSpan.FromSeconds(5))).IsTrue();
        await Assert.That(process.Stderr.Split('\n').Count(l => l.Contains("path=/ping"))).IsEqualTo(1);
        await Assert.That(process.HasExited).IsFalse();
        var port = ready["http"];
        await Assert.That(process.StdoutLines.Count).IsEqualTo(1);
        await Assert.That(port).IsNotEmpty();
    }

    [Test]
    public async Task Version_PrintsVersionCommitBuildDateAndRuntime()
    {
        await using var sandbox = new Sandbox();
        var (code, stdout, _) = await CairnProcess.RunToEndAsync(["version"], sandbox.Dir);
        await Assert.That(code).IsEqualTo(0);
        await Assert.That(stdout).Matches(@"^Cairn \d+\.\d+\.\d+\n");
        await Assert.That(stdout).Matches(@"commit: [0-9a-f]{7,}|commit: unknown");
        await Assert.That(stdout).Matches(@"build date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ");
        await Assert.That(stdout).Contains("runtime: .NET 10");
    }

    [Test]
    public async Task LicenseShow_PrintsFieldsOfAValidLicence_AndRejectsATamperedOne()
    {
        await using var sandbox = new Sandbox();
        var path = await sandbox.IssueLicenseAsync("show.json", new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero), maxCores: 3, graceStart: "2h", id: "show-me");
        var shown = await CairnProcess.RunToEndAsync(["license", "show", path], sandbox.Dir);
        await Assert.That(shown.Code).IsEqualTo(0);
        await Assert.That(shown.Stdout).Contains("id: show-me");
        await Assert.That(shown.Stdout).Contains("expires: 2031-05-06T07:08:09Z");
        await Assert.That(shown.Stdout).Contains("max-cores: 3");
        await Assert.That(shown.Stdout).Contains("grace-start: 2h0m0s");
        await Assert.That(shown.Stdout).Contains("grace-running: 336h0m0s");

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"max-cores\": 3", "\"max-cores\": 0"));
        var tampered = await CairnProcess.RunToEndAsync(["license", "show", path], sandbox.Dir);
        await Assert.That(tampered.Code).IsEqualTo(1);
        await Assert.That(tampered.Stderr).Contains("bad signature");
    }

    [Test]
    public async Task LicenseIssue_RejectsBadArguments()
    {
        await using var sandbox = new Sandbox();
        var missing = await CairnProcess.RunToEndAsync(["license", "issue", "--key", TestPaths.DevPrivateKey, "--licensee", "x"], sandbox.Dir);
        await Assert.That(missing.Code).IsNotEqualTo(0);
        await Assert.That(missing.Stderr).Contains("--expires");
        var badDate = await CairnProcess.RunToEndAsync(["license", "issue", "--key", TestPaths.DevPrivateKey, "--licensee", "x",
            "--expires", "tomorrow", "--max-data-nodes", "1", "--max-cores", "0"], sandbox.Dir);
        await Assert.That(badDate.Code).IsNotEqualTo(0);
        await Assert.That(badDate.Stderr).Contains("RFC3339");
    }

    [Test]
    public async Task UnknownCommand_ExitsTwoWithUsage()
    {
        await using var sandbox = new Sandbox();
        var (code, _, stderr) = await CairnProcess.RunToEndAsync(["frobnicate"], sandbox.Dir);
        await Assert.That(code).IsEqualTo(2);
        await Assert.That(stderr).Contains("cairn run");
    }
}
