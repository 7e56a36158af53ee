using Cairn.Common.Platform;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Cairn.Storage.Wal;

/// <summary>
/// One shard's write-ahead log: numbered segment files in one directory, appended by a single
/// writer loop that batches concurrent appends into one gather write and one fsync (group commit).
/// An append completes only once its entry is on disk.
/// </summary>
/// <remarks>
/// Lifecycle: <see cref="OpenAsync"/> (repairs a torn tail of the newest segment), then
/// <see cref="ReplayAsync"/> into the cache, then appends; <see cref="RollAsync"/> when the cache
/// is snapshotted and <see cref="RemoveSegmentsThroughAsync"/> once the snapshot is in a shard
/// file; <see cref="CloseAsync"/> last. After an I/O failure the WAL takes no more appends
/// (the state of an fsync'd-but-failed file is unknowable): close and reopen it.
/// </remarks>
public sealed partial class WriteAheadLog : IAsyncDisposable, IDisposable
{
    internal const string LockFileName = "wal.lock";

    private readonly WalOptions _options;
    private readonly Logger _log;
    private readonly Channel<AppendRequest> _queue;
    private readonly AppendRequestPool _pool;

    // Guards the segment list and what the writer publishes for readers and removers.
    private readonly Lock _gate = new();
    private readonly List<long> _segments = [];          // ids on disk, ascending, the active one included
    private readonly List<WalCorruption> _repairedAtOpen = [];
    private long _publishedActiveId;                      // 0 when no segment is open for appends
    private long _durableLength;                          // of the active segment: bytes fsync'd

    private SafeFileHandle? _lock;
    private Task _writer = Task.CompletedTask;
    private Task? _closing;
    private volatile Exception? _fault;

    private long _appends;
    private long _groups;
    private long _fsyncs;
    private long _bytesWritten;

    private WriteAheadLog(string directory, WalOptions options)
    {
        DirectoryPath = directory;
        _options = options;
        _log = options.Logger ?? LogManager.GetLogger("wal");
        _queue = Channel.CreateBounded<AppendRequest>(new BoundedChannelOptions(options.QueueDepth)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        _pool = new AppendRequestPool(options.QueueDepth + options.MaxGroupEntries);
    }

    /// <summary>The WAL's directory, absolute.</summary>
    public string DirectoryPath { get; }

    /// <summary>
    /// Opens (creating it if needed) the WAL in <paramref name="directory"/>. A torn or corrupt tail
    /// of the newest segment is logged and cut off so appends continue after the last good entry.
    /// Throws for invalid options and for I/O failures, never for bad data.
    /// </summary>
    public static ValueTask<WriteAheadLog> OpenAsync(string directory, WalOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error) throw new ArgumentException(error, nameof(options));
        ct.ThrowIfCancellationRequested();

        var path = Path.GetFullPath(directory);
        Directory.CreateDirectory(path);
        var wal = new WriteAheadLog(path, options);
        try
        {
            wal._lock = LockDirectory(path);
            wal.RecoverNewestSegment();
        }
        catch
        {
            wal._active?.Dispose();
            wal._lock?.Dispose();
            throw;
        }
        wal._writer = Task.Run(wal.WriterLoopAsync, CancellationToken.None);
        return ValueTask.FromResult(wal);
    }

