using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cairn.Integration.Tests;

/// <summary>
/// A real InfluxDB 1.x (<c>/usr/bin/influxd</c>, 1.6.7 from Debian's <c>influxdb</c> package, which
/// <c>./build.sh test</c> installs) run as a reference server: every directory under a scratch
/// directory, HTTP and RPC on free loopback ports, no usage reporting, no <c>_internal</c> database,
/// its output in <see cref="LogPath"/>. Disposing kills it and removes the directory.
/// </summary>
public sealed class InfluxdProcess : IAsyncDisposable
{
    private readonly Process _process;

    private InfluxdProcess(Process process, string dir, string hostPort)
    {
        _process = process;
        Dir = dir;
        HostPort = hostPort;
    }

    /// <summary>$INFLUXD_BIN, else /usr/bin/influxd.</summary>
    public static string Binary =>
        Environment.GetEnvironmentVariable("INFLUXD_BIN") is { Length: > 0 } fromEnv ? fromEnv : "/usr/bin/influxd";

    public string Dir { get; }

    /// <summary>The HTTP listener, <c>127.0.0.1:port</c>.</summary>
    public string HostPort { get; }

    public string LogPath => Path.Combine(Dir, "influxd.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>
    /// Starts influxd and waits until <c>/ping</c> answers 204. <paramref name="indexVersion"/> is
    /// <c>[data] index-version</c>: <c>tsi1</c> (the per-shard index Cairn answers like) or <c>inmem</c>.
    /// </summary>
    public static async Task<InfluxdProcess> StartAsync(string indexVersion = "tsi1", TimeSpan? timeout = null)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} not found: apt-get install influxdb (./build.sh test does), or set INFLUXD_BIN");

        var dir = Path.Combine(Path.GetTempPath(), "influxd-it-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        int httpPort = ClusterHarness.FreePort(), rpcPort = ClusterHarness.FreePort();
        var config = Path.Combine(dir, "influxd.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{rpcPort}"

            [meta]
              dir = "{Path.Combine(dir, "meta")}"

            [data]
              dir = "{Path.Combine(dir, "data")}"
              wal-dir = "{Path.Combine(dir, "wal")}"
              index-version = "{indexVersion}"
              query-log-enabled = false

            [monitor]
              store-enabled = false

            [http]
              bind-address = "127.0.0.1:{httpPort}"
              log-enabled = false

            [continuous_queries]
              enabled = false

            [subscriber]
              enabled = false

            [shard-precreation]
              enabled = false

            [logging]
              level = "warn"
              suppress-logo = true
            """);

        // influxd 1.6 logs to stderr only; the shell sends both streams to the log file and then
        // becomes influxd (exec), so killing this process kills the server.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in new[] { "-c", "exec \"$0\" run -config \"$1\" >\"$2\" 2>&1", Binary, config, Path.Combine(dir, "influxd.log") })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + Binary);
        var influxd = new InfluxdProcess(process, dir, $"127.0.0.1:{httpPort}");
        try
        {
            await influxd.WaitForPingAsync(timeout ?? TimeSpan.FromSeconds(30));
            return influxd;
        }
        catch
        {
            await influxd.DisposeAsync();
            throw;
        }
    }

    private async Task WaitForPingAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://" + HostPort), Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"influxd exited with {_process.ExitCode} before /ping answered\n{Log}");
            try
            {
                using var ping = await http.GetAsync("/ping");
                if (ping.StatusCode == HttpStatusCode.NoContent) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"influxd /ping did not answer 204 within {timeout}\n{Log}");
    }

    /// <summary>A loopback port nothing listens on right now (bind port 0, read it, close).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException) { }
        catch (TimeoutException) { }
        _process.Dispose();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
