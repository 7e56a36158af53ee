using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// A canonical Huffman code per block over unsigned integers (zigzag differences), for streams whose
/// values are small and skewed: a random walk whose steps are mostly -1, 0 or +1 costs ~2.3 bits a
/// value here against 3-4 for Simple-8b.
///
/// Symbols: 0..15 stand for the values 0..15 themselves. Symbol 16 + (c - 5), c = 5..64, stands for
/// any value of bit length c (16 ≤ value &lt; 2^64); its c - 1 bits below the leading one follow the code.
/// Code lengths are limited to <see cref="MaxCodeLength"/> bits so the decoder's lookup table stays small.
/// <code>
/// offset  size        meaning
/// 0       1           S: how many code lengths follow (1..76), for symbols 0..S-1; later symbols are unused
/// 1       ceil(S/2)   code lengths, 4 bits each, symbol 0 in the low nibble of the first byte;
///                     0 = unused, 1..11 = length
/// ..      ..          bit stream, most significant bit first: per value its canonical code, then for
///                     class symbols the value's low c-1 bits; zero bits pad the last byte
/// </code>
/// Canonical codes as in DEFLATE (RFC 1951 §3.2.2): shorter codes first, ties by symbol.
/// </summary>
internal static class Huffman
{
    public const int MaxCodeLength = 11;
    public const int SymbolCount = LiteralCount + 60;
    public const int TableLength = 1 << MaxCodeLength;

    private const int LiteralCount = 16;

    /// <summary>
    /// Chooses code lengths for <paramref name="values"/> (written to <paramref name="lengths"/>,
    /// <see cref="SymbolCount"/> long) and returns the exact encoded size in bytes.
    /// </summary>
    public static int Plan(ReadOnlySpan<ulong> values, Span<byte> lengths)
    {
        Span<int> frequencies = stackalloc int[SymbolCount];
        frequencies.Clear();
        foreach (ulong value in values)
            frequencies[SymbolOf(value)]++;

        BuildLengths(frequencies, lengths);

        long bits = 0;
        int used = 0;
        for (int s = 0; s < SymbolCount; s++)
        {
            if (frequencies[s] == 0)
                continue;
            bits += (long)frequencies[s] * (lengths[s] + ExtraBits(s));
            used = s + 1;
        }
        return checked(1 + (Math.Max(used, 1) + 1) / 2 + (int)((bits + 7) / 8));
    }

    /// <summary>
    /// Writes the table and the codes of <paramref name="values"/> using the lengths from
    /// <see cref="Plan"/>. <paramref name="destination"/> needs the planned size plus 8 bytes of slack
    /// (the bit writer stores whole words). Returns the bytes written.
    /// </summary>
    public static int Encode(ReadOnlySpan<ulong> values, ReadOnlySpan<byte> lengths, Span<byte> destination)
    {
        int used = 1;
        for (int s = 0; s < SymbolCount; s++)
        {
            if (lengths[s] != 0)
                used = s + 1;
        }
        destination[0] = (byte)used;
        int tableBytes = (used + 1) / 2;
        Span<byte> table = destination.Slice(1, tableBytes);
        table.Clear();
        for (int s = 0; s < used; s++)
            table[s >> 1] |= (byte)(lengths[s] << ((s & 1) * 4));

        Span<ushort> codes = stackalloc ushort[SymbolCount];
        AssignCodes(lengths, codes);

        var writer = new BitWriter(destination[(1 + tableBytes)..]);
        foreach (ulong value in values)
        {
            int s = SymbolOf(value);
            writer.Write(codes[s], lengths[s]);
            if (s >= LiteralCount)
                writer.Write(value, ExtraBits(s));
        }
        return 1 + tableBytes + writer.Finish();
    }

