using Cairn.Common.Platform;
using Microsoft.Win32.SafeHandles;
using NLog;
using System.Buffers;
using System.Globalization;

namespace Cairn.Cluster.HintedHandoff;

/// <summary>
/// One destination node's durable queue: numbered segment files in <see cref="DirectoryPath"/> and a position file
/// (formats in <see cref="HintedHandoffFormat"/> and <see cref="QueuePositionFile"/>).
/// </summary>
/// <remarks>
/// Any number of threads append; one reader (the node's replay loop) reads ahead, advances and purges. The reader
/// has two cursors: the read-ahead (<c>_ahead*</c>), where <see cref="TryReadNext"/> takes the next record, and the
/// saved position (<c>_read*</c>), which <see cref="Advance"/> moves past records that are delivered or dropped and
/// which alone is written to the position file; the read-ahead is never behind it. Appends and every change to the
/// segment list happen under <c>_sync</c>; the reader's own state is touched by the reader alone and reads file bytes
/// outside the lock, never past a segment's committed length. Segments the saved position has passed are deleted at
/// once, the tail included, so an empty queue holds no segment. At most <c>max-writes-pending</c> appends may wait
/// for <c>_sync</c> at once; one more is refused.
/// </remarks>
internal sealed partial class HintedHandoffQueue : IDisposable
{
    private readonly Lock _sync = new();
    private readonly List<QueueSegment> _segments = [];
    private readonly HintedHandoffOptions _options;
    private readonly Logger _log;
    private readonly QueuePositionFile _position;
    private ulong _nextSegmentId;
    private long _bytes;
    private long _depth;
    private long _appends;
    private bool _closed;
    private TaskCompletionSource? _appendWaiter;
    private int _pendingAppends;

    // The reader's state: the saved position (in the head segment)...
    private QueueSegment? _readSegment;
    private long _readOffset;
    private long _readEntries;

    // ...and the read-ahead, at or after it.
    private QueueSegment? _aheadSegment;
    private SafeFileHandle? _aheadHandle;
    private long _aheadOffset;
    private byte[] _readBuffer = new byte[4096];

    private HintedHandoffQueue(ulong nodeId, string directory, HintedHandoffOptions options, Logger log, QueuePositionFile position)
    {
        NodeId = nodeId;
        DirectoryPath = directory;
        _options = options;
        _log = log;
        _position = position;
    }

    public ulong NodeId { get; }

    public string DirectoryPath { get; }

    public NodeQueueCounters Counters { get; } = new();

    /// <summary>Bytes of segment files on disk.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Entries neither delivered nor dropped.</summary>
    public long Depth => Volatile.Read(ref _depth);

    /// <summary>Appends so far; pass it to <see cref="WhenAppendedAsync"/> to wait for the next one.</summary>
    public long AppendCount => Volatile.Read(ref _appends);

    /// <summary>The segment files, oldest first (for tests and diagnostics).</summary>
    public IReadOnlyList<string> SegmentPaths
    {
        get
        {
            lock (_sync) return _segments.ConvertAll(s => s.Path);
        }
    }

    /// <summary>Appends under way or waiting for the queue's lock.</summary>
    public int PendingAppends => Volatile.Read(ref _pendingAppends);

