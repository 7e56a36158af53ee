using System.Diagnostics;
using System.Net;
using System.Text;

namespace Cairn.Integration.Tests;

/// <summary>Damaged files on disk: the node logs the file, keeps serving what is intact, and does not crash.</summary>
public class DamageTests
{
    [Test]
    public async Task BitFlippedDataFileAndTornWalTail_AreLoggedByName_AndTheNodeServes()
    {
        await using var sandbox = new Sandbox();
        var license = await sandbox.ValidLicenseAsync();
        var configPath = sandbox.WriteFile("damage.toml", sandbox.LoopbackToml(Sandbox.LicenseToml(license),
            dataExtra: DataNode.EagerEngineToml(cacheSnapshot: "1k", fullCold: "1h")));
        var environment = DataNode.EagerEngineEnvironment();
        var process = sandbox.Run(["--config", configPath], environment);
        var ready = await process.WaitForReadyAsync();
        using (var http = Sandbox.Http(ready["http"]))
        {
            await DataNode.QueryAsync(http, "CREATE DATABASE dmg");
            var lines = new StringBuilder();
            for (int i = 0; i < 2000; i++) lines.Append("cpu,host=h").Append(i % 20).Append(" v=").Append(i).Append("i ").Append(1_600_000_000_000_000_000L + i * 1_000_000_000L).Append('\n');
            var (status, body) = await DataNode.WriteAsync(http, "dmg", lines.ToString());
            await Assert.That(status).IsEqualTo(HttpStatusCode.NoContent).Because(body);
            var clock = Stopwatch.StartNew();
            while (!DataNode.DataFiles(sandbox).Any() && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50);
            (status, body) = await DataNode.WriteAsync(http, "dmg", "mem,host=a v=1i 1600000000000000000\n");
            await Assert.That(status).IsEqualTo(HttpStatusCode.NoContent).Because(body);
        }
        process.Signal(CairnProcess.SIGKILL);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        // Flip one byte inside the first block (blocks start after the 8-byte header) and cut the WAL's last bytes.
        var file = DataNode.DataFiles(sandbox).First();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[8 + 12] ^= 0x5A;
        await File.WriteAllBytesAsync(file, bytes);
        var segment = Directory.GetFiles(sandbox.PathOf("wal"), "*.wal", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).Last();
        using (var stream = new FileStream(segment, FileMode.Open)) stream.SetLength(Math.Max(8, stream.Length - 5));

        var again = sandbox.Run(["--config", configPath], environment);
        var readyAgain = await again.WaitForReadyAsync();
        using (var http = Sandbox.Http(readyAgain["http"]))
        {
            var (status, body) = await DataNode.QueryAsync(http, "SHOW MEASUREMENTS", "dmg");
            await Assert.That(status).IsEqualTo(HttpStatusCode.OK);
            await Assert.That(body).Contains("\"cpu\"");
            // Writes still land after the damage.
            (status, body) = await DataNode.WriteAsync(http, "dmg", "disk,host=a v=2i 1600000000000000001\n");
            await Assert.That(status).IsEqualTo(HttpStatusCode.NoContent).Because(body);
        }
        await Assert.That(await again.StderrEventuallyContainsAsync(Path.GetFileName(Path.GetDirectoryName(segment))!, TimeSpan.FromSeconds(5))).IsTrue();
        again.Signal(CairnProcess.SIGTERM);
        await Assert.That(await again.WaitForExitAsync(TimeSpan.FromSeconds(15))).IsEqualTo(0);
        await Assert.That(again.Stderr).Contains("WAL");

        // Reading every block finds the flipped one and names its file; the rest is exported.
        var (code, exported, stderr) = await DataNode.ExportAsync(sandbox, configPath);
        await Assert.That(code).IsEqualTo(3).Because(stderr);
        await Assert.That(stderr).Contains(file);
        await Assert.That(exported.Any(l => l.StartsWith("disk,host=a", StringComparison.Ordinal))).IsTrue();
    }
}
