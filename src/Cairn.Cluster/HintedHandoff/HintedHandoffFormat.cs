using Cairn.Common.Hashing;
using System.Buffers.Binary;
using System.Globalization;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// The on-disk format of a destination's queue (version 1), tabled in docs/hinted-handoff.md.
/// </summary>
/// <remarks>
/// A segment file (<c>NNNNNNNN.hhq</c>) is an 8-byte header followed by records, each written with one
/// <c>pwrite</c>:
/// <code>
/// segment header              record
/// offset size  meaning        offset size  meaning
///      0    4  "CHHQ"              0    4  body length L = 20 + n (u32 LE)
///      4    1  version (1)         4    4  CRC-32C of bytes [0,4) and the body
///      5    3  zero                8    8  enqueue time, Unix nanoseconds (i64 LE)   ┐
///                                 16    8  shard id (u64 LE)                          │ body
///                                 24    4  point count (i32 LE)                       │
///                                 28    n  the write request, as the sender takes it  ┘
/// </code>
/// The CRC covers the length field too, so a damaged length is caught rather than trusted.
/// </remarks>
internal static class HintedHandoffFormat
{
    public const byte Version = 1;
    public const int SegmentHeaderSize = 8;
    public const int RecordHeaderSize = 8;
    public const int BodyHeaderSize = 20;
    public const int RecordOverhead = RecordHeaderSize + BodyHeaderSize;

    /// <summary>The largest request one record holds; a length field beyond it is damage.</summary>
    public const int MaxRequestLength = (1 << 30) - RecordOverhead;

    public const string SegmentExtension = ".hhq";
    public const string PositionFileName = "position";

    private static ReadOnlySpan<byte> Magic => "CHHQ"u8;

    public static void WriteSegmentHeader(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        destination[4] = Version;
        destination[5..SegmentHeaderSize].Clear();
    }

    public static bool IsValidSegmentHeader(ReadOnlySpan<byte> header) =>
        header.Length >= SegmentHeaderSize && header[..4].SequenceEqual(Magic) && header[4] == Version;

    /// <summary>True when <paramref name="bytes"/>, shorter than a header, is the start of one: a segment torn as it was created.</summary>
    public static bool IsSegmentHeaderPrefix(ReadOnlySpan<byte> bytes)
    {
        Span<byte> expected = stackalloc byte[SegmentHeaderSize];
        WriteSegmentHeader(expected);
        return bytes.Length < SegmentHeaderSize && bytes.SequenceEqual(expected[..bytes.Length]);
    }

    /// <summary>Fills <paramref name="destination"/> (exactly <see cref="RecordOverhead"/> + request bytes) with one record.</summary>
    public static void WriteRecord(Span<byte> destination, long enqueuedNs, ulong shardId, int points, ReadOnlySpan<byte> request)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(BodyHeaderSize + request.Length));
        var body = destination[RecordHeaderSize..];
        BinaryPrimitives.WriteInt64LittleEndian(body, enqueuedNs);
        BinaryPrimitives.WriteUInt64LittleEndian(body[8..], shardId);
        BinaryPrimitives.WriteInt32LittleEndian(body[16..], points);
        request.CopyTo(body[BodyHeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Checksum(destination[..4], body));
    }

    public static uint Checksum(ReadOnlySpan<byte> lengthField, ReadOnlySpan<byte> body) =>
        Crc32C.Append(Crc32C.Compute(lengthField), body);

    /// <summary>
    /// Reads a record header: the body length, or -1 when it cannot be a body (shorter than its fixed fields,
    /// longer than <see cref="MaxRequestLength"/> allows).
    /// </summary>
    public static int BodyLength(ReadOnlySpan<byte> recordHeader, out uint checksum)
    {
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader);
        checksum = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]);
        return length < BodyHeaderSize || length > BodyHeaderSize + MaxRequestLength ? -1 : (int)length;
    }

    public static long EnqueuedNs(ReadOnlySpan<byte> body) => BinaryPrimitives.ReadInt64LittleEndian(body);

    public static ulong ShardId(ReadOnlySpan<byte> body) => BinaryPrimitives.ReadUInt64LittleEndian(body[8..]);

    public static int Points(ReadOnlySpan<byte> body) => BinaryPrimitives.ReadInt32LittleEndian(body[16..]);

    public static string SegmentFileName(ulong id) => id.ToString("D8", CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>Parses a segment file name; only the canonical spelling counts, so no two names share an id.</summary>
    public static bool TryParseSegmentFileName(string fileName, out ulong id)
    {
        id = 0;
        if (!fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)) return false;
        var digits = fileName.AsSpan(0, fileName.Length - SegmentExtension.Length);
        if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out id) || id == 0) return false;
        return string.Equals(SegmentFileName(id), fileName, StringComparison.Ordinal);
    }

    /// <summary>A queue directory is named by its node id in canonical decimal.</summary>
    public static bool TryParseNodeDirectoryName(string name, out ulong nodeId) =>
        ulong.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out nodeId)
        && string.Equals(nodeId.ToString(CultureInfo.InvariantCulture), name, StringComparison.Ordinal);

    public static long ToUnixNanoseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
