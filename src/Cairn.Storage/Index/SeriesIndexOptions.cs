namespace Cairn.Storage.Index;

/// <summary>Settings of one shard's series index, from the <c>[data]</c> section of the configuration.</summary>
public sealed class SeriesIndexOptions
{
    /// <summary>
    /// <c>max-values-per-tag</c>: a new series is refused when one of its tag values is new and its tag key
    /// already has this many values in the measurement. 0 disables the limit. InfluxDB's default is 100 000.
    /// </summary>
    public int MaxValuesPerTag { get; init; } = 100_000;

    /// <summary>Check the CRC of the whole index file on open (a sequential read of the mapping).</summary>
    public bool VerifyFileOnOpen { get; init; } = true;
}
