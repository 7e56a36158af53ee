using System.Runtime.CompilerServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// The header every encoded column starts with.
/// <code>
/// offset  size   meaning
/// 0       1      encoding byte: ColumnType &lt;&lt; 4 | algorithm (see ColumnEncoding)
/// 1       1..3   count: number of values, unsigned LEB128, 0..MaxCount
/// ..      ..     payload, laid out per encoding
/// </code>
/// </summary>
public readonly struct ColumnHeader
{
    /// <summary>
    /// The most values one column may hold (2^20). Blocks hold ~1000; the bound lets a reader size a
    /// destination from an untrusted header without letting a flipped bit ask for gigabytes.
    /// </summary>
    public const int MaxCount = 1 << 20;

    /// <summary>Encoding byte plus the longest count varint (2^20 takes 3 bytes).</summary>
    internal const int MaxLength = 4;

    public ColumnHeader(ColumnEncoding encoding, int count, int length)
    {
        Encoding = encoding;
        Count = count;
        Length = length;
    }

    public ColumnEncoding Encoding { get; }

    public ColumnType Type => (ColumnType)((byte)Encoding >> 4);

    /// <summary>Number of values in the column.</summary>
    public int Count { get; }

    /// <summary>Bytes the header occupies; the payload starts here.</summary>
    public int Length { get; }

    /// <summary>Reads and validates the header of <paramref name="column"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> column, out ColumnHeader header) =>
        Read(column, out header) == CorruptBlockReason.None;

    /// <summary>Reads the header of <paramref name="column"/>; throws <see cref="CorruptBlockException"/> if it is invalid.</summary>
    public static ColumnHeader Read(ReadOnlySpan<byte> column)
    {
        CorruptBlockReason reason = Read(column, out ColumnHeader header);
        if (reason != CorruptBlockReason.None)
            CorruptBlockException.Throw(reason, column);
        return header;
    }

    internal static CorruptBlockReason Read(ReadOnlySpan<byte> column, out ColumnHeader header)
    {
        header = default;
        if (column.IsEmpty)
            return CorruptBlockReason.Truncated;
        if (!IsKnown(column[0]))
            return CorruptBlockReason.UnknownEncoding;
        int position = 1;
        if (!Varint.TryRead(column, ref position, out ulong count))
            return Varint.FailureReason(column, position);
        if (count > MaxCount)
            return CorruptBlockReason.CountOutOfRange;
        header = new ColumnHeader((ColumnEncoding)column[0], (int)count, position);
        return CorruptBlockReason.None;
    }

    /// <summary>Reads the header and checks it belongs to a column of <paramref name="type"/>.</summary>
    internal static CorruptBlockReason Read(ReadOnlySpan<byte> column, ColumnType type, out ColumnHeader header)
    {
        CorruptBlockReason reason = Read(column, out header);
        if (reason == CorruptBlockReason.None && header.Type != type)
            reason = CorruptBlockReason.WrongColumnType;
        return reason;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Size(int count) => 1 + Varint.Size((ulong)count);

    internal static int Write(Span<byte> destination, ColumnEncoding encoding, int count)
    {
        destination[0] = (byte)encoding;
        return 1 + Varint.Write(destination[1..], (ulong)count);
    }

    internal static void ThrowIfTooMany(int count)
    {
        if (count > MaxCount)
            ThrowTooMany(count);
    }

    private static void ThrowTooMany(int count) =>
        throw new ArgumentOutOfRangeException(nameof(count), count, $"A column holds at most {MaxCount} values; split the block.");

    private static bool IsKnown(byte encoding) => (ColumnEncoding)encoding switch
    {
        ColumnEncoding.FloatRaw or ColumnEncoding.FloatGorilla or ColumnEncoding.FloatDecimal => true,
        ColumnEncoding.IntegerRaw or ColumnEncoding.IntegerRunLength or ColumnEncoding.IntegerSimple8b
            or ColumnEncoding.IntegerZstd or ColumnEncoding.IntegerHuffman => true,
        ColumnEncoding.UnsignedRaw or ColumnEncoding.UnsignedRunLength or ColumnEncoding.UnsignedSimple8b
            or ColumnEncoding.UnsignedZstd or ColumnEncoding.UnsignedHuffman => true,
        ColumnEncoding.BooleanBitPacked or ColumnEncoding.BooleanConstant => true,
        ColumnEncoding.StringRaw or ColumnEncoding.StringZstd => true,
        ColumnEncoding.TimestampRaw or ColumnEncoding.TimestampRunLength or ColumnEncoding.TimestampDeltaOfDelta
            or ColumnEncoding.TimestampDelta or ColumnEncoding.TimestampDeltaOfDeltaHuffman => true,
        _ => false,
    };
}
