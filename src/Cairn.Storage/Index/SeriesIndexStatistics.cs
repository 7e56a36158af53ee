namespace Cairn.Storage.Index;

/// <summary>A snapshot of where a <see cref="SeriesIndex"/> keeps its series.</summary>
/// <param name="Generation">Generation of the mapped file (0: none yet).</param>
/// <param name="FileSeries">Series held by the mapped file, deleted ones included until the next merge.</param>
/// <param name="FileBytes">Size of the mapped file.</param>
/// <param name="DeltaSeries">Series added since the file was written, held in memory and in the log.</param>
/// <param name="Tombstones">Deleted series not yet merged away.</param>
/// <param name="LogRecordsReplayed">Log records read back by <see cref="SeriesIndex.Open"/>.</param>
/// <param name="LogBytesTruncated">Bytes cut from the end of the log by <see cref="SeriesIndex.Open"/>.</param>
public readonly record struct SeriesIndexStatistics(
    ulong Generation, int FileSeries, long FileBytes, int DeltaSeries, int Tombstones, int LogRecordsReplayed, long LogBytesTruncated);
