namespace Cairn.Meta.Licensing;

/// <summary>
/// A verified licence. Its fields are exactly the signed payload; the grace periods are signed
/// too, so no setting can lengthen them.
/// </summary>
public sealed record License
{
    public required string Licensee { get; init; }
    public required string Id { get; init; }
    public required DateTimeOffset Issued { get; init; }
    public required DateTimeOffset Expires { get; init; }
    public required int MaxDataNodes { get; init; }
    /// <summary>Cores a data node may use; 0 is no cap.</summary>
    public required int MaxCores { get; init; }
    public required TimeSpan GraceStart { get; init; }
    public required TimeSpan GraceRunning { get; init; }

    public static readonly TimeSpan DefaultGraceStart = TimeSpan.FromHours(4);
    public static readonly TimeSpan DefaultGraceRunning = TimeSpan.FromDays(14);

    public string Describe() => $"licence {Id} for \"{Licensee}\"";
}

/// <summary>Where the running licence came from, as /debug/vars names it.</summary>
public enum LicenseSource
{
    LicenseKey,
    LicensePath,
    Development,
}

public static class LicenseSourceNames
{
    public static string ToName(this LicenseSource source) => source switch
    {
        LicenseSource.LicenseKey => "license-key",
        LicenseSource.LicensePath => "license-path",
        _ => "development",
    };
}
