using Cairn.Storage.Encoding;

namespace Cairn.Storage.Shards;

/// <summary>What is wrong with a shard file. Numbers, so callers never classify by message text.</summary>
public enum ShardFileCorruption : byte
{
    None = 0,
    /// <summary>Shorter than a header plus a footer, or shorter than the footer says.</summary>
    Truncated = 1,
    /// <summary>The header does not start with the magic bytes.</summary>
    BadMagic = 2,
    /// <summary>A format version this reader does not know.</summary>
    UnsupportedVersion = 3,
    /// <summary>Unknown flag bits, non-zero reserved bytes, or header and footer flags disagree.</summary>
    BadHeader = 4,
    /// <summary>The footer's CRC does not match.</summary>
    FooterChecksumMismatch = 5,
    /// <summary>The footer points outside the file or its counts cannot fit the index.</summary>
    BadFooter = 6,
    /// <summary>The index's CRC does not match the footer's.</summary>
    IndexChecksumMismatch = 7,
    /// <summary>An index entry points outside the index or the blocks region, or holds impossible values.</summary>
    BadIndexEntry = 8,
    /// <summary>A block's CRC does not match its index entry.</summary>
    BlockChecksumMismatch = 9,
    /// <summary>A block's columns do not decode, or their counts disagree with the index.</summary>
    BadBlock = 10,
}

/// <summary>
/// A shard file (or one of its blocks) is damaged. Names the file, and the key and block when the
/// damage is in one block: the other blocks of the file stay readable.
/// </summary>
public sealed class ShardFileCorruptException : Exception
{
    public ShardFileCorruptException(string path, ShardFileCorruption reason, string detail, string? key = null, int block = -1,
        CorruptBlockReason columnReason = CorruptBlockReason.None)
        : base(FormatMessage(path, reason, detail, key, block))
    {
        Path = path;
        Reason = reason;
        Key = key;
        Block = block;
        ColumnReason = columnReason;
    }

    public string Path { get; }

    public ShardFileCorruption Reason { get; }

    /// <summary>The key whose block is damaged (UTF-8 decoded), or null when the file as a whole is.</summary>
    public string? Key { get; }

    /// <summary>The damaged block's position in its key's block list, or -1.</summary>
    public int Block { get; }

    /// <summary>Why a column decoder refused the block, for <see cref="ShardFileCorruption.BadBlock"/>.</summary>
    public CorruptBlockReason ColumnReason { get; }

    private static string FormatMessage(string path, ShardFileCorruption reason, string detail, string? key, int block) =>
        key is null
            ? $"Corrupt shard file {path}: {reason}: {detail}"
            : $"Corrupt shard file {path}, key '{key}', block {block}: {reason}: {detail}";
}
