namespace Cairn.Storage.Wal;

/// <summary>What a replay read: counts, and every damaged place it stepped over (also logged).</summary>
public sealed class WalReplayResult
{
    internal WalReplayResult(int segments, long entries, long payloadBytes, IReadOnlyList<WalCorruption> corruptions)
    {
        Segments = segments;
        Entries = entries;
        PayloadBytes = payloadBytes;
        Corruptions = corruptions;
    }

    /// <summary>Segment files opened, bad ones included.</summary>
    public int Segments { get; }

    public long Entries { get; }

    public long PayloadBytes { get; }

    /// <summary>In segment order; a tail repaired when the WAL was opened is listed here too.</summary>
    public IReadOnlyList<WalCorruption> Corruptions { get; }
}
