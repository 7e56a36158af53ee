using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Wal;

/// <summary>
/// Reads the entries of one segment in order, checking each against its CRC, through a pooled
/// buffer that grows only to the largest entry actually present (never past the file's end).
///
/// Segment file <c>NNNNNNNN.wal</c> (format version 1, little-endian):
/// <code>
/// offset size  field
/// ------ ----  ------------------------------------------------------------
///      0    4  magic "CWAL" (0x43 0x57 0x41 0x4C)
///      4    1  format version = 1
///      5    3  reserved, zero
///      8    …  entries, back to back, to the end of the file
/// </code>
/// Entry:
/// <code>
/// offset size  field
/// ------ ----  ------------------------------------------------------------
///      0    4  length n: payload bytes, u32, at most 64 MiB
///      4    4  crc: CRC-32C over bytes 0..3 (length) then 8..8+n (type, payload)
///      8    1  type: the engine's entry kind, opaque to the WAL
///      9    n  payload
/// </code>
/// The CRC covers the length, so a flipped length bit is caught rather than followed. Reading
/// stops at the first entry that is short (the file ends inside it), too long, or whose CRC does
/// not match; <see cref="Offset"/> is then that entry's start, the end of the good prefix.
/// </summary>
internal sealed class WalSegmentReader : IDisposable
{
    private const int InitialBufferSize = 1 << 20;

    private readonly SafeFileHandle _file;
    private long _limit;
    private byte[] _buffer;
    private long _bufferStart; // file offset of _buffer[0]
    private int _filled;       // valid bytes in _buffer
    private int _position;     // start of the next entry in _buffer

    /// <summary>Reads entries of <paramref name="file"/> from just after the header up to <paramref name="limit"/>; the handle stays the caller's.</summary>
    public WalSegmentReader(SafeFileHandle file, long limit)
    {
        _file = file;
        _limit = limit;
        _bufferStart = WalFormat.HeaderSize;
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(limit - WalFormat.HeaderSize, 64, InitialBufferSize));
    }

    /// <summary>The file offset of the next entry; after a damaged read, the offset of the damaged entry.</summary>
    public long Offset => _bufferStart + _position;

    /// <summary>Reads the segment header; <paramref name="length"/> bytes of it were present.</summary>
    public static HeaderCheck ReadHeader(SafeFileHandle file, long limit, Span<byte> header, out int length)
    {
        length = 0;
        int wanted = (int)Math.Min(WalFormat.HeaderSize, limit);
        while (length < wanted)
        {
            int n = RandomAccess.Read(file, header[length..wanted], length);
            if (n == 0) break;
            length += n;
        }
        return WalFormat.CheckSegmentHeader(header[..length]);
    }

    /// <summary>
    /// The next entry, <see cref="SegmentRead.End"/> at a clean end, or the damage that stops the read.
    /// <paramref name="payload"/> is valid until the next call.
    /// </summary>
    public SegmentRead Next(out byte type, out ReadOnlyMemory<byte> payload)
    {
        type = 0;
        payload = default;
        long offset = Offset;
        if (offset >= _limit) return SegmentRead.End;
        if (!Fill(WalFormat.EntryHeaderSize)) return SegmentRead.ShortEntry;

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_position));
        if (length > WalFormat.MaxPayloadLength) return SegmentRead.BadLength;
        int size = WalFormat.EntryHeaderSize + (int)length;
        if (_limit - offset < size || !Fill(size)) return SegmentRead.ShortEntry;

        var entry = _buffer.AsSpan(_position, size);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
        if (WalFormat.EntryChecksum(entry[..4], entry[8..]) != stored) return SegmentRead.BadChecksum;

        type = entry[8];
        payload = _buffer.AsMemory(_position + WalFormat.EntryHeaderSize, (int)length);
        _position += size;
        return SegmentRead.Entry;
    }

    /// <summary>Makes <paramref name="needed"/> bytes from <see cref="Offset"/> available in the buffer; false if the file ends first.</summary>
    private bool Fill(int needed)
    {
        if (_filled - _position >= needed) return true;
        long entryStart = Offset;
        if (_limit - entryStart < needed) return false;

        int kept = _filled - _position;
        if (needed > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(_position, kept).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        else if (_position > 0)
        {
            _buffer.AsSpan(_position, kept).CopyTo(_buffer);
        }
        _bufferStart = entryStart;
        _position = 0;
        _filled = kept;

        while (_filled < needed)
        {
            int want = (int)Math.Min(_buffer.Length - _filled, _limit - (_bufferStart + _filled));
            int n = RandomAccess.Read(_file, _buffer.AsSpan(_filled, want), _bufferStart + _filled);
            if (n == 0)
            {
                // The file shrank under us: what is there is all there is.
                _limit = _bufferStart + _filled;
                return false;
            }
            _filled += n;
        }
        return true;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}

internal enum SegmentRead : byte
{
    Entry,
    End,
    ShortEntry,
    BadLength,
    BadChecksum,
}
