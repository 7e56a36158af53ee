using System.Buffers;
using System.Text;

namespace Cairn.Storage.Encoding;

/// <summary>
/// String columns, stored as UTF-8. The payload gathers every length in front of the bytes —
/// a length-prefixed concatenation with the prefixes moved together — so a decoder can hand out
/// one contiguous byte span plus end offsets without copying, and zstd sees the lengths and the text
/// as two homogeneous runs. The payload is zstd-compressed (level
/// <see cref="EncodingWorkspace.DefaultZstdLevel"/>) unless that does not make it smaller, which is
/// typical below a few dozen bytes.
/// A .NET string holding an unpaired surrogate is stored with U+FFFD in its place, as UTF-8 requires.
/// </summary>
public static class StringEncoding
{
    private const byte RawAlgorithm = 0;
    private const byte ZstdAlgorithm = 1;

    /// <summary>The largest payload (lengths plus UTF-8 bytes) one column may hold: 1 GiB.</summary>
    public const int MaxPayloadBytes = 1 << 30;

    // zstd's frame costs ~10 bytes; below this it never wins.
    private const int ZstdMinBytes = 16;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Appends the encoded column for <paramref name="values"/> to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">The payload would exceed <see cref="MaxPayloadBytes"/>.</exception>
    public static void Encode(ReadOnlySpan<string> values, IBufferWriter<byte> output, EncodingWorkspace workspace)
    {
        int n = values.Length;
        ColumnHeader.ThrowIfTooMany(n);

        Span<ulong> lengths = workspace.Deltas(n);
        long total = 0;
        for (int i = 0; i < n; i++)
        {
            int length = Utf8.GetByteCount(values[i]);
            lengths[i] = (ulong)length;
            total += Varint.Size((ulong)length) + length;
        }
        if (total > MaxPayloadBytes)
            throw new ArgumentException($"The strings need {total} bytes; a column holds at most {MaxPayloadBytes}. Split the block.", nameof(values));

        Span<byte> payload = workspace.Payload((int)total);
        int o = 0;
        foreach (ulong length in lengths)
            o += Varint.Write(payload[o..], length);
        foreach (string value in values)
            o += Utf8.GetBytes(value, payload[o..]);

        if (total >= ZstdMinBytes)
        {
            int frameLength = ZstdFrame.Compress(workspace, payload, out Span<byte> frame);
            int compressedSize = Varint.Size((ulong)total) + frameLength;
            if (compressedSize < total)
            {
                Span<byte> span = output.GetSpan(ColumnHeader.MaxLength + compressedSize);
                int h = ColumnHeader.Write(span, EncodingOf(ZstdAlgorithm), n);
                h += Varint.Write(span[h..], (ulong)total);
                frame.CopyTo(span[h..]);
                output.Advance(h + frameLength);
                return;
            }
        }
        IntegerEncoding.WritePayload(output, EncodingOf(RawAlgorithm), n, payload);
    }

    /// <summary>Appends the column's strings to <paramref name="destination"/>; returns how many.</summary>
    /// <exception cref="CorruptBlockException">The column does not decode.</exception>
    public static int Decode(ReadOnlySpan<byte> column, List<string> destination, EncodingWorkspace workspace)
    {
        CorruptBlockReason reason = DecodeToList(column, destination, workspace, out int count);
        if (reason != CorruptBlockReason.None)
            CorruptBlockException.Throw(reason, column);
        return count;
    }

    /// <summary>As <see cref="Decode"/>, but returns false instead of throwing; nothing is appended then.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> column, List<string> destination, EncodingWorkspace workspace, out int count) =>
        DecodeToList(column, destination, workspace, out count) == CorruptBlockReason.None;

    /// <summary>
    /// Decodes without creating strings: returns the values' UTF-8 bytes back to back, and sets
    /// <c>ends[i]</c> to where value i ends in them (value i is <c>bytes[ends[i-1]..ends[i]]</c>,
    /// starting at 0). The span points into <paramref name="column"/> for an uncompressed column and
    /// into <paramref name="workspace"/> otherwise, so it is valid until the workspace decodes again.
    /// </summary>
    /// <exception cref="CorruptBlockException">The column does not decode.</exception>
    public static ReadOnlySpan<byte> DecodeUtf8(ReadOnlySpan<byte> column, Span<int> ends, EncodingWorkspace workspace)
    {
        CorruptBlockReason reason = ReadPayload(column, workspace, out ReadOnlySpan<byte> payload, out int count);
        if (reason == CorruptBlockReason.None)
        {
            if (ends.Length < count)
                IntegerEncoding.ThrowDestinationTooSmall(count);
            reason = ParseLengths(payload, ends[..count], out int start);
            if (reason == CorruptBlockReason.None)
                return payload[start..];
        }
        CorruptBlockException.Throw(reason, column);
        return default;
    }

