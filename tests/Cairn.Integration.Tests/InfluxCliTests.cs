namespace Cairn.Integration.Tests;

/// <summary>The real `influx` CLI (Debian package influxdb-client, installed by ./build.sh test) against the published binary.</summary>
public class InfluxCliTests
{
    private const string Cli = "/usr/bin/influx";

    private static async Task<(int Code, string Stdout, string Stderr)> Influx(string hostPort, string workingDirectory, params string[] args)
    {
        int colon = hostPort.LastIndexOf(':');
        var psi = new System.Diagnostics.ProcessStartInfo(Cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in new[] { "-host", hostPort[..colon], "-port", hostPort[(colon + 1)..] }.Concat(args)) psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Test]
    public async Task Cli_Connects_CreatesDatabase_Inserts_Imports_AndReadsSchema()
    {
        if (!File.Exists(Cli))
        {
            Skip.Test("influx CLI not installed (apt-get install influxdb-client; ./build.sh test installs it)");
            return;
        }
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var (_, ready) = await sandbox.StartAsync(sandbox.LoopbackToml(Sandbox.LicenseToml(license)));
        string http = ready["http"];

        var (code, _, stderr) = await Influx(http, sandbox.Dir, "-execute", "CREATE DATABASE clidb");
        await Assert.That(code).IsEqualTo(0).Because(stderr);
        (code, _, stderr) = await Influx(http, sandbox.Dir, "-database", "clidb", "-execute", "INSERT cpu,host=a value=1.5");
        await Assert.That(code).IsEqualTo(0).Because(stderr);

        var (_, csv, _) = await Influx(http, sandbox.Dir, "-format", "csv", "-execute", "SHOW DATABASES");
        await Assert.That(csv).IsEqualTo("name,name\ndatabases,clidb\n");
        var (_, series, _) = await Influx(http, sandbox.Dir, "-database", "clidb", "-execute", "SHOW SERIES");
        await Assert.That(series.TrimEnd()).IsEqualTo("key\n---\ncpu,host=a");

        var import = sandbox.WriteFile("import.txt",
            "# DDL\nCREATE DATABASE importdb\n# DML\n# CONTEXT-DATABASE: importdb\ncpu,host=b value=2 1700000000000000000\ncpu,host=c value=3 1700000000000000000\n");
        (code, var importOut, stderr) = await Influx(http, sandbox.Dir, "-import", "-path", import);
        await Assert.That(code).IsEqualTo(0).Because(stderr);
        await Assert.That(importOut + stderr).Contains("Processed 2 inserts");
        await Assert.That(importOut + stderr).Contains("Failed 0 inserts");
        var (_, imported, _) = await Influx(http, sandbox.Dir, "-database", "importdb", "-execute", "SHOW SERIES");
        await Assert.That(imported.TrimEnd()).IsEqualTo("key\n---\ncpu,host=b\ncpu,host=c");

        // SELECT through the CLI: RFC 3339 times, then CSV.
        var (_, table, _) = await Influx(http, sandbox.Dir, "-database", "importdb", "-precision", "rfc3339", "-execute", "SELECT * FROM cpu");
        await Assert.That(table.TrimEnd()).IsEqualTo(
            "name: cpu\ntime                 host value\n----                 ---- -----\n2023-11-14T22:13:20Z b    2\n2023-11-14T22:13:20Z c    3");
        var (_, selected, _) = await Influx(http, sandbox.Dir, "-database", "importdb", "-format", "csv", "-execute", "SELECT sum(value) FROM cpu");
        await Assert.That(selected).IsEqualTo("name,time,sum\ncpu,0,5\n");
    }
}
