using Cairn.Common.Platform;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Cairn.Storage.Wal;

// The single writer loop: takes a group of queued appends, writes them with one gather write,
// fsyncs once, then acknowledges them all.
public sealed partial class WriteAheadLog
{
    // pwritev takes at most IOV_MAX (1024 on Linux) buffers; two per entry.
    private const int MaxBuffersPerWrite = 512;

    // Owned by the writer loop (and by open, before the loop starts).
    private SafeFileHandle? _active;
    private long _activeId;
    private long _activeLength;
    private long _activeOrdinal;
    private long _nextSegmentId = 1;
    private bool _directoryDirty;
    private long _groupBytes;
    private CancellationTokenSource? _delay;
    private readonly List<ReadOnlyMemory<byte>> _buffers = [];

    private async Task WriterLoopAsync()
    {
        var reader = _queue.Reader;
        var group = new List<AppendRequest>(Math.Min(_options.MaxGroupEntries, 1024));
        AppendRequest? control = null;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _groupBytes = 0;
                control = Gather(group);
                if (control is null && group.Count > 0 && _options.FsyncDelay > TimeSpan.Zero)
                    control = await GatherForAsync(group, _options.FsyncDelay).ConfigureAwait(false);
                if (group.Count > 0) Commit(group);
                if (control is not null)
                {
                    Apply(control);
                    control = null;
                }
            }
        }
        catch (Exception e)
        {
            control?.Fail(e);
            Fail(e, group);
        }
        finally
        {
            _active?.Dispose();
            _active = null;
        }
    }

    /// <summary>Moves queued appends into <paramref name="group"/> up to its limits; stops at (and returns) a control request.</summary>
    private AppendRequest? Gather(List<AppendRequest> group)
    {
        while (!IsFull(group) && _queue.Reader.TryRead(out var request))
        {
            if (request.Kind != RequestKind.Append) return request;
            group.Add(request);
            _groupBytes += request.Payload.Length;
        }
        return null;
    }

    private bool IsFull(List<AppendRequest> group) =>
        group.Count >= _options.MaxGroupEntries || _groupBytes >= _options.MaxGroupBytes;

    /// <summary>wal-fsync-delay: keeps gathering until <paramref name="delay"/> has passed since the group's first entry, or the group is full.</summary>
    private async ValueTask<AppendRequest?> GatherForAsync(List<AppendRequest> group, TimeSpan delay)
    {
        long start = Stopwatch.GetTimestamp();
        while (!IsFull(group))
        {
            var remaining = delay - Stopwatch.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(remaining).ConfigureAwait(false)) break;
            if (Gather(group) is { } control) return control;
        }
        return null;
    }

    /// <summary>True when more requests are queued, false when <paramref name="timeout"/> passed or the queue was completed.</summary>
    private async ValueTask<bool> WaitForMoreAsync(TimeSpan timeout)
    {
        if (_delay is null || !_delay.TryReset())
        {
            _delay?.Dispose();
            _delay = new CancellationTokenSource();
        }
        _delay.CancelAfter(timeout);
        try
        {
            return await _queue.Reader.WaitToReadAsync(_delay.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Writes the group, rolling segments where one fills, fsyncs, then acknowledges every entry.</summary>
    private void Commit(List<AppendRequest> group)
    {
        int next = 0;
        while (next < group.Count)
        {
            if (_active is null) CreateSegment();
            next = WriteIntoActive(group, next);
            if (next < group.Count)
            {
                // The active segment is full: make what it holds durable before leaving it.
                Sync();
                CloseActive();
            }
        }
        Sync();

        Interlocked.Add(ref _appends, group.Count);
        Interlocked.Increment(ref _groups);
        foreach (var request in group) request.Complete(request.Sequence);
        group.Clear();
    }

    /// <summary>Writes entries from <paramref name="first"/> while they fit the active segment; returns the index of the first one left.</summary>
    private int WriteIntoActive(List<AppendRequest> group, int first)
    {
        var buffers = _buffers;
        long writeAt = _activeLength;
        long end = _activeLength;
        int i = first;
        for (; i < group.Count; i++)
        {
            var request = group[i];
            bool segmentHasEntries = end > WalFormat.HeaderSize;
            if (segmentHasEntries && end + request.EntrySize > _options.SegmentSize) break;

            buffers.Add(request.Header);
            if (!request.Payload.IsEmpty) buffers.Add(request.Payload);
            request.Sequence = WalFormat.Sequence(_activeId, _activeOrdinal++);
            end += request.EntrySize;

            if (buffers.Count >= MaxBuffersPerWrite)
            {
                RandomAccess.Write(_active!, buffers, writeAt);
                buffers.Clear();
                writeAt = end;
            }
        }
        if (buffers.Count > 0)
        {
            RandomAccess.Write(_active!, buffers, writeAt);
            buffers.Clear();
        }
        Interlocked.Add(ref _bytesWritten, end - _activeLength);
        _activeLength = end;
        return i;
    }

    private void Sync()
    {
        RandomAccess.FlushToDisk(_active!);
        Interlocked.Increment(ref _fsyncs);
        if (_directoryDirty)
        {
            DirectorySync.Flush(DirectoryPath);
            _directoryDirty = false;
        }
        lock (_gate) _durableLength = _activeLength;
    }

    private void CreateSegment()
    {
        long id = _nextSegmentId++;
        var handle = OpenForAppend(SegmentPath(id), FileMode.CreateNew);
        try
        {
            Span<byte> header = stackalloc byte[WalFormat.HeaderSize];
            WalFormat.WriteSegmentHeader(header);
            RandomAccess.Write(handle, header, 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        Interlocked.Add(ref _bytesWritten, WalFormat.HeaderSize);
        // The header is synced with the first group; the new name with the directory, before any ack.
        _directoryDirty = true;
        Activate(id, handle, WalFormat.HeaderSize, 0);
        lock (_gate) _segments.Add(id);
    }

    private void Activate(long id, SafeFileHandle handle, long length, long ordinal)
    {
        _active = handle;
        _activeId = id;
        _activeLength = length;
        _activeOrdinal = ordinal;
        lock (_gate)
        {
            _publishedActiveId = id;
            _durableLength = length;
        }
    }

    private void CloseActive()
    {
        _active?.Dispose();
        _active = null;
        lock (_gate) _publishedActiveId = 0;
    }

    private void Apply(AppendRequest control)
    {
        switch (control.Kind)
        {
            case RequestKind.Roll:
                long closed;
                if (_active is not null && _activeOrdinal > 0)
                {
                    // Every group ends with an fsync, so the segment is already durable.
                    closed = _activeId;
                    CloseActive();
                }
                else
                {
                    closed = (_active is not null ? _activeId : _nextSegmentId) - 1;
                }
                control.Complete(closed);
                break;
            default:
                control.Fail(new InvalidOperationException($"unknown WAL request {control.Kind}"));
                break;
        }
    }

    /// <summary>After an I/O failure: fail the group, everything queued, and everything after.</summary>
    private void Fail(Exception error, List<AppendRequest> group)
    {
        _fault = error;
        LogEvent(LogLevel.Error, error, "WAL {0} failed; it takes no more appends until reopened", DirectoryPath);
        _queue.Writer.TryComplete(error);
        foreach (var request in group) request.Fail(error);
        group.Clear();
        while (_queue.Reader.TryRead(out var request)) request.Fail(error);
    }

    private void LogEvent(LogLevel level, Exception? error, string message, params object?[] args)
    {
        var e = LogEventInfo.Create(level, _log.Name, error, System.Globalization.CultureInfo.InvariantCulture, message, args);
        e.Properties["dir"] = DirectoryPath;
        _log.Log(e);
    }
}
