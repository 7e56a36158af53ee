namespace Cairn.Storage.Shards;

/// <summary>
/// One key's index entry, read in place from the mapping. Valid only while a lease on its reader is held.
/// </summary>
public readonly struct ShardIndexEntry
{
    internal ShardIndexEntry(ShardFileReader reader, int ordinal, long position, int keyLength, FieldType fieldType, int blockCount)
    {
        Reader = reader;
        Ordinal = ordinal;
        Position = position;
        KeyLength = keyLength;
        FieldType = fieldType;
        BlockCount = blockCount;
    }

    internal ShardFileReader Reader { get; }

    /// <summary>File offset of the entry.</summary>
    internal long Position { get; }

    internal int KeyLength { get; }

    /// <summary>The key's position in sorted order.</summary>
    public int Ordinal { get; }

    public FieldType FieldType { get; }

    public int BlockCount { get; }

    /// <summary>The key's bytes, straight from the mapping.</summary>
    public ReadOnlySpan<byte> Key => Reader.KeyOf(Position, KeyLength);

    /// <summary>The key as a string, for messages; allocates.</summary>
    public string KeyString => System.Text.Encoding.UTF8.GetString(Key);

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
