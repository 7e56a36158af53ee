namespace Cairn.Storage.Encoding;

/// <summary>Why a decoder refused a column. Numbers, so callers never classify by message text.</summary>
public enum CorruptBlockReason : byte
{
    None = 0,
    /// <summary>The column ended before all its values were read.</summary>
    Truncated = 1,
    /// <summary>Bytes (or set padding bits) were left over after the last value.</summary>
    TrailingBytes = 2,
    /// <summary>The encoding byte names no known type and algorithm.</summary>
    UnknownEncoding = 3,
    /// <summary>A known encoding, but of another column type than the decoder reads.</summary>
    WrongColumnType = 4,
    /// <summary>The count is above <see cref="ColumnHeader.MaxCount"/> or disagrees with the payload.</summary>
    CountOutOfRange = 5,
    /// <summary>A field holds a value the encoder never writes (bad scale, bad bit widths, bad varint).</summary>
    InvalidPayload = 6,
    /// <summary>zstd refused the compressed section.</summary>
    DecompressionFailed = 7,
}
