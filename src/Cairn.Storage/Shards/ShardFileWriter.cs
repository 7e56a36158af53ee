using Cairn.Common.Hashing;
using Cairn.Common.Platform;
using System.Buffers;
using System.Buffers.Binary;
using Cairn.Storage.Encoding;
using Cairn.Storage.Wal;
using static Cairn.Storage.Shards.ShardFileFormat;

namespace Cairn.Storage.Shards;

/// <summary>What a completed shard file holds.</summary>
public readonly record struct ShardFileSummary(string Path, long Length, int KeyCount, long BlockCount, long PointCount, long MinTime, long MaxTime);

/// <summary>
/// Writes one shard file (layout above <see cref="ShardFileReader"/>): keys in strictly ascending byte
/// order, each with one or more blocks of strictly ascending timestamps. Blocks stream to
/// <c>&lt;path&gt;.tmp</c> as they are encoded; the index is kept in memory (each series key once, the
/// field key plus 15 bytes per key, 36 per block) and written by <see cref="Complete"/>, which fsyncs,
/// renames the file to <c>&lt;path&gt;</c> and fsyncs the directory, so the name appears only with a
/// whole file behind it.
/// Disposing without completing deletes the temporary file. Not thread-safe: one writer per file.
/// </summary>
public sealed class ShardFileWriter : IDisposable
{
    /// <summary>Points per block unless the caller says otherwise (InfluxDB's TSM uses the same).</summary>
    public const int DefaultMaxPointsPerBlock = 1000;

    private const int FileBufferSize = 1 << 20;

    private readonly string _path;
    private readonly string _tempPath;
    private readonly EncodingWorkspace _workspace;
    private readonly int _maxPointsPerBlock;
    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _timestampColumn = new(8 * 1024);
    private readonly ArrayBufferWriter<byte> _valueColumn = new(8 * 1024);
    private readonly List<uint> _entryOffsets = new();

    // The series table and the key entries as they will be written; the current key's block count is
    // patched when it ends. Keys arrive sorted, so a series' keys are consecutive: a key whose series
    // equals the previous key's reuses its record, and each series is stored once.
    private byte[] _series = new byte[16 * 1024];
    private int _seriesLength;
    private int _seriesCount;
    private int _currentSeries = -1;
    private byte[] _index = new byte[64 * 1024];
    private int _indexLength;

    // The last key begun, for the ascending-order check.
    private byte[] _previousKey = new byte[256];
    private int _previousKeyLength;

    private bool _inKey;
    private int _currentEntry;
    private FieldType _currentType;
    private int _currentBlocks;
    private long _lastTime;

    private long _position;
    private long _blockCount;
    private long _pointCount;
    private long _minTime = long.MaxValue;
    private long _maxTime = long.MinValue;
    private bool _completed;
    private bool _disposed;

