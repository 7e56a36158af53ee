namespace Cairn.Storage.Wal;

/// <summary>Counters since the WAL was opened.</summary>
/// <param name="Appends">Entries made durable.</param>
/// <param name="Groups">Group commits: batches written together and acknowledged after one fsync.</param>
/// <param name="Fsyncs">fsync calls on segment files (a group that crosses a rollover syncs both segments).</param>
/// <param name="BytesWritten">Bytes written to segment files, headers included.</param>
/// <param name="ActiveSegmentId">The segment appends go to, or 0 before the first append after open or a roll.</param>
public readonly record struct WalStatistics(long Appends, long Groups, long Fsyncs, long BytesWritten, long ActiveSegmentId);
