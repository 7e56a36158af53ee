namespace Cairn.Storage.Index;

/// <summary>One measurement's series, tags and fields, in memory: the delta's, or a merge's whole view.</summary>
internal sealed class MeasurementModel
{
    public readonly List<uint> SeriesIds = [];
    public readonly Dictionary<byte[], TagKeyModel> TagKeys = new(ByteKeyComparer.Instance);
    public readonly Dictionary<byte[], FieldType> Fields = new(ByteKeyComparer.Instance);
}

/// <summary>The values of one tag key and their series.</summary>
internal sealed class TagKeyModel
{
    public readonly Dictionary<byte[], List<uint>> Values = new(ByteKeyComparer.Instance);

    // Values the mapped file does not hold for this key, for max-values-per-tag.
    public int ValuesNotInFile;
}

/// <summary>Everything a new index file holds.</summary>
internal sealed class IndexSnapshot
{
    public ulong Generation;
    public uint NextId = 1;
    public readonly List<(uint Id, byte[] Key)> Series = [];
    public readonly Dictionary<byte[], MeasurementModel> Measurements = new(ByteKeyComparer.Instance);
}