    /// <summary>
    /// Appends one record with a single write, flushed to the OS (no fsync: segments are synced when sealed, on
    /// <see cref="SyncTail"/> and on close). False when the queue was closed; it then holds nothing new.
    /// </summary>
    /// <exception cref="HintedHandoffQueueBlockedException"><c>max-writes-pending</c> appends are already pending.</exception>
    /// <exception cref="HintedHandoffQueueFullException">The record would take the queue past <c>max-size</c>.</exception>
    public bool TryAppend(ulong shardId, ReadOnlySpan<byte> request, int points, long enqueuedNs)
    {
        if (request.Length > HintedHandoffFormat.MaxRequestLength)
            throw new ArgumentException($"a hinted write holds at most {HintedHandoffFormat.MaxRequestLength} bytes (got {request.Length})", nameof(request));
        int limit = _options.MaxWritesPending;
        if (Interlocked.Increment(ref _pendingAppends) > limit && limit > 0)
        {
            Interlocked.Decrement(ref _pendingAppends);
            Interlocked.Increment(ref Counters.WriteBlocked);
            throw new HintedHandoffQueueBlockedException(NodeId);
        }
        int recordLength = HintedHandoffFormat.RecordOverhead + request.Length;
        byte[] record = ArrayPool<byte>.Shared.Rent(recordLength);
        try
        {
            HintedHandoffFormat.WriteRecord(record.AsSpan(0, recordLength), enqueuedNs, shardId, points, request);
            TaskCompletionSource? waiter;
            lock (_sync)
            {
                if (_closed) return false;
                var tail = _segments.Count > 0 ? _segments[^1] : null;
                bool roll = tail?.Writer is null || (tail.Entries > 0 && tail.Length + recordLength > _options.SegmentSize);
                long growth = recordLength + (roll ? HintedHandoffFormat.SegmentHeaderSize : 0);
                if (_bytes + growth > _options.MaxSize)
                {
                    Interlocked.Increment(ref Counters.WriteBlocked);
                    throw new HintedHandoffQueueFullException(NodeId);
                }
                if (roll) tail = Roll();
                WriteRecord(tail!, record.AsSpan(0, recordLength));
                tail!.Length += recordLength;
                tail.Entries++;
                tail.NewestEnqueuedNs = Math.Max(tail.NewestEnqueuedNs, enqueuedNs);
                Volatile.Write(ref _bytes, _bytes + recordLength);
                Volatile.Write(ref _depth, _depth + 1);
                Volatile.Write(ref _appends, _appends + 1);
                waiter = _appendWaiter;
                _appendWaiter = null;
            }
            Interlocked.Add(ref Counters.BytesWritten, recordLength);
            waiter?.TrySetResult();
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
            Interlocked.Decrement(ref _pendingAppends);
        }
    }

    /// <summary>Holds the lock appends take, so tests can make appends wait (and pile up) deterministically.</summary>
    internal Lock.Scope HoldAppendsForTest() => _sync.EnterScope();

    /// <summary>Completes at the first append after <paramref name="appendCount"/> (at once if there was one), or on close.</summary>
    public Task WhenAppendedAsync(long appendCount)
    {
        lock (_sync)
        {
            if (_closed || _appends != appendCount) return Task.CompletedTask;
            _appendWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _appendWaiter.Task;
        }
    }

    /// <summary>
    /// Reads the record after the last one read ahead (the first after the saved position when nothing is),
    /// leaving the saved position where it is. <paramref name="entry"/>'s request is the queue's read buffer: valid
    /// until the next read. False when there is nothing more to read now. A record whose CRC fails ends its segment:
    /// the rest of that file cannot be framed, so once the saved position reaches it, the segment's remaining
    /// entries are dropped and logged; until then the read stops short of it.
    /// </summary>
    public bool TryReadNext(out QueuedWrite entry)
    {
        while (true)
        {
            QueueSegment segment;
            QueueSegment? next;
            long committed;
            lock (_sync)
            {
                if (_closed || _segments.Count == 0)
                {
                    entry = default;
                    return false;
                }
                var head = _segments[0];
                if (!ReferenceEquals(head, _readSegment)) StartReading(head, HintedHandoffFormat.SegmentHeaderSize, 0);
                if (_aheadSegment is null) StartReadingAhead(head, _readOffset);
                int index = _segments.IndexOf(_aheadSegment!);
                if (index < 0)
                {
                    StartReadingAhead(head, _readOffset);
                    index = 0;
                }
                segment = _aheadSegment!;
                committed = segment.Length;
                next = index + 1 < _segments.Count ? _segments[index + 1] : null;
            }
            if (_aheadOffset >= committed)
            {
                if (next is null)
                {
                    entry = default;
                    return false;
                }
                StartReadingAhead(next, HintedHandoffFormat.SegmentHeaderSize);
                continue;
            }
            _aheadHandle ??= File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (TryReadRecord(committed, out entry))
            {
                _aheadOffset += entry.RecordLength;
                return true;
            }
            if (!ReferenceEquals(segment, _readSegment) || _aheadOffset != _readOffset)
            {
                entry = default;
                return false;
            }
            DropDamagedRest(segment);
            ReleaseHeadIfRead();
        }
    }

