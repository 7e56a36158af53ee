using System.Collections;

namespace Cairn.Common.Tests;

/// <summary>A file under the temp directory with a unique name, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string contents, string extension = ".toml")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cairn-common-test-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(Path, contents);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { File.Delete(Path); }
        catch (IOException) { }
    }
}

internal static class Env
{
    /// <summary>An environment for ConfigLoader: a plain dictionary, never the process environment.</summary>
    public static IDictionary Of(params (string Name, string Value)[] variables)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables) env[name] = value;
        return env;
    }
}
