using NLog;
using System.Globalization;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// The replay loop of one destination's queue (Enterprise's <c>hh_processor</c>): sends the head entry, advances on
/// success, backs off on failure, and drops entries the node refuses or that outlived <c>max-age</c>.
/// </summary>
/// <remarks>
/// Entries go one at a time, strictly in queue order (<c>retry-concurrency</c> is honoured as 1). The loop is the
/// queue's only reader: the purge timer merely raises a flag, and the loop drops expired entries itself between
/// attempts, so the two never race over the head.
/// </remarks>
internal sealed class HintedHandoffProcessor
{
    private readonly HintedHandoffOptions _options;
    private readonly HintedWriteSender _send;
    private readonly TimeProvider _time;
    private readonly Logger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _purgeLock = new();
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
                if (!Queue.TryPeek(out var entry))
                {
                    await Queue.WhenAppendedAsync(appends).WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }
                if (IsExpired(entry.EnqueuedNs))
                {
                    Queue.Advance();
                    Interlocked.Increment(ref Queue.Counters.WriteDropped);
                    continue;
                }
                await ThrottleAsync(entry.RecordLength, ct).ConfigureAwait(false);
                try
                {
                    await _send(NodeId, entry.ShardId, entry.Request, ct).ConfigureAwait(false);
                }
                catch (HintedWriteRejectedException e)
                {
                    LogEvent(LogLevel.Warn, null, "hinted handoff: node {0} refused a queued write for shard {1}; dropped it: {2}", NodeId, entry.ShardId, e.Message);
                    Queue.Advance();
                    Interlocked.Increment(ref Queue.Counters.WriteDropped);
                    backoff = _options.RetryInterval;
                    continue;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref Queue.Counters.WriteNodeReqFail);
                    if (failures++ == 0)
                        LogEvent(LogLevel.Warn, null, "hinted handoff: write to node {0} failed; retrying with back-off from {1}: {2}", NodeId, backoff, e.Message);
                    await PauseAsync(backoff, ct).ConfigureAwait(false);
                    backoff = Doubled(backoff);
                    continue;
                }
                Interlocked.Increment(ref Queue.Counters.WriteNodeReq);
                Interlocked.Add(ref Queue.Counters.WriteNodeReqPoints, entry.Points);
                Queue.Advance();
                if (failures > 0)
                    LogEvent(LogLevel.Info, null, "hinted handoff: node {0} accepts writes again after {1} failed attempts", NodeId, failures);
                failures = 0;
                backoff = _options.RetryInterval;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The queue's own I/O failed: keep the process up and try again later.
                LogEvent(LogLevel.Error, e, "hinted handoff: the queue for node {0} failed; retrying in {1}", NodeId, backoff);
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

    private TimeSpan Doubled(TimeSpan backoff) => backoff >= _options.RetryMaxInterval / 2 ? _options.RetryMaxInterval : backoff * 2;

    private bool IsExpired(long enqueuedNs) =>
        _options.MaxAge > TimeSpan.Zero && enqueuedNs < HintedHandoffFormat.ToUnixNanoseconds(_time.GetUtcNow() - _options.MaxAge);

    private void Purge()
    {
        Queue.SyncTail();
        if (_options.MaxAge <= TimeSpan.Zero) return;
        long cutoff = HintedHandoffFormat.ToUnixNanoseconds(_time.GetUtcNow() - _options.MaxAge);
        long dropped = Queue.DropExpired(cutoff);
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

    /// <summary>Holds replay to <c>retry-rate-limit</c> bytes per second: each record books its share of a second.</summary>
    private async Task ThrottleAsync(int bytes, CancellationToken ct)
    {
        long limit = _options.RetryRateLimit;
        if (limit <= 0) return;
        var now = _time.GetUtcNow();
        if (_sendAllowedAt > now)
        {
            await Task.Delay(_sendAllowedAt - now, _time, ct).ConfigureAwait(false);
            now = _time.GetUtcNow();
        }
        var start = _sendAllowedAt > now ? _sendAllowedAt : now;
        _sendAllowedAt = start + TimeSpan.FromTicks(bytes * TimeSpan.TicksPerSecond / limit);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void LogEvent(LogLevel level, Exception? error, string message, params object?[] args)
    {
        if (!_log.IsEnabled(level)) return;
        _log.Log(LogEventInfo.Create(level, _log.Name, error, CultureInfo.InvariantCulture, message, args));
    }
}