    private static CorruptBlockReason DecodeToList(
        ReadOnlySpan<byte> column, List<string> destination, EncodingWorkspace workspace, out int count)
    {
        CorruptBlockReason reason = ReadPayload(column, workspace, out ReadOnlySpan<byte> payload, out count);
        if (reason != CorruptBlockReason.None)
            return reason;
        reason = ParseLengths(payload, default, out int start, count);
        if (reason != CorruptBlockReason.None)
        {
            count = 0;
            return reason;
        }
        // Lengths were validated by the first pass; this one only slices.
        int position = 0;
        int offset = start;
        for (int i = 0; i < count; i++)
        {
            Varint.TryRead(payload, ref position, out ulong length);
            destination.Add(Utf8.GetString(payload.Slice(offset, (int)length)));
            offset += (int)length;
        }
        return CorruptBlockReason.None;
    }

    // Header then, by encoding:
    //   raw   (0x60)  payload
    //   zstd  (0x61)  offset 0: payload length P, varint (≤ MaxPayloadBytes); then one zstd frame
    //                 whose content is the P-byte payload
    private static CorruptBlockReason ReadPayload(
        ReadOnlySpan<byte> column, EncodingWorkspace workspace, out ReadOnlySpan<byte> payload, out int count)
    {
        payload = default;
        count = 0;
        CorruptBlockReason reason = ColumnHeader.Read(column, ColumnType.String, out ColumnHeader header);
        if (reason != CorruptBlockReason.None)
            return reason;
        ReadOnlySpan<byte> body = column[header.Length..];
        switch ((byte)header.Encoding & 0xF)
        {
            case RawAlgorithm:
                payload = body;
                break;
            case ZstdAlgorithm:
                int position = 0;
                if (!Varint.TryReadInt32(body, ref position, MaxPayloadBytes, out int size))
                    return position < body.Length ? CorruptBlockReason.InvalidPayload : CorruptBlockReason.Truncated;
                reason = ZstdFrame.Decompress(workspace, body[position..], size, size, out int length);
                if (reason != CorruptBlockReason.None)
                    return reason;
                payload = workspace.Decompressed(length);
                break;
            default:
                return CorruptBlockReason.UnknownEncoding;
        }
        count = header.Count;
        return CorruptBlockReason.None;
    }

    // Payload:
    //   offset  size      meaning
    //   0       varint×n  UTF-8 byte length of each value
    //   S       Σ length  the values' UTF-8 bytes back to back; nothing follows them
    private static CorruptBlockReason ParseLengths(ReadOnlySpan<byte> payload, Span<int> ends, out int start) =>
        ParseLengths(payload, ends, out start, ends.Length);

    /// <summary>Checks the lengths add up to exactly the bytes after them; fills <paramref name="ends"/> unless it is empty.</summary>
    private static CorruptBlockReason ParseLengths(ReadOnlySpan<byte> payload, Span<int> ends, out int start, int count)
    {
        start = 0;
        int position = 0;
        long end = 0;
        for (int i = 0; i < count; i++)
        {
            if (!Varint.TryReadInt32(payload, ref position, MaxPayloadBytes, out int length))
                return position < payload.Length ? CorruptBlockReason.InvalidPayload : CorruptBlockReason.Truncated;
            end += length;
            if (!ends.IsEmpty)
                ends[i] = (int)Math.Min(end, int.MaxValue);
        }
        long available = payload.Length - position;
        if (end != available)
            return end > available ? CorruptBlockReason.Truncated : CorruptBlockReason.TrailingBytes;
        start = position;
        return CorruptBlockReason.None;
    }

    private static ColumnEncoding EncodingOf(byte algorithm) => IntegerEncoding.EncodingOf(ColumnType.String, algorithm);
}
