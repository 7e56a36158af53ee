using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cairn.Meta.Licensing;

namespace Cairn.Meta.Tests;

internal static class Keys
{
    /// <summary>The development private key (tests/keys/dev-license-private.pem), copied next to the test assembly.</summary>
    public static ECDsa Development()
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "dev-license-private.pem")));
        return key;
    }

    /// <summary>A fresh key the build does not trust.</summary>
    public static ECDsa Untrusted() => ECDsa.Create(ECCurve.NamedCurves.nistP256);
}

internal static class Licenses
{
    public static readonly DateTimeOffset Issued = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static License Make(
        string id = "lic-0001",
        string licensee = "Example Corp",
        DateTimeOffset? expires = null,
        int maxDataNodes = 4,
        int maxCores = 16,
        TimeSpan? graceStart = null,
        TimeSpan? graceRunning = null) => new()
    {
        Licensee = licensee,
        Id = id,
        Issued = Issued,
        Expires = expires ?? new DateTimeOffset(2030, 6, 30, 12, 0, 0, TimeSpan.Zero),
        MaxDataNodes = maxDataNodes,
        MaxCores = maxCores,
        GraceStart = graceStart ?? License.DefaultGraceStart,
        GraceRunning = graceRunning ?? License.DefaultGraceRunning,
    };

    /// <summary>A document signed with the development key, so it verifies against this build.</summary>
    public static string Signed(License license)
    {
        using var key = Keys.Development();
        return LicenseCodec.Issue(license, key);
    }

    public static LicenseError Read(string document, out License? license, out string detail)
    {
        using var trusted = LicenseCodec.TrustedKey();
        return LicenseCodec.TryRead(document, trusted, out license, out detail);
    }

    /// <summary>Parses a document, lets <paramref name="edit"/> change it, and writes it back compact.</summary>
    public static string Edit(string document, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(document)!.AsObject();
        edit(root);
        return root.ToJsonString();
    }
}

/// <summary>A clock that only moves when told to.</summary>
internal sealed class FakeTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

internal sealed class TempFile : IDisposable
{
    public TempFile(string contents)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cairn-meta-test-{Guid.NewGuid():N}.json");
        File.WriteAllText(Path, contents);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { File.Delete(Path); }
        catch (IOException) { }
    }
}
