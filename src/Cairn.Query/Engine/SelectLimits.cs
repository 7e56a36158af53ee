using System.Globalization;

namespace Cairn.Query.Engine;

/// <summary>
/// The <c>[cluster]</c> (alias <c>[coordinator]</c>) limits on one SELECT, as InfluxDB's SelectOptions carries them;
/// 0 is no limit.
/// </summary>
/// <param name="MaxSeries"><c>max-select-series</c>: series one shard may read for the statement.</param>
/// <param name="MaxPoints"><c>max-select-point</c>: points the statement may read from storage.</param>
/// <param name="MaxBuckets"><c>max-select-buckets</c>: GROUP BY time() windows the statement may make.</param>
public sealed record SelectLimits(int MaxSeries = 0, int MaxPoints = 0, int MaxBuckets = 0)
{
    public static readonly SelectLimits None = new();

    /// <summary>InfluxDB's text (its spelling too: "exceeed").</summary>
    internal static string PointsExceeded(long read, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"max-select-point limit exceeed: ({read}/{limit})");

    internal static string SeriesExceeded(long series, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"max-select-series limit exceeded: ({series}/{limit})");

    internal static string BucketsExceeded(long buckets, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"max-select-buckets limit exceeded: ({buckets}/{limit})");
}
