using Cairn.Common.Hashing;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.MemoryMappedFiles;
using Cairn.Storage.Encoding;
using static Cairn.Storage.Shards.ShardFileFormat;

namespace Cairn.Storage.Shards;

/// <summary>
/// A read-only, memory-mapped shard file. All integers little-endian; docs/formats/shard-file.md has the rationale.
/// <code>
/// file
/// offset          size        meaning
/// 0               8           header
/// 8               B           blocks, back to back (each located by its index entry)
/// 8+B             I           index: series table, key entries, offsets table
/// 8+B+I           72          footer
///
/// header
/// 0               4           magic "CSHF" (43 53 48 46)
/// 4               1           format version (2; version 1 is refused)
/// 5               1           flags (ShardFileFlags; bit 0 reserved for tombstones); must equal the footer's
/// 6               2           reserved, zero
///
/// block (CRC-32C over all of it is in its index entry)
/// 0               1..5        T: timestamp column length, varint
/// ..              T           timestamp column (docs/formats/encodings.md)
/// ..              rest        value column of the key's field type
///
/// series table, at the start of the index: each series key once, in key order
/// 0               2           L: series key length (uint16)
/// 2               L           series key (the composite key up to its first "#!~#")
///
/// key entry, one per key, in ascending ordinal byte order of the composite key series + "#!~#" + field
/// 0               4           series: offset of the series' record from the start of the index (uint32)
/// 4               2           F: field key length (uint16)
/// 6               F           field key
/// 6+F             1           field type (FieldType: 1 float, 2 integer, 3 unsigned, 4 boolean, 5 string)
/// 7+F             4           N: block count, ≥ 1
/// 11+F            36 × N      block entries, ascending and non-overlapping in time
///
/// block entry
/// 0               8           min time (first timestamp)
/// 8               8           max time (last timestamp)
/// 16              8           block offset in the file
/// 24              4           block size in bytes
/// 28              4           point count, 1 .. 2^20
/// 32              4           CRC-32C of the block
///
/// offsets table, after the last key entry: key count × uint32 (entry offset from the first key entry),
/// so a reader binary-searches the index in place.
///
/// footer (the last 72 bytes)
/// 0               8           index offset
/// 8               8           index length (series table + key entries + offsets table)
/// 16              8           block count
/// 24              8           point count
/// 32              8           min time (long.MaxValue when there are no keys)
/// 40              8           max time (long.MinValue when there are no keys)
/// 48              4           key count
/// 52              4           series count
/// 56              4           series table length in bytes
/// 60              4           CRC-32C of the whole index
/// 64              1           flags (as the header)
/// 65              3           reserved, zero
/// 68              4           CRC-32C of footer bytes 0..67
/// </code>
/// Opening checks the header, the footer and the index CRC (one pass over the index, which is a few
/// percent of the file); blocks are checked against their CRC when decoded, so one bad block costs
/// only that block. Keys are compared in place, series part then field part, without composing them.
/// <para>
/// Spans over the mapping are valid only while a lease is held: the reader itself holds one until
/// <see cref="Dispose"/> or <see cref="MarkForDelete"/>; <see cref="AcquireLease"/> takes more. The
/// mapping is released — and for a file marked for delete, the file deleted — when the last one goes.
/// </para>
/// </summary>
public sealed unsafe class ShardFileReader : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _length;
    private readonly long _indexOffset;
    private readonly long _seriesLength;
    private readonly long _entriesOffset;
    private readonly long _entriesLength;
    private readonly long _tableOffset;

    // The reader's own reference counts as one; see the lease comment above.
    private int _references = 1;
    private int _ownerReleased;
    private int _deleteWhenReleased;

    private ShardFileReader(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer, long length)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePointer;
        _length = length;

        ReadOnlySpan<byte> footer = Bytes(length - FooterSize, FooterSize);
        _indexOffset = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterIndexOffset..]);
        long indexLength = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterIndexLength..]);
        BlockCount = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterBlockCount..]);
        PointCount = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterPointCount..]);
        MinTime = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterMinTime..]);
        MaxTime = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterMaxTime..]);
        KeyCount = BinaryPrimitives.ReadInt32LittleEndian(footer[FooterKeyCount..]);
        SeriesCount = BinaryPrimitives.ReadInt32LittleEndian(footer[FooterSeriesCount..]);
        _seriesLength = BinaryPrimitives.ReadUInt32LittleEndian(footer[FooterSeriesLength..]);
        Flags = (ShardFileFlags)footer[FooterFlags];
        _entriesOffset = _indexOffset + _seriesLength;
        _tableOffset = _indexOffset + indexLength - (long)OffsetSize * KeyCount;
        _entriesLength = _tableOffset - _entriesOffset;
    }

    /// <summary>The file's full path, as named in every error.</summary>
    public string Path { get; }

    public int KeyCount { get; }

    /// <summary>Distinct series keys: the index stores each once, however many fields it has.</summary>
    public int SeriesCount { get; }

    public long BlockCount { get; }

    public long PointCount { get; }

    public long MinTime { get; }

    public long MaxTime { get; }

    public ShardFileFlags Flags { get; }

    /// <summary>File length in bytes.</summary>
    public long Length => _length;

    /// <summary>Maps <paramref name="path"/> and validates header, footer and index.</summary>
    /// <exception cref="ShardFileCorruptException">The file is truncated or damaged outside its blocks.</exception>
    public static ShardFileReader Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        bool pointerAcquired = false;
        try
        {
            long length = file.Length;
            if (length < HeaderSize)
                ThrowCorrupt(path, ShardFileCorruption.Truncated, $"{length} bytes is shorter than a header.");
            map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointerAcquired = true;
            pointer += view.PointerOffset;
            Validate(path, new ReadOnlySpan<byte>(pointer, HeaderSize), pointer, length);
            return new ShardFileReader(path, map, view, pointer, length);
        }
        catch
        {
            if (pointerAcquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            if (map is not null) map.Dispose();
            else file.Dispose();
            throw;
        }
    }

    /// <summary>A lease keeps the mapping (and every span over it) alive until disposed.</summary>
    /// <exception cref="ObjectDisposedException">The last lease is already gone; the file must be reopened.</exception>
    public ShardFileLease AcquireLease()
    {
        if (!TryAcquireLease(out ShardFileLease? lease))
            throw new ObjectDisposedException(Path, "The shard file is closed.");
        return lease;
    }

    /// <summary>As <see cref="AcquireLease"/>; false when the mapping is already released.</summary>
    public bool TryAcquireLease([NotNullWhen(true)] out ShardFileLease? lease)
    {
        int current = Volatile.Read(ref _references);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                lease = new ShardFileLease(this);
                return true;
            }
            current = seen;
        }
        lease = null;
        return false;
    }

    /// <summary>
    /// Deletes the file once the last lease is released (immediately, if none is held), and drops the
    /// reader's own reference as <see cref="Dispose"/> does. Compaction calls this on the files it replaced.
    /// </summary>
    public void MarkForDelete()
    {
        Volatile.Write(ref _deleteWhenReleased, 1);
        Dispose();
    }

    /// <summary>Drops the reader's own reference; the mapping goes when the last lease does.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ownerReleased, 1) == 0)
            Release();
    }

    /// <summary>Finds <paramref name="key"/> by binary search over the in-place index.</summary>
    public bool TryFindKey(ReadOnlySpan<byte> key, out ShardIndexEntry entry)
    {
        int ordinal = LowerBound(key, prefixOnly: false);
        if (ordinal < KeyCount)
        {
            entry = EntryAt(ordinal);
            if (entry.KeyEquals(key))
                return true;
        }
        entry = default;
        return false;
    }

    /// <summary>The entry of the key at <paramref name="ordinal"/> in sorted order, 0 .. KeyCount-1.</summary>
    public ShardIndexEntry GetEntry(int ordinal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ordinal, KeyCount);
        return EntryAt(ordinal);
    }

    /// <summary>Every key, in sorted order.</summary>
    public ShardKeyEnumerator EnumerateKeys() => new(this, 0, KeyCount);

    /// <summary>The keys that start with <paramref name="prefix"/>, in sorted order.</summary>
    public ShardKeyEnumerator EnumerateKeys(ReadOnlySpan<byte> prefix) =>
        new(this, LowerBound(prefix, prefixOnly: false), LowerBound(prefix, prefixOnly: true));

    /// <summary>The keys (one per field) of <paramref name="seriesKey"/>: those starting with it plus the separator.</summary>
    public ShardKeyEnumerator EnumerateSeries(ReadOnlySpan<byte> seriesKey)
    {
        int length = seriesKey.Length + ShardKey.Separator.Length;
        Span<byte> prefix = length <= 512 ? stackalloc byte[length] : new byte[length];
        seriesKey.CopyTo(prefix);
        ShardKey.Separator.CopyTo(prefix[seriesKey.Length..]);
        return EnumerateKeys(prefix);
    }

    /// <summary>The blocks of <paramref name="entry"/> whose [min, max] time overlaps [<paramref name="minTime"/>, <paramref name="maxTime"/>], from the index alone.</summary>
    public ShardBlockEnumerator EnumerateBlocks(in ShardIndexEntry entry, long minTime, long maxTime)
    {
        // Blocks are ascending and disjoint in time: binary search the first whose max reaches minTime.
        int lo = 0, hi = entry.BlockCount;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (BlockEntry(entry, mid, BlockMaxTime) < minTime) lo = mid + 1;
            else hi = mid;
        }
        return new ShardBlockEnumerator(entry, lo, maxTime);
    }

    /// <summary>Decodes a block's columns into the caller's buffers after checking its CRC; returns the point count.</summary>
    /// <exception cref="ShardFileCorruptException">The block is damaged; it names this file and the key.</exception>
    public int ReadBlock(in ShardIndexEntry entry, int block, Span<long> timestamps, Span<double> values, EncodingWorkspace workspace)
    {
        ReadOnlySpan<byte> column = VerifiedBlock(entry, block, FieldType.Float, timestamps, values.Length, workspace, out int count);
        try { return CheckCount(entry, block, FloatEncoding.Decode(column, values, workspace), count); }
        catch (CorruptBlockException e) { throw ColumnCorrupt(entry, block, e); }
    }

    /// <inheritdoc cref="ReadBlock(in ShardIndexEntry, int, Span{long}, Span{double}, EncodingWorkspace)"/>
    public int ReadBlock(in ShardIndexEntry entry, int block, Span<long> timestamps, Span<long> values, EncodingWorkspace workspace)
    {
        ReadOnlySpan<byte> column = VerifiedBlock(entry, block, FieldType.Integer, timestamps, values.Length, workspace, out int count);
        try { return CheckCount(entry, block, IntegerEncoding.Decode(column, values, workspace), count); }
        catch (CorruptBlockException e) { throw ColumnCorrupt(entry, block, e); }
    }

    /// <inheritdoc cref="ReadBlock(in ShardIndexEntry, int, Span{long}, Span{double}, EncodingWorkspace)"/>
    public int ReadBlock(in ShardIndexEntry entry, int block, Span<long> timestamps, Span<ulong> values, EncodingWorkspace workspace)
    {
        ReadOnlySpan<byte> column = VerifiedBlock(entry, block, FieldType.Unsigned, timestamps, values.Length, workspace, out int count);
        try { return CheckCount(entry, block, UnsignedEncoding.Decode(column, values, workspace), count); }
        catch (CorruptBlockException e) { throw ColumnCorrupt(entry, block, e); }
    }

    /// <inheritdoc cref="ReadBlock(in ShardIndexEntry, int, Span{long}, Span{double}, EncodingWorkspace)"/>
    public int ReadBlock(in ShardIndexEntry entry, int block, Span<long> timestamps, Span<bool> values, EncodingWorkspace workspace)
    {
        ReadOnlySpan<byte> column = VerifiedBlock(entry, block, FieldType.Boolean, timestamps, values.Length, workspace, out int count);
        try { return CheckCount(entry, block, BooleanEncoding.Decode(column, values), count); }
        catch (CorruptBlockException e) { throw ColumnCorrupt(entry, block, e); }
    }

    /// <summary>As the other overloads; appends the strings to <paramref name="values"/> (nothing on failure).</summary>
    public int ReadBlock(in ShardIndexEntry entry, int block, Span<long> timestamps, List<string> values, EncodingWorkspace workspace)
    {
        ReadOnlySpan<byte> column = VerifiedBlock(entry, block, FieldType.String, timestamps, int.MaxValue, workspace, out int count);
        int before = values.Count;
        try { return CheckCount(entry, block, StringEncoding.Decode(column, values, workspace), count); }
        catch (CorruptBlockException e) { throw ColumnCorrupt(entry, block, e); }
        catch (ShardFileCorruptException)
        {
            values.RemoveRange(before, values.Count - before);
            throw;
        }
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        if (Volatile.Read(ref _deleteWhenReleased) != 0)
        {
            try { File.Delete(Path); }
            catch (IOException) { } // already gone, or still open elsewhere on Windows; compaction's cleanup retries
        }
    }

    /// <summary>Bytes of the mapping whose bounds were checked when their entry was parsed.</summary>
    internal ReadOnlySpan<byte> MappedBytes(long position, int length)
    {
        ThrowIfReleased();
        return Bytes(position, length);
    }

    /// <summary>Reads one 8-byte field of a block entry; the entry's bounds were checked when it was parsed.</summary>
    internal long BlockEntry(in ShardIndexEntry entry, int block, int field)
    {
        ThrowIfReleased();
        return BinaryPrimitives.ReadInt64LittleEndian(Bytes(BlockEntryPosition(entry, block) + field, 8));
    }

    internal ShardBlockInfo GetBlock(in ShardIndexEntry entry, int block)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(block, entry.BlockCount);
        ThrowIfReleased();
        ReadOnlySpan<byte> e = Bytes(BlockEntryPosition(entry, block), BlockEntrySize);
        var info = new ShardBlockInfo(
            block,
            BinaryPrimitives.ReadInt64LittleEndian(e[BlockMinTime..]),
            BinaryPrimitives.ReadInt64LittleEndian(e[BlockMaxTime..]),
            BinaryPrimitives.ReadInt32LittleEndian(e[BlockPoints..]),
            BinaryPrimitives.ReadInt64LittleEndian(e[BlockOffset..]),
            BinaryPrimitives.ReadInt32LittleEndian(e[BlockSize..]),
            BinaryPrimitives.ReadUInt32LittleEndian(e[BlockCrc..]));
        if (info.Offset < HeaderSize || info.Size < 1 || info.Offset > _indexOffset - info.Size
            || info.Count < 1 || info.Count > ColumnHeader.MaxCount || info.MinTime > info.MaxTime)
            throw Corrupt(ShardFileCorruption.BadIndexEntry, "block entry out of range", entry, block);
        return info;
    }

    private static long BlockEntryPosition(in ShardIndexEntry entry, int block) =>
        entry.Position + EntryFixedSize + entry.FieldLength + (long)BlockEntrySize * block;

    private ShardIndexEntry EntryAt(int ordinal)
    {
        ThrowIfReleased();
        long relative = BinaryPrimitives.ReadUInt32LittleEndian(Bytes(_tableOffset + (long)OffsetSize * ordinal, OffsetSize));
        if (relative > _entriesLength - EntryFixedSize)
            ThrowCorrupt(Path, ShardFileCorruption.BadIndexEntry, $"key {ordinal}'s entry offset {relative} is outside the key entries.");
        long position = _entriesOffset + relative;
        long room = _entriesLength - relative - EntryFixedSize; // for the field key and the block entries
        uint series = BinaryPrimitives.ReadUInt32LittleEndian(Bytes(position + EntrySeries, 4));
        int fieldLength = BinaryPrimitives.ReadUInt16LittleEndian(Bytes(position + EntryFieldLength, 2));
        if (fieldLength > room)
            ThrowCorrupt(Path, ShardFileCorruption.BadIndexEntry, $"key {ordinal}'s entry runs past the key entries.");
        ReadOnlySpan<byte> tail = Bytes(position + EntryFieldKey + fieldLength, 5);
        byte type = tail[0];
        uint blocks = BinaryPrimitives.ReadUInt32LittleEndian(tail[1..]);
        if (!IsKnownFieldType(type) || blocks == 0 || (long)blocks * BlockEntrySize > room - fieldLength)
            ThrowCorrupt(Path, ShardFileCorruption.BadIndexEntry, $"key {ordinal}'s entry has an unknown type or its blocks run past the key entries.");
        if (series > _seriesLength - SeriesFixedSize)
            ThrowCorrupt(Path, ShardFileCorruption.BadIndexEntry, $"key {ordinal}'s series reference {series} is outside the series table.");
        int seriesLength = BinaryPrimitives.ReadUInt16LittleEndian(Bytes(_indexOffset + series, SeriesFixedSize));
        if (seriesLength > _seriesLength - series - SeriesFixedSize
            || seriesLength + ShardKey.Separator.Length + fieldLength > ShardKey.MaxLength)
            ThrowCorrupt(Path, ShardFileCorruption.BadIndexEntry, $"key {ordinal}'s series key runs past the series table or the key is too long.");
        return new ShardIndexEntry(this, ordinal, position, _indexOffset + series + SeriesFixedSize, seriesLength, fieldLength,
            (FieldType)type, (int)blocks);
    }

    /// <summary>
    /// The first ordinal whose key is not below <paramref name="key"/>; with <paramref name="prefixOnly"/>,
    /// the first whose key, cut to the length of <paramref name="key"/>, is above it (the end of a prefix range).
    /// </summary>
    private int LowerBound(ReadOnlySpan<byte> key, bool prefixOnly)
    {
        int lo = 0, hi = KeyCount;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            ShardIndexEntry candidate = EntryAt(mid);
            int comparison = ShardKey.Compare(candidate.SeriesKey, candidate.FieldKey, key, prefixOnly);
            if (comparison < 0 || (prefixOnly && comparison == 0)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private ReadOnlySpan<byte> VerifiedBlock(in ShardIndexEntry entry, int block, FieldType type, Span<long> timestamps,
        int valueCapacity, EncodingWorkspace workspace, out int count)
    {
        if (entry.Reader != this)
            throw new ArgumentException("The entry belongs to another shard file.", nameof(entry));
        if (entry.FieldType != type)
            throw new InvalidOperationException($"Key '{entry.KeyString}' holds {entry.FieldType} values, not {type}.");
        ShardBlockInfo info = GetBlock(entry, block);
        count = info.Count;
        if (timestamps.Length < count || valueCapacity < count)
            throw new ArgumentException($"The block holds {count} points; the buffers are too small.");

        ReadOnlySpan<byte> bytes = Bytes(info.Offset, info.Size);
        if (Crc32C.Compute(bytes) != info.Crc)
            throw Corrupt(ShardFileCorruption.BlockChecksumMismatch, "the block's CRC does not match the index", entry, block);
        int position = 0;
        if (!Varint.TryReadInt32(bytes, ref position, bytes.Length, out int timestampLength) || timestampLength > bytes.Length - position)
            throw Corrupt(ShardFileCorruption.BadBlock, "the timestamp column length is out of range", entry, block);
        try
        {
            int decoded = TimestampEncoding.Decode(bytes.Slice(position, timestampLength), timestamps, workspace);
            CheckCount(entry, block, decoded, count);
        }
        catch (CorruptBlockException e)
        {
            throw ColumnCorrupt(entry, block, e);
        }
        return bytes[(position + timestampLength)..];
    }

    private int CheckCount(in ShardIndexEntry entry, int block, int decoded, int expected)
    {
        if (decoded != expected)
            throw Corrupt(ShardFileCorruption.BadBlock, $"a column holds {decoded} values, the index says {expected}", entry, block);
        return decoded;
    }

    private ShardFileCorruptException ColumnCorrupt(in ShardIndexEntry entry, int block, CorruptBlockException e) =>
        new(Path, ShardFileCorruption.BadBlock, e.Message, entry.KeyString, block, e.Reason);

    private ShardFileCorruptException Corrupt(ShardFileCorruption reason, string detail, in ShardIndexEntry entry, int block) =>
        new(Path, reason, detail, entry.KeyString, block);

    private ReadOnlySpan<byte> Bytes(long offset, int length) => new(_base + offset, length);

    private void ThrowIfReleased()
    {
        if (Volatile.Read(ref _references) <= 0)
            throw new ObjectDisposedException(Path, "The shard file's mapping is released; hold a lease while reading.");
    }

    private static void Validate(string path, ReadOnlySpan<byte> header, byte* file, long length)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
            ThrowCorrupt(path, ShardFileCorruption.BadMagic, "not a shard file.");
        if (header[4] != ShardFileFormat.Version)
            ThrowCorrupt(path, ShardFileCorruption.UnsupportedVersion, header[4] == 1
                ? $"format version 1, which this reader no longer reads (it reads version {ShardFileFormat.Version} only, which stores each series key once); no release wrote version 1: delete the file, or rewrite its data with the build that wrote it."
                : $"format version {header[4]}; this reader reads version {ShardFileFormat.Version} only.");
        if (length < HeaderSize + FooterSize)
            ThrowCorrupt(path, ShardFileCorruption.Truncated, $"{length} bytes is shorter than a header and a footer.");

        var footer = new ReadOnlySpan<byte>(file + length - FooterSize, FooterSize);
        if (Crc32C.Compute(footer[..FooterCrc]) != BinaryPrimitives.ReadUInt32LittleEndian(footer[FooterCrc..]))
            ThrowCorrupt(path, ShardFileCorruption.FooterChecksumMismatch, "the footer's CRC does not match (truncated or damaged file).");
        if (header[5] != footer[FooterFlags] || (header[5] & ~(int)ShardFileFlags.Tombstones) != 0 || header[6] != 0 || header[7] != 0
            || footer[FooterReserved] != 0 || footer[FooterReserved + 1] != 0 || footer[FooterReserved + 2] != 0)
            ThrowCorrupt(path, ShardFileCorruption.BadHeader, "unknown flags, non-zero reserved bytes, or header and footer flags disagree.");

        long indexOffset = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterIndexOffset..]);
        long indexLength = BinaryPrimitives.ReadInt64LittleEndian(footer[FooterIndexLength..]);
        int keyCount = BinaryPrimitives.ReadInt32LittleEndian(footer[FooterKeyCount..]);
        int seriesCount = BinaryPrimitives.ReadInt32LittleEndian(footer[FooterSeriesCount..]);
        long seriesLength = BinaryPrimitives.ReadUInt32LittleEndian(footer[FooterSeriesLength..]);
        long end = length - FooterSize;
        if (indexOffset < HeaderSize || indexOffset > end || indexLength != end - indexOffset || keyCount < 0
            || (long)keyCount * OffsetSize > indexLength - seriesLength
            || indexLength - seriesLength - (long)keyCount * OffsetSize > MaxIndexEntriesLength
            || seriesCount < 0 || seriesCount > keyCount || (long)seriesCount * SeriesFixedSize > seriesLength)
            ThrowCorrupt(path, ShardFileCorruption.BadFooter,
                $"index at {indexOffset} length {indexLength} with {keyCount} keys and {seriesCount} series in {seriesLength} bytes does not fit a {length}-byte file.");

        uint crc = 0;
        for (long o = 0; o < indexLength; o += int.MaxValue)
            crc = Crc32C.Append(crc, new ReadOnlySpan<byte>(file + indexOffset + o, (int)Math.Min(int.MaxValue, indexLength - o)));
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(footer[FooterIndexCrc..]))
            ThrowCorrupt(path, ShardFileCorruption.IndexChecksumMismatch, "the index's CRC does not match the footer.");
    }

    [DoesNotReturn]
    private static void ThrowCorrupt(string path, ShardFileCorruption reason, string detail) =>
        throw new ShardFileCorruptException(path, reason, detail);
}
