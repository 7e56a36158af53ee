namespace Cairn.Integration.Tests;

/// <summary>
/// A scratch directory for one test: config files, licences, data directories. Everything binds
/// 127.0.0.1 port 0; the directory is removed on dispose.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private readonly List<CairnProcess> _processes = [];

    public Sandbox()
    {
        Dir = Path.Combine(Path.GetTempPath(), "cairn-it-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>Loopback, port 0 for every listener, data under the sandbox.</summary>
    public string LoopbackToml(string extra = "", string role = "both", string dataExtra = "") => $"""
        bind-address = "127.0.0.1:0"
        [node]
        role = "{role}"
        [meta]
        dir = "{PathOf("meta")}"
        bind-address = "127.0.0.1:0"
        http-bind-address = "127.0.0.1:0"
        [data]
        dir = "{PathOf("data")}"
        wal-dir = "{PathOf("wal")}"
        {dataExtra}
        [hinted-handoff]
        dir = "{PathOf("hh")}"
        [http]
        bind-address = "127.0.0.1:0"
        """ + "\n" + extra + "\n";

    /// <summary>Environment that moves every listener to 127.0.0.1:0 (used where no config file is wanted).</summary>
    public static Dictionary<string, string> LoopbackEnvironment() => new()
    {
        ["CAIRN_HTTP_BIND_ADDRESS"] = "127.0.0.1:0",
        ["CAIRN_BIND_ADDRESS"] = "127.0.0.1:0",
        ["CAIRN_META_BIND_ADDRESS"] = "127.0.0.1:0",
        ["CAIRN_META_HTTP_BIND_ADDRESS"] = "127.0.0.1:0",
    };

    public string WriteFile(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Mints a licence with `cairn license issue` and the development key; returns its path.</summary>
    public async Task<string> IssueLicenseAsync(string name, DateTimeOffset expires, int maxCores = 0, string? graceStart = null,
        string? graceRunning = null, string? keyPath = null, string? id = null, int maxDataNodes = 4)
    {
        var args = new List<string>
        {
            "license", "issue", "--key", keyPath ?? TestPaths.DevPrivateKey, "--licensee", "Integration tests",
            "--expires", expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            "--max-data-nodes", maxDataNodes.ToString(), "--max-cores", maxCores.ToString(),
            "--id", id ?? name,
        };
        if (graceStart is not null) { args.Add("--grace-start"); args.Add(graceStart); }
        if (graceRunning is not null) { args.Add("--grace-running"); args.Add(graceRunning); }
        var (code, stdout, stderr) = await CairnProcess.RunToEndAsync(args, Dir);
        if (code != 0) throw new InvalidOperationException("license issue failed: " + stderr);
        return WriteFile(name, stdout);
    }

    public Task<string> ValidLicenseAsync(string name = "license.json", int maxCores = 0) =>
        IssueLicenseAsync(name, DateTimeOffset.UtcNow.AddYears(1), maxCores);

    /// <summary>Starts `cairn run` and tracks the process so the sandbox kills it on dispose.</summary>
    public CairnProcess Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? networkNamespace = null)
    {
        var process = CairnProcess.Start(["run", .. args], Dir, environment, networkNamespace);
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts a node from a config file whose licence is <paramref name="licensePath"/>; waits for READY.</summary>
    public async Task<(CairnProcess Process, IReadOnlyDictionary<string, string> Ready)> StartAsync(string toml, IReadOnlyDictionary<string, string>? environment = null, params string[] extraArgs)
    {
        var config = WriteFile("cairn-" + Guid.NewGuid().ToString("N")[..6] + ".toml", toml);
        var process = Run(["--config", config, .. extraArgs], environment);
        var ready = await process.WaitForReadyAsync();
        return (process, ready);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes) await p.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static HttpClient Http(string hostPort) => new() { BaseAddress = new Uri("http://" + hostPort), Timeout = TimeSpan.FromSeconds(10) };

    public static string LicenseToml(string path) => $"[enterprise]\nlicense-path = \"{path}\"\n";
}