    /// <summary>
    /// Decodes exactly <paramref name="destination"/>.Length values; the source must end where the
    /// codes end. <paramref name="table"/> is scratch of <see cref="TableLength"/> entries.
    /// </summary>
    public static CorruptBlockReason Decode(ReadOnlySpan<byte> source, Span<ulong> destination, Span<ushort> table)
    {
        if (source.IsEmpty)
            return CorruptBlockReason.Truncated;
        int used = source[0];
        if (used == 0 || used > SymbolCount)
            return CorruptBlockReason.InvalidPayload;
        int tableBytes = (used + 1) / 2;
        if (source.Length < 1 + tableBytes)
            return CorruptBlockReason.Truncated;

        Span<byte> lengths = stackalloc byte[SymbolCount];
        lengths.Clear();
        int maxLength = 0;
        for (int s = 0; s < used; s++)
        {
            int length = (source[1 + (s >> 1)] >> ((s & 1) * 4)) & 0xF;
            if (length > MaxCodeLength)
                return CorruptBlockReason.InvalidPayload;
            lengths[s] = (byte)length;
            maxLength = Math.Max(maxLength, length);
        }
        // The encoder writes the shortest table: its last symbol is used and no nibble pads past it.
        if (maxLength == 0 || lengths[used - 1] == 0 || ((used & 1) == 1 && source[tableBytes] >> 4 != 0))
            return CorruptBlockReason.InvalidPayload;

        // Entry: symbol in bits 0..6, code length in bits 8..11; 0 marks a bit pattern no code starts with.
        Span<ushort> lookup = table[..(1 << maxLength)];
        lookup.Clear();
        Span<ushort> codes = stackalloc ushort[SymbolCount];
        AssignCodes(lengths, codes);
        for (int s = 0; s < used; s++)
        {
            int length = lengths[s];
            if (length == 0)
                continue;
            int start = codes[s] << (maxLength - length);
            int span = 1 << (maxLength - length);
            if (start + span > lookup.Length)
                return CorruptBlockReason.InvalidPayload; // lengths over-subscribe the code space
            lookup.Slice(start, span).Fill((ushort)((length << 8) | s));
        }

        var reader = new BitReader(source[(1 + tableBytes)..]);
        for (int i = 0; i < destination.Length; i++)
        {
            int entry = lookup[(int)reader.Peek(maxLength)];
            if (entry == 0)
                return CorruptBlockReason.InvalidPayload;
            reader.Skip(entry >> 8);
            int s = entry & 0x7F;
            destination[i] = s < LiteralCount
                ? (ulong)s
                : (1UL << ExtraBits(s)) | reader.ReadLong(ExtraBits(s));
        }
        return reader.Finish();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SymbolOf(ulong value) =>
        value < LiteralCount ? (int)value : 75 - BitOperations.LeadingZeroCount(value);

    /// <summary>Bits after the code of symbol <paramref name="s"/>: a class-c value's bits below its leading one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ExtraBits(int s) => s < LiteralCount ? 0 : s - 12;

    /// <summary>Canonical codes from lengths: per length, consecutive codes by symbol order.</summary>
    private static void AssignCodes(ReadOnlySpan<byte> lengths, Span<ushort> codes)
    {
        Span<int> perLength = stackalloc int[MaxCodeLength + 1];
        perLength.Clear();
        foreach (byte length in lengths)
            perLength[length]++;
        perLength[0] = 0;
        Span<int> next = stackalloc int[MaxCodeLength + 1];
        int code = 0;
        for (int length = 1; length <= MaxCodeLength; length++)
        {
            code = (code + perLength[length - 1]) << 1;
            next[length] = code;
        }
        for (int s = 0; s < lengths.Length; s++)
        {
            int length = lengths[s];
            if (length != 0)
                codes[s] = (ushort)next[length]++;
        }
    }

    /// <summary>
    /// Huffman code lengths for the non-zero frequencies, at most <see cref="MaxCodeLength"/>: when
    /// the optimal tree is deeper, frequencies are halved (rounding up) and the tree rebuilt, which
    /// flattens it at a negligible cost in size.
    /// </summary>
    private static void BuildLengths(ReadOnlySpan<int> frequencies, Span<byte> lengths)
    {
        lengths[..SymbolCount].Clear();
        Span<int> symbols = stackalloc int[SymbolCount];
        Span<long> weights = stackalloc long[SymbolCount];
        int leaves = 0;
        for (int s = 0; s < SymbolCount; s++)
        {
            if (frequencies[s] != 0)
            {
                symbols[leaves] = s;
                weights[leaves] = frequencies[s];
                leaves++;
            }
        }
        if (leaves == 0)
            return;
        if (leaves == 1)
        {
            lengths[symbols[0]] = 1;
            return;
        }

        symbols = symbols[..leaves];
        weights = weights[..leaves];
        Span<long> nodeWeights = stackalloc long[2 * SymbolCount];
        Span<int> parents = stackalloc int[2 * SymbolCount];
        Span<int> depths = stackalloc int[2 * SymbolCount];
        while (true)
        {
            // Leaves by ascending weight (insertion sort: at most 76 of them, usually ~10).
            for (int i = 1; i < leaves; i++)
            {
                long w = weights[i];
                int s = symbols[i];
                int j = i - 1;
                while (j >= 0 && weights[j] > w)
                {
                    weights[j + 1] = weights[j];
                    symbols[j + 1] = symbols[j];
                    j--;
                }
                weights[j + 1] = w;
                symbols[j + 1] = s;
            }

            // Two queues: sorted leaves 0..leaves-1, then merged nodes in creation order (also sorted).
            weights.CopyTo(nodeWeights);
            int nextLeaf = 0;
            int nextMerged = leaves;
            int created = leaves;
            while (created < 2 * leaves - 1)
            {
                int a = TakeSmallest(nodeWeights, ref nextLeaf, leaves, ref nextMerged, created);
                int b = TakeSmallest(nodeWeights, ref nextLeaf, leaves, ref nextMerged, created);
                nodeWeights[created] = nodeWeights[a] + nodeWeights[b];
                parents[a] = created;
                parents[b] = created;
                created++;
            }

            int root = created - 1;
            depths[root] = 0;
            int deepest = 0;
            for (int node = root - 1; node >= 0; node--)
            {
                depths[node] = depths[parents[node]] + 1;
                if (node < leaves)
                    deepest = Math.Max(deepest, depths[node]);
            }
            if (deepest <= MaxCodeLength)
            {
                for (int i = 0; i < leaves; i++)
                    lengths[symbols[i]] = (byte)depths[i];
                return;
            }
            for (int i = 0; i < leaves; i++)
                weights[i] = (weights[i] + 1) >> 1;
        }
    }

    private static int TakeSmallest(ReadOnlySpan<long> weights, ref int nextLeaf, int leaves, ref int nextMerged, int created)
    {
        if (nextLeaf < leaves && (nextMerged >= created || weights[nextLeaf] <= weights[nextMerged]))
            return nextLeaf++;
        return nextMerged++;
    }
}
