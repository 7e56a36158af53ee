using System.Buffers.Binary;

namespace Cairn.Storage.Shards;

/// <summary>
/// Sizes and offsets of the shard file format, version 2. The full layout is drawn above
/// <see cref="ShardFileReader"/> and in docs/formats/shard-file.md.
/// </summary>
internal static class ShardFileFormat
{
    /// <summary>2: each series key stored once, in a series table the key entries refer to. Version 1 repeated it per field.</summary>
    public const byte Version = 2;

    /// <summary>"CSHF": Cairn SHard File.</summary>
    public const uint Magic = 0x46485343; // bytes 43 53 48 46, read little-endian

    public const int HeaderSize = 8;
    public const int FooterSize = 72;

    /// <summary>Series key length (2), then the series key.</summary>
    public const int SeriesFixedSize = 2;

    /// <summary>Series reference (4) + field key length (2) + field type (1) + block count (4).</summary>
    public const int EntryFixedSize = 11;

    // Key entry field offsets; the field type and block count follow the field key.
    public const int EntrySeries = 0;
    public const int EntryFieldLength = 4;
    public const int EntryFieldKey = 6;

    /// <summary>min time (8), max time (8), offset (8), size (4), count (4), CRC (4).</summary>
    public const int BlockEntrySize = 36;

    /// <summary>One uint32 per key: the entry's offset from the start of the key entries.</summary>
    public const int OffsetSize = 4;

    /// <summary>The largest key entries region the uint32 offsets table can address, and the largest series table a uint32 reference can.</summary>
    public const long MaxIndexEntriesLength = uint.MaxValue;

    // Footer field offsets.
    public const int FooterIndexOffset = 0;
    public const int FooterIndexLength = 8;
    public const int FooterBlockCount = 16;
    public const int FooterPointCount = 24;
    public const int FooterMinTime = 32;
    public const int FooterMaxTime = 40;
    public const int FooterKeyCount = 48;
    public const int FooterSeriesCount = 52;
    public const int FooterSeriesLength = 56;
    public const int FooterIndexCrc = 60;
    public const int FooterFlags = 64;
    public const int FooterReserved = 65;
    public const int FooterCrc = 68;

    // Block entry field offsets.
    public const int BlockMinTime = 0;
    public const int BlockMaxTime = 8;
    public const int BlockOffset = 16;
    public const int BlockSize = 24;
    public const int BlockPoints = 28;
    public const int BlockCrc = 32;

    public static void WriteHeader(Span<byte> destination, ShardFileFlags flags)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        destination[4] = Version;
        destination[5] = (byte)flags;
        destination[6] = 0;
        destination[7] = 0;
    }

    public static bool IsKnownFieldType(byte type) => type is >= (byte)FieldType.Float and <= (byte)FieldType.String;
}
