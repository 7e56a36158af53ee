using Cairn.Common.Hashing;
using System.Buffers.Binary;
using System.Globalization;

namespace Cairn.Storage.Wal;

/// <summary>
/// Constants and encoders of the segment format (version 1). The layout is drawn above
/// <see cref="WalSegmentReader"/> and tabled in docs/formats/wal.md.
/// </summary>
internal static class WalFormat
{
    public const byte Version = 1;
    public const int HeaderSize = 8;
    public const int EntryHeaderSize = 9;
    public const int MaxPayloadLength = 64 << 20;
    public const string Extension = ".wal";

    private static ReadOnlySpan<byte> Magic => "CWAL"u8;

    public static void WriteSegmentHeader(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        destination[4] = Version;
        destination[5..HeaderSize].Clear();
    }

    public static HeaderCheck CheckSegmentHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderSize) return HeaderCheck.Short;
        if (!header[..4].SequenceEqual(Magic)) return HeaderCheck.BadMagic;
        if (header[4] != Version) return HeaderCheck.UnsupportedVersion;
        return HeaderCheck.Valid;
    }

    /// <summary>True when <paramref name="bytes"/> (shorter than a header) could be the start of one: a header torn by a crash.</summary>
    public static bool IsHeaderPrefix(ReadOnlySpan<byte> bytes)
    {
        Span<byte> expected = stackalloc byte[HeaderSize];
        WriteSegmentHeader(expected);
        return bytes.Length < HeaderSize && bytes.SequenceEqual(expected[..bytes.Length]);
    }

    /// <summary>Fills the 9-byte entry header for <paramref name="payload"/>, checksum included.</summary>
    public static void WriteEntryHeader(Span<byte> destination, byte type, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payload.Length);
        destination[8] = type;
        uint crc = Crc32C.Compute(destination[..4]);
        crc = Crc32C.Append(crc, destination.Slice(8, 1));
        crc = Crc32C.Append(crc, payload);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], crc);
    }

    /// <summary>The checksum an entry should carry, given its header and its type + payload bytes.</summary>
    public static uint EntryChecksum(ReadOnlySpan<byte> lengthField, ReadOnlySpan<byte> typeAndPayload) =>
        Crc32C.Append(Crc32C.Compute(lengthField), typeAndPayload);

    public static string SegmentFileName(long id) => id.ToString("D8", CultureInfo.InvariantCulture) + Extension;

    /// <summary>Parses a segment file name; only the canonical spelling counts, so no two names share an id.</summary>
    public static bool TryParseSegmentFileName(string fileName, out long id)
    {
        id = 0;
        if (!fileName.EndsWith(Extension, StringComparison.Ordinal)) return false;
        var digits = fileName.AsSpan(0, fileName.Length - Extension.Length);
        if (digits.Length < 8 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out id) || id <= 0) return false;
        return string.Equals(SegmentFileName(id), fileName, StringComparison.Ordinal);
    }

    /// <summary>A sequence number: the segment id in the high 32 bits, the entry's ordinal in its segment in the low 32.</summary>
    public static long Sequence(long segmentId, long ordinal) => (segmentId << 32) | ordinal;
}

internal enum HeaderCheck : byte
{
    Valid,
    Short,
    BadMagic,
    UnsupportedVersion,
}