    /// <summary>
    /// Moves the saved position past the oldest entry not yet passed (delivered or dropped), whose record is
    /// <paramref name="recordLength"/> bytes, and records it. Entries are passed in the order they were read.
    /// </summary>
    public void Advance(int recordLength)
    {
        lock (_sync)
        {
            if (_closed) return;
            if (_segments.Count == 0) throw new InvalidOperationException("the queue is empty");
            var head = _segments[0];
            if (!ReferenceEquals(head, _readSegment)) StartReading(head, HintedHandoffFormat.SegmentHeaderSize, 0);
            // A head with nothing left to pass (recovered empty, or cut short by damage): the record is in a later segment.
            while (_readOffset >= head.Length && _segments.Count > 1)
            {
                RemoveHead(head);
                head = _segments[0];
                StartReading(head, HintedHandoffFormat.SegmentHeaderSize, 0);
            }
            if (recordLength < HintedHandoffFormat.RecordOverhead || _readOffset + recordLength > head.Length)
                throw new InvalidOperationException($"no record of {recordLength} bytes at offset {_readOffset} of {head.Path}");
            _readOffset += recordLength;
            _readEntries++;
            Volatile.Write(ref _depth, _depth - 1);
            _position.Write(new QueuePosition(head.Id, _readOffset));
        }
        Interlocked.Add(ref Counters.BytesRead, recordLength);
        ReleaseHeadIfRead();
    }

    /// <summary>Forgets what was read ahead: the next <see cref="TryReadNext"/> reads the first entry after the saved position.</summary>
    public void ResetReadAhead()
    {
        _aheadHandle?.Dispose();
        _aheadHandle = null;
        _aheadSegment = null;
        _aheadOffset = 0;
    }

    /// <summary>
    /// Drops entries enqueued before <paramref name="cutoffNs"/> from the head: whole segments whose newest entry is
    /// older unread, then record by record. Returns how many it dropped. Forgets what was read ahead.
    /// </summary>
    public long DropExpired(long cutoffNs)
    {
        ResetReadAhead();
        long dropped = 0;
        while (true)
        {
            lock (_sync)
            {
                if (_closed || _segments.Count == 0) return dropped;
                var head = _segments[0];
                if (head.NewestEnqueuedNs >= cutoffNs) break;
                long remaining = head.Entries - (ReferenceEquals(head, _readSegment) ? _readEntries : 0);
                _position.Write(new QueuePosition(head.Id, head.Length));
                RemoveHead(head);
                Volatile.Write(ref _depth, _depth - remaining);
                dropped += remaining;
            }
        }
        while (TryReadNext(out var entry) && entry.EnqueuedNs < cutoffNs)
        {
            Advance(entry.RecordLength);
            dropped++;
        }
        ResetReadAhead();
        return dropped;
    }

    /// <summary>Fsyncs the active segment, bounding what a power cut can take to the appends since the last call.</summary>
    public void SyncTail()
    {
        lock (_sync)
        {
            if (!_closed && _segments.Count > 0 && _segments[^1].Writer is { } writer) RandomAccess.FlushToDisk(writer);
        }
    }

