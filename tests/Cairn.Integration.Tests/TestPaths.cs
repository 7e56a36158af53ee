namespace Cairn.Integration.Tests;

public static class TestPaths
{
    /// <summary>The repository root (the folder holding Cairn.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The published AOT binary: $CAIRN_BIN, else bin/cairn (./build.sh leaves it there).</summary>
    public static string CairnBinary { get; } = FindBinary();

    public static string DevPrivateKey => Path.Combine(Root, "tests", "keys", "dev-license-private.pem");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Cairn.sln above " + AppContext.BaseDirectory);
    }

    private static string FindBinary()
    {
        var fromEnv = Environment.GetEnvironmentVariable("CAIRN_BIN");
        var path = string.IsNullOrEmpty(fromEnv) ? Path.Combine(FindRoot(), "bin", "cairn") : fromEnv;
        if (!File.Exists(path)) throw new InvalidOperationException($"{path} not found: run ./build.sh first (or set CAIRN_BIN)");
        return path;
    }
}
