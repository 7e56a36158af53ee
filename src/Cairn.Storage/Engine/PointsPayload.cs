using System.Buffers;
using System.Buffers.Binary;

namespace Cairn.Storage.Engine;

/// <summary>
/// The WAL entry types of a shard and the layout of their payloads (docs/formats/wal.md, "Shard entries").
/// A points payload is a run of records, each one point with the fields the shard accepted:
/// <c>u16 keyLength, key, i64 timestamp, u16 fieldCount</c>, then per field
/// <c>u16 nameLength, name, u8 type, value</c>, where the value is 8 bytes little-endian (float bits,
/// int64, uint64, or 0/1 for booleans) or, for strings, <c>u32 length, UTF-8 bytes</c>.
/// A delete payload is <c>i64 min, i64 max, u32 count</c>, then <c>count</c> times <c>u16 keyLength, key</c>.
/// </summary>
public static class ShardWalEntry
{
    /// <summary>Entry type of a batch of points.</summary>
    public const byte Points = 1;

    /// <summary>Entry type of a range delete of whole series (all fields).</summary>
    public const byte DeleteRange = 2;

    /// <summary>Encodes a delete of <paramref name="seriesKeys"/> in [min, max].</summary>
    public static byte[] EncodeDelete(IReadOnlyList<byte[]> seriesKeys, long min, long max)
    {
        int length = 20;
        foreach (var key in seriesKeys) length += 2 + key.Length;
        var bytes = new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, min);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), max);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), seriesKeys.Count);
        int at = 20;
        foreach (var key in seriesKeys)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)key.Length);
            key.CopyTo(bytes.AsSpan(at + 2));
            at += 2 + key.Length;
        }
        return bytes;
    }

    /// <summary>Decodes a delete payload; throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static (List<byte[]> SeriesKeys, long Min, long Max) DecodeDelete(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 20) throw new InvalidDataException("delete entry shorter than its header");
        long min = BinaryPrimitives.ReadInt64LittleEndian(payload);
        long max = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(payload[16..]);
        var keys = new List<byte[]>(Math.Min(count, 4096));
        int at = 20;
        for (int i = 0; i < count; i++)
        {
            if (at + 2 > payload.Length) throw new InvalidDataException("delete entry truncated");
            int length = BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]);
            if (at + 2 + length > payload.Length) throw new InvalidDataException("delete entry truncated");
            keys.Add(payload.Slice(at + 2, length).ToArray());
            at += 2 + length;
        }
        return (keys, min, max);
    }
}

