using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// Timestamp columns (int64 nanoseconds, increasing within a block). The encoder keeps the smallest of:
/// <list type="bullet">
/// <item>run-length when the interval is constant — the common case of a regular series, ~16 bytes
/// for a whole block;</item>
/// <item>delta-of-delta: the change of interval, Simple-8b packed — near-regular series with jitter
/// or gaps cost a few bits per point;</item>
/// <item>delta: the intervals themselves, Simple-8b packed — irregular (event) series, where
/// differencing twice would double the magnitudes (and a sign bit would be spent);</item>
/// <item>delta-of-delta Huffman-coded (<see cref="Huffman"/>): jitter of many bits (a collector
/// stamping at 10 s ± a few ms in nanoseconds) whose high bits vary little; kept only when at
/// least 1/8 smaller than the packed forms, as it decodes slower;</item>
/// <item>raw 8-byte values.</item>
/// </list>
/// Both packed forms first divide the intervals by the largest power of ten (up to 10^18) that
/// divides them all, so timestamps written at second or millisecond precision lose their 9 or 6
/// trailing decimal zeros. Arithmetic wraps modulo 2^64: any int64 sequence round-trips.
/// </summary>
public static class TimestampEncoding
{
    private const byte RawAlgorithm = 0;
    private const byte RunLengthAlgorithm = 1;
    private const byte DeltaOfDeltaAlgorithm = 2;
    private const byte DeltaAlgorithm = 3;
    private const byte DeltaOfDeltaHuffmanAlgorithm = 4;

    private const int HuffmanMinValues = 64;
    private const int HuffmanMinCandidateBytes = 64;

    private const int MaxScale = 18;

    private static ReadOnlySpan<long> PowersOfTen =>
    [
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    ];

    /// <summary>Appends the encoded column for <paramref name="timestamps"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<long> timestamps, IBufferWriter<byte> output, EncodingWorkspace workspace)
    {
        int n = timestamps.Length;
        ColumnHeader.ThrowIfTooMany(n);
        if (n < 2)
        {
            IntegerEncoding.WriteRaw(output, EncodingOf(RawAlgorithm), timestamps);
            return;
        }

        long first = timestamps[0];
        long firstInterval = unchecked(timestamps[1] - first);
        bool constant = true;
        int scale = MaxScale;
        for (int i = 1; i < n; i++)
        {
            long interval = unchecked(timestamps[i] - timestamps[i - 1]);
            constant &= interval == firstInterval;
            while (scale > 0 && interval % PowersOfTen[scale] != 0)
                scale--;
        }

        if (constant && 8 + Varint.Size(ZigZag.Encode(firstInterval)) <= n * 8)
        {
            Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + 8 + Varint.MaxLength);
            int o = ColumnHeader.Write(span, EncodingOf(RunLengthAlgorithm), n);
            BinaryPrimitives.WriteInt64LittleEndian(span.Slice(o, 8), first);
            o += 8;
            o += Varint.Write(span[o..], ZigZag.Encode(firstInterval));
            output.Advance(o);
            return;
        }

        long divisor = PowersOfTen[scale];
        Span<ulong> changes = workspace.Deltas(n - 1);
        Span<ulong> intervals = workspace.DeltasAlternative(n - 1);
        ulong widestChange = 0;
        ulong widestInterval = 0;
        long previous = 0;
        for (int i = 1; i < n; i++)
        {
            long interval = unchecked(timestamps[i] - timestamps[i - 1]);
            if (scale != 0)
                interval /= divisor;
            ulong change = ZigZag.Encode(unchecked(interval - previous));
            changes[i - 1] = change;
            intervals[i - 1] = (ulong)interval; // increasing timestamps: no sign to zigzag away
            widestChange |= change;
            widestInterval |= (ulong)interval;
            previous = interval;
        }

