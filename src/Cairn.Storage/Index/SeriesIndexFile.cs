using Cairn.Common.Hashing;
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Index;

// The immutable series index file, series.idx, read in place through a read-only mapping
// (docs/formats/series-index.md). All integers little-endian; every section starts 4-byte aligned;
// section offsets are from the start of the file, which is at most 4 GiB - 1.
//
// Header (80 bytes)
// | offset | size | field              | meaning                                                   |
// |--------|------|--------------------|-----------------------------------------------------------|
// | 0      | 4    | magic              | "CSIX"                                                    |
// | 4      | 1    | version            | 1                                                         |
// | 5      | 3    | reserved           | zero                                                      |
// | 8      | 8    | generation         | bumped by every merge; the log must carry the same number |
// | 16     | 4    | next id            | ids 1..next-1 have been handed out (live or deleted)      |
// | 20     | 4    | series count       | live series in the file                                   |
// | 24     | 4    | measurement count  | entries in the measurement table                          |
// | 28     | 4    | hash slots         | at least series count + 1                                 |
// | 32     | 4    | keys offset        | series key records                                        |
// | 36     | 4    | id table offset    | (next id - 1) u32: key record offset (from keys), or ~0   |
// | 40     | 4    | hash offset        | hash slots × 8 bytes                                      |
// | 44     | 4    | measurements offset| measurement count × 32 bytes, sorted by name bytes        |
// | 48     | 4    | tag keys offset    | 16-byte entries                                           |
// | 52     | 4    | tag values offset  | 16-byte entries                                           |
// | 56     | 4    | fields offset      | 8-byte entries                                            |
// | 60     | 4    | postings offset    | ascending u32 series id lists                             |
// | 64     | 4    | strings offset     | names, tag keys and values (unescaped UTF-8)              |
// | 68     | 4    | file length        | bytes, header included                                    |
// | 72     | 4    | body crc           | CRC-32C of bytes 80..file length                          |
// | 76     | 4    | header crc         | CRC-32C of bytes 0..75                                    |
//
// Key record: u16 length, then the series key (escaped, as ParsedPoint.SeriesKey), in id order.
// Hash slot: u32 CRC-32C of the series key, u32 id (0 = empty); linear probing from (crc × slots) >> 32, wrapping.
// Measurement entry: u32 name offset (in strings), u32 name length, u32 series postings offset (in postings,
//   bytes), u32 series count, u32 first tag key (entry index), u32 tag key count, u32 first field, u32 field count.
// Tag key entry: u32 name offset, u32 name length, u32 first value (entry index), u32 value count; sorted by name.
// Tag value entry: u32 value offset, u32 value length, u32 postings offset, u32 postings count; sorted by value.
// Field entry: u32 name offset, u16 name length, u8 FieldType, u8 reserved; sorted by name.

/// <summary>A mapped <c>series.idx</c>. Spans it hands out live as long as the mapping: the owner's lock is the lease.</summary>
internal sealed unsafe class SeriesIndexFile : IDisposable
{
    public const int HeaderSize = 80;
    public const byte Version = 1;
    public static ReadOnlySpan<byte> Magic => "CSIX"u8;
    public const uint Absent = uint.MaxValue;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _handle;
    private readonly byte* _base;
    private readonly int _length;

    private readonly int _keys, _idTable, _hash, _measurements, _tagKeys, _tagValues, _fields, _postings, _strings;
    private readonly uint _hashSlots;

    public string Path { get; }
    public ulong Generation { get; }
    public uint NextId { get; }
    public int SeriesCount { get; }
    public int MeasurementCount { get; }
    public long Length => _length;

