using System.Runtime.CompilerServices;

namespace Cairn.Storage.Encoding;

/// <summary>Maps signed to unsigned so small magnitudes of either sign become small numbers: 0,-1,1,-2 → 0,1,2,3.</summary>
internal static class ZigZag
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Encode(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Decode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
