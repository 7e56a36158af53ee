using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// Simple-8b (Anh &amp; Moffat 2010): packs unsigned integers below 2^60 into 64-bit words, as many per
/// word as the widest of them allows. Each word is stored little-endian.
/// <code>
/// bit 63..60   selector
/// bit 59..0    data: value k in bits [k*width, (k+1)*width), value 0 lowest
///
/// selector  0    1    2   3   4   5   6   7   8   9  10  11  12  13  14  15
/// width     run  run  1   2   3   4   5   6   7   8  10  12  15  20  30  60
/// values    240  120  60  30  20  15  12  10  8   7   6   5   4   3   2   1
/// </code>
/// Selectors 0 and 1 are runs: 240 or 120 copies of the value held in bits 59..0. The literature's
/// runs of zeros (or of ones, in InfluxDB's variant) are the special cases with that value 0 or 1;
/// carrying the value costs nothing and also packs constant deltas of any size. Selectors 8 and 9
/// use 56 data bits; their bits 59..56 must be zero.
/// </summary>
internal static class Simple8b
{
    public const ulong MaxValue = (1UL << 60) - 1;

    private const ulong SpareBitsOf56 = 0x0F00_0000_0000_0000;

    private static ReadOnlySpan<byte> Widths => [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 60];

    private static ReadOnlySpan<byte> Counts => [240, 120, 60, 30, 20, 15, 12, 10, 8, 7, 6, 5, 4, 3, 2, 1];

    /// <summary>Bytes <see cref="Encode"/> may need at most: one word per value.</summary>
    public static int MaxEncodedLength(int count) => count * 8;

    /// <summary>
    /// Packs <paramref name="values"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxEncodedLength"/> bytes). Returns the bytes written, or -1 if a value exceeds
    /// <see cref="MaxValue"/>. Greedy: each word takes the longest prefix that fits one selector.
    /// </summary>
    public static int Encode(ReadOnlySpan<ulong> values, Span<byte> destination)
    {
        int written = 0;
        while (!values.IsEmpty)
        {
            int taken = PackWord(values, out ulong word);
            if (taken < 0)
                return -1;
            BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(written, 8), word);
            written += 8;
            values = values[taken..];
        }
        return written;
    }

    /// <summary>Packs the longest prefix of <paramref name="values"/> that fits one word; returns how many values it took, or -1.</summary>
    private static int PackWord(ReadOnlySpan<ulong> values, out ulong word)
    {
        ulong first = values[0];
        if (first > MaxValue)
        {
            word = 0;
            return -1;
        }

        if (values.Length >= 120)
        {
            int limit = Math.Min(values.Length, 240);
            int run = 1;
            while (run < limit && values[run] == first)
                run++;
            if (run >= 120)
            {
                int selector = run == 240 ? 0 : 1;
                word = ((ulong)selector << 60) | first;
                return Counts[selector];
            }
        }

        // Walk forward widening the selector as wider values appear; stop once the selector's count
        // is reached, or the values seen already exceed the count of the (wider) selector.
        int s = 2;
        int j = 0;
        while (true)
        {
            if (j == values.Length)
            {
                while (Counts[s] > j)
                    s++;
                break;
            }
            ulong value = values[j];
            if (value > MaxValue)
            {
                word = 0;
                return -1;
            }
            int width = 64 - BitOperations.LeadingZeroCount(value);
            while (Widths[s] < width)
                s++;
            if (Counts[s] <= j)
                break;
            j++;
            if (j == Counts[s])
                break;
        }

        int count = Counts[s];
        int bits = Widths[s];
        ulong packed = (ulong)s << 60;
        for (int k = 0; k < count; k++)
            packed |= values[k] << (k * bits);
        word = packed;
        return count;
    }

    /// <summary>
    /// Unpacks <paramref name="source"/> (whole words) into exactly <paramref name="destination"/>.
    /// Fails if the words hold more or fewer values, or a word has set spare bits.
    /// </summary>
    public static CorruptBlockReason Decode(ReadOnlySpan<byte> source, Span<ulong> destination)
    {
        if ((source.Length & 7) != 0)
            return CorruptBlockReason.Truncated;
        int o = 0;
        for (int p = 0; p < source.Length; p += 8)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(source.Slice(p, 8));
            int selector = (int)(word >> 60);
            int count = Counts[selector];
            if (count > destination.Length - o)
                return CorruptBlockReason.CountOutOfRange;
            Span<ulong> d = destination.Slice(o, count);
            switch (selector)
            {
                case 0:
                case 1: d.Fill(word & MaxValue); break;
                case 2: Unpack(word, 1, d); break;
                case 3: Unpack(word, 2, d); break;
                case 4: Unpack(word, 3, d); break;
                case 5: Unpack(word, 4, d); break;
                case 6: Unpack(word, 5, d); break;
                case 7: Unpack(word, 6, d); break;
                case 8:
                    if ((word & SpareBitsOf56) != 0)
                        return CorruptBlockReason.InvalidPayload;
                    Unpack(word, 7, d);
                    break;
                case 9:
                    if ((word & SpareBitsOf56) != 0)
                        return CorruptBlockReason.InvalidPayload;
                    Unpack(word, 8, d);
                    break;
                case 10: Unpack(word, 10, d); break;
                case 11: Unpack(word, 12, d); break;
                case 12: Unpack(word, 15, d); break;
                case 13: Unpack(word, 20, d); break;
                case 14: Unpack(word, 30, d); break;
                default: d[0] = word & MaxValue; break;
            }
            o += count;
        }
        return o == destination.Length ? CorruptBlockReason.None : CorruptBlockReason.Truncated;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack(ulong word, int width, Span<ulong> destination)
    {
        ulong mask = (1UL << width) - 1;
        for (int k = 0; k < destination.Length; k++)
        {
            destination[k] = word & mask;
            word >>= width;
        }
    }
}
