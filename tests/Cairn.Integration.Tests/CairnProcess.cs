using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Cairn.Integration.Tests;

/// <summary>
/// The published binary run as a real process: stdout and stderr captured line by line, the
/// READY line parsed, signals sent with kill(2). Disposing kills whatever is still running.
/// </summary>
public sealed partial class CairnProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<IReadOnlyDictionary<string, string>> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CairnProcess(Process process) => _process = process;

    public int Pid => _process.Id;
    public string Stdout => string.Join('\n', _stdout);
    public string Stderr => string.Join('\n', _stderr);
    public IReadOnlyCollection<string> StdoutLines => _stdout.ToArray();

    public static CairnProcess Start(IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null,
        string? networkNamespace = null)
    {
        // In a network namespace: `ip netns exec NS cairn …`, which execs cairn in place, so the pid is cairn's.
        var info = new ProcessStartInfo(networkNamespace is null ? TestPaths.CairnBinary : "ip")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (networkNamespace is not null)
            foreach (var a in new[] { "netns", "exec", networkNamespace, TestPaths.CairnBinary }) info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        // A clean environment: nothing from the test runner's CAIRN_* variables leaks in.
        foreach (var key in info.Environment.Keys.ToList())
            if (key.StartsWith("CAIRN_", StringComparison.Ordinal)) info.Environment.Remove(key);
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var cairn = new CairnProcess(process);
        process.OutputDataReceived += (_, e) => cairn.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => cairn.OnStderr(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cairn;
    }

    private void OnStdout(string? line)
    {
        if (line is null) { _stdoutClosed.TrySetResult(); _ready.TrySetException(new InvalidOperationException("stdout closed before READY")); return; }
        _stdout.Enqueue(line);
        if (line.StartsWith("READY ", StringComparison.Ordinal))
        {
            var fields = new Dictionary<string, string>();
            foreach (var part in line["READY ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=');
                fields[part[..eq]] = part[(eq + 1)..];
            }
            _ready.TrySetResult(fields);
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null) { _stderrClosed.TrySetResult(); return; }
        _stderr.Enqueue(line);
    }

    /// <summary>Waits for the READY line; fails with the process's stderr if it exits or times out first.</summary>
    public async Task<IReadOnlyDictionary<string, string>> WaitForReadyAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var exited = _process.WaitForExitAsync();
        var winner = await Task.WhenAny(_ready.Task, exited, Task.Delay(limit));
        if (winner == _ready.Task && _ready.Task.IsCompletedSuccessfully) return _ready.Task.Result;
        if (_ready.Task.IsCompletedSuccessfully) return _ready.Task.Result;
        throw new InvalidOperationException(
            (_process.HasExited ? $"cairn exited with {_process.ExitCode} before READY" : $"no READY within {limit}") + "\nstderr:\n" + Stderr);
    }

    /// <summary>Waits for exit and for both pipes to drain; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"cairn did not exit within {timeout}\nstderr:\n{Stderr}");
        }
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes.</summary>
    public async Task<bool> StderrEventuallyContainsAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_stderr.Any(l => l.Contains(text, StringComparison.Ordinal))) return true;
            await Task.Delay(25);
        }
        return _stderr.Any(l => l.Contains(text, StringComparison.Ordinal));
    }

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
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    /// <summary>Runs a short command to completion: (exit code, stdout, stderr).</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunToEndAsync(IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? networkNamespace = null)
    {
        await using var p = Start(args, workingDirectory, environment, networkNamespace);
        int code = await p.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return (code, p.Stdout, p.Stderr);
    }
}
