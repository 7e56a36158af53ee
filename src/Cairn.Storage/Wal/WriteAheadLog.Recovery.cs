using Microsoft.Win32.SafeHandles;
using NLog;

namespace Cairn.Storage.Wal;

// Recovery: repairing the newest segment at open, and replaying every segment in order.
public sealed partial class WriteAheadLog
{
    /// <summary>
    /// Finds the segments and reopens the newest for appends. A crash can leave it with a torn
    /// entry (or garbage) at its end: cut the file back to the last entry whose CRC holds, so new
    /// appends follow good data. Only unacknowledged bytes can be there: an append is acknowledged
    /// after the fsync that covers it, and every later entry was written after it.
    /// </summary>
    private void RecoverNewestSegment()
    {
        var ids = ListSegmentIds();
        _segments.AddRange(ids);
        if (ids.Count == 0) return;
        long id = ids[^1];
        _nextSegmentId = id + 1;

        string path = SegmentPath(id);
        var handle = OpenForAppend(path, FileMode.Open);
        bool activated = false;
        try
        {
            long length = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[WalFormat.HeaderSize];
            var check = WalSegmentReader.ReadHeader(handle, length, header, out int headerLength);
            if (check == HeaderCheck.Short && WalFormat.IsHeaderPrefix(header[..headerLength]))
            {
                // Created, then a crash before its header reached the disk: nothing was ever acknowledged in it.
                WalFormat.WriteSegmentHeader(header);
                RandomAccess.Write(handle, header, 0);
                RandomAccess.SetLength(handle, WalFormat.HeaderSize);
                RandomAccess.FlushToDisk(handle);
                LogEvent(LogLevel.Warn, null, "WAL segment {0} had an incomplete header ({1} bytes); rewrote it", path, headerLength);
                Activate(id, handle, WalFormat.HeaderSize, 0);
                activated = true;
                return;
            }
            if (check != HeaderCheck.Valid)
            {
                // Replay reports the file; appends go to a new segment and this one is left as it is.
                LogEvent(LogLevel.Warn, null, "WAL segment {0} has an unreadable header; appends go to a new segment", path);
                return;
            }

            long ordinal = 0;
            SegmentRead read;
            long goodEnd;
            using (var reader = new WalSegmentReader(handle, length))
            {
                while ((read = reader.Next(out _, out _)) == SegmentRead.Entry) ordinal++;
                goodEnd = reader.Offset;
            }
            if (read != SegmentRead.End)
            {
                var damage = new WalCorruption(path, id, goodEnd, ToDamage(read), Truncated: true);
                LogDamage(damage, $"truncating the file from {length} to {goodEnd} bytes so appends continue after the last good entry");
                RandomAccess.SetLength(handle, goodEnd);
                RandomAccess.FlushToDisk(handle);
                _repairedAtOpen.Add(damage);
            }
            Activate(id, handle, goodEnd, ordinal);
            activated = true;
        }
        finally
        {
            if (!activated) handle.Dispose();
        }
    }

    /// <summary>
    /// Hands every entry of every segment to <paramref name="onEntry"/>, oldest first, in the order
    /// they were appended. Damage never stops a replay: in a segment it ends that segment's entries
    /// (logged with the file and offset, listed in the result) and replay goes on with the next
    /// segment; a file with a bad header is skipped. Exceptions mean I/O failures or the callback's own.
    /// For the active segment only entries already durable are read.
    /// </summary>
    public async ValueTask<WalReplayResult> ReplayAsync(Func<WalEntry, ValueTask> onEntry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(onEntry);
        long[] ids;
        long activeId;
        long durableLength;
        WalCorruption[] repaired;
        lock (_gate)
        {
            ids = _segments.ToArray();
            activeId = _publishedActiveId;
            durableLength = _durableLength;
            repaired = _repairedAtOpen.ToArray();
        }

        var corruptions = new List<WalCorruption>();
        int segments = 0;
        long entries = 0;
        long payloadBytes = 0;
        foreach (long id in ids)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var r in repaired)
                if (r.SegmentId == id) corruptions.Add(r);

            string path = SegmentPath(id);
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                continue; // removed since the list was taken: its entries are in a shard file
            }
            using (handle)
            {
                segments++;
                long limit = id == activeId ? durableLength : RandomAccess.GetLength(handle);
                if (!CheckHeaderForReplay(handle, path, id, limit, corruptions)) continue;

                var reader = new WalSegmentReader(handle, limit);
                try
                {
                    long ordinal = 0;
                    while (true)
                    {
                        var read = reader.Next(out byte type, out var payload);
                        if (read != SegmentRead.Entry)
                        {
                            if (read != SegmentRead.End)
                            {
                                var damage = new WalCorruption(path, id, reader.Offset, ToDamage(read), Truncated: false);
                                LogDamage(damage, "skipping the rest of this segment");
                                corruptions.Add(damage);
                            }
                            break;
                        }
                        await onEntry(new WalEntry(WalFormat.Sequence(id, ordinal++), type, payload)).ConfigureAwait(false);
                        entries++;
                        payloadBytes += payload.Length;
                        ct.ThrowIfCancellationRequested();
                    }
                }
                finally
                {
                    reader.Dispose();
                }
            }
        }
        return new WalReplayResult(segments, entries, payloadBytes, corruptions);
    }

    private bool CheckHeaderForReplay(SafeFileHandle handle, string path, long id, long limit, List<WalCorruption> corruptions)
    {
        Span<byte> header = stackalloc byte[WalFormat.HeaderSize];
        var check = WalSegmentReader.ReadHeader(handle, limit, header, out _);
        if (check == HeaderCheck.Valid) return true;
        var damage = new WalCorruption(path, id, 0,
            check == HeaderCheck.UnsupportedVersion ? WalDamage.UnsupportedVersion : WalDamage.BadHeader, Truncated: false);
        LogDamage(damage, check == HeaderCheck.UnsupportedVersion
            ? $"format version {header[4]} is not readable by this build; skipping the file"
            : "not a WAL segment header; skipping the file");
        corruptions.Add(damage);
        return false;
    }

    private void LogDamage(WalCorruption damage, string consequence)
    {
        var e = LogEventInfo.Create(LogLevel.Error, _log.Name, null, System.Globalization.CultureInfo.InvariantCulture,
            "WAL segment {0} is damaged at offset {1} ({2}); {3}",
            [damage.File, damage.Offset, damage.Damage.ToString(), consequence]);
        e.Properties["file"] = damage.File;
        e.Properties["offset"] = damage.Offset;
        e.Properties["damage"] = damage.Damage.ToString();
        _log.Log(e);
    }

    private static WalDamage ToDamage(SegmentRead read) => read switch
    {
        SegmentRead.BadLength => WalDamage.BadLength,
        SegmentRead.BadChecksum => WalDamage.BadChecksum,
        _ => WalDamage.ShortEntry,
    };
}
