namespace Cairn.Storage.Engine;

/// <summary>
/// Lets many writers through at once (each appends to the WAL, then inserts into the cache) and lets
/// one maintenance task in alone: a snapshot swaps the cache and rolls the WAL only when no write is
/// between its WAL append and its cache insert, so the segments it later removes hold only values
/// the snapshot wrote out.
/// </summary>
internal sealed class WriteGate
{
    private readonly Lock _lock = new();
    private int _writers;
    private bool _closed;
    private TaskCompletionSource? _drained;
    private TaskCompletionSource? _reopened;

    public ValueTask EnterWriterAsync()
    {
        lock (_lock)
        {
            if (_closed) throw new ObjectDisposedException("shard", "The shard is closed.");
            if (_reopened is null)
            {
                _writers++;
                return ValueTask.CompletedTask;
            }
        }
        return WaitAndEnterAsync();
    }

    private async ValueTask WaitAndEnterAsync()
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_closed) throw new ObjectDisposedException("shard", "The shard is closed.");
                if (_reopened is null)
                {
                    _writers++;
                    return;
                }
                wait = _reopened.Task;
            }
            await wait.ConfigureAwait(false);
        }
    }

    public void ExitWriter()
    {
        lock (_lock)
        {
            _writers--;
            if (_writers == 0) _drained?.TrySetResult();
        }
    }

    /// <summary>Waits until no writer is inside and keeps new ones out until <see cref="ExitExclusive"/>. One caller at a time.</summary>
    public async ValueTask EnterExclusiveAsync()
    {
        Task drained;
        lock (_lock)
        {
            if (_reopened is not null) throw new InvalidOperationException("The write gate is already held exclusively.");
            _reopened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_writers == 0) return;
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }
        await drained.ConfigureAwait(false);
    }

    public void ExitExclusive()
    {
        TaskCompletionSource? reopened;
        lock (_lock)
        {
            if (_closed) return;
            reopened = _reopened;
            _reopened = null;
            _drained = null;
        }
        reopened?.TrySetResult();
    }

    /// <summary>Waits for writers to leave and keeps the gate shut for good.</summary>
    public async ValueTask CloseAsync()
    {
        await EnterExclusiveAsync().ConfigureAwait(false);
        TaskCompletionSource? reopened;
        lock (_lock)
        {
            _closed = true;
            reopened = _reopened;
        }
        reopened?.TrySetResult(); // waiting writers wake, see the gate closed and throw

    }

    public bool IsClosed
    {
        get { lock (_lock) return _closed; }
    }
}
