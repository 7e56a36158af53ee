using NLog;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// Hinted handoff: a durable queue per destination data node for the writes it could not take, replayed in order
/// once it answers (docs/hinted-handoff.md). Lifecycle: construct, <see cref="OpenAsync"/>, <see cref="Start"/>,
/// <see cref="DisposeAsync"/>. <see cref="Enqueue"/> is safe from any number of threads once open.
/// </summary>
public sealed class HintedHandoffService : IAsyncDisposable, Cairn.Cluster.Write.IHintedHandoff
{
    private readonly HintedHandoffOptions _options;
    private readonly HintedWriteSender _send;
    private readonly TimeProvider _time;
    private readonly Logger _log;
    private readonly ConcurrentDictionary<ulong, HintedHandoffProcessor> _processors = new();
    private readonly Lock _lifecycle = new();
    private bool _opened;
    private bool _started;
    private bool _disposed;
    private ITimer? _purgeTimer;
    private long _writeShardReq;
    private long _writeShardReqPoints;

    public HintedHandoffService(HintedHandoffOptions options, HintedWriteSender send, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate() is { } problem) throw new ArgumentException(problem, nameof(options));
        _options = options;
        _send = send;
        _time = time;
        _log = options.Logger ?? LogManager.GetLogger("hh");
        Directory = options.Enabled ? Path.GetFullPath(options.Dir) : "";
    }

    /// <summary>The root of the queues (the <c>path</c> tag of the <c>hh</c> measurement); empty when disabled.</summary>
    public string Directory { get; }

    /// <summary>Enqueue calls (the <c>hh</c> measurement's <c>writeShardReq</c>), refused ones included.</summary>
    public long WriteShardReq => Volatile.Read(ref _writeShardReq);

    /// <summary>Points in the Enqueue calls (<c>writeShardReqPoints</c>).</summary>
    public long WriteShardReqPoints => Volatile.Read(ref _writeShardReqPoints);

    /// <summary>One entry per destination queue, by node id.</summary>
    public IReadOnlyList<HintedHandoffNodeStatistics> Statistics
    {
        get
        {
            var result = new List<HintedHandoffNodeStatistics>(_processors.Count);
            foreach (var processor in _processors.Values)
            {
                var queue = processor.Queue;
                var c = queue.Counters;
                result.Add(new HintedHandoffNodeStatistics(
                    queue.NodeId, queue.DirectoryPath, queue.Bytes, queue.Depth,
                    Volatile.Read(ref c.BytesRead), Volatile.Read(ref c.BytesWritten),
                    Volatile.Read(ref c.WriteBlocked), Volatile.Read(ref c.WriteDropped),
                    Volatile.Read(ref c.WriteNodeReq), Volatile.Read(ref c.WriteNodeReqFail), Volatile.Read(ref c.WriteNodeReqPoints),
                    Volatile.Read(ref c.WriteShardReq), Volatile.Read(ref c.WriteShardReqPoints)));
            }
            result.Sort((a, b) => a.Node.CompareTo(b.Node));
            return result;
        }
    }

    /// <summary>Opens the queues found under <c>dir/&lt;nodeId&gt;/</c>, repairing torn tails. Does nothing when disabled.</summary>
    public async Task OpenAsync(CancellationToken ct)
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_opened) throw new InvalidOperationException("hinted handoff is already open");
            if (!_options.Enabled)
            {
                _opened = true;
                return;
            }
        }
        var opened = await Task.Run(() => OpenQueues(ct), ct).ConfigureAwait(false);
        lock (_lifecycle)
        {
            if (_disposed)
            {
                foreach (var processor in opened) processor.Queue.Close();
                throw new ObjectDisposedException(nameof(HintedHandoffService));
            }
            foreach (var processor in opened) _processors[processor.NodeId] = processor;
            _opened = true;
        }
    }

    /// <summary>Starts one replay loop per queue (and per queue created later) and the purge timer.</summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_opened) throw new InvalidOperationException("hinted handoff must be opened before it is started");
            if (_started || !_options.Enabled) return;
            _started = true;
            foreach (var processor in _processors.Values) processor.Start();
            _purgeTimer = _time.CreateTimer(static state => ((HintedHandoffService)state!).RequestPurge(), this, _options.PurgeInterval, _options.PurgeInterval);
        }
    }

    /// <summary>True while the node's queue holds entries not yet delivered or dropped.</summary>
    public bool HasPending(ulong nodeId) => _processors.TryGetValue(nodeId, out var processor) && processor.Queue.Depth > 0;

    /// <summary>
    /// Appends one write for <paramref name="nodeId"/> with a single write flushed to the OS (not fsynced: segments
    /// are fsynced when sealed, at each purge interval and on close). Never blocks on the destination.
    /// </summary>
    /// <exception cref="HintedHandoffQueueFullException">The node's queue would pass <c>max-size</c>.</exception>
    /// <exception cref="HintedHandoffQueueBlockedException"><c>max-writes-pending</c> appends to the node's queue are already pending.</exception>
    /// <exception cref="InvalidOperationException">Hinted handoff is disabled, or not open yet.</exception>
    public void Enqueue(ulong nodeId, ulong shardId, ReadOnlySpan<byte> request, int points)
    {
        if (!_options.Enabled) throw new InvalidOperationException("hinted handoff is disabled");
        if (!Volatile.Read(ref _opened)) throw new InvalidOperationException("hinted handoff is not open");
        Interlocked.Increment(ref _writeShardReq);
        Interlocked.Add(ref _writeShardReqPoints, points);
        long enqueuedNs = HintedHandoffFormat.ToUnixNanoseconds(_time.GetUtcNow());
        bool counted = false;
        while (true)
        {
            var processor = GetOrCreate(nodeId);
            if (!counted)
            {
                Interlocked.Increment(ref processor.Queue.Counters.WriteShardReq);
                Interlocked.Add(ref processor.Queue.Counters.WriteShardReqPoints, points);
                counted = true;
            }
            // False only when the queue was closed under us (the node dropped): the next one is fresh.
            if (processor.Queue.TryAppend(shardId, request, points, enqueuedNs)) return;
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        }
    }

    /// <summary>Stops the node's replay loop and deletes its queue: the node has left the cluster.</summary>
    public async Task DropNodeAsync(ulong nodeId)
    {
        if (!_options.Enabled) return;
        if (_processors.TryGetValue(nodeId, out var processor)) await processor.StopAsync().ConfigureAwait(false);
        lock (_lifecycle)
        {
            // Still listed while it closes, so a concurrent Enqueue cannot open a second queue on the same directory.
            if (processor is not null)
            {
                processor.Queue.Delete();
                _processors.TryRemove(new KeyValuePair<ulong, HintedHandoffProcessor>(nodeId, processor));
            }
            string path = NodeDirectory(nodeId);
            if (System.IO.Directory.Exists(path)) System.IO.Directory.Delete(path, recursive: true);
        }
        _log.Info(CultureInfo.InvariantCulture, "hinted handoff: deleted the queue for node {0}", nodeId);
    }

    /// <summary>Waits (by the wall clock) until the node's queue is empty; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitForEmptyAsync(ulong nodeId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (HasPending(nodeId))
        {
            if (clock.Elapsed >= timeout) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(10)).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Stops the replay loops (each waits at most a bounded time for its sender), then syncs and closes the queues.</summary>
    public async ValueTask DisposeAsync()
    {
        HintedHandoffProcessor[] processors;
        lock (_lifecycle)
        {
            if (_disposed) return;
            _disposed = true;
            processors = [.. _processors.Values];
        }
        if (_purgeTimer is not null) await _purgeTimer.DisposeAsync().ConfigureAwait(false);
        var stopping = new Task[processors.Length];
        for (int i = 0; i < processors.Length; i++) stopping[i] = processors[i].StopAsync();
        await Task.WhenAll(stopping).ConfigureAwait(false);
        foreach (var processor in processors)
        {
            try
            {
                processor.Queue.Close();
            }
            catch (IOException e)
            {
                _log.Error(e, CultureInfo.InvariantCulture, "hinted handoff: closing the queue for node {0} failed", processor.NodeId);
            }
        }
    }

    internal HintedHandoffQueue? QueueOf(ulong nodeId) => _processors.TryGetValue(nodeId, out var processor) ? processor.Queue : null;

    private void RequestPurge()
    {
        foreach (var processor in _processors.Values) processor.RequestPurge();
    }

    private HintedHandoffProcessor GetOrCreate(ulong nodeId)
    {
        if (_processors.TryGetValue(nodeId, out var processor)) return processor;
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_processors.TryGetValue(nodeId, out processor)) return processor;
            processor = NewProcessor(HintedHandoffQueue.Open(nodeId, NodeDirectory(nodeId), _options, _log));
            _processors[nodeId] = processor;
            if (_started) processor.Start();
            return processor;
        }
    }

    private List<HintedHandoffProcessor> OpenQueues(CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var opened = new List<HintedHandoffProcessor>();
        try
        {
            foreach (var path in System.IO.Directory.EnumerateDirectories(Directory))
            {
                ct.ThrowIfCancellationRequested();
                if (!HintedHandoffFormat.TryParseNodeDirectoryName(Path.GetFileName(path), out ulong nodeId)) continue;
                var processor = NewProcessor(HintedHandoffQueue.Open(nodeId, path, _options, _log));
                opened.Add(processor);
                if (processor.Queue.Depth > 0)
                    _log.Info(CultureInfo.InvariantCulture, "hinted handoff: queue for node {0} holds {1} entries ({2} bytes)",
                        nodeId, processor.Queue.Depth, processor.Queue.Bytes);
            }
            return opened;
        }
        catch
        {
            foreach (var processor in opened) processor.Queue.Close();
            throw;
        }
    }

    private HintedHandoffProcessor NewProcessor(HintedHandoffQueue queue) => new(queue, _options, _send, _time, _log);

    private string NodeDirectory(ulong nodeId) => Path.Combine(Directory, nodeId.ToString(CultureInfo.InvariantCulture));
}
