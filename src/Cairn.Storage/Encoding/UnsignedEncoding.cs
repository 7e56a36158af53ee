using System.Buffers;
using System.Runtime.InteropServices;

namespace Cairn.Storage.Encoding;

/// <summary>
/// uint64 value columns: the integer machinery (<see cref="IntegerEncoding"/>) applied to the same 64
/// bits read as int64, under the Unsigned type nibble. Differences wrap modulo 2^64, so a counter
/// near ulong.MaxValue moves in small steps exactly as one near zero does, and every value
/// round-trips bit for bit.
/// </summary>
public static class UnsignedEncoding
{
    /// <summary>Appends the encoded column for <paramref name="values"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<ulong> values, IBufferWriter<byte> output, EncodingWorkspace workspace) =>
        IntegerEncoding.EncodeColumn(MemoryMarshal.Cast<ulong, long>(values), ColumnType.Unsigned, output, workspace);

    /// <summary>Decodes one column into <paramref name="destination"/>; returns the count.</summary>
    /// <exception cref="CorruptBlockException">The column does not decode.</exception>
    public static int Decode(ReadOnlySpan<byte> column, Span<ulong> destination, EncodingWorkspace workspace)
    {
        CorruptBlockReason reason = IntegerEncoding.DecodeColumn(
            column, ColumnType.Unsigned, MemoryMarshal.Cast<ulong, long>(destination), workspace, out int count);
        if (reason != CorruptBlockReason.None)
            CorruptBlockException.Throw(reason, column);
        return count;
    }

    /// <summary>As <see cref="Decode"/>, but returns false instead of throwing on a corrupt column.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> column, Span<ulong> destination, EncodingWorkspace workspace, out int count) =>
        IntegerEncoding.DecodeColumn(
            column, ColumnType.Unsigned, MemoryMarshal.Cast<ulong, long>(destination), workspace, out count) == CorruptBlockReason.None;
}
