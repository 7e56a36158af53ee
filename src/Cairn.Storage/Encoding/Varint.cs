using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// Unsigned LEB128: seven bits per byte, least significant group first, the high bit set on every
/// byte but the last. A ulong takes 1–10 bytes. Readers accept only the shortest form, so a flipped
/// continuation bit is caught instead of silently shifting everything after it.
/// </summary>
internal static class Varint
{
    public const int MaxLength = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Size(ulong value) => (70 - BitOperations.LeadingZeroCount(value | 1)) / 7;

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>
    /// Reads one varint at <paramref name="position"/> and advances it. False when the source ends
    /// inside the varint, the varint is longer than 10 bytes or overflows 64 bits, or it is not the
    /// shortest form.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        int p = position;
        if ((uint)p < (uint)source.Length && source[p] < 0x80)
        {
            value = source[p];
            position = p + 1;
            return true;
        }
        return TryReadSlow(source, ref position, out value);
    }

    private static bool TryReadSlow(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        ulong result = 0;
        int p = position;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if ((uint)p >= (uint)source.Length)
                break;
            byte b = source[p++];
            if (shift == 63 && b > 1)
                break; // bits beyond 64
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (b == 0 && shift != 0)
                    break; // a longer form than needed
                value = result;
                position = p;
                return true;
            }
        }
        value = 0;
        return false;
    }

    /// <summary>Reads a varint that must be at most <paramref name="max"/>.</summary>
    public static bool TryReadInt32(ReadOnlySpan<byte> source, ref int position, int max, out int value)
    {
        if (TryRead(source, ref position, out ulong v) && v <= (ulong)max)
        {
            value = (int)v;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>Why <see cref="TryRead"/> failed at <paramref name="position"/>: the source ended, or the bytes are malformed.</summary>
    public static CorruptBlockReason FailureReason(ReadOnlySpan<byte> source, int position)
    {
        for (int i = position; i < source.Length && i < position + MaxLength; i++)
        {
            if (source[i] < 0x80)
                return CorruptBlockReason.InvalidPayload;
        }
        return source.Length - position < MaxLength ? CorruptBlockReason.Truncated : CorruptBlockReason.InvalidPayload;
    }
}
