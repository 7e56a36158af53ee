using NLog;
using System.Globalization;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// The replay loop of one destination's queue (Enterprise's <c>hh_processor</c>): reads a window of entries ahead,
/// sends them in requests of up to <c>batch-size</c> bytes with up to <c>retry-concurrency</c> in flight, advances the
/// saved position past the entries done, backs off on failure, and drops entries the node refuses or that outlived
/// <c>max-age</c>.
/// </summary>
/// <remarks>
/// Each round takes the window's entries not yet done, groups them by shard in queue order and merges each shard's
/// consecutive entries into requests of at most <c>batch-size</c> bytes (an entry larger than that goes alone). A
/// shard's requests go one after another, so no two for the same shard are ever in flight and a later write to a
/// series never lands before an earlier one; different shards' requests go side by side, at most
/// <c>retry-concurrency</c> at once. After the first failed request no new one starts; the round ends, the saved
/// position moves past the longest prefix of the window that is done, and after the back-off the next round resends
/// only what is not done (entries delivered out of that prefix stay marked done in memory; after a restart they are
/// sent again, which only overwrites points with themselves). The loop is the queue's only reader: the purge timer
/// merely raises a flag, and the loop drops expired entries itself between rounds, so the two never race.
/// </remarks>
internal sealed class HintedHandoffProcessor
{
    /// <summary>Most entries one window holds, whatever their size.</summary>
    internal const int MaxWindowEntries = 8192;

    /// <summary>Request bytes a window may hold whatever <c>batch-size</c> is, so a small one still leaves entries to merge.</summary>
    internal const long MinWindowBytes = 4L << 20;

    private readonly HintedHandoffOptions _options;
    private readonly HintedWriteSender _send;
    private readonly TimeProvider _time;
    private readonly Logger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _purgeLock = new();
    private readonly Lock _throttleLock = new();
    private readonly Lock _windowLock = new();
    private readonly List<WindowEntry> _window = [];
    private int _passed;
    private long _windowBytes;
    private TaskCompletionSource _purgeRequested = NewSignal();
    private DateTimeOffset _sendAllowedAt = DateTimeOffset.MinValue;
    private Task? _loop;

    public HintedHandoffProcessor(HintedHandoffQueue queue, HintedHandoffOptions options, HintedWriteSender send, TimeProvider time, Logger log)
    {
        Queue = queue;
        _options = options;
        _send = send;
        _time = time;
        _log = log;
    }

    public HintedHandoffQueue Queue { get; }

    public ulong NodeId => Queue.NodeId;

