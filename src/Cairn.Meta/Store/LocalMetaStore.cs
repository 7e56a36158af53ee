using Cairn.Common.Platform;
using NLog;

namespace Cairn.Meta.Store;

/// <summary>
/// The meta store of a single node, in <c>[meta] dir</c>: meta.snapshot holds the state at some index and
/// meta.log the commands applied after it. Opening loads the snapshot and replays the log; every command
/// is appended and fsynced before it is applied and acknowledged; every <c>snapshotInterval</c> commands
/// the state is written to a new snapshot (temp file, fsync, rename) and the log is emptied.
/// </summary>
public sealed class LocalMetaStore : IMetaStore, IAsyncDisposable, IDisposable
{
    public const int DefaultSnapshotInterval = 1000;
    internal const string SnapshotFileName = "meta.snapshot";
    internal const string LogFileName = "meta.log";
    private const string SnapshotTempFileName = "meta.snapshot.tmp";

    private static readonly Logger Log = LogManager.GetLogger("meta");

    private readonly string _directory;
    private readonly int _snapshotInterval;
    private readonly MetaCommandLog _log;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile MetaState _current;
    private TaskCompletionSource _changed = NewSignal();
    private ulong _snapshotIndex;
    private bool _faulted;
    private volatile bool _disposed;

    private LocalMetaStore(string directory, int snapshotInterval, MetaCommandLog log, MetaState state, ulong snapshotIndex)
    {
        _directory = directory;
        _snapshotInterval = snapshotInterval;
        _log = log;
        _current = state;
        _snapshotIndex = snapshotIndex;
    }

    public MetaState Current => _current;

    public string Directory => _directory;

    /// <summary>Opens the store in <paramref name="directory"/>, creating it if needed.</summary>
    public static async Task<LocalMetaStore> OpenAsync(string directory, int snapshotInterval = DefaultSnapshotInterval, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapshotInterval);
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        File.Delete(Path.Combine(directory, SnapshotTempFileName)); // left by a crash mid-snapshot; the old snapshot stands

        var snapshotPath = Path.Combine(directory, SnapshotFileName);
        var state = File.Exists(snapshotPath)
            ? MetaSnapshotCodec.Decode(await File.ReadAllBytesAsync(snapshotPath, cancellationToken).ConfigureAwait(false))
            : MetaState.Empty;
        ulong snapshotIndex = state.Index;

        var records = new List<MetaCommandLog.Record>();
        var log = MetaCommandLog.Open(Path.Combine(directory, LogFileName), records);
        try
        {
            int stale = 0;
            foreach (var record in records)
            {
                // A crash between writing a snapshot and emptying the log leaves records the snapshot already holds.
                if (record.Index <= snapshotIndex) { stale++; continue; }
                if (record.Index != state.Index + 1)
                    throw new InvalidDataException($"meta log: record for index {record.Index} follows index {state.Index}");
                var result = MetaStateMachine.Apply(state, MetaCommandCodec.Decode(record.Command), out var next);
                if (!result.IsOk || !result.Changed)
                    Log.Warn("meta log: replaying index {0} gave {1}; it succeeded when it was written", record.Index, result);
                state = next;
            }

            var store = new LocalMetaStore(directory, snapshotInterval, log, state, snapshotIndex);
            if (stale > 0 || state.Index - snapshotIndex >= (ulong)snapshotInterval) store.WriteSnapshot(state);
            Log.Info("meta store {0} opened at index {1} ({2} commands replayed)", directory, state.Index, records.Count - stale);
            return store;
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    public async ValueTask<MetaResult> ExecuteAsync(MetaCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_faulted) throw new InvalidOperationException($"meta store {_directory} could not restore its log after a failed write; reopen it");

            var current = _current;
            var result = MetaStateMachine.Apply(current, command, out var next);
            // Refusals and repeats change nothing, so they are not logged and the index stays.
            if (!result.IsOk || !result.Changed) return result with { Index = current.Index };

            try
            {
                await _log.AppendAsync(next.Index, MetaCommandCodec.Encode(command)).ConfigureAwait(false);
            }
            catch (MetaLogFaultedException)
            {
                _faulted = true;
                throw;
            }
            Publish(next);

            if (next.Index - _snapshotIndex >= (ulong)_snapshotInterval)
            {
                // The command is durable in the log already; a failed snapshot is retried after the next command.
                try { WriteSnapshot(next); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.Error(e, "meta store {0}: snapshot at index {1} failed; the log keeps the commands", _directory, next.Index);
                }
            }
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<MetaState> WaitForIndexAsync(ulong index, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Signal first, state second: Publish sets the state before it swaps the signal, so no change is missed.
            var signal = Volatile.Read(ref _changed);
            var state = _current;
            if (state.Index > index) return state;
            ObjectDisposedException.ThrowIf(_disposed, this);
            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Publish(MetaState next)
    {
        _current = next;
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    /// <summary>Writes <paramref name="state"/> as the snapshot (temp file, fsync, rename, directory fsync), then empties the log.</summary>
    private void WriteSnapshot(MetaState state)
    {
        var bytes = MetaSnapshotCodec.Encode(state);
        var temp = Path.Combine(_directory, SnapshotTempFileName);
        using (var file = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(file, bytes, 0);
            RandomAccess.FlushToDisk(file);
        }
        File.Move(temp, Path.Combine(_directory, SnapshotFileName), overwrite: true);
        DirectorySync.Flush(_directory);
        _snapshotIndex = state.Index;
        _log.Truncate();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try { Close(); }
        finally { _writeLock.Release(); }
    }

    public void Dispose()
    {
        _writeLock.Wait();
        try { Close(); }
        finally { _writeLock.Release(); }
    }

    private void Close()
    {
        if (_disposed) return;
        _disposed = true;
        _log.Dispose();
        // Waiters wake, see the store closed and throw ObjectDisposedException.
        Volatile.Read(ref _changed).TrySetResult();
    }
}
