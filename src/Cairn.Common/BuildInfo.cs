namespace Cairn.Common;

/// <summary>
/// Who built this binary and what it trusts. The constants come from BuildInfo.g.cs, which the
/// project file writes at build time.
/// </summary>
public static partial class BuildInfo
{
    /// <summary>The InfluxDB API level Cairn answers as; clients read it from X-Influxdb-Version.</summary>
    public const string InfluxDbCompatibleVersion = "1.11.8";

    /// <summary>Enterprise-style version string: OSS core version, "-c", then Cairn's version.</summary>
    public static string ServerVersion => InfluxDbCompatibleVersion + "-c" + Version;

    public static string Runtime => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
}