/// <summary>Builds a points payload (see <see cref="ShardWalEntry"/>) in a pooled buffer.</summary>
public sealed class PointsPayloadWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _fieldCountAt = -1;
    private int _fieldCount;
    private int _pointStart;

    public PointsPayloadWriter(int capacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    /// <summary>Points begun (and not abandoned).</summary>
    public int PointCount { get; private set; }

    /// <summary>Field values written.</summary>
    public int ValueCount { get; private set; }

    /// <summary>The payload so far.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public int Length => _length;

    /// <summary>Starts a point; follow with its fields, then <see cref="EndPoint"/>.</summary>
    public void BeginPoint(ReadOnlySpan<byte> seriesKey, long timestamp)
    {
        _pointStart = _length;
        var span = Reserve(2 + seriesKey.Length + 8 + 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)seriesKey.Length);
        seriesKey.CopyTo(span[2..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[(2 + seriesKey.Length)..], timestamp);
        _fieldCountAt = _length + 2 + seriesKey.Length + 8;
        _fieldCount = 0;
        _length += span.Length;
    }

    /// <summary>A fixed-width field: float bits, int64, uint64 or boolean (0/1).</summary>
    public void Field(ReadOnlySpan<byte> name, FieldType type, long bits)
    {
        var span = Reserve(2 + name.Length + 1 + 8);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)name.Length);
        name.CopyTo(span[2..]);
        span[2 + name.Length] = (byte)type;
        BinaryPrimitives.WriteInt64LittleEndian(span[(3 + name.Length)..], bits);
        _length += span.Length;
        _fieldCount++;
    }

    /// <summary>A string field.</summary>
    public void StringField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8)
    {
        var span = Reserve(2 + name.Length + 1 + 4 + utf8.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)name.Length);
        name.CopyTo(span[2..]);
        span[2 + name.Length] = (byte)FieldType.String;
        BinaryPrimitives.WriteInt32LittleEndian(span[(3 + name.Length)..], utf8.Length);
        utf8.CopyTo(span[(7 + name.Length)..]);
        _length += span.Length;
        _fieldCount++;
    }

    /// <summary>Ends the point; a point left with no fields is removed again.</summary>
    public void EndPoint()
    {
        if (_fieldCount == 0)
        {
            _length = _pointStart;
            _fieldCountAt = -1;
            return;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_fieldCountAt), (ushort)_fieldCount);
        PointCount++;
        ValueCount += _fieldCount;
        _fieldCountAt = -1;
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        return _buffer.AsSpan(_length, size);
    }

    /// <summary>Empties the writer for reuse.</summary>
    public void Reset()
    {
        _length = 0;
        _fieldCountAt = -1;
        PointCount = 0;
        ValueCount = 0;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>Reads a points payload record by record, field by field.</summary>
public ref struct PointsPayloadReader
{
    private readonly ReadOnlySpan<byte> _payload;
    private int _at;
    private int _fieldsLeft;

    public PointsPayloadReader(ReadOnlySpan<byte> payload) => _payload = payload;

    public ReadOnlySpan<byte> SeriesKey { get; private set; }

    public long Timestamp { get; private set; }

    public int FieldCount { get; private set; }

    public ReadOnlySpan<byte> FieldName { get; private set; }

    public FieldType FieldType { get; private set; }

    /// <summary>Fixed-width value bits (float bits, int64, uint64, bool 0/1).</summary>
    public long Bits { get; private set; }

    public ReadOnlySpan<byte> StringValue { get; private set; }

    /// <summary>Moves to the next point; false at the end. Throws <see cref="InvalidDataException"/> on a malformed payload.</summary>
    public bool NextPoint()
    {
        while (_fieldsLeft > 0) NextField();
        if (_at == _payload.Length) return false;
        Need(2);
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(_payload[_at..]);
        Need(2 + keyLength + 10);
        SeriesKey = _payload.Slice(_at + 2, keyLength);
        Timestamp = BinaryPrimitives.ReadInt64LittleEndian(_payload[(_at + 2 + keyLength)..]);
        FieldCount = _fieldsLeft = BinaryPrimitives.ReadUInt16LittleEndian(_payload[(_at + 10 + keyLength)..]);
        _at += 12 + keyLength;
        return true;
    }

    /// <summary>Moves to the next field of the current point; false after the last.</summary>
    public bool NextField()
    {
        if (_fieldsLeft == 0) return false;
        Need(2);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(_payload[_at..]);
        Need(3 + nameLength);
        FieldName = _payload.Slice(_at + 2, nameLength);
        FieldType = (FieldType)_payload[_at + 2 + nameLength];
        _at += 3 + nameLength;
        if (FieldType == FieldType.String)
        {
            Need(4);
            int length = BinaryPrimitives.ReadInt32LittleEndian(_payload[_at..]);
            if (length < 0) throw new InvalidDataException("negative string length in points entry");
            Need(4 + length);
            StringValue = _payload.Slice(_at + 4, length);
            Bits = 0;
            _at += 4 + length;
        }
        else
        {
            if (FieldType is < FieldType.Float or > FieldType.Boolean) throw new InvalidDataException($"unknown field type {(byte)FieldType} in points entry");
            Need(8);
            Bits = BinaryPrimitives.ReadInt64LittleEndian(_payload[_at..]);
            StringValue = default;
            _at += 8;
        }
        _fieldsLeft--;
        return true;
    }

    private readonly void Need(int bytes)
    {
        if (_at + bytes > _payload.Length) throw new InvalidDataException("points entry truncated");
    }
}
