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
/// Any number of threads append; one reader (the node's replay loop) peeks, advances and purges. Appends and every
/// change to the segment list happen under <c>_sync</c>; the reader's own state (<c>_read*</c>, <c>_peeked</c>) is
/// touched by the reader alone and reads file bytes outside the lock, never past a segment's committed length.
/// Segments the reader has finished are deleted at once, the tail included, so an empty queue holds no segment.
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

    // The reader's state.
    private QueueSegment? _readSegment;
    private SafeFileHandle? _readHandle;
    private long _readOffset;
    private long _readEntries;
    private QueuedWrite _peeked;
    private bool _hasPeeked;
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

    /// <summary>
    /// Appends one record with a single write, flushed to the OS (no fsync: segments are synced when sealed, on
    /// <see cref="SyncTail"/> and on close). False when the queue was closed; it then holds nothing new.
    /// </summary>
    public bool TryAppend(ulong shardId, ReadOnlySpan<byte> request, int points, long enqueuedNs)
    {
        if (request.Length > HintedHandoffFormat.MaxRequestLength)
            throw new ArgumentException($"a hinted write holds at most {HintedHandoffFormat.MaxRequestLength} bytes (got {request.Length})", nameof(request));
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
        }
    }

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
    /// The oldest entry, read (and checked) once and kept until <see cref="Advance"/>. A record whose CRC fails ends
    /// its segment: the rest of that file cannot be framed, so its remaining entries are dropped and logged.
    /// </summary>
    public bool TryPeek(out QueuedWrite entry)
    {
        if (_hasPeeked)
        {
            entry = _peeked;
            return true;
        }
        while (true)
        {
            QueueSegment head;
            long committed;
            lock (_sync)
            {
                if (_closed || _segments.Count == 0)
                {
                    entry = default;
                    return false;
                }
                head = _segments[0];
                committed = head.Length;
            }
            if (!ReferenceEquals(head, _readSegment)) StartReading(head, HintedHandoffFormat.SegmentHeaderSize, 0);
            if (_readOffset >= committed)
            {
                if (ReleaseHeadIfRead()) continue;
                entry = default;
                return false;
            }
            _readHandle ??= File.OpenHandle(head.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (TryReadRecord(committed, out entry))
            {
                Interlocked.Add(ref Counters.BytesRead, entry.RecordLength);
                _peeked = entry;
                _hasPeeked = true;
                return true;
            }
            DropDamagedRest(head);
        }
    }

    /// <summary>Moves past the peeked entry (delivered or dropped) and records the new position.</summary>
    public void Advance()
    {
        if (!_hasPeeked) throw new InvalidOperationException("nothing was peeked");
        _hasPeeked = false;
        _readOffset += _peeked.RecordLength;
        _readEntries++;
        _peeked = default;
        lock (_sync)
        {
            if (_closed) return;
            Volatile.Write(ref _depth, _depth - 1);
            _position.Write(new QueuePosition(_readSegment!.Id, _readOffset));
        }
        ReleaseHeadIfRead();
    }

    /// <summary>
    /// Drops entries enqueued before <paramref name="cutoffNs"/> from the head: whole segments whose newest entry is
    /// older unread, then record by record. Returns how many it dropped.
    /// </summary>
    public long DropExpired(long cutoffNs)
    {
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
        while (TryPeek(out var entry) && entry.EnqueuedNs < cutoffNs)
        {
            Advance();
            dropped++;
        }
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
                _readHandle?.Dispose();
                _readHandle = null;
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
        StopReading();
        _readSegment = segment;
        _readOffset = offset;
        _readEntries = entriesRead;
    }

    private void StopReading()
    {
        _readHandle?.Dispose();
        _readHandle = null;
        _readSegment = null;
        _readOffset = 0;
        _readEntries = 0;
        _hasPeeked = false;
        _peeked = default;
    }

    // Deletes the head segment once the reader is past its last record: the tail too, so a drained queue holds no file.
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
        if (ReferenceEquals(head, _readSegment)) StopReading();
        _segments.RemoveAt(0);
        Volatile.Write(ref _bytes, _bytes - head.Length);
        File.Delete(head.Path);
    }

    private bool TryReadRecord(long committed, out QueuedWrite entry)
    {
        entry = default;
        Span<byte> header = stackalloc byte[HintedHandoffFormat.RecordHeaderSize];
        if (committed - _readOffset < header.Length || !ReadExactly(header, _readOffset)) return false;
        int bodyLength = HintedHandoffFormat.BodyLength(header, out uint checksum);
        if (bodyLength < 0 || bodyLength > committed - _readOffset - header.Length) return false;
        if (_readBuffer.Length < bodyLength) _readBuffer = new byte[Math.Max(bodyLength, _readBuffer.Length * 2)];
        var body = _readBuffer.AsSpan(0, bodyLength);
        if (!ReadExactly(body, _readOffset + header.Length)) return false;
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
            int n = RandomAccess.Read(_readHandle!, destination[total..], offset + total);
            if (n == 0) return false;
            total += n;
        }
        return true;
    }

    // The record at the read offset failed its checks although it was appended whole: damage after the fact.
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
