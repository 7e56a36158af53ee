using Cairn.Storage.Engine;
using Cairn.Storage.Index;
using Cairn.Storage.LineProtocol;

namespace Cairn.Http.Tests.Support;

/// <summary>
/// Shards for the executor tests: a real <see cref="SeriesIndex"/> per shard (in a temp directory) and, instead
/// of data files, the timestamps written to each series, so deletes can leave or remove a series as the engine does.
/// </summary>
internal sealed class FakeShardCatalog(string root) : IShardCatalog, IDisposable
{
    private readonly List<FakeShard> _shards = [];

    /// <summary>Every call the executor made that changes shards, in order ("delete-shard 3", "delete-series 1 [2] …").</summary>
    public List<string> Calls { get; } = [];

    public FakeShard GetOrCreate(ulong id, string database, string retentionPolicy)
    {
        foreach (var shard in _shards)
            if (shard.Id == id) return shard;
        var created = new FakeShard(id, database, retentionPolicy, SeriesIndex.Open(Path.Combine(root, "shard-" + id)), Calls);
        _shards.Add(created);
        return created;
    }

    public IReadOnlyList<IShardView> Shards(string database, string? retentionPolicy = null) =>
        _shards.Where(s => s.Database == database && (retentionPolicy is null || s.RetentionPolicy == retentionPolicy))
            .OrderBy(s => s.Id).ToList();

    public ValueTask DeleteShardAsync(ulong id, CancellationToken cancellationToken)
    {
        Calls.Add("delete-shard " + id);
        Remove(s => s.Id == id);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        Calls.Add("delete-database " + database);
        Remove(s => s.Database == database);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteRetentionPolicyAsync(string database, string retentionPolicy, CancellationToken cancellationToken)
    {
        Calls.Add("delete-rp " + database + "." + retentionPolicy);
        Remove(s => s.Database == database && s.RetentionPolicy == retentionPolicy);
        return ValueTask.CompletedTask;
    }

    private void Remove(Func<FakeShard, bool> which)
    {
        foreach (var shard in _shards.Where(which).ToList())
        {
            shard.Dispose();
            _shards.Remove(shard);
        }
    }

    public void Dispose()
    {
        foreach (var shard in _shards) shard.Dispose();
        _shards.Clear();
    }
}

internal sealed class FakeShard(ulong id, string database, string retentionPolicy, SeriesIndex index, List<string> calls) : IShardView, IDisposable
{
    private readonly Dictionary<uint, SortedSet<long>> _times = [];

    public ulong Id { get; } = id;

    public string Database { get; } = database;

    public string RetentionPolicy { get; } = retentionPolicy;

    public SeriesIndex Index { get; } = index;

    public void Write(Point point)
    {
        var tags = new SeriesTagList(point.Tags.Select(t => (System.Text.Encoding.UTF8.GetBytes(t.Key), System.Text.Encoding.UTF8.GetBytes(t.Value))).ToArray());
        if (!Index.TryGetOrAdd(System.Text.Encoding.UTF8.GetBytes(point.SeriesKey), System.Text.Encoding.UTF8.GetBytes(point.Measurement), tags, out uint id, out _))
            throw new InvalidOperationException("series refused: " + point.SeriesKey);
        foreach (var field in point.Fields)
            Index.TryRegisterField(System.Text.Encoding.UTF8.GetBytes(point.Measurement), System.Text.Encoding.UTF8.GetBytes(field.Key), field.Type, out _);
        if (!_times.TryGetValue(id, out var times)) _times[id] = times = [];
        times.Add(point.Timestamp);
    }

    public ValueTask DeleteSeriesAsync(IReadOnlyList<uint> seriesIds, long minTime, long maxTime, CancellationToken cancellationToken)
    {
        calls.Add($"delete-series shard={Id} ids=[{string.Join(",", seriesIds.Order())}] min={minTime} max={maxTime}");
        foreach (uint id in seriesIds)
        {
            if (_times.TryGetValue(id, out var times)) times.RemoveWhere(t => t >= minTime && t <= maxTime);
            if (times is null || times.Count == 0) Index.DeleteSeries([id]);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteMeasurementAsync(string measurement, CancellationToken cancellationToken)
    {
        calls.Add($"delete-measurement shard={Id} {measurement}");
        foreach (uint id in Index.SeriesIds(measurement)) _times.Remove(id);
        Index.DeleteMeasurement(measurement);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => Index.Dispose();
}
