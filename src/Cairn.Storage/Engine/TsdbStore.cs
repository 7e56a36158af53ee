using System.Globalization;
using NLog;

namespace Cairn.Storage.Engine;

/// <summary>
/// The shards of one data node: <c>[data] dir/&lt;db&gt;/&lt;rp&gt;/&lt;shard id&gt;</c> for files and index,
/// <c>[data] wal-dir/&lt;db&gt;/&lt;rp&gt;/&lt;shard id&gt;</c> for WAL segments. Opens what is on disk at
/// start, creates shards on first write, and runs the background loop that snapshots caches and
/// compacts files with at most <c>max-concurrent-compactions</c> merges at once.
/// </summary>
public sealed class TsdbStore : IShardCatalog, IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly Logger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Shard> _shards = [];
    private readonly Dictionary<ulong, Task<Shard>> _opening = [];
    private readonly SemaphoreSlim _compactionSlots;
    private readonly CancellationTokenSource _stop = new();
    private Task _maintenance = Task.CompletedTask;
    private int _disposed;

    public TsdbStore(string dataDirectory, string walDirectory, EngineOptions options)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        WalDirectory = Path.GetFullPath(walDirectory);
        _options = options;
        _log = options.Logger ?? LogManager.GetLogger("tsdb");
        _compactionSlots = new SemaphoreSlim(options.CompactionSlots, options.CompactionSlots);
    }

    public string DataDirectory { get; }

    public string WalDirectory { get; }

    public EngineOptions Options => _options;

    /// <summary>Opens every shard found under the data and WAL directories.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(WalDirectory);
        var found = new Dictionary<ulong, (string Db, string Rp)>();
        foreach (var root in new[] { DataDirectory, WalDirectory })
            foreach (var db in Directory.EnumerateDirectories(root))
                foreach (var rp in Directory.EnumerateDirectories(db))
                    foreach (var shard in Directory.EnumerateDirectories(rp))
                        if (ulong.TryParse(Path.GetFileName(shard), NumberStyles.None, CultureInfo.InvariantCulture, out ulong id))
                            found.TryAdd(id, (Path.GetFileName(db), Path.GetFileName(rp)));
        foreach (var (id, (db, rp)) in found.OrderBy(p => p.Key))
        {
            try
            {
                await GetOrCreateShardAsync(db, rp, id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                _log.Error("shard {0} ({1}.{2}) failed to open and is not served: {3}", id, db, rp, e.Message);
            }
        }
        if (found.Count > 0) _log.Info("opened {0} shards from {1}", _shards.Count, DataDirectory);
    }

    /// <summary>Starts the background snapshot and compaction loop.</summary>
    public void StartMaintenance()
    {
        _maintenance = Task.Run(() => MaintenanceLoopAsync(_stop.Token));
    }

    private async Task MaintenanceLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
                await RunMaintenanceAsync(forceFull: false, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass of the background loop: snapshot caches that are due, then compact.</summary>
    public async Task RunMaintenanceAsync(bool forceFull, CancellationToken cancellationToken)
    {
        var tasks = new List<Task>();
        foreach (var shard in AllShards)
            tasks.Add(MaintainAsync(shard, forceFull, cancellationToken));
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task MaintainAsync(Shard shard, bool forceFull, CancellationToken cancellationToken)
    {
        try
        {
            if (forceFull || shard.NeedsSnapshot()) await shard.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            await shard.CompactAsync(_compactionSlots, forceFull, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // closed or dropped meanwhile
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error("{0}: snapshot or compaction failed, will retry: {1}", shard, e.Message);
        }
    }

    /// <summary>Every open shard, in id order.</summary>
    public IReadOnlyList<Shard> AllShards
    {
        get
        {
            lock (_lock) return [.. _shards.Values.OrderBy(s => s.Id)];
        }
    }

    /// <summary>The open shard with this id, or null.</summary>
    public Shard? Shard(ulong id)
    {
        lock (_lock) return _shards.GetValueOrDefault(id);
    }

    /// <summary>The shard, opened or created on first use.</summary>
    public Task<Shard> GetOrCreateShardAsync(string database, string retentionPolicy, ulong id, CancellationToken cancellationToken = default)
    {
        Task<Shard>? opening;
        lock (_lock)
        {
            if (_disposed != 0) throw new ObjectDisposedException(nameof(TsdbStore));
            if (_shards.TryGetValue(id, out var shard)) return Task.FromResult(shard);
            if (!_opening.TryGetValue(id, out opening))
            {
                opening = OpenShardAsync(database, retentionPolicy, id, cancellationToken);
                _opening[id] = opening;
            }
        }
        return opening;
    }

    private async Task<Shard> OpenShardAsync(string database, string retentionPolicy, ulong id, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var name = id.ToString(CultureInfo.InvariantCulture);
            var shard = await Engine.Shard.OpenAsync(id, database, retentionPolicy,
                Path.Combine(DataDirectory, database, retentionPolicy, name),
                Path.Combine(WalDirectory, database, retentionPolicy, name), _options, cancellationToken).ConfigureAwait(false);
            lock (_lock) _shards[id] = shard;
            return shard;
        }
        finally
        {
            lock (_lock) _opening.Remove(id);
        }
    }

    /// <summary>Series in the database's shards (a series in two shards counts twice).</summary>
    public int SeriesCount(string database)
    {
        int n = 0;
        foreach (var shard in Shards(database)) n += shard.Index.SeriesCount;
        return n;
    }

    public IReadOnlyList<IShardView> Shards(string database, string? retentionPolicy = null)
    {
        lock (_lock)
            return [.. _shards.Values.Where(s => s.Database == database && (retentionPolicy is null || s.RetentionPolicy == retentionPolicy)).OrderBy(s => s.Id)];
    }

    public async ValueTask DeleteShardAsync(ulong id, CancellationToken cancellationToken)
    {
        Shard? shard;
        lock (_lock)
        {
            if (!_shards.Remove(id, out shard)) return;
        }
        await shard.CloseAsync().ConfigureAwait(false);
        DeleteDirectory(shard.DataDirectory);
        DeleteDirectory(shard.WalDirectory);
        _log.Info("deleted shard {0} ({1}.{2})", id, shard.Database, shard.RetentionPolicy);
    }

    public async ValueTask DeleteDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        foreach (var shard in Shards(database)) await DeleteShardAsync(shard.Id, cancellationToken).ConfigureAwait(false);
        DeleteDirectory(Path.Combine(DataDirectory, database));
        DeleteDirectory(Path.Combine(WalDirectory, database));
    }

    public async ValueTask DeleteRetentionPolicyAsync(string database, string retentionPolicy, CancellationToken cancellationToken)
    {
        foreach (var shard in Shards(database, retentionPolicy)) await DeleteShardAsync(shard.Id, cancellationToken).ConfigureAwait(false);
        DeleteDirectory(Path.Combine(DataDirectory, database, retentionPolicy));
        DeleteDirectory(Path.Combine(WalDirectory, database, retentionPolicy));
    }

    private void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error("could not remove {0}: {1}", path, e.Message);
        }
    }

    /// <summary>Stops the background loop and closes every shard; cached values stay in the WAL.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _maintenance.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        Shard[] shards;
        lock (_lock)
        {
            shards = [.. _shards.Values];
            _shards.Clear();
        }
        foreach (var shard in shards) await shard.CloseAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
