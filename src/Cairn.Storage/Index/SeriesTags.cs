using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Index;

/// <summary>
/// The unescaped tags of a series in series-key order, as the index reads them when it creates a series.
/// A struct or ref struct implementation keeps the lookup of an existing series free of allocation.
/// </summary>
public interface ISeriesTags
{
    /// <summary>Number of tags.</summary>
    int Count { get; }

    /// <summary>Tag key <paramref name="index"/>, unescaped.</summary>
    ReadOnlySpan<byte> Key(int index);

    /// <summary>Tag value <paramref name="index"/>, unescaped.</summary>
    ReadOnlySpan<byte> Value(int index);
}

/// <summary>The tags of a <see cref="ParsedPoint"/>.</summary>
public readonly ref struct ParsedPointTags : ISeriesTags
{
    private readonly ParsedPoint _point;

    /// <summary>Wraps <paramref name="point"/>; valid as long as the point is.</summary>
    public ParsedPointTags(ParsedPoint point) => _point = point;

    /// <inheritdoc/>
    public int Count => _point.TagCount;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> Key(int index) => _point.GetTag(index).Key;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> Value(int index) => _point.GetTag(index).Value;
}

/// <summary>Tags held as byte arrays: for tests, tools and rebuilds, not the ingest path.</summary>
public readonly struct SeriesTagList : ISeriesTags
{
    private readonly (byte[] Key, byte[] Value)[] _tags;

    /// <summary>Holds <paramref name="tags"/> (unescaped, in series-key order).</summary>
    public SeriesTagList((byte[] Key, byte[] Value)[] tags) => _tags = tags;

    /// <inheritdoc/>
    public int Count => _tags?.Length ?? 0;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> Key(int index) => _tags[index].Key;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> Value(int index) => _tags[index].Value;
}