    /// <summary>
    /// Appends one entry and completes once it is durable, with its sequence number: strictly
    /// increasing in the order entries were written, and the segment id in its high 32 bits
    /// (<see cref="SegmentOf"/>). <paramref name="payload"/> is written in place: leave it
    /// unchanged until the returned task completes. <paramref name="ct"/> cancels only the wait for
    /// queue room; once queued, the entry is written and the call completes when it is durable.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The WAL is closed.</exception>
    /// <exception cref="IOException">Writing or syncing failed (now or for an earlier group).</exception>
    public ValueTask<long> AppendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        if (payload.Length > WalFormat.MaxPayloadLength) ThrowPayloadTooLarge(payload.Length);
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled<long>(ct);
        var request = _pool.Rent();
        request.PrepareAppend(type, payload);
        return Enqueue(request, ct);
    }

    /// <summary>
    /// Closes the segment appends go to and returns its id: every entry acknowledged before this
    /// call lives in a segment with an id at most the result. The next append opens a new segment.
    /// When the active segment holds no entries nothing is closed and the id before it is returned.
    /// </summary>
    public ValueTask<long> RollAsync(CancellationToken ct = default)
    {
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled<long>(ct);
        var request = _pool.Rent();
        request.PrepareRoll();
        return Enqueue(request, ct);
    }

    /// <summary>
    /// Deletes the closed segments with ids up to <paramref name="segmentId"/>, once their entries
    /// are safe in shard files. The active segment is never removed. Returns how many were deleted.
    /// </summary>
    public ValueTask<int> RemoveSegmentsThroughAsync(long segmentId, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        List<long> doomed = [];
        lock (_gate)
        {
            foreach (var id in _segments)
            {
                if (id > segmentId) break;
                if (id != _publishedActiveId) doomed.Add(id);
            }
        }
        foreach (var id in doomed)
        {
            File.Delete(SegmentPath(id));
            lock (_gate) _segments.Remove(id);
        }
        if (doomed.Count > 0) DirectorySync.Flush(DirectoryPath);
        return ValueTask.FromResult(doomed.Count);
    }

    /// <summary>Ids of the segment files in the WAL, ascending, the active one included.</summary>
    public IReadOnlyList<long> SegmentIds
    {
        get
        {
            lock (_gate) return _segments.ToArray();
        }
    }

    public WalStatistics Statistics
    {
        get
        {
            long active;
            lock (_gate) active = _publishedActiveId;
            return new WalStatistics(Interlocked.Read(ref _appends), Interlocked.Read(ref _groups),
                Interlocked.Read(ref _fsyncs), Interlocked.Read(ref _bytesWritten), active);
        }
    }

    /// <summary>The segment id inside a sequence number from <see cref="AppendAsync"/>.</summary>
    public static long SegmentOf(long sequence) => sequence >>> 32;

    /// <summary>Stops taking appends, waits until every queued one is durable, closes the files.</summary>
    public ValueTask CloseAsync()
    {
        lock (_gate) _closing ??= CloseCoreAsync();
        return new ValueTask(_closing);
    }

    public ValueTask DisposeAsync() => CloseAsync();

    public void Dispose() => CloseAsync().AsTask().GetAwaiter().GetResult();

    private async Task CloseCoreAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _delay?.Dispose();
        _lock?.Dispose();
    }

    private ValueTask<long> Enqueue(AppendRequest request, CancellationToken ct)
    {
        if (_queue.Writer.TryWrite(request)) return request.AsValueTask();
        return EnqueueWhenRoomAsync(request, ct);
    }

    private async ValueTask<long> EnqueueWhenRoomAsync(AppendRequest request, CancellationToken ct)
    {
        try
        {
            await _queue.Writer.WriteAsync(request, ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            request.Discard();
            ThrowNotAccepting();
        }
        catch (OperationCanceledException)
        {
            request.Discard();
            throw;
        }
        return await request.AsValueTask().ConfigureAwait(false);
    }

    private string SegmentPath(long id) => Path.Combine(DirectoryPath, WalFormat.SegmentFileName(id));

    /// <summary>Segment ids present in the directory, ascending; other files are left alone.</summary>
    private List<long> ListSegmentIds()
    {
        var ids = new List<long>();
        foreach (var path in Directory.EnumerateFiles(DirectoryPath, "*" + WalFormat.Extension))
        {
            if (WalFormat.TryParseSegmentFileName(Path.GetFileName(path), out var id)) ids.Add(id);
        }
        ids.Sort();
        return ids;
    }

    /// <summary>
    /// Holds <c>wal.lock</c> exclusively (flock on Unix) while the WAL is open: two writers on one
    /// directory would interleave entries. The file stays; only the lock goes with the process.
    /// </summary>
    private static SafeFileHandle LockDirectory(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        try
        {
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"WAL {directory} is already open ({path} is locked): {e.Message}", e);
        }
    }

    private static SafeFileHandle OpenForAppend(string path, FileMode mode) =>
        File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    [DoesNotReturn]
    private void ThrowNotAccepting()
    {
        if (_fault is { } fault) throw new IOException($"WAL {DirectoryPath} failed earlier and takes no more appends: {fault.Message}", fault);
        throw new ObjectDisposedException(nameof(WriteAheadLog), $"WAL {DirectoryPath} is closed");
    }

    [DoesNotReturn]
    private static void ThrowPayloadTooLarge(int length) =>
        throw new ArgumentOutOfRangeException("payload", length, $"a WAL entry holds at most {WalFormat.MaxPayloadLength} bytes");
}
