using NLog;

namespace Cairn.Cluster.HintedHandoff;

// Opening a queue: find the segments, check every record, cut torn or damaged tails, and restore the read position.
internal sealed partial class HintedHandoffQueue
{
    /// <summary>
    /// Opens the queue in <paramref name="directory"/> (created when missing). Every segment is read through once:
    /// at the first record that is short or fails its CRC the file is cut back to the record before. In the newest
    /// segment that is a torn append from a crash (a warning); in an older one it is damage (an error), and the
    /// records after it are lost because nothing frames them. Segments before the saved position are deleted, as a
    /// crash can come between recording a position and deleting the segment it finished. Appends after opening go
    /// to a new segment; the recovered ones are read-only.
    /// </summary>
    public static HintedHandoffQueue Open(ulong nodeId, string directory, HintedHandoffOptions options, Logger log)
    {
        Directory.CreateDirectory(directory);
        var positionFile = QueuePositionFile.Open(Path.Combine(directory, HintedHandoffFormat.PositionFileName), out var position, out bool positionDamaged);
        var queue = new HintedHandoffQueue(nodeId, directory, options, log, positionFile);
        try
        {
            if (positionDamaged)
                queue.LogEvent(LogLevel.Warn, null, "hinted handoff queue {0}: the position file is damaged; replaying from the oldest segment", directory);
            queue.Recover(position);
            return queue;
        }
        catch
        {
            queue.Close();
            throw;
        }
    }

    private void Recover(QueuePosition? position)
    {
        var ids = new List<ulong>();
        foreach (var file in Directory.EnumerateFiles(DirectoryPath))
            if (HintedHandoffFormat.TryParseSegmentFileName(Path.GetFileName(file), out ulong id)) ids.Add(id);
        ids.Sort();

        ulong delivered = position?.SegmentId ?? 0;
        _nextSegmentId = Math.Max(ids.Count > 0 ? ids[^1] : 0, delivered) + 1;
        for (int i = 0; i < ids.Count; i++)
        {
            string path = Path.Combine(DirectoryPath, HintedHandoffFormat.SegmentFileName(ids[i]));
            if (ids[i] < delivered)
            {
                File.Delete(path);
                continue;
            }
            long readUpTo = ids[i] == delivered ? position!.Value.Offset : 0;
            var segment = ScanSegment(ids[i], path, isNewest: i == ids.Count - 1, readUpTo, out long readOffset, out long readEntries);
            if (segment is null) continue;
            _segments.Add(segment);
            _bytes += segment.Length;
            _depth += segment.Entries - readEntries;
            if (readEntries > 0 || readOffset > HintedHandoffFormat.SegmentHeaderSize) StartReading(segment, readOffset, readEntries);
        }
        ReleaseHeadIfRead();
    }

    /// <summary>
    /// Checks every record of one segment and cuts off what follows the last good one. <paramref name="readOffset"/>
    /// is the first record boundary at or after <paramref name="readUpTo"/> and <paramref name="readEntries"/> the
    /// records before it. Null when the file holds no usable header.
    /// </summary>
    private QueueSegment? ScanSegment(ulong id, string path, bool isNewest, long readUpTo, out long readOffset, out long readEntries)
    {
        readOffset = HintedHandoffFormat.SegmentHeaderSize;
        readEntries = 0;
        var segment = new QueueSegment(id, path);
        long goodEnd;
        long length;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1 << 16))
        {
            length = file.Length;
            Span<byte> header = stackalloc byte[HintedHandoffFormat.SegmentHeaderSize];
            int headerLength = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (headerLength < header.Length && HintedHandoffFormat.IsSegmentHeaderPrefix(header[..headerLength]))
            {
                // Created, then a crash before its header was written: it never held a record.
                file.Dispose();
                File.Delete(path);
                return null;
            }
            if (!HintedHandoffFormat.IsValidSegmentHeader(header[..headerLength]))
            {
                file.Dispose();
                string aside = path + ".damaged";
                File.Move(path, aside, overwrite: true);
                LogEvent(LogLevel.Error, null, "hinted handoff queue {0}: segment {1} has an unreadable header; moved it to {2} and skipped it",
                    DirectoryPath, path, aside);
                return null;
            }

            goodEnd = header.Length;
            Span<byte> recordHeader = stackalloc byte[HintedHandoffFormat.RecordHeaderSize];
            byte[] body = new byte[4096];
            while (goodEnd < length)
            {
                if (file.ReadAtLeast(recordHeader, recordHeader.Length, throwOnEndOfStream: false) < recordHeader.Length) break;
                int bodyLength = HintedHandoffFormat.BodyLength(recordHeader, out uint checksum);
                if (bodyLength < 0 || bodyLength > length - goodEnd - recordHeader.Length) break;
                if (body.Length < bodyLength) body = new byte[Math.Max(bodyLength, body.Length * 2)];
                if (file.ReadAtLeast(body.AsSpan(0, bodyLength), bodyLength, throwOnEndOfStream: false) < bodyLength) break;
                if (HintedHandoffFormat.Checksum(recordHeader[..4], body.AsSpan(0, bodyLength)) != checksum) break;

                if (goodEnd < readUpTo)
                {
                    readEntries++;
                    readOffset = goodEnd + recordHeader.Length + bodyLength;
                }
                goodEnd += recordHeader.Length + bodyLength;
                segment.Entries++;
                segment.NewestEnqueuedNs = Math.Max(segment.NewestEnqueuedNs, HintedHandoffFormat.EnqueuedNs(body));
            }
            if (goodEnd < length)
            {
                file.SetLength(goodEnd);
                file.Flush(flushToDisk: true);
            }
        }
        if (goodEnd < length)
        {
            if (isNewest)
                LogEvent(LogLevel.Warn, null, "hinted handoff queue {0}: segment {1} ended in a torn append; cut it from {2} to {3} bytes",
                    DirectoryPath, path, length, goodEnd);
            else
                LogEvent(LogLevel.Error, null, "hinted handoff queue {0}: segment {1} is damaged at offset {2}; cut it from {3} bytes, losing the entries after the damage",
                    DirectoryPath, path, goodEnd, length);
        }
        segment.Length = goodEnd;
        return segment;
    }
}