    /// <summary>Syncs and closes the files; later appends return false and reads find nothing. Idempotent.</summary>
    public void Close()
    {
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            if (_closed) return;
            _closed = true;
            waiter = _appendWaiter;
            _appendWaiter = null;
            try
            {
                if (_segments.Count > 0 && _segments[^1].Writer is { } writer)
                {
                    RandomAccess.FlushToDisk(writer);
                    writer.Dispose();
                    _segments[^1].Writer = null;
                }
                _position.Flush();
            }
            finally
            {
                _position.Dispose();
                ResetReadAhead();
            }
        }
        waiter?.TrySetResult();
    }

    public void Dispose() => Close();

    /// <summary>Closes the queue and deletes its directory.</summary>
    public void Delete()
    {
        Close();
        if (Directory.Exists(DirectoryPath)) Directory.Delete(DirectoryPath, recursive: true);
    }

    // Under _sync: seals the tail (fsync, close) and starts segment _nextSegmentId.
    private QueueSegment Roll()
    {
        ulong id = _nextSegmentId++;
        string path = Path.Combine(DirectoryPath, HintedHandoffFormat.SegmentFileName(id));
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            Span<byte> header = stackalloc byte[HintedHandoffFormat.SegmentHeaderSize];
            HintedHandoffFormat.WriteSegmentHeader(header);
            RandomAccess.Write(handle, header, 0);
            DirectorySync.Flush(DirectoryPath);
        }
        catch
        {
            handle.Dispose();
            File.Delete(path);
            throw;
        }
        if (_segments.Count > 0 && _segments[^1].Writer is { } sealing)
        {
            _segments[^1].Writer = null;
            try
            {
                RandomAccess.FlushToDisk(sealing);
            }
            catch (IOException e)
            {
                LogEvent(LogLevel.Error, e, "hinted handoff queue {0}: fsync of sealed segment {1} failed", DirectoryPath, _segments[^1].Path);
            }
            finally
            {
                sealing.Dispose();
            }
        }
        var segment = new QueueSegment(id, path) { Length = HintedHandoffFormat.SegmentHeaderSize, Writer = handle };
        _segments.Add(segment);
        Volatile.Write(ref _bytes, _bytes + segment.Length);
        return segment;
    }

    // Under _sync. A failed write may have left part of the record: cut it off so the next record follows whole ones;
    // if even that fails, seal the segment, whose committed length still ends before the damage.
    private void WriteRecord(QueueSegment tail, ReadOnlySpan<byte> record)
    {
        try
        {
            RandomAccess.Write(tail.Writer!, record, tail.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                RandomAccess.SetLength(tail.Writer!, tail.Length);
            }
            catch (IOException)
            {
                tail.Writer!.Dispose();
                tail.Writer = null;
            }
            throw;
        }
    }

    private void StartReading(QueueSegment segment, long offset, long entriesRead)
    {
        _readSegment = segment;
        _readOffset = offset;
        _readEntries = entriesRead;
    }

    private void StartReadingAhead(QueueSegment segment, long offset)
    {
        ResetReadAhead();
        _aheadSegment = segment;
        _aheadOffset = offset;
    }

    // Deletes the head segment once the saved position is past its last record: the tail too, so a drained queue holds no file.
    private bool ReleaseHeadIfRead()
    {
        lock (_sync)
        {
            if (_closed || _segments.Count == 0) return false;
            var head = _segments[0];
            if (!ReferenceEquals(head, _readSegment) || _readOffset < head.Length) return false;
            RemoveHead(head);
            return _segments.Count > 0;
        }
    }

    // Under _sync.
    private void RemoveHead(QueueSegment head)
    {
        if (head.Writer is { } writer)
        {
            writer.Dispose();
            head.Writer = null;
        }
        if (ReferenceEquals(head, _readSegment))
        {
            _readSegment = null;
            _readOffset = 0;
            _readEntries = 0;
        }
        if (ReferenceEquals(head, _aheadSegment)) ResetReadAhead();
        _segments.RemoveAt(0);
        Volatile.Write(ref _bytes, _bytes - head.Length);
        File.Delete(head.Path);
    }

    private bool TryReadRecord(long committed, out QueuedWrite entry)
    {
        entry = default;
        Span<byte> header = stackalloc byte[HintedHandoffFormat.RecordHeaderSize];
        if (committed - _aheadOffset < header.Length || !ReadExactly(header, _aheadOffset)) return false;
        int bodyLength = HintedHandoffFormat.BodyLength(header, out uint checksum);
        if (bodyLength < 0 || bodyLength > committed - _aheadOffset - header.Length) return false;
        if (_readBuffer.Length < bodyLength) _readBuffer = new byte[Math.Max(bodyLength, _readBuffer.Length * 2)];
        var body = _readBuffer.AsSpan(0, bodyLength);
        if (!ReadExactly(body, _aheadOffset + header.Length)) return false;
        if (HintedHandoffFormat.Checksum(header[..4], body) != checksum) return false;
        entry = new QueuedWrite(
            HintedHandoffFormat.ShardId(body),
            HintedHandoffFormat.Points(body),
            HintedHandoffFormat.EnqueuedNs(body),
            _readBuffer.AsMemory(HintedHandoffFormat.BodyHeaderSize, bodyLength - HintedHandoffFormat.BodyHeaderSize),
            header.Length + bodyLength);
        return true;
    }

    private bool ReadExactly(Span<byte> destination, long offset)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = RandomAccess.Read(_aheadHandle!, destination[total..], offset + total);
            if (n == 0) return false;
            total += n;
        }
        return true;
    }

    // The record at the saved position (and the read-ahead) failed its checks although it was appended whole: damage after the fact.
    private void DropDamagedRest(QueueSegment head)
    {
        long lost;
        long offset = _readOffset;
        lock (_sync)
        {
            if (_closed) return;
            lost = head.Entries - _readEntries;
            _readOffset = head.Length;
            _readEntries = head.Entries;
            _aheadOffset = head.Length;
            Volatile.Write(ref _depth, _depth - lost);
            _position.Write(new QueuePosition(head.Id, _readOffset));
        }
        Interlocked.Add(ref Counters.WriteDropped, lost);
        LogEvent(LogLevel.Error, null, "hinted handoff queue {0}: segment {1} is damaged at offset {2}; dropped its last {3} entries",
            DirectoryPath, head.Path, offset, lost);
    }

    private void LogEvent(LogLevel level, Exception? error, string message, params object?[] args)
    {
        if (!_log.IsEnabled(level)) return;
        _log.Log(LogEventInfo.Create(level, _log.Name, error, CultureInfo.InvariantCulture, message, args));
    }
}