    public void Start()
    {
        if (_loop is not null || _stop.IsCancellationRequested) return;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Asks the loop to drop expired entries at its next chance, waking it from a back-off.</summary>
    public void RequestPurge()
    {
        lock (_purgeLock) _purgeRequested.TrySetResult();
    }

    /// <summary>Cancels the loop and waits for it, at most <see cref="HintedHandoffOptions.StopTimeout"/>.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not { } loop) return;
        try
        {
            await loop.WaitAsync(_options.StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogEvent(LogLevel.Warn, null, "hinted handoff: the replay loop for node {0} did not stop within {1}; closing its queue anyway",
                NodeId, _options.StopTimeout);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = _options.RetryInterval;
        long failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (TakePurgeRequest()) Purge();
                long appends = Queue.AppendCount;
                FillWindow();
                if (_window.Count == 0)
                {
                    await Queue.WhenAppendedAsync(appends).WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }
                var round = await SendWindowAsync(ct).ConfigureAwait(false);
                PassDone();
                if (round.Failed == 0)
                {
                    if (failures > 0)
                        LogEvent(LogLevel.Info, null, "hinted handoff: node {0} accepts writes again after {1} failed attempts", NodeId, failures);
                    failures = 0;
                    backoff = _options.RetryInterval;
                    continue;
                }
                if (failures == 0)
                    LogEvent(LogLevel.Warn, null, "hinted handoff: write to node {0} failed; retrying with back-off from {1}: {2}", NodeId, backoff, round.FirstError);
                failures += round.Failed;
                await PauseAsync(backoff, ct).ConfigureAwait(false);
                backoff = Doubled(backoff);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The queue's own I/O failed: keep the process up, forget the window (it is read again from the
                // saved position) and try again later.
                LogEvent(LogLevel.Error, e, "hinted handoff: the queue for node {0} failed; retrying in {1}", NodeId, backoff);
                DiscardWindow();
                try
                {
                    await PauseAsync(backoff, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = Doubled(backoff);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Reads entries ahead until the window holds <c>retry-concurrency</c> × <c>batch-size</c> bytes (at least
    /// <see cref="MinWindowBytes"/>) and at least <c>retry-concurrency</c> entries, so every request that may be in
    /// flight has something to carry.
    /// </summary>
    private void FillWindow()
    {
        long limit = Math.Max(_options.RetryConcurrency * _options.BatchSize, MinWindowBytes);
        while (_window.Count < MaxWindowEntries && (_window.Count < _options.RetryConcurrency || _windowBytes < limit) && Queue.TryReadNext(out var entry))
        {
            _window.Add(new WindowEntry(entry.ShardId, entry.Points, entry.EnqueuedNs, entry.Request.ToArray(), entry.RecordLength));
            _windowBytes += entry.RecordLength;
        }
    }

    /// <summary>
    /// Moves the saved position past the window's leading entries that are done. Called by the workers of a round
    /// after each request, so a crash mid-round repeats little; the entries stay in the window until the round ends.
    /// </summary>
    private void CommitDonePrefix()
    {
        lock (_windowLock)
        {
            while (_passed < _window.Count && _window[_passed].Done)
            {
                var entry = _window[_passed++];
                _windowBytes -= entry.RecordLength;
                Queue.Advance(entry.RecordLength);
            }
        }
    }

    /// <summary>Between rounds: passes what is done and forgets the entries passed.</summary>
    private void PassDone()
    {
        CommitDonePrefix();
        lock (_windowLock)
        {
            _window.RemoveRange(0, _passed);
            _passed = 0;
        }
    }

    private void DiscardWindow()
    {
        lock (_windowLock)
        {
            _window.Clear();
            _passed = 0;
            _windowBytes = 0;
        }
        Queue.ResetReadAhead();
    }

    /// <summary>One round over the window's entries not yet done; see the remarks on the class.</summary>
    private async Task<RoundResult> SendWindowAsync(CancellationToken ct)
    {
        var shards = new List<List<WindowEntry>>();
        var byShard = new Dictionary<ulong, List<WindowEntry>>();
        foreach (var entry in _window)
        {
            if (entry.Done) continue;
            if (IsExpired(entry.EnqueuedNs))
            {
                entry.Done = true;
                Interlocked.Increment(ref Queue.Counters.WriteDropped);
                continue;
            }
            if (!byShard.TryGetValue(entry.ShardId, out var list))
            {
                byShard[entry.ShardId] = list = [];
                shards.Add(list);
            }
            list.Add(entry);
        }
        if (shards.Count == 0) return default;
        var round = new Round();
        int next = -1;
        var workers = new Task[Math.Min(_options.RetryConcurrency, shards.Count)];
        for (int w = 0; w < workers.Length; w++)
            workers[w] = Task.Run(async () =>
            {
                int i;
                while (!round.Stopped && (i = Interlocked.Increment(ref next)) < shards.Count)
                    await SendShardAsync(shards[i], round, ct).ConfigureAwait(false);
            }, CancellationToken.None);
        await Task.WhenAll(workers).ConfigureAwait(false);
        return new RoundResult(round.Failed, round.FirstError);
    }

    /// <summary>Sends one shard's entries in order, in requests of up to <c>batch-size</c> bytes; stops at the round's first failure.</summary>
    private async Task SendShardAsync(List<WindowEntry> entries, Round round, CancellationToken ct)
    {
        var parts = new List<HintedWriteMerge.Parts>();
        int at = 0;
        while (at < entries.Count && !round.Stopped)
        {
            int count = BatchAt(entries, at, parts);
            byte[] request = count == 1 ? entries[at].Request : HintedWriteMerge.Merge(entries[at].ShardId, parts);
            if (!await SendAsync(entries, at, count, request, round, ct).ConfigureAwait(false)) return;
            CommitDonePrefix();
            at += count;
        }
    }

    /// <summary>How many entries from <paramref name="at"/> one request carries; their parts are left in <paramref name="parts"/> when more than one.</summary>
    private int BatchAt(List<WindowEntry> entries, int at, List<HintedWriteMerge.Parts> parts)
    {
        parts.Clear();
        var first = entries[at];
        if (!HintedWriteMerge.TryParse(first.Request, first.ShardId, out var head)) return 1;
        parts.Add(head);
        long payload = head.Payload.Length;
        int count = 1;
        while (at + count < entries.Count)
        {
            var entry = entries[at + count];
            if (!HintedWriteMerge.TryParse(entry.Request, entry.ShardId, out var part) || !HintedWriteMerge.CanJoin(head, part)) break;
            if (HintedWriteMerge.MergedLength(head, payload + part.Payload.Length) > _options.BatchSize) break;
            parts.Add(part);
            payload += part.Payload.Length;
            count++;
        }
        return count;
    }

    /// <summary>
    /// Sends <paramref name="count"/> entries from <paramref name="at"/> as <paramref name="request"/>. True when they
    /// are done (delivered, or refused for good and dropped); false when the request failed and the round stops.
    /// </summary>
    private async Task<bool> SendAsync(List<WindowEntry> entries, int at, int count, byte[] request, Round round, CancellationToken ct)
    {
        int points = 0;
        long bytes = 0;
        for (int i = at; i < at + count; i++)
        {
            points += entries[i].Points;
            bytes += entries[i].RecordLength;
        }
        ulong shardId = entries[at].ShardId;
        await ThrottleAsync(bytes, ct).ConfigureAwait(false);
        try
        {
            await _send(NodeId, shardId, request, ct).ConfigureAwait(false);
        }
        catch (HintedWriteRejectedException e)
        {
            if (count > 1)
            {
                // Refused as a whole: find out which of the entries the node refuses, one request each.
                for (int i = at; i < at + count; i++)
                    if (round.Stopped || !await SendAsync(entries, i, 1, entries[i].Request, round, ct).ConfigureAwait(false)) return false;
                return true;
            }
            LogEvent(LogLevel.Warn, null, "hinted handoff: node {0} refused a queued write for shard {1}; dropped it: {2}", NodeId, shardId, e.Message);
            entries[at].Done = true;
            Interlocked.Increment(ref Queue.Counters.WriteDropped);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref Queue.Counters.WriteNodeReqFail);
            round.Fail(e.Message);
            return false;
        }
        Interlocked.Increment(ref Queue.Counters.WriteNodeReq);
        Interlocked.Add(ref Queue.Counters.WriteNodeReqPoints, points);
        for (int i = at; i < at + count; i++) entries[i].Done = true;
        return true;
    }

    private TimeSpan Doubled(TimeSpan backoff) => backoff >= _options.RetryMaxInterval / 2 ? _options.RetryMaxInterval : backoff * 2;

    private bool IsExpired(long enqueuedNs) =>
        _options.MaxAge > TimeSpan.Zero && enqueuedNs < HintedHandoffFormat.ToUnixNanoseconds(_time.GetUtcNow() - _options.MaxAge);

    /// <summary>
    /// Syncs the tail, then drops expired entries: those in the window (marked done, the done prefix passed), and,
    /// once the window is empty, whole segments and records from the queue. Only between rounds: nothing in flight.
    /// </summary>
    private void Purge()
    {
        Queue.SyncTail();
        if (_options.MaxAge <= TimeSpan.Zero) return;
        long cutoff = HintedHandoffFormat.ToUnixNanoseconds(_time.GetUtcNow() - _options.MaxAge);
        long dropped = 0;
        foreach (var entry in _window)
        {
            if (entry.Done || entry.EnqueuedNs >= cutoff) continue;
            entry.Done = true;
            dropped++;
        }
        PassDone();
        if (_window.Count == 0)
        {
            Queue.ResetReadAhead();
            dropped += Queue.DropExpired(cutoff);
        }
        if (dropped == 0) return;
        Interlocked.Add(ref Queue.Counters.WriteDropped, dropped);
        LogEvent(LogLevel.Info, null, "hinted handoff: dropped {0} entries older than {1} from the queue for node {2}", dropped, _options.MaxAge, NodeId);
    }

    private bool TakePurgeRequest()
    {
        lock (_purgeLock)
        {
            if (!_purgeRequested.Task.IsCompleted) return false;
            _purgeRequested = NewSignal();
            return true;
        }
    }

    private Task PurgeRequested()
    {
        lock (_purgeLock) return _purgeRequested.Task;
    }

    /// <summary>Waits <paramref name="delay"/> by the service's clock, purging whenever the purge timer asks meanwhile.</summary>
    private async Task PauseAsync(TimeSpan delay, CancellationToken ct)
    {
        var until = _time.GetUtcNow() + delay;
        while (true)
        {
            var remaining = until - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero) return;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var elapsed = Task.Delay(remaining, _time, wait.Token);
            var first = await Task.WhenAny(elapsed, PurgeRequested()).ConfigureAwait(false);
            if (first == elapsed)
            {
                await elapsed.ConfigureAwait(false);
                return;
            }
            await wait.CancelAsync().ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (TakePurgeRequest()) Purge();
        }
    }

    /// <summary>
    /// Holds replay to <c>retry-rate-limit</c> bytes per second: each request books its records' share of a second,
    /// after the requests booked before it, and waits for its turn.
    /// </summary>
    private async Task ThrottleAsync(long bytes, CancellationToken ct)
    {
        long limit = _options.RetryRateLimit;
        if (limit <= 0) return;
        TimeSpan wait;
        lock (_throttleLock)
        {
            var now = _time.GetUtcNow();
            var start = _sendAllowedAt > now ? _sendAllowedAt : now;
            _sendAllowedAt = start + TimeSpan.FromTicks((long)((double)bytes * TimeSpan.TicksPerSecond / limit));
            wait = start - now;
        }
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct).ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void LogEvent(LogLevel level, Exception? error, string message, params object?[] args)
    {
        if (!_log.IsEnabled(level)) return;
        _log.Log(LogEventInfo.Create(level, _log.Name, error, CultureInfo.InvariantCulture, message, args));
    }

    /// <summary>An entry of the window: its request copied out of the queue's read buffer.</summary>
    private sealed class WindowEntry(ulong shardId, int points, long enqueuedNs, byte[] request, int recordLength)
    {
        public ulong ShardId { get; } = shardId;
        public int Points { get; } = points;
        public long EnqueuedNs { get; } = enqueuedNs;
        public byte[] Request { get; } = request;
        public int RecordLength { get; } = recordLength;

        private volatile bool _done;

        /// <summary>Delivered, or dropped: the saved position may pass it.</summary>
        public bool Done
        {
            get => _done;
            set => _done = value;
        }
    }

    /// <summary>What the workers of one round share: whether a request failed (no new one starts then) and how often.</summary>
    private sealed class Round
    {
        private int _failed;
        private string? _firstError;

        public bool Stopped => Volatile.Read(ref _failed) > 0;
        public int Failed => Volatile.Read(ref _failed);
        public string? FirstError => Volatile.Read(ref _firstError);

        public void Fail(string error)
        {
            Interlocked.CompareExchange(ref _firstError, error, null);
            Interlocked.Increment(ref _failed);
        }
    }

    private readonly record struct RoundResult(int Failed, string? FirstError);
}
