namespace Cairn.Storage.Wal;

/// <summary>What was wrong with the bytes at a <see cref="WalCorruption"/>.</summary>
public enum WalDamage : byte
{
    /// <summary>The file does not start with the segment magic; the whole file is skipped.</summary>
    BadHeader = 1,

    /// <summary>The header names a format version this build cannot read; the whole file is skipped.</summary>
    UnsupportedVersion = 2,

    /// <summary>The file ends inside an entry: the tail a crash leaves behind.</summary>
    ShortEntry = 3,

    /// <summary>The length field is larger than any entry can be.</summary>
    BadLength = 4,

    /// <summary>The entry's CRC-32C does not match its length, type and payload.</summary>
    BadChecksum = 5,
}

/// <summary>
/// Damage found while opening or replaying a WAL: the segment file, the byte offset of the first
/// entry that could not be read (0 for a bad header), and what was wrong. Everything before
/// <see cref="Offset"/> in that file was read; everything after it in that file was not.
/// </summary>
/// <param name="Truncated">True when the file was cut at <see cref="Offset"/> (only ever the newest segment, at open).</param>
public readonly record struct WalCorruption(string File, long SegmentId, long Offset, WalDamage Damage, bool Truncated);