        const int packedOverhead = 8 + 1;
        int rawSize = n * 8;
        int changeSize = int.MaxValue;
        int intervalSize = int.MaxValue;
        Span<byte> changeWords = default;
        Span<byte> intervalWords = default;
        if (widestChange <= Simple8b.MaxValue)
        {
            changeWords = workspace.Words(Simple8b.MaxEncodedLength(n - 1));
            changeWords = changeWords[..Simple8b.Encode(changes, changeWords)];
            changeSize = packedOverhead + changeWords.Length;
        }
        if (widestInterval <= Simple8b.MaxValue)
        {
            intervalWords = workspace.WordsAlternative(Simple8b.MaxEncodedLength(n - 1));
            intervalWords = intervalWords[..Simple8b.Encode(intervals, intervalWords)];
            intervalSize = packedOverhead + intervalWords.Length;
        }

        int best = Math.Min(rawSize, Math.Min(changeSize, intervalSize));
        if (n >= HuffmanMinValues && best >= HuffmanMinCandidateBytes)
        {
            Span<byte> lengths = stackalloc byte[Huffman.SymbolCount];
            int huffmanSize = packedOverhead + Huffman.Plan(changes, lengths);
            if (huffmanSize * 8L <= best * 7L)
            {
                Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + huffmanSize + 8);
                int o = WritePackedPrefix(span, DeltaOfDeltaHuffmanAlgorithm, n, first, scale);
                o += Huffman.Encode(changes, lengths, span[o..]);
                output.Advance(o);
                return;
            }
        }

        if (changeSize <= intervalSize && changeSize <= rawSize)
            WritePacked(output, DeltaOfDeltaAlgorithm, n, first, scale, changeWords);
        else if (intervalSize <= rawSize)
            WritePacked(output, DeltaAlgorithm, n, first, scale, intervalWords);
        else
            IntegerEncoding.WriteRaw(output, EncodingOf(RawAlgorithm), timestamps);
    }

    /// <summary>Decodes one column into <paramref name="destination"/> (at least the header's count long); returns the count.</summary>
    /// <exception cref="CorruptBlockException">The column does not decode.</exception>
    public static int Decode(ReadOnlySpan<byte> column, Span<long> destination, EncodingWorkspace workspace)
    {
        CorruptBlockReason reason = DecodeColumn(column, destination, workspace, out int count);
        if (reason != CorruptBlockReason.None)
            CorruptBlockException.Throw(reason, column);
        return count;
    }

    /// <summary>As <see cref="Decode"/>, but returns false instead of throwing on a corrupt column.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> column, Span<long> destination, EncodingWorkspace workspace, out int count) =>
        DecodeColumn(column, destination, workspace, out count) == CorruptBlockReason.None;

    private static CorruptBlockReason DecodeColumn(
        ReadOnlySpan<byte> column, Span<long> destination, EncodingWorkspace workspace, out int count)
    {
        count = 0;
        CorruptBlockReason reason = ColumnHeader.Read(column, ColumnType.Timestamp, out ColumnHeader header);
        if (reason != CorruptBlockReason.None)
            return reason;
        int n = header.Count;
        if (destination.Length < n)
            IntegerEncoding.ThrowDestinationTooSmall(n);
        Span<long> values = destination[..n];
        ReadOnlySpan<byte> payload = column[header.Length..];
        byte algorithm = (byte)((byte)header.Encoding & 0xF);
        reason = algorithm switch
        {
            RawAlgorithm => IntegerEncoding.DecodeRaw(payload, values),
            RunLengthAlgorithm => DecodeRunLength(payload, values),
            DeltaOfDeltaAlgorithm or DeltaAlgorithm or DeltaOfDeltaHuffmanAlgorithm =>
                DecodePacked(payload, values, algorithm, workspace),
            _ => CorruptBlockReason.UnknownEncoding,
        };
        if (reason == CorruptBlockReason.None)
            count = n;
        return reason;
    }

    // Run-length — payload:
    //   offset  size   meaning
    //   0       8      first timestamp, int64 little-endian
    //   8       1..10  zigzag(interval), varint
    private static CorruptBlockReason DecodeRunLength(ReadOnlySpan<byte> payload, Span<long> values)
    {
        if (values.IsEmpty)
            return CorruptBlockReason.CountOutOfRange;
        if (payload.Length < 9)
            return CorruptBlockReason.Truncated;
        long value = BinaryPrimitives.ReadInt64LittleEndian(payload);
        int position = 8;
        if (!Varint.TryRead(payload, ref position, out ulong zigzag))
            return Varint.FailureReason(payload, position);
        if (position != payload.Length)
            return CorruptBlockReason.TrailingBytes;
        long interval = ZigZag.Decode(zigzag);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = value;
            value = unchecked(value + interval);
        }
        return CorruptBlockReason.None;
    }

    // Delta-of-delta, delta and delta-of-delta Huffman — payload:
    //   offset  size   meaning
    //   0       8      first timestamp, int64 little-endian
    //   8       1      scale k, 0..18: every interval is a multiple of 10^k and is stored divided by it
    //   9       ..     n-1 numbers, interval[i] = (t[i] - t[i-1]) / 10^k, as Simple-8b words
    //                  (Huffman table and bit stream for delta-of-delta Huffman):
    //                  delta-of-delta: zigzag(interval[i] - interval[i-1]), with interval[0] taken as 0
    //                  delta:          interval[i] as is (timestamps increase, so it is positive;
    //                                  a negative one exceeds 2^60 and rules this form out)
    private static CorruptBlockReason DecodePacked(
        ReadOnlySpan<byte> payload, Span<long> values, byte algorithm, EncodingWorkspace workspace)
    {
        if (values.IsEmpty)
            return CorruptBlockReason.CountOutOfRange;
        if (payload.Length < 9)
            return CorruptBlockReason.Truncated;
        long value = BinaryPrimitives.ReadInt64LittleEndian(payload);
        int scale = payload[8];
        if (scale > MaxScale)
            return CorruptBlockReason.InvalidPayload;
        Span<ulong> numbers = MemoryMarshal.Cast<long, ulong>(values[1..]);
        CorruptBlockReason reason = algorithm == DeltaOfDeltaHuffmanAlgorithm
            ? Huffman.Decode(payload[9..], numbers, workspace.HuffmanTable)
            : Simple8b.Decode(payload[9..], numbers);
        if (reason != CorruptBlockReason.None)
            return reason;

        long divisor = PowersOfTen[scale];
        values[0] = value;
        long interval = 0;
        if (algorithm != DeltaAlgorithm)
        {
            for (int i = 1; i < values.Length; i++)
            {
                interval = unchecked(interval + ZigZag.Decode((ulong)values[i]));
                value = unchecked(value + interval * divisor);
                values[i] = value;
            }
        }
        else
        {
            for (int i = 1; i < values.Length; i++)
            {
                value = unchecked(value + values[i] * divisor);
                values[i] = value;
            }
        }
        return CorruptBlockReason.None;
    }

    private static void WritePacked(IBufferWriter<byte> output, byte algorithm, int count, long first, int scale, ReadOnlySpan<byte> words)
    {
        Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + 9 + words.Length);
        int o = WritePackedPrefix(span, algorithm, count, first, scale);
        words.CopyTo(span[o..]);
        output.Advance(o + words.Length);
    }

    private static int WritePackedPrefix(Span<byte> span, byte algorithm, int count, long first, int scale)
    {
        int o = ColumnHeader.Write(span, EncodingOf(algorithm), count);
        BinaryPrimitives.WriteInt64LittleEndian(span.Slice(o, 8), first);
        span[o + 8] = (byte)scale;
        return o + 9;
    }

    private static ColumnEncoding EncodingOf(byte algorithm) => IntegerEncoding.EncodingOf(ColumnType.Timestamp, algorithm);
}
