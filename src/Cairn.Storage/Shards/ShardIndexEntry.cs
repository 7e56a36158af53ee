namespace Cairn.Storage.Shards;

/// <summary>
/// One key's index entry, read in place from the mapping: its series key (stored once per series in the
/// file) and field key are spans over the mapping, so comparing or matching keys allocates nothing.
/// Valid only while a lease on its reader is held.
/// </summary>
public readonly struct ShardIndexEntry
{
    internal ShardIndexEntry(ShardFileReader reader, int ordinal, long position, long seriesPosition, int seriesLength,
        int fieldLength, FieldType fieldType, int blockCount)
    {
        Reader = reader;
        Ordinal = ordinal;
        Position = position;
        SeriesPosition = seriesPosition;
        SeriesLength = seriesLength;
        FieldLength = fieldLength;
        FieldType = fieldType;
        BlockCount = blockCount;
    }

    internal ShardFileReader Reader { get; }

    /// <summary>File offset of the key entry.</summary>
    internal long Position { get; }

    /// <summary>File offset of the series key's bytes in the series table.</summary>
    internal long SeriesPosition { get; }

    internal int SeriesLength { get; }

    internal int FieldLength { get; }

    /// <summary>The key's position in sorted order.</summary>
    public int Ordinal { get; }

    public FieldType FieldType { get; }

    public int BlockCount { get; }

    /// <summary>The series key, straight from the mapping.</summary>
    public ReadOnlySpan<byte> SeriesKey => Reader.MappedBytes(SeriesPosition, SeriesLength);

    /// <summary>The field key, straight from the mapping.</summary>
    public ReadOnlySpan<byte> FieldKey => Reader.MappedBytes(Position + ShardFileFormat.EntryFieldKey, FieldLength);

    /// <summary>Length of the composite key: series key + separator + field key.</summary>
    public int KeyLength => SeriesLength + ShardKey.Separator.Length + FieldLength;

    /// <summary>The composite key (series key + <c>#!~#</c> + field key) in a new array; <see cref="CopyKeyTo"/> does not allocate.</summary>
    public byte[] Key()
    {
        var key = new byte[KeyLength];
        CopyKeyTo(key);
        return key;
    }

    /// <summary>Writes the composite key to <paramref name="destination"/> (at least <see cref="KeyLength"/> bytes); returns its length.</summary>
    public int CopyKeyTo(Span<byte> destination)
    {
        ReadOnlySpan<byte> series = SeriesKey;
        if (destination.Length < KeyLength)
            throw new ArgumentException($"The key needs {KeyLength} bytes; the destination holds {destination.Length}.", nameof(destination));
        series.CopyTo(destination);
        ShardKey.Separator.CopyTo(destination[series.Length..]);
        FieldKey.CopyTo(destination[(series.Length + ShardKey.Separator.Length)..]);
        return KeyLength;
    }

    /// <summary>Ordinal comparison of this entry's composite key with <paramref name="key"/>: negative when it sorts first.</summary>
    public int CompareKey(ReadOnlySpan<byte> key) => ShardKey.Compare(SeriesKey, FieldKey, key);

    /// <summary>Ordinal comparison of the composite keys of two entries, of the same file or not.</summary>
    public int CompareTo(in ShardIndexEntry other) => ShardKey.Compare(SeriesKey, FieldKey, other.SeriesKey, other.FieldKey);

    /// <summary>True when the composite key is <paramref name="key"/>.</summary>
    public bool KeyEquals(ReadOnlySpan<byte> key) => key.Length == KeyLength && CompareKey(key) == 0;

    /// <summary>True when the composite key starts with <paramref name="prefix"/>.</summary>
    public bool KeyStartsWith(ReadOnlySpan<byte> prefix) =>
        prefix.Length <= KeyLength && ShardKey.Compare(SeriesKey, FieldKey, prefix, prefixOnly: true) == 0;

    /// <summary>The key as a string, for messages; allocates.</summary>
    public string KeyString => System.Text.Encoding.UTF8.GetString(Key());

    /// <summary>Block <paramref name="block"/>'s index entry (times, count, location), without touching the block.</summary>
    public ShardBlockInfo GetBlock(int block) => Reader.GetBlock(this, block);
}

/// <summary>A block's index entry: what a query needs to prune or size buffers without decoding.</summary>
public readonly record struct ShardBlockInfo(int Index, long MinTime, long MaxTime, int Count, long Offset, int Size, uint Crc);

/// <summary>Keys in sorted order over an ordinal range; a struct enumerator for <c>foreach</c>.</summary>
public struct ShardKeyEnumerator
{
    private readonly ShardFileReader _reader;
    private readonly int _end;
    private int _next;

    internal ShardKeyEnumerator(ShardFileReader reader, int start, int end)
    {
        _reader = reader;
        _next = start;
        _end = end;
        Current = default;
    }

    /// <summary>How many keys are left to enumerate.</summary>
    public readonly int Remaining => _end - _next;

    public ShardIndexEntry Current { get; private set; }

    public readonly ShardKeyEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next >= _end) return false;
        Current = _reader.GetEntry(_next++);
        return true;
    }
}

/// <summary>The blocks of one key overlapping a time range, from the index alone.</summary>
public struct ShardBlockEnumerator
{
    private readonly ShardIndexEntry _entry;
    private readonly long _maxTime;
    private int _next;

    internal ShardBlockEnumerator(ShardIndexEntry entry, int first, long maxTime)
    {
        _entry = entry;
        _next = first;
        _maxTime = maxTime;
        Current = default;
    }

    public ShardBlockInfo Current { get; private set; }

    public readonly ShardBlockEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next >= _entry.BlockCount) return false;
        ShardBlockInfo block = _entry.GetBlock(_next);
        if (block.MinTime > _maxTime) return false;
        Current = block;
        _next++;
        return true;
    }
}
