using Cairn.Storage.Engine;
using Cairn.Storage.Index;

namespace Cairn.Cluster.Schema;

/// <summary>
/// A shard held by another data node, as meta queries read it: its series index rebuilt here from the series keys
/// and field types the owner sent (<see cref="ClusterMethod.ShardIndex"/>), in a temporary directory removed on
/// dispose. It carries no values; deletes go to the owner through <see cref="ClusterMethod.ExecuteLocal"/>.
/// </summary>
public sealed class RemoteShardView : IShardView, IDisposable
{
    private readonly string _directory;

    private RemoteShardView(ulong id, string database, string retentionPolicy, string directory, SeriesIndex index)
    {
        Id = id;
        Database = database;
        RetentionPolicy = retentionPolicy;
        _directory = directory;
        Index = index;
    }

    public ulong Id { get; }

    public string Database { get; }

    public string RetentionPolicy { get; }

    public SeriesIndex Index { get; }

    /// <summary>An empty view in a fresh temporary directory; fill it with <see cref="Add"/> and <see cref="AddField"/>.</summary>
    public static RemoteShardView Create(ulong id, string database, string retentionPolicy)
    {
        string directory = Path.Combine(Path.GetTempPath(), "cairn-remote-index", Guid.NewGuid().ToString("N"));
        // No tag limit: the owner enforced max-values-per-tag when it took the writes.
        var index = SeriesIndex.Open(directory, new SeriesIndexOptions { MaxValuesPerTag = 0, VerifyFileOnOpen = false });
        return new RemoteShardView(id, database, retentionPolicy, directory, index);
    }

    /// <summary>Adds one canonical series key; a malformed key is a protocol violation.</summary>
    public void Add(ReadOnlySpan<byte> seriesKey)
    {
        if (!SeriesKeyParser.TryParse(seriesKey, out var measurement, out var tags))
            throw new InvalidDataException("shard index: malformed series key");
        Index.TryGetOrAdd(seriesKey, measurement, tags, out _, out _);
    }

    public void AddField(ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> fieldKey, Storage.FieldType type) =>
        Index.TryRegisterField(measurement, fieldKey, type, out _);

    public ValueTask DeleteSeriesAsync(IReadOnlyList<uint> seriesIds, long minTime, long maxTime, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a remote shard is deleted from by its owner");

    public ValueTask DeleteMeasurementAsync(string measurement, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a remote shard is deleted from by its owner");

    public void Dispose()
    {
        Index.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