    private SeriesIndexFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, int length)
    {
        Path = path;
        _map = map;
        _view = view;
        _handle = view.SafeMemoryMappedViewHandle;
        byte* pointer = null;
        _handle.AcquirePointer(ref pointer);
        _base = pointer + view.PointerOffset;
        _length = length;
        try
        {
            var header = new ReadOnlySpan<byte>(_base, Math.Min(length, HeaderSize));
            if (length < HeaderSize) Corrupt($"{length} bytes is shorter than the {HeaderSize}-byte header");
            if (!header[..4].SequenceEqual(Magic)) Corrupt("bad magic");
            if (header[4] != Version) Corrupt($"unknown version {header[4]}");
            if (Crc32C.Compute(header[..76]) != U32(header, 76)) Corrupt("header checksum mismatch");
            if (U32(header, 68) != (uint)length) Corrupt($"header says {U32(header, 68)} bytes, file has {length}");

            Generation = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            NextId = U32(header, 16);
            SeriesCount = (int)U32(header, 20);
            MeasurementCount = (int)U32(header, 24);
            uint slots = U32(header, 28);
            if (slots == 0) Corrupt("no hash slots");
            _hashSlots = slots;
            _keys = Section(header, 32);
            _idTable = Section(header, 36);
            _hash = Section(header, 40);
            _measurements = Section(header, 44);
            _tagKeys = Section(header, 48);
            _tagValues = Section(header, 52);
            _fields = Section(header, 56);
            _postings = Section(header, 60);
            _strings = Section(header, 64);
            if ((long)_idTable + 4L * (NextId - 1) > _length || (long)_hash + 8L * slots > _length
                || (long)_measurements + 32L * MeasurementCount > _length)
                Corrupt("a table runs past the end of the file");
        }
        catch
        {
            _handle.ReleasePointer();
            throw;
        }
    }

    public static SeriesIndexFile Open(string path, bool verify)
    {
        long length = new FileInfo(path).Length;
        if (length < HeaderSize) throw new SeriesIndexCorruptException(path, $"{length} bytes is shorter than the {HeaderSize}-byte header");
        if (length > uint.MaxValue) throw new SeriesIndexCorruptException(path, "larger than 4 GiB");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        SeriesIndexFile? file = null;
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            file = new SeriesIndexFile(path, map, view, (int)length);
            if (verify && Crc32C.Compute(file.Bytes(HeaderSize, file._length - HeaderSize)) != U32(file.Bytes(0, HeaderSize), 72))
                file.Corrupt("body checksum mismatch");
            return file;
        }
        catch
        {
            if (file is not null) file.Dispose();
            else
            {
                view?.Dispose();
                map.Dispose();
            }
            throw;
        }
    }

    /// <summary>The id of <paramref name="key"/> whose CRC-32C is <paramref name="hash"/>, or 0.</summary>
    public uint Find(ReadOnlySpan<byte> key, uint hash)
    {
        uint slot = SlotOf(hash, _hashSlots);
        for (uint probes = 0; probes < _hashSlots; probes++)
        {
            byte* entry = _base + _hash + 8L * slot;
            uint id = Unsafe.ReadUnaligned<uint>(entry + 4);
            if (id == 0) return 0;
            if (Unsafe.ReadUnaligned<uint>(entry) == hash && Key(id).SequenceEqual(key)) return id;
            if (++slot == _hashSlots) slot = 0;
        }
        return 0;
    }

    /// <summary>The home slot of a key: the hash scaled to the table (Lemire's multiply-shift), so any slot count works.</summary>
    public static uint SlotOf(uint hash, uint slots) => (uint)(((ulong)hash * slots) >> 32);

    /// <summary>The key of <paramref name="id"/>, or empty when the file does not hold it.</summary>
    public ReadOnlySpan<byte> Key(uint id)
    {
        if (id == 0 || id >= NextId) return default;
        uint offset = Unsafe.ReadUnaligned<uint>(_base + _idTable + 4L * (id - 1));
        if (offset == Absent) return default;
        long record = _keys + (long)offset;
        if (record + 2 > _length) Corrupt($"key record of id {id} at {record} is past the end");
        return Bytes(record + 2, Unsafe.ReadUnaligned<ushort>(_base + record));
    }

    /// <summary>Index of the measurement called <paramref name="name"/>, or -1.</summary>
    public int FindMeasurement(ReadOnlySpan<byte> name) => BinarySearch(_measurements, 32, 0, MeasurementCount, name);

    public ReadOnlySpan<byte> MeasurementName(int m) => String(_measurements + 32 * m);

    public ReadOnlySpan<uint> MeasurementSeries(int m) => Postings(_measurements + 32 * m + 8);

    public (int First, int Count) MeasurementTagKeys(int m) => Range(_measurements + 32 * m + 16);

    public (int First, int Count) MeasurementFields(int m) => Range(_measurements + 32 * m + 24);

    public int FindTagKey(int m, ReadOnlySpan<byte> key)
    {
        var (first, count) = MeasurementTagKeys(m);
        return BinarySearch(_tagKeys, 16, first, count, key);
    }

    public ReadOnlySpan<byte> TagKeyName(int k) => String(_tagKeys + 16 * k);

    public (int First, int Count) TagValues(int k) => Range(_tagKeys + 16 * k + 8);

    public int FindTagValue(int k, ReadOnlySpan<byte> value)
    {
        var (first, count) = TagValues(k);
        return BinarySearch(_tagValues, 16, first, count, value);
    }

    public ReadOnlySpan<byte> TagValueName(int v) => String(_tagValues + 16 * v);

    public ReadOnlySpan<uint> TagValueSeries(int v) => Postings(_tagValues + 16 * v + 8);

    public FieldType? FindField(int m, ReadOnlySpan<byte> name)
    {
        var (first, count) = MeasurementFields(m);
        int lo = first, hi = first + count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = FieldName(mid).SequenceCompareTo(name);
            if (c == 0) return FieldTypeAt(mid);
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return null;
    }

    public ReadOnlySpan<byte> FieldName(int f)
    {
        byte* entry = _base + _fields + 8L * f;
        return Bytes(_strings + (long)Unsafe.ReadUnaligned<uint>(entry), Unsafe.ReadUnaligned<ushort>(entry + 4));
    }

    public FieldType FieldTypeAt(int f) => (FieldType)_base[_fields + 8L * f + 6];

    private int BinarySearch(int table, int entrySize, int first, int count, ReadOnlySpan<byte> name)
    {
        int lo = first, hi = first + count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = String(table + (long)entrySize * mid).SequenceCompareTo(name);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    private ReadOnlySpan<byte> String(long entry)
        => Bytes(_strings + (long)Unsafe.ReadUnaligned<uint>(_base + entry), Unsafe.ReadUnaligned<uint>(_base + entry + 4));

    private ReadOnlySpan<uint> Postings(long entry)
    {
        long offset = _postings + (long)Unsafe.ReadUnaligned<uint>(_base + entry);
        uint count = Unsafe.ReadUnaligned<uint>(_base + entry + 4);
        if (offset + 4L * count > _length) Corrupt($"postings at {offset} run past the end");
        return new ReadOnlySpan<uint>(_base + offset, (int)count);
    }

    private (int, int) Range(long entry)
        => ((int)Unsafe.ReadUnaligned<uint>(_base + entry), (int)Unsafe.ReadUnaligned<uint>(_base + entry + 4));

    private ReadOnlySpan<byte> Bytes(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > _length) Corrupt($"{length} bytes at {offset} run past the end");
        return new ReadOnlySpan<byte>(_base + offset, (int)length);
    }

    private int Section(ReadOnlySpan<byte> header, int at)
    {
        uint offset = U32(header, at);
        if (offset < HeaderSize || offset > (uint)_length || (offset & 3) != 0) Corrupt($"section offset {offset} at header byte {at} is out of range");
        return (int)offset;
    }

    private static uint U32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Corrupt(string problem) => throw new SeriesIndexCorruptException(Path, problem);

    public void Dispose()
    {
        _handle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
