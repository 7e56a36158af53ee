using Cairn.Common.Config;

namespace Cairn.Meta.Licensing;

/// <summary>A licence and where it came from, or why there is none.</summary>
public readonly record struct LicenseLoadResult(License? License, LicenseSource Source, string? Error)
{
    public bool Ok => License is not null;
}

/// <summary>
/// Finds and verifies the licence a node starts with, by the rules every role shares:
/// the zero-config run uses the embedded development licence; otherwise exactly one of
/// [enterprise] license-key and license-path must give a validly signed licence.
/// </summary>
public static class LicenseLoader
{
    public const string FailurePrefix = "license key verification failed: ";

    public static LicenseLoadResult Load(EnterpriseSection enterprise, bool zeroConfig)
    {
        bool hasKey = enterprise.LicenseKey.Trim().Length > 0;
        bool hasPath = enterprise.LicensePath.Trim().Length > 0;
        if (!hasKey && !hasPath)
        {
            if (zeroConfig) return FromDocument(EmbeddedDevelopmentLicense(), LicenseSource.Development, "the embedded development licence");
            return Fail(LicenseSource.LicensePath,
                "no licence configured: set [enterprise] license-path (CAIRN_ENTERPRISE_LICENSE_PATH) or license-key (CAIRN_ENTERPRISE_LICENSE_KEY)");
        }
        if (hasKey && hasPath)
            return Fail(LicenseSource.LicensePath, "[enterprise] license-key and license-path are both set; set only one of them");
        if (hasKey)
            return FromDocument(enterprise.LicenseKey, LicenseSource.LicenseKey, "[enterprise] license-key");

        var path = enterprise.LicensePath.Trim();
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail(LicenseSource.LicensePath, $"cannot read licence file {path}: {e.Message}");
        }
        return FromDocument(text, LicenseSource.LicensePath, "licence file " + path);
    }

    /// <summary>Reads and verifies one document; <paramref name="what"/> names it in errors.</summary>
    public static LicenseLoadResult FromDocument(string document, LicenseSource source, string what)
    {
        using var key = LicenseCodec.TrustedKey();
        return LicenseCodec.TryRead(document, key, out var license, out var detail) switch
        {
            LicenseError.None => new LicenseLoadResult(license, source, null),
            LicenseError.BadSignature => Fail(source, $"{what} has a bad signature: {detail}"),
            _ => Fail(source, $"{what} is malformed: {detail}"),
        };
    }

    public static string EmbeddedDevelopmentLicense()
    {
        using var stream = typeof(LicenseLoader).Assembly.GetManifestResourceStream("Cairn.Meta.license-dev.json")
            ?? throw new InvalidOperationException("the development licence is not embedded in this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static LicenseLoadResult Fail(LicenseSource source, string message) => new(null, source, FailurePrefix + message);
}
