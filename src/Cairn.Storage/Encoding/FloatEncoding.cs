using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// float64 value columns. The encoder keeps the smallest of:
/// <list type="bullet">
/// <item>decimal: when every value is exactly m / 10^d for one d in 0..15 and |m| ≤ 2^53, the
/// integers m go through <see cref="IntegerEncoding"/>. Values parsed from text with a few decimals
/// (58.3, 12, 0.25) qualify, and a slowly moving series then costs ~1 byte per value instead of
/// Gorilla's 4-8. Exact because IEEE division is correctly rounded: m / 10^d is the same double the
/// text parser produced, and the encoder checks every value bit for bit before choosing this;</item>
/// <item>Gorilla XOR (Pelkonen et al., VLDB 2015): each value XOR the previous one, storing only the
/// meaningful bits;</item>
/// <item>raw 8-byte values.</item>
/// </list>
/// All paths preserve the exact bits: NaN payloads, -0.0, infinities, subnormals.
/// </summary>
public static class FloatEncoding
{
    private const byte RawAlgorithm = 0;
    private const byte GorillaAlgorithm = 1;
    private const byte DecimalAlgorithm = 2;

    private const int MaxDecimalScale = 15;

    // |m| up to 2^53: every such integer is exactly a double.
    private const double MaxExactInteger = 9007199254740992.0;

    // A '11' control, 5 bits of leading zeros, 6 bits of length, 64 meaningful bits.
    private const int GorillaMaxBitsPerValue = 2 + 5 + 6 + 64;

