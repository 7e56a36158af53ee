using Cairn.Common.Hashing;
using System.Buffers;
using System.Buffers.Binary;

namespace Cairn.Storage.Index;

/// <summary>
/// One shard's series index: series key → dense id, measurement → tag key → tag value → series ids, and the
/// type of every field key. An immutable memory-mapped <c>series.idx</c> plus an in-memory delta of what came
/// since, which <c>series.log</c> makes durable; <see cref="Merge"/> folds the delta into a new file.
/// Ids start at 1 and never change, across restarts and merges. Thread-safe.
/// </summary>
/// <remarks>
/// Durability: a new series or field is logged in memory; call <see cref="FlushAsync"/> before acknowledging
/// the write that created it (before or alongside the WAL append), so no acknowledged point references an id
/// the index could hand out again after a crash.
/// </remarks>
public sealed partial class SeriesIndex : IDisposable
{
    /// <summary>The mapped file's name in the index directory.</summary>
    public const string FileName = "series.idx";

    /// <summary>The log's name in the index directory.</summary>
    public const string LogName = "series.log";

    private readonly Lock _lock = new();
    private readonly SeriesIndexOptions _options;
    private SeriesIndexFile? _file;
    private SeriesIndexLog _log = null!;
    private ulong _generation;
    private uint _nextId = 1;
    private int _seriesCount;
    private bool _replaying;

