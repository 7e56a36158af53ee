using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// Boolean columns: one bit per value, or a single byte when every value is the same (status flags
/// rarely change within a block).
/// </summary>
public static class BooleanEncoding
{
    private const byte BitPackedAlgorithm = 0;
    private const byte ConstantAlgorithm = 1;

    // Byte j of a little-endian word lands on bit 56 + j when multiplied by this (bytes are 0 or 1).
    private const ulong GatherMagic = 0x0102_0408_1020_4080;
    private const ulong LowBits = 0x0101_0101_0101_0101;
    private const ulong SevenBits = 0x7F7F_7F7F_7F7F_7F7F;
    private const ulong DiagonalBits = 0x8040_2010_0804_0201;

    /// <summary>Appends the encoded column for <paramref name="values"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<bool> values, IBufferWriter<byte> output)
    {
        int n = values.Length;
        ColumnHeader.ThrowIfTooMany(n);
        ReadOnlySpan<byte> bytes = MemoryMarshal.Cast<bool, byte>(values);

        if (n > 8 && IsConstant(bytes))
        {
            Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + 1);
            int o = ColumnHeader.Write(span, EncodingOf(ConstantAlgorithm), n);
            span[o++] = bytes[0] != 0 ? (byte)1 : (byte)0;
            output.Advance(o);
            return;
        }

        int packedLength = (n + 7) >> 3;
        Span<byte> destination = output.GetSpan(ColumnHeader.MaxLength + packedLength);
        int header = ColumnHeader.Write(destination, EncodingOf(BitPackedAlgorithm), n);
        Span<byte> packed = destination.Slice(header, packedLength);
        int whole = n >> 3;
        for (int i = 0; i < whole; i++)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(i * 8, 8));
            packed[i] = (byte)((Normalize(word) * GatherMagic) >> 56);
        }
        if (whole < packedLength)
        {
            int last = 0;
            for (int j = whole * 8; j < n; j++)
                last |= (bytes[j] != 0 ? 1 : 0) << (j & 7);
            packed[whole] = (byte)last;
        }
        output.Advance(header + packedLength);
    }

    /// <summary>Decodes one column into <paramref name="destination"/> (at least the header's count long); returns the count.</summary>
    /// <exception cref="CorruptBlockException">The column does not decode.</exception>
    public static int Decode(ReadOnlySpan<byte> column, Span<bool> destination)
    {
        CorruptBlockReason reason = DecodeColumn(column, destination, out int count);
        if (reason != CorruptBlockReason.None)
            CorruptBlockException.Throw(reason, column);
        return count;
    }

    /// <summary>As <see cref="Decode"/>, but returns false instead of throwing on a corrupt column.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> column, Span<bool> destination, out int count) =>
        DecodeColumn(column, destination, out count) == CorruptBlockReason.None;

    private static CorruptBlockReason DecodeColumn(ReadOnlySpan<byte> column, Span<bool> destination, out int count)
    {
        count = 0;
        CorruptBlockReason reason = ColumnHeader.Read(column, ColumnType.Boolean, out ColumnHeader header);
        if (reason != CorruptBlockReason.None)
            return reason;
        int n = header.Count;
        if (destination.Length < n)
            IntegerEncoding.ThrowDestinationTooSmall(n);
        Span<byte> values = MemoryMarshal.Cast<bool, byte>(destination[..n]);
        ReadOnlySpan<byte> payload = column[header.Length..];
        reason = ((byte)header.Encoding & 0xF) switch
        {
            BitPackedAlgorithm => DecodeBitPacked(payload, values),
            ConstantAlgorithm => DecodeConstant(payload, values),
            _ => CorruptBlockReason.UnknownEncoding,
        };
        if (reason == CorruptBlockReason.None)
            count = n;
        return reason;
    }

    // Bit-packed — payload:
    //   offset  size          meaning
    //   0       ceil(n / 8)   value i is bit (i mod 8) of byte i / 8, least significant bit first;
    //                         unused bits of the last byte are zero
    private static CorruptBlockReason DecodeBitPacked(ReadOnlySpan<byte> payload, Span<byte> values)
    {
        int n = values.Length;
        int packedLength = (n + 7) >> 3;
        if (payload.Length != packedLength)
            return payload.Length < packedLength ? CorruptBlockReason.Truncated : CorruptBlockReason.TrailingBytes;
        int whole = n >> 3;
        for (int i = 0; i < whole; i++)
        {
            ulong spread = ((((payload[i] * LowBits) & DiagonalBits) + SevenBits) >> 7) & LowBits;
            BinaryPrimitives.WriteUInt64LittleEndian(values.Slice(i * 8, 8), spread);
        }
        if (whole < packedLength)
        {
            int last = payload[whole];
            int used = n & 7;
            if ((last >> used) != 0)
                return CorruptBlockReason.TrailingBytes;
            for (int j = 0; j < used; j++)
                values[whole * 8 + j] = (byte)((last >> j) & 1);
        }
        return CorruptBlockReason.None;
    }

    // Constant — payload:
    //   offset  size  meaning
    //   0       1     the value of every element: 0 or 1
    private static CorruptBlockReason DecodeConstant(ReadOnlySpan<byte> payload, Span<byte> values)
    {
        if (payload.Length != 1)
            return payload.IsEmpty ? CorruptBlockReason.Truncated : CorruptBlockReason.TrailingBytes;
        if (payload[0] > 1)
            return CorruptBlockReason.InvalidPayload;
        values.Fill(payload[0]);
        return CorruptBlockReason.None;
    }

    /// <summary>Maps each byte of <paramref name="word"/> to 1 if non-zero, else 0 (a bool may hold any non-zero byte).</summary>
    private static ulong Normalize(ulong word) => ((((word & SevenBits) + SevenBits) | word) >> 7) & LowBits;

    private static bool IsConstant(ReadOnlySpan<byte> bytes)
    {
        bool first = bytes[0] != 0;
        foreach (byte b in bytes)
        {
            if ((b != 0) != first)
                return false;
        }
        return true;
    }

    private static ColumnEncoding EncodingOf(byte algorithm) => IntegerEncoding.EncodingOf(ColumnType.Boolean, algorithm);
}
