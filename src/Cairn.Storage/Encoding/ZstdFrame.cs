using ZstdSharp;

namespace Cairn.Storage.Encoding;

/// <summary>
/// zstd as the column encoders use it: one standard frame (magic, frame header with the content
/// size, blocks; no checksum, since the shard block carries a CRC) compressed with the workspace's
/// compressor, and decompressed only after its declared size passes the caller's bounds.
/// </summary>
internal static class ZstdFrame
{
    /// <summary>Compresses <paramref name="source"/> into the workspace's compressed buffer; returns the frame's length.</summary>
    public static int Compress(EncodingWorkspace workspace, ReadOnlySpan<byte> source, out Span<byte> frame)
    {
        Span<byte> destination = workspace.Compressed(Compressor.GetCompressBound(source.Length));
        int length = workspace.Compressor.Wrap(source, destination);
        frame = destination[..length];
        return length;
    }

    /// <summary>
    /// Decompresses <paramref name="frame"/> into the workspace's decompressed buffer. The frame
    /// header's content size must lie in [<paramref name="minSize"/>, <paramref name="maxSize"/>]
    /// before anything is allocated, and the frame must produce exactly that many bytes.
    /// </summary>
    public static CorruptBlockReason Decompress(
        EncodingWorkspace workspace, ReadOnlySpan<byte> frame, long minSize, long maxSize, out int length)
    {
        length = 0;
        ulong size;
        try
        {
            size = Decompressor.GetDecompressedSize(frame);
        }
        catch (ZstdException)
        {
            return CorruptBlockReason.DecompressionFailed;
        }
        // GetDecompressedSize reports "unknown" and "error" as huge values, which fail here too.
        if (size < (ulong)minSize || size > (ulong)maxSize)
            return CorruptBlockReason.DecompressionFailed;

        Span<byte> destination = workspace.Decompressed((int)size);
        int written;
        try
        {
            written = workspace.Decompressor.Unwrap(frame, destination);
        }
        catch (ZstdException)
        {
            return CorruptBlockReason.DecompressionFailed;
        }
        if (written != (int)size)
            return CorruptBlockReason.DecompressionFailed;
        length = written;
        return CorruptBlockReason.None;
    }
}