    // The delta: series added since the file was written. Deleted delta series leave _deltaKeys and _deltaKeyById
    // but stay in the measurement postings, filtered through _tombstones like the file's.
    private readonly Dictionary<byte[], uint> _deltaKeys = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], uint>.AlternateLookup<ReadOnlySpan<byte>> _deltaKeysBySpan;
    private readonly Dictionary<uint, byte[]> _deltaKeyById = [];
    private readonly Dictionary<byte[], MeasurementModel> _deltaMeasurements = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], MeasurementModel>.AlternateLookup<ReadOnlySpan<byte>> _deltaMeasurementsBySpan;
    private readonly Dictionary<byte[], FieldType> _deltaFields = new(ByteKeyComparer.Instance); // FieldKey(m, f) → type
    private readonly Dictionary<byte[], FieldType>.AlternateLookup<ReadOnlySpan<byte>> _deltaFieldsBySpan;
    private readonly HashSet<uint> _tombstones = [];
    private readonly HashSet<byte[]> _droppedMeasurements = new(ByteKeyComparer.Instance); // the file's fields of these are gone
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _droppedMeasurementsBySpan;

    private SeriesIndex(string directory, SeriesIndexOptions options)
    {
        Directory = directory;
        _options = options;
        _deltaKeysBySpan = _deltaKeys.GetAlternateLookup<ReadOnlySpan<byte>>();
        _deltaMeasurementsBySpan = _deltaMeasurements.GetAlternateLookup<ReadOnlySpan<byte>>();
        _deltaFieldsBySpan = _deltaFields.GetAlternateLookup<ReadOnlySpan<byte>>();
        _droppedMeasurementsBySpan = _droppedMeasurements.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The index directory.</summary>
    public string Directory { get; }

    /// <summary>Live series, for <c>max-series-per-database</c> (which the caller sums over the database's shards).</summary>
    public int SeriesCount
    {
        get
        {
            lock (_lock) return _seriesCount;
        }
    }

    /// <summary>Where the series are held.</summary>
    public SeriesIndexStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                return new SeriesIndexStatistics(_generation, _file?.SeriesCount ?? 0, _file?.Length ?? 0, _deltaKeyById.Count,
                    _tombstones.Count, _log.RecordsReplayed, _log.BytesTruncated);
            }
        }
    }

    /// <summary>
    /// Opens (or creates) the index in <paramref name="directory"/>: maps <c>series.idx</c> and replays
    /// <c>series.log</c> into the delta, cutting off a torn tail.
    /// </summary>
    /// <exception cref="SeriesIndexCorruptException">The file or the log is damaged; the message names it.</exception>
    public static SeriesIndex Open(string directory, SeriesIndexOptions? options = null)
    {
        System.IO.Directory.CreateDirectory(directory);
        var index = new SeriesIndex(directory, options ?? new SeriesIndexOptions());
        string filePath = Path.Combine(directory, FileName);
        try
        {
            if (File.Exists(filePath))
            {
                index._file = SeriesIndexFile.Open(filePath, index._options.VerifyFileOnOpen);
                index._generation = index._file.Generation;
                index._nextId = index._file.NextId;
                index._seriesCount = index._file.SeriesCount;
            }
            index._replaying = true;
            string logPath = Path.Combine(directory, LogName);
            index._log = SeriesIndexLog.Open(logPath, index._generation, (type, payload) => index.Replay(logPath, type, payload));
            index._replaying = false;
            return index;
        }
        catch
        {
            index._file?.Dispose();
            throw;
        }
    }

    /// <summary>Makes every series, field and delete so far durable (writes and fsyncs the log).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _log.FlushAsync(cancellationToken);

    /// <summary>
    /// The id of the series <paramref name="seriesKey"/>, created if new. Existing series are found without
    /// allocating. Returns false, with <paramref name="rejected"/> set, when creating it would break
    /// <c>max-values-per-tag</c>.
    /// </summary>
    /// <param name="seriesKey">The canonical series key (escaped, tags sorted), as <c>ParsedPoint.SeriesKey</c>.</param>
    /// <param name="measurement">The measurement, unescaped.</param>
    /// <param name="tags">The tags, unescaped, in series-key order.</param>
    public bool TryGetOrAdd<TTags>(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> measurement, scoped in TTags tags,
        out uint id, out bool created, out TagLimitExceeded? rejected)
        where TTags : ISeriesTags, allows ref struct
    {
        rejected = null;
        created = false;
        lock (_lock)
        {
            id = FindLocked(seriesKey);
            if (id != 0) return true;
            rejected = CheckTagLimitLocked(measurement, tags);
            if (rejected is not null) return false;
            id = _nextId;
            AddLocked(id, seriesKey, measurement, tags);
            created = true;
            return true;
        }
    }

    /// <summary><see cref="TryGetOrAdd{TTags}(ReadOnlySpan{byte}, ReadOnlySpan{byte}, in TTags, out uint, out bool, out TagLimitExceeded?)"/> without the reason.</summary>
    public bool TryGetOrAdd<TTags>(ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> measurement, scoped in TTags tags, out uint id, out bool created)
        where TTags : ISeriesTags, allows ref struct
        => TryGetOrAdd(seriesKey, measurement, tags, out id, out created, out _);

    /// <summary>The id of an existing live series, or false.</summary>
    public bool TryGetId(ReadOnlySpan<byte> seriesKey, out uint id)
    {
        lock (_lock) id = FindLocked(seriesKey);
        return id != 0;
    }

    /// <summary>
    /// Registers <paramref name="fieldKey"/> of <paramref name="measurement"/> with <paramref name="type"/>, or
    /// reports the type it already has: the first type of a field in a shard wins.
    /// </summary>
    public FieldTypeResult TryRegisterField(ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> fieldKey, FieldType type, out FieldType existing)
    {
        int length = 2 + measurement.Length + fieldKey.Length;
        byte[]? rented = null;
        Span<byte> key = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            key = FieldKey(key, measurement, fieldKey);
            lock (_lock)
            {
                if (TryFindFieldLocked(key, measurement, fieldKey, out existing))
                    return existing == type ? FieldTypeResult.Exists : FieldTypeResult.Conflict;
                existing = type;
                AddFieldLocked(key, measurement, fieldKey, type);
                return FieldTypeResult.Created;
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Deletes the live series among <paramref name="ids"/>; returns how many were live.</summary>
    public int DeleteSeries(ReadOnlySpan<uint> ids)
    {
        lock (_lock) return DeleteSeriesLocked(ids);
    }

    /// <summary>Deletes every series and field of <paramref name="measurement"/>; false when it had neither.</summary>
    public bool DeleteMeasurement(string measurement)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(measurement);
        lock (_lock) return DeleteMeasurementLocked(name);
    }

    private uint FindLocked(ReadOnlySpan<byte> seriesKey)
    {
        if (_deltaKeysBySpan.TryGetValue(seriesKey, out uint id)) return id;
        if (_file is null) return 0;
        id = _file.Find(seriesKey, Crc32C.Compute(seriesKey));
        return id != 0 && (_tombstones.Count == 0 || !_tombstones.Contains(id)) ? id : 0;
    }

    private bool IsLive(uint id) => _tombstones.Count == 0 || !_tombstones.Contains(id);

    private TagLimitExceeded? CheckTagLimitLocked<TTags>(ReadOnlySpan<byte> measurement, scoped in TTags tags)
        where TTags : ISeriesTags, allows ref struct
    {
        int limit = _options.MaxValuesPerTag;
        if (limit <= 0) return null;
        int fileMeasurement = _file?.FindMeasurement(measurement) ?? -1;
        _deltaMeasurementsBySpan.TryGetValue(measurement, out var deltaMeasurement);
        for (int i = 0; i < tags.Count; i++)
        {
            ReadOnlySpan<byte> key = tags.Key(i), value = tags.Value(i);
            int fileKey = fileMeasurement < 0 ? -1 : _file!.FindTagKey(fileMeasurement, key);
            TagKeyModel? deltaKey = null;
            deltaMeasurement?.TagKeys.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out deltaKey);
            if (deltaKey is not null && deltaKey.Values.GetAlternateLookup<ReadOnlySpan<byte>>().ContainsKey(value)) continue;
            if (fileKey >= 0 && _file!.FindTagValue(fileKey, value) >= 0) continue;
            int count = (fileKey >= 0 ? _file!.TagValues(fileKey).Count : 0) + (deltaKey?.ValuesNotInFile ?? 0);
            if (count >= limit) return new TagLimitExceeded(measurement.ToArray(), key.ToArray(), value.ToArray(), count, limit);
        }
        return null;
    }

    private void AddLocked<TTags>(uint id, ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> measurement, scoped in TTags tags)
        where TTags : ISeriesTags, allows ref struct
    {
        if (seriesKey.Length > ushort.MaxValue) throw new ArgumentException($"series key of {seriesKey.Length} bytes is longer than 65535", nameof(seriesKey));
        if (!_replaying) LogAdd(id, seriesKey, measurement, tags);

        byte[] key = seriesKey.ToArray();
        _deltaKeys[key] = id;
        _deltaKeyById[id] = key;
        if (!_deltaMeasurementsBySpan.TryGetValue(measurement, out var model))
        {
            model = new MeasurementModel();
            _deltaMeasurements[measurement.ToArray()] = model;
        }
        model.SeriesIds.Add(id);
        int fileMeasurement = _file?.FindMeasurement(measurement) ?? -1;
        for (int i = 0; i < tags.Count; i++)
        {
            ReadOnlySpan<byte> tagKey = tags.Key(i), tagValue = tags.Value(i);
            if (!model.TagKeys.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(tagKey, out var keyModel))
            {
                keyModel = new TagKeyModel();
                model.TagKeys[tagKey.ToArray()] = keyModel;
            }
            if (!keyModel.Values.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(tagValue, out var ids))
            {
                ids = [];
                keyModel.Values[tagValue.ToArray()] = ids;
                int fileKey = fileMeasurement < 0 ? -1 : _file!.FindTagKey(fileMeasurement, tagKey);
                if (fileKey < 0 || _file!.FindTagValue(fileKey, tagValue) < 0) keyModel.ValuesNotInFile++;
            }
            ids.Add(id);
        }
        _nextId = Math.Max(_nextId, id + 1);
        _seriesCount++;
    }

    private void LogAdd<TTags>(uint id, ReadOnlySpan<byte> seriesKey, ReadOnlySpan<byte> measurement, scoped in TTags tags)
        where TTags : ISeriesTags, allows ref struct
    {
        int length = 4 + 2 + measurement.Length + 2;
        for (int i = 0; i < tags.Count; i++) length += 4 + tags.Key(i).Length + tags.Value(i).Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = buffer.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(span, id);
            int at = 4;
            at = WriteU16Prefixed(span, at, measurement);
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], checked((ushort)tags.Count));
            at += 2;
            for (int i = 0; i < tags.Count; i++)
            {
                at = WriteU16Prefixed(span, at, tags.Key(i));
                at = WriteU16Prefixed(span, at, tags.Value(i));
            }
            _log.Append(SeriesIndexLog.RecordType.AddSeries, length + seriesKey.Length, span[..length], seriesKey);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int WriteU16Prefixed(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], checked((ushort)bytes.Length));
        bytes.CopyTo(span[(at + 2)..]);
        return at + 2 + bytes.Length;
    }

    // The delta's field dictionary key: u16 measurement length, measurement, field key.
    private static Span<byte> FieldKey(Span<byte> destination, ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> fieldKey)
    {
        int at = WriteU16Prefixed(destination, 0, measurement);
        fieldKey.CopyTo(destination[at..]);
        return destination[..(at + fieldKey.Length)];
    }

    private bool TryFindFieldLocked(ReadOnlySpan<byte> key, ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> fieldKey, out FieldType existing)
    {
        if (_deltaFieldsBySpan.TryGetValue(key, out existing)) return true;
        if (_file is not null && (_droppedMeasurements.Count == 0 || !_droppedMeasurementsBySpan.Contains(measurement)))
        {
            int m = _file.FindMeasurement(measurement);
            if (m >= 0 && _file.FindField(m, fieldKey) is { } type)
            {
                existing = type;
                return true;
            }
        }
        existing = default;
        return false;
    }

    private void AddFieldLocked(ReadOnlySpan<byte> key, ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> fieldKey, FieldType type)
    {
        if (!_replaying)
        {
            Span<byte> head = stackalloc byte[1];
            head[0] = (byte)type;
            _log.Append(SeriesIndexLog.RecordType.RegisterField, 1 + key.Length, head, key);
        }
        _deltaFields[key.ToArray()] = type;
        if (!_deltaMeasurementsBySpan.TryGetValue(measurement, out var model))
        {
            model = new MeasurementModel();
            _deltaMeasurements[measurement.ToArray()] = model;
        }
        model.Fields[fieldKey.ToArray()] = type;
    }

    private int DeleteSeriesLocked(ReadOnlySpan<uint> ids)
    {
        var deleted = new List<uint>(ids.Length);
        foreach (uint id in ids)
        {
            if (id == 0 || _tombstones.Contains(id)) continue;
            if (_deltaKeyById.Remove(id, out var key)) _deltaKeys.Remove(key);
            else if (_file is null || _file.Key(id).IsEmpty) continue;
            _tombstones.Add(id);
            _seriesCount--;
            deleted.Add(id);
        }
        if (!_replaying && deleted.Count > 0)
        {
            var bytes = new byte[4 * deleted.Count];
            for (int i = 0; i < deleted.Count; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), deleted[i]);
            _log.Append(SeriesIndexLog.RecordType.DeleteSeries, bytes.Length, bytes);
        }
        return deleted.Count;
    }

    private bool DeleteMeasurementLocked(byte[] name)
    {
        uint[] ids = SeriesIdsLocked(name);
        bool hadFields = HasFieldsLocked(name);
        if (ids.Length == 0 && !hadFields) return false;
        if (!_replaying) _log.Append(SeriesIndexLog.RecordType.DeleteMeasurement, name.Length, name);
        bool replaying = _replaying;
        _replaying = true; // one DeleteMeasurement record stands for the series deletes
        try
        {
            DeleteSeriesLocked(ids);
        }
        finally
        {
            _replaying = replaying;
        }
        _droppedMeasurements.Add(name);
        if (_deltaMeasurements.TryGetValue(name, out var model))
        {
            foreach (var field in model.Fields.Keys)
            {
                var composite = new byte[2 + name.Length + field.Length];
                FieldKey(composite, name, field);
                _deltaFields.Remove(composite);
            }
            model.Fields.Clear();
        }
        return true;
    }

    private bool HasFieldsLocked(byte[] name)
    {
        if (_deltaMeasurements.TryGetValue(name, out var model) && model.Fields.Count > 0) return true;
        if (_file is null || _droppedMeasurements.Contains(name)) return false;
        int m = _file.FindMeasurement(name);
        return m >= 0 && _file.MeasurementFields(m).Count > 0;
    }

    private void Replay(string logPath, SeriesIndexLog.RecordType type, ReadOnlySpan<byte> payload)
    {
        try
        {
            switch (type)
            {
                case SeriesIndexLog.RecordType.AddSeries:
                {
                    uint id = BinaryPrimitives.ReadUInt32LittleEndian(payload);
                    int at = 4;
                    var measurement = ReadU16Prefixed(payload, ref at);
                    int count = BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]);
                    at += 2;
                    var tags = new (byte[], byte[])[count];
                    for (int i = 0; i < count; i++)
                    {
                        var k = ReadU16Prefixed(payload, ref at).ToArray();
                        tags[i] = (k, ReadU16Prefixed(payload, ref at).ToArray());
                    }
                    if (id == 0 || id < (_file?.NextId ?? 1) || _deltaKeyById.ContainsKey(id))
                        throw new SeriesIndexCorruptException(logPath, $"series id {id} added twice");
                    AddLocked(id, payload[at..], measurement, new SeriesTagList(tags));
                    break;
                }
                case SeriesIndexLog.RecordType.RegisterField:
                {
                    var key = payload[1..];
                    int at = 0;
                    var measurement = ReadU16Prefixed(key, ref at);
                    if (!TryFindFieldLocked(key, measurement, key[at..], out _)) AddFieldLocked(key, measurement, key[at..], (FieldType)payload[0]);
                    break;
                }
                case SeriesIndexLog.RecordType.DeleteSeries:
                {
                    var ids = new uint[payload.Length / 4];
                    for (int i = 0; i < ids.Length; i++) ids[i] = BinaryPrimitives.ReadUInt32LittleEndian(payload[(4 * i)..]);
                    DeleteSeriesLocked(ids);
                    break;
                }
                case SeriesIndexLog.RecordType.DeleteMeasurement:
                    DeleteMeasurementLocked(payload.ToArray());
                    break;
                default:
                    throw new SeriesIndexCorruptException(logPath, $"unknown record type {(byte)type}");
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new SeriesIndexCorruptException(logPath, $"{type} record of {payload.Length} bytes is malformed");
        }
    }

    private static ReadOnlySpan<byte> ReadU16Prefixed(ReadOnlySpan<byte> payload, ref int at)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]);
        var bytes = payload.Slice(at + 2, length);
        at += 2 + length;
        return bytes;
    }

    /// <summary>Flushes the log and unmaps the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _log.Dispose();
            _file?.Dispose();
            _file = null;
        }
    }
}
