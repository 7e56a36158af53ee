using System.Diagnostics.CodeAnalysis;

namespace Cairn.Storage.Encoding;

/// <summary>
/// An encoded column read from disk does not decode. Corrupt data is expected input (torn writes,
/// bit rot, a bad disk), so decoders validate everything and throw only this.
/// </summary>
public sealed class CorruptBlockException : Exception
{
    public CorruptBlockException(CorruptBlockReason reason, byte encoding)
        : base($"Corrupt column (encoding byte 0x{encoding:X2}): {reason}.")
    {
        Reason = reason;
        Encoding = encoding;
    }

    public CorruptBlockReason Reason { get; }

    /// <summary>The column's encoding byte as read, or 0 when the column was empty.</summary>
    public byte Encoding { get; }

    [DoesNotReturn]
    internal static void Throw(CorruptBlockReason reason, ReadOnlySpan<byte> column) =>
        throw new CorruptBlockException(reason, column.IsEmpty ? (byte)0 : column[0]);
}