    private static ReadOnlySpan<double> PowersOfTen =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];

    /// <summary>Appends the encoded column for <paramref name="values"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<double> values, IBufferWriter<byte> output, EncodingWorkspace workspace)
    {
        int n = values.Length;
        ColumnHeader.ThrowIfTooMany(n);
        ReadOnlySpan<long> raw = MemoryMarshal.Cast<double, long>(values);
        if (n == 0)
        {
            IntegerEncoding.WriteRaw(output, EncodingOf(RawAlgorithm), raw);
            return;
        }

        Span<byte> gorilla = workspace.Bits(BitWriter.BufferLength(64 + (long)GorillaMaxBitsPerValue * (n - 1)));
        gorilla = gorilla[..EncodeGorilla(MemoryMarshal.Cast<double, ulong>(values), gorilla)];
        int best = Math.Min(gorilla.Length, n * 8);

        Span<long> mantissas = workspace.Mantissas(n);
        if (TryFindScale(values, mantissas, out int scale))
        {
            ArrayBufferWriter<byte> nested = workspace.Nested;
            IntegerEncoding.EncodeColumn(mantissas, ColumnType.Integer, nested, workspace);
            if (1 + nested.WrittenCount < best)
            {
                Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + 1 + nested.WrittenCount);
                int o = ColumnHeader.Write(span, EncodingOf(DecimalAlgorithm), n);
                span[o++] = (byte)scale;
                nested.WrittenSpan.CopyTo(span[o..]);
                output.Advance(o + nested.WrittenCount);
                return;
            }
        }

        if (gorilla.Length <= n * 8)
            IntegerEncoding.WritePayload(output, EncodingOf(GorillaAlgorithm), n, gorilla);
        else
            IntegerEncoding.WriteRaw(output, EncodingOf(RawAlgorithm), raw);
    }

    /// <summary>Decodes one column into <paramref name="destination"/> (at least the header's count long); returns the count.</summary>
    /// <exception cref="CorruptBlockException">The column does not decode.</exception>
    public static int Decode(ReadOnlySpan<byte> column, Span<double> destination, EncodingWorkspace workspace)
    {
        CorruptBlockReason reason = DecodeColumn(column, destination, workspace, out int count);
        if (reason != CorruptBlockReason.None)
            CorruptBlockException.Throw(reason, column);
        return count;
    }

    /// <summary>As <see cref="Decode"/>, but returns false instead of throwing on a corrupt column.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> column, Span<double> destination, EncodingWorkspace workspace, out int count) =>
        DecodeColumn(column, destination, workspace, out count) == CorruptBlockReason.None;

    private static CorruptBlockReason DecodeColumn(
        ReadOnlySpan<byte> column, Span<double> destination, EncodingWorkspace workspace, out int count)
    {
        count = 0;
        CorruptBlockReason reason = ColumnHeader.Read(column, ColumnType.Float, out ColumnHeader header);
        if (reason != CorruptBlockReason.None)
            return reason;
        int n = header.Count;
        if (destination.Length < n)
            IntegerEncoding.ThrowDestinationTooSmall(n);
        Span<double> values = destination[..n];
        ReadOnlySpan<byte> payload = column[header.Length..];
        reason = ((byte)header.Encoding & 0xF) switch
        {
            RawAlgorithm => IntegerEncoding.DecodeRaw(payload, MemoryMarshal.Cast<double, long>(values)),
            GorillaAlgorithm => DecodeGorilla(payload, MemoryMarshal.Cast<double, ulong>(values)),
            DecimalAlgorithm => DecodeDecimal(payload, values, workspace),
            _ => CorruptBlockReason.UnknownEncoding,
        };
        if (reason == CorruptBlockReason.None)
            count = n;
        return reason;
    }

    private static int EncodeGorilla(ReadOnlySpan<ulong> values, Span<byte> destination)
    {
        var writer = new BitWriter(destination);
        ulong previous = values[0];
        writer.Write(previous, 64);
        int windowLeading = -1; // no window until the first '11'
        int windowTrailing = 0;
        for (int i = 1; i < values.Length; i++)
        {
            ulong xor = values[i] ^ previous;
            previous = values[i];
            if (xor == 0)
            {
                writer.Write(0, 1);
                continue;
            }
            int leading = Math.Min(BitOperations.LeadingZeroCount(xor), 31);
            int trailing = BitOperations.TrailingZeroCount(xor);
            if (windowLeading >= 0 && leading >= windowLeading && trailing >= windowTrailing)
            {
                writer.Write(0b10, 2);
                writer.Write(xor >> windowTrailing, 64 - windowLeading - windowTrailing);
            }
            else
            {
                int meaningful = 64 - leading - trailing;
                writer.Write((0b11UL << 11) | ((uint)leading << 6) | (uint)(meaningful & 63), 13);
                writer.Write(xor >> trailing, meaningful);
                windowLeading = leading;
                windowTrailing = trailing;
            }
        }
        return writer.Finish();
    }

    // Gorilla — payload: one bit stream, most significant bit first.
    //   bits    meaning
    //   64      first value's bits (so bytes 0..7 are the value, big-endian)
    //   then per later value, with xor = value ^ previous:
    //   '0'                          xor is 0: the previous value repeats
    //   '10', m bits                 xor's bits fit the current window: m = 64 - L - T of the last '11'
    //   '11', 5 L, 6 M, M bits       new window: L leading zeros (0..31), M meaningful bits (0 means 64),
    //                                T = 64 - L - M trailing zeros; L + M must not exceed 64
    //   zero bits pad the last byte; no byte follows it.
    private static CorruptBlockReason DecodeGorilla(ReadOnlySpan<byte> payload, Span<ulong> values)
    {
        if (values.IsEmpty)
            return payload.IsEmpty ? CorruptBlockReason.None : CorruptBlockReason.TrailingBytes;
        var reader = new BitReader(payload);
        ulong previous = reader.ReadLong(64);
        values[0] = previous;
        int meaningful = 0; // 0: no window yet
        int trailing = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (reader.ReadBit())
            {
                if (reader.ReadBit())
                {
                    int window = (int)reader.Read(11);
                    int leading = window >> 6;
                    meaningful = window & 63;
                    if (meaningful == 0)
                        meaningful = 64;
                    if (leading + meaningful > 64)
                        return CorruptBlockReason.InvalidPayload;
                    trailing = 64 - leading - meaningful;
                }
                else if (meaningful == 0)
                {
                    return CorruptBlockReason.InvalidPayload;
                }
                previous ^= reader.ReadLong(meaningful) << trailing;
            }
            values[i] = previous;
        }
        return reader.Finish();
    }

    // Decimal — payload:
    //   offset  size   meaning
    //   0       1      scale d, 0..15
    //   1       ..     a complete integer column (its own header, count equal to this column's)
    //                  holding m; value = (double)m / 10^d
    private static CorruptBlockReason DecodeDecimal(ReadOnlySpan<byte> payload, Span<double> values, EncodingWorkspace workspace)
    {
        if (payload.IsEmpty)
            return CorruptBlockReason.Truncated;
        int scale = payload[0];
        if (scale > MaxDecimalScale)
            return CorruptBlockReason.InvalidPayload;
        ReadOnlySpan<byte> nested = payload[1..];
        CorruptBlockReason reason = ColumnHeader.Read(nested, ColumnType.Integer, out ColumnHeader header);
        if (reason != CorruptBlockReason.None)
            return reason;
        if (header.Count != values.Length)
            return CorruptBlockReason.CountOutOfRange;
        Span<long> mantissas = MemoryMarshal.Cast<double, long>(values);
        reason = IntegerEncoding.DecodeColumn(nested, ColumnType.Integer, mantissas, workspace, out _);
        if (reason != CorruptBlockReason.None)
            return reason;
        double divisor = PowersOfTen[scale];
        for (int i = 0; i < values.Length; i++)
            values[i] = mantissas[i] / divisor;
        return CorruptBlockReason.None;
    }

    /// <summary>Finds the smallest d for which every value is m / 10^d exactly, and the m's.</summary>
    private static bool TryFindScale(ReadOnlySpan<double> values, Span<long> mantissas, out int scale)
    {
        scale = 0;
        foreach (double value in values)
        {
            while (!TryScale(value, scale, out _))
            {
                if (++scale > MaxDecimalScale)
                    return false;
            }
        }
        // A value exact at a smaller d is almost always exact at a larger one; confirm rather than assume.
        for (int i = 0; i < values.Length; i++)
        {
            if (!TryScale(values[i], scale, out mantissas[i]))
                return false;
        }
        return true;
    }

    private static bool TryScale(double value, int scale, out long mantissa)
    {
        double divisor = PowersOfTen[scale];
        double scaled = value * divisor;
        if (!(Math.Abs(scaled) <= MaxExactInteger))
        {
            mantissa = 0;
            return false; // also NaN and the infinities
        }
        mantissa = (long)Math.Round(scaled);
        return BitConverter.DoubleToInt64Bits(mantissa / divisor) == BitConverter.DoubleToInt64Bits(value);
    }

    private static ColumnEncoding EncodingOf(byte algorithm) => IntegerEncoding.EncodingOf(ColumnType.Float, algorithm);
}
