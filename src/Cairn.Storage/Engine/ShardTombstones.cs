using System.Globalization;
using NLog;

namespace Cairn.Storage.Engine;

/// <summary>
/// A shard's pending deletes, grouped by the newest data-file generation that existed when each
/// delete ran: a delete binds only files of that generation or older, since the values written after
/// it (cache, then newer files) already had it applied in the cache. Each group is its own
/// <see cref="TombstoneFile"/> under <c>tombstones/&lt;generation&gt;/</c>; a full compaction
/// applies them all and clears them.
/// </summary>
internal sealed class ShardTombstones : IDisposable
{
    private const string DirectoryName = "tombstones";

    private readonly string _root;
    private readonly Logger _log;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, TombstoneFile> _byBound = [];
    private readonly Dictionary<long, TombstoneSet> _forGeneration = [];

    private ShardTombstones(string root, Logger log)
    {
        _root = root;
        _log = log;
    }

    public static ShardTombstones Open(string shardDirectory, Logger log)
    {
        var tombstones = new ShardTombstones(Path.Combine(shardDirectory, DirectoryName), log);
        if (Directory.Exists(tombstones._root))
        {
            foreach (var dir in Directory.EnumerateDirectories(tombstones._root))
            {
                if (!long.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out long bound)) continue;
                var file = TombstoneFile.Open(dir, log);
                if (file.Current.IsEmpty)
                {
                    file.Dispose();
                    Directory.Delete(dir, recursive: true);
                    continue;
                }
                tombstones._byBound[bound] = file;
            }
        }
        return tombstones;
    }

    public bool IsEmpty
    {
        get { lock (_lock) return _byBound.Count == 0; }
    }

    /// <summary>Durably records deletes that bind files of generation <paramref name="bound"/> and older.</summary>
    public void Add(IReadOnlyList<byte[]> seriesKeys, long min, long max, long bound)
    {
        var records = new Tombstone[seriesKeys.Count];
        for (int i = 0; i < records.Length; i++) records[i] = new Tombstone(seriesKeys[i], min, max);
        lock (_lock)
        {
            if (!_byBound.TryGetValue(bound, out var file))
            {
                var dir = Path.Combine(_root, bound.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                Cairn.Common.Platform.DirectorySync.Flush(_root);
                file = TombstoneFile.Open(dir, _log);
                _byBound[bound] = file;
            }
            file.Append(records);
            _forGeneration.Clear();
        }
    }

    /// <summary>The deletes that apply to a data file whose newest generation is <paramref name="generation"/>.</summary>
    public TombstoneSet For(long generation)
    {
        lock (_lock)
        {
            if (_byBound.Count == 0) return TombstoneSet.Empty;
            if (_forGeneration.TryGetValue(generation, out var cached)) return cached;
            var set = TombstoneSet.Empty;
            foreach (var (bound, file) in _byBound)
                if (bound >= generation) set = set.With(file.Current.Enumerate());
            _forGeneration[generation] = set;
            return set;
        }
    }

    /// <summary>Forgets every delete: a full compaction has applied them all.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            foreach (var file in _byBound.Values) file.Dispose();
            _byBound.Clear();
            _forGeneration.Clear();
            if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var file in _byBound.Values) file.Dispose();
            _byBound.Clear();
        }
    }
}