    /// <param name="path">The final file name; it must not exist yet.</param>
    /// <param name="workspace">Scratch space for the encoders; the writer borrows it and does not dispose it.</param>
    /// <param name="maxPointsPerBlock">How <c>WriteSeries</c> splits, and the most points one <c>WriteBlock</c> takes.</param>
    public ShardFileWriter(string path, EncodingWorkspace workspace, int maxPointsPerBlock = DefaultMaxPointsPerBlock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPointsPerBlock, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPointsPerBlock, ColumnHeader.MaxCount);
        _path = Path.GetFullPath(path);
        _tempPath = _path + ".tmp";
        _workspace = workspace;
        _maxPointsPerBlock = maxPointsPerBlock;
        _file = new FileStream(_tempPath, FileMode.Create, FileAccess.Write, FileShare.None, FileBufferSize);
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, ShardFileFlags.None);
        _file.Write(header);
        _position = HeaderSize;
    }

    /// <summary>
    /// Starts the next key: series key + <c>#!~#</c> + field key (<see cref="ShardKey.Compose"/>), split at its
    /// first separator. It must sort after the previous one (ordinal byte order).
    /// </summary>
    public void BeginKey(ReadOnlySpan<byte> key, FieldType type)
    {
        ThrowIfDone();
        if (key.Length > ShardKey.MaxLength)
            throw new ArgumentException($"A key holds at most {ShardKey.MaxLength} bytes; this one has {key.Length}.", nameof(key));
        if (!ShardKey.TrySplit(key, out ReadOnlySpan<byte> seriesKey, out ReadOnlySpan<byte> fieldKey))
            throw new ArgumentException("A key is series key + \"#!~#\" + field key; this one has no separator.", nameof(key));
        if (!IsKnownFieldType((byte)type))
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not a field type.");
        EndKey();
        if (_entryOffsets.Count > 0 && key.SequenceCompareTo(_previousKey.AsSpan(0, _previousKeyLength)) <= 0)
            throw new ArgumentException("Keys must be written in strictly ascending byte order.", nameof(key));
        if (_previousKey.Length < key.Length)
            _previousKey = new byte[Math.Max(key.Length, _previousKey.Length * 2)];
        key.CopyTo(_previousKey);
        _previousKeyLength = key.Length;

        if (_currentSeries < 0 || !seriesKey.SequenceEqual(_series.AsSpan(_currentSeries + SeriesFixedSize,
                BinaryPrimitives.ReadUInt16LittleEndian(_series.AsSpan(_currentSeries)))))
            _currentSeries = AddSeries(seriesKey);

        _currentEntry = _indexLength;
        Span<byte> entry = IndexSpace(EntryFixedSize + fieldKey.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[EntrySeries..], (uint)_currentSeries);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[EntryFieldLength..], (ushort)fieldKey.Length);
        fieldKey.CopyTo(entry[EntryFieldKey..]);
        entry[EntryFieldKey + fieldKey.Length] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[(EntryFieldKey + 1 + fieldKey.Length)..], 0); // patched by EndKey
        _entryOffsets.Add((uint)_currentEntry);
        _inKey = true;
        _currentType = type;
        _currentBlocks = 0;
        _lastTime = long.MinValue;
    }

    public void WriteBlock(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values)
    {
        StartBlock(timestamps, values.Length, FieldType.Float);
        FloatEncoding.Encode(values, _valueColumn, _workspace);
        FinishBlock(timestamps);
    }

    public void WriteBlock(ReadOnlySpan<long> timestamps, ReadOnlySpan<long> values)
    {
        StartBlock(timestamps, values.Length, FieldType.Integer);
        IntegerEncoding.Encode(values, _valueColumn, _workspace);
        FinishBlock(timestamps);
    }

    public void WriteBlock(ReadOnlySpan<long> timestamps, ReadOnlySpan<ulong> values)
    {
        StartBlock(timestamps, values.Length, FieldType.Unsigned);
        UnsignedEncoding.Encode(values, _valueColumn, _workspace);
        FinishBlock(timestamps);
    }

    public void WriteBlock(ReadOnlySpan<long> timestamps, ReadOnlySpan<bool> values)
    {
        StartBlock(timestamps, values.Length, FieldType.Boolean);
        BooleanEncoding.Encode(values, _valueColumn);
        FinishBlock(timestamps);
    }

    public void WriteBlock(ReadOnlySpan<long> timestamps, ReadOnlySpan<string> values)
    {
        StartBlock(timestamps, values.Length, FieldType.String);
        StringEncoding.Encode(values, _valueColumn, _workspace);
        FinishBlock(timestamps);
    }

    /// <summary>Writes a whole key: <see cref="BeginKey"/>, then blocks of at most the configured points.</summary>
    public void WriteSeries(ReadOnlySpan<byte> key, ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values)
    {
        BeginSeries(key, FieldType.Float, timestamps.Length, values.Length);
        for (int i = 0; i < timestamps.Length; i += _maxPointsPerBlock)
        {
            int n = Math.Min(_maxPointsPerBlock, timestamps.Length - i);
            WriteBlock(timestamps.Slice(i, n), values.Slice(i, n));
        }
    }

    /// <inheritdoc cref="WriteSeries(ReadOnlySpan{byte}, ReadOnlySpan{long}, ReadOnlySpan{double})"/>
    public void WriteSeries(ReadOnlySpan<byte> key, ReadOnlySpan<long> timestamps, ReadOnlySpan<long> values)
    {
        BeginSeries(key, FieldType.Integer, timestamps.Length, values.Length);
        for (int i = 0; i < timestamps.Length; i += _maxPointsPerBlock)
        {
            int n = Math.Min(_maxPointsPerBlock, timestamps.Length - i);
            WriteBlock(timestamps.Slice(i, n), values.Slice(i, n));
        }
    }

    /// <inheritdoc cref="WriteSeries(ReadOnlySpan{byte}, ReadOnlySpan{long}, ReadOnlySpan{double})"/>
    public void WriteSeries(ReadOnlySpan<byte> key, ReadOnlySpan<long> timestamps, ReadOnlySpan<ulong> values)
    {
        BeginSeries(key, FieldType.Unsigned, timestamps.Length, values.Length);
        for (int i = 0; i < timestamps.Length; i += _maxPointsPerBlock)
        {
            int n = Math.Min(_maxPointsPerBlock, timestamps.Length - i);
            WriteBlock(timestamps.Slice(i, n), values.Slice(i, n));
        }
    }

    /// <inheritdoc cref="WriteSeries(ReadOnlySpan{byte}, ReadOnlySpan{long}, ReadOnlySpan{double})"/>
    public void WriteSeries(ReadOnlySpan<byte> key, ReadOnlySpan<long> timestamps, ReadOnlySpan<bool> values)
    {
        BeginSeries(key, FieldType.Boolean, timestamps.Length, values.Length);
        for (int i = 0; i < timestamps.Length; i += _maxPointsPerBlock)
        {
            int n = Math.Min(_maxPointsPerBlock, timestamps.Length - i);
            WriteBlock(timestamps.Slice(i, n), values.Slice(i, n));
        }
    }

    /// <inheritdoc cref="WriteSeries(ReadOnlySpan{byte}, ReadOnlySpan{long}, ReadOnlySpan{double})"/>
    public void WriteSeries(ReadOnlySpan<byte> key, ReadOnlySpan<long> timestamps, ReadOnlySpan<string> values)
    {
        BeginSeries(key, FieldType.String, timestamps.Length, values.Length);
        for (int i = 0; i < timestamps.Length; i += _maxPointsPerBlock)
        {
            int n = Math.Min(_maxPointsPerBlock, timestamps.Length - i);
            WriteBlock(timestamps.Slice(i, n), values.Slice(i, n));
        }
    }

    /// <summary>
    /// Writes the index and footer, fsyncs, renames <c>.tmp</c> to the final name and fsyncs the directory.
    /// </summary>
    public ShardFileSummary Complete()
    {
        ThrowIfDone();
        EndKey();

        long indexOffset = _position;
        long entriesLength = _indexLength;
        long indexLength = _seriesLength + entriesLength + (long)OffsetSize * _entryOffsets.Count;
        if (entriesLength > MaxIndexEntriesLength)
            throw new InvalidOperationException($"The index needs {entriesLength} bytes; a shard file's index holds at most {MaxIndexEntriesLength}. Split the file.");

        ReadOnlySpan<byte> series = _series.AsSpan(0, _seriesLength);
        ReadOnlySpan<byte> entries = _index.AsSpan(0, _indexLength);
        _file.Write(series);
        _file.Write(entries);
        uint indexCrc = Crc32C.Append(Crc32C.Compute(series), entries);
        Span<byte> offset = stackalloc byte[OffsetSize];
        foreach (uint entry in _entryOffsets)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(offset, entry);
            _file.Write(offset);
            indexCrc = Crc32C.Append(indexCrc, offset);
        }

        Span<byte> footer = stackalloc byte[FooterSize];
        footer.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(footer[FooterIndexOffset..], indexOffset);
        BinaryPrimitives.WriteInt64LittleEndian(footer[FooterIndexLength..], indexLength);
        BinaryPrimitives.WriteInt64LittleEndian(footer[FooterBlockCount..], _blockCount);
        BinaryPrimitives.WriteInt64LittleEndian(footer[FooterPointCount..], _pointCount);
        BinaryPrimitives.WriteInt64LittleEndian(footer[FooterMinTime..], _minTime);
        BinaryPrimitives.WriteInt64LittleEndian(footer[FooterMaxTime..], _maxTime);
        BinaryPrimitives.WriteInt32LittleEndian(footer[FooterKeyCount..], _entryOffsets.Count);
        BinaryPrimitives.WriteInt32LittleEndian(footer[FooterSeriesCount..], _seriesCount);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[FooterSeriesLength..], (uint)_seriesLength);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[FooterIndexCrc..], indexCrc);
        footer[FooterFlags] = (byte)ShardFileFlags.None;
        BinaryPrimitives.WriteUInt32LittleEndian(footer[FooterCrc..], Crc32C.Compute(footer[..FooterCrc]));
        _file.Write(footer);
        long length = indexOffset + indexLength + FooterSize;

        _file.Flush(flushToDisk: true);
        _file.Dispose();
        File.Move(_tempPath, _path, overwrite: false);
        DirectorySync.Flush(Path.GetDirectoryName(_path)!);
        _completed = true;
        return new ShardFileSummary(_path, length, _entryOffsets.Count, _blockCount, _pointCount, _minTime, _maxTime);
    }

    /// <summary>Abandons an incomplete file: closes and deletes <c>.tmp</c>. After <see cref="Complete"/> it does nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_completed) return;
        _file.Dispose();
        try { File.Delete(_tempPath); }
        catch (IOException) { }
    }

    private void BeginSeries(ReadOnlySpan<byte> key, FieldType type, int timestamps, int values)
    {
        if (timestamps == 0)
            throw new ArgumentException("A key needs at least one point.", nameof(timestamps));
        if (timestamps != values)
            throw new ArgumentException($"{timestamps} timestamps but {values} values.", nameof(values));
        BeginKey(key, type);
    }

    private void StartBlock(ReadOnlySpan<long> timestamps, int values, FieldType type)
    {
        ThrowIfDone();
        if (!_inKey)
            throw new InvalidOperationException("BeginKey before WriteBlock.");
        if (type != _currentType)
            throw new InvalidOperationException($"The key was begun as {_currentType}, not {type}.");
        int n = timestamps.Length;
        if (n == 0 || n > _maxPointsPerBlock)
            throw new ArgumentOutOfRangeException(nameof(timestamps), n, $"A block holds 1 to {_maxPointsPerBlock} points.");
        if (n != values)
            throw new ArgumentException($"{n} timestamps but {values} values.", nameof(values));
        if (_currentBlocks > 0 && timestamps[0] <= _lastTime)
            throw new ArgumentException("A block's timestamps must all be later than the previous block's.", nameof(timestamps));
        for (int i = 1; i < n; i++)
        {
            if (timestamps[i] <= timestamps[i - 1])
                throw new ArgumentException($"Timestamps must be strictly ascending (index {i}).", nameof(timestamps));
        }
        _timestampColumn.ResetWrittenCount();
        _valueColumn.ResetWrittenCount();
        TimestampEncoding.Encode(timestamps, _timestampColumn, _workspace);
    }

    // Block layout: varint timestamp-column length, timestamp column, value column (to the block's end).
    private void FinishBlock(ReadOnlySpan<long> timestamps)
    {
        ReadOnlySpan<byte> ts = _timestampColumn.WrittenSpan;
        ReadOnlySpan<byte> values = _valueColumn.WrittenSpan;
        Span<byte> prefix = stackalloc byte[Varint.MaxLength];
        int prefixLength = Varint.Write(prefix, (ulong)ts.Length);
        prefix = prefix[..prefixLength];
        long size = (long)prefixLength + ts.Length + values.Length;
        if (size > int.MaxValue)
            throw new ArgumentException($"The block encodes to {size} bytes; a block holds at most {int.MaxValue}. Use fewer points per block.");

        uint crc = Crc32C.Append(Crc32C.Append(Crc32C.Compute(prefix), ts), values);
        _file.Write(prefix);
        _file.Write(ts);
        _file.Write(values);

        long min = timestamps[0], max = timestamps[^1];
        Span<byte> entry = IndexSpace(BlockEntrySize);
        BinaryPrimitives.WriteInt64LittleEndian(entry[BlockMinTime..], min);
        BinaryPrimitives.WriteInt64LittleEndian(entry[BlockMaxTime..], max);
        BinaryPrimitives.WriteInt64LittleEndian(entry[BlockOffset..], _position);
        BinaryPrimitives.WriteInt32LittleEndian(entry[BlockSize..], (int)size);
        BinaryPrimitives.WriteInt32LittleEndian(entry[BlockPoints..], timestamps.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[BlockCrc..], crc);

        _position += size;
        _currentBlocks++;
        _lastTime = max;
        _blockCount++;
        _pointCount += timestamps.Length;
        _minTime = Math.Min(_minTime, min);
        _maxTime = Math.Max(_maxTime, max);
    }

    private void EndKey()
    {
        if (!_inKey) return;
        if (_currentBlocks == 0)
            throw new InvalidOperationException("A key needs at least one block before the next key or Complete.");
        int fieldLength = BinaryPrimitives.ReadUInt16LittleEndian(_index.AsSpan(_currentEntry + EntryFieldLength));
        BinaryPrimitives.WriteInt32LittleEndian(_index.AsSpan(_currentEntry + EntryFieldKey + 1 + fieldLength), _currentBlocks);
        _inKey = false;
    }

    /// <summary>Appends a series record; returns its offset from the start of the series table (= of the index).</summary>
    private int AddSeries(ReadOnlySpan<byte> seriesKey)
    {
        int length = SeriesFixedSize + seriesKey.Length;
        if (_series.Length - _seriesLength < length)
        {
            long wanted = Math.Max((long)_series.Length * 2, (long)_seriesLength + length);
            if (wanted > Array.MaxLength)
                throw new InvalidOperationException("The series table outgrew memory; split the file.");
            Array.Resize(ref _series, (int)wanted);
        }
        int offset = _seriesLength;
        BinaryPrimitives.WriteUInt16LittleEndian(_series.AsSpan(offset), (ushort)seriesKey.Length);
        seriesKey.CopyTo(_series.AsSpan(offset + SeriesFixedSize));
        _seriesLength += length;
        _seriesCount++;
        return offset;
    }

    private Span<byte> IndexSpace(int length)
    {
        if (_index.Length - _indexLength < length)
        {
            long wanted = Math.Max((long)_index.Length * 2, (long)_indexLength + length);
            if (wanted > Array.MaxLength)
                throw new InvalidOperationException("The index outgrew memory; split the file.");
            Array.Resize(ref _index, (int)wanted);
        }
        Span<byte> span = _index.AsSpan(_indexLength, length);
        _indexLength += length;
        return span;
    }

    private void ThrowIfDone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            throw new InvalidOperationException("The shard file is already complete.");
    }
}
