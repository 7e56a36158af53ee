namespace Cairn.Storage.Wal;

/// <summary>
/// One entry handed to a replay callback. <see cref="Payload"/> points into the reader's buffer:
/// it is valid only until the callback returns; copy what must outlive it.
/// </summary>
public readonly struct WalEntry(long sequence, byte type, ReadOnlyMemory<byte> payload)
{
    /// <summary>The value <see cref="WriteAheadLog.AppendAsync"/> returned for this entry.</summary>
    public long Sequence { get; } = sequence;

    public byte Type { get; } = type;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    /// <summary>The segment the entry lives in.</summary>
    public long SegmentId => WriteAheadLog.SegmentOf(Sequence);
}
