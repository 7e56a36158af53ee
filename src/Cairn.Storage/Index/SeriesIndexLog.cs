using Cairn.Common.Hashing;
using Cairn.Common.Platform;
using System.Buffers;
using System.Buffers.Binary;
using Cairn.Storage.Wal;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Index;

// series.log: the additions and deletions since the mapped file was written (docs/formats/series-index.md).
//
// Header (16 bytes)
// | offset | size | field      | meaning                                              |
// |--------|------|------------|------------------------------------------------------|
// | 0      | 4    | magic      | "CSIL"                                               |
// | 4      | 1    | version    | 1                                                    |
// | 5      | 3    | reserved   | zero                                                 |
// | 8      | 8    | generation | the series.idx generation this log continues         |
//
// Record (9 + n bytes), back to back to the end of the file
// | offset | size | field   | meaning                                                  |
// |--------|------|---------|----------------------------------------------------------|
// | 0      | 4    | length  | n, payload bytes                                         |
// | 4      | 4    | crc     | CRC-32C of bytes 0..3 then 8..8+n (length, type, payload)|
// | 8      | 1    | type    | SeriesIndexLog.RecordType                                |
// | 9      | n    | payload | per type, below                                          |
//
// AddSeries (1):         u32 id, u16 m, measurement, u16 tag count, (u16 k, key, u16 v, value)*, series key (rest)
// RegisterField (2):     u8 FieldType, u16 m, measurement, field key (rest)
// DeleteSeries (3):      u32 id × n/4
// DeleteMeasurement (4): measurement (rest)

/// <summary>The append-only log of a series index: records wait in memory until <see cref="FlushAsync"/> syncs them.</summary>
internal sealed class SeriesIndexLog : IDisposable
{
    public const int HeaderSize = 16;
    public const int RecordHeaderSize = 9;
    public const byte Version = 1;
    public static ReadOnlySpan<byte> Magic => "CSIL"u8;

    public enum RecordType : byte
    {
        AddSeries = 1,
        RegisterField = 2,
        DeleteSeries = 3,
        DeleteMeasurement = 4,
    }

    public delegate void RecordHandler(RecordType type, ReadOnlySpan<byte> payload);

    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly Lock _pendingLock = new();
    private ArrayBufferWriter<byte> _pending = new(4096);
    private ArrayBufferWriter<byte> _spare = new(4096);
    private SafeFileHandle _handle;
    private long _length;

    private SeriesIndexLog(string path, SafeFileHandle handle, long length)
    {
        Path = path;
        _handle = handle;
        _length = length;
    }

    public string Path { get; }

    /// <summary>Records read back on open.</summary>
    public int RecordsReplayed { get; private set; }

    /// <summary>Bytes cut from the end on open: a record torn by a crash, or damage after the last good one.</summary>
    public long BytesTruncated { get; private set; }

    /// <summary>Bytes appended and not yet synced.</summary>
    public int PendingBytes
    {
        get
        {
            lock (_pendingLock) return _pending.WrittenCount;
        }
    }

    /// <summary>
    /// Opens the log at <paramref name="path"/> for the file of <paramref name="generation"/>, feeding every good
    /// record to <paramref name="apply"/>. A missing log, or one left by an older generation (a merge that crashed
    /// after renaming the file), starts empty; the first bad record and everything after it are cut off.
    /// </summary>
    public static SeriesIndexLog Open(string path, ulong generation, RecordHandler apply)
    {
        if (!File.Exists(path)) return Create(path, generation);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize)
        {
            // Created but its header never reached the disk: nothing was acknowledged through it.
            return Create(path, generation);
        }
        if (!bytes.AsSpan(0, 4).SequenceEqual(Magic)) throw new SeriesIndexCorruptException(path, "bad magic");
        if (bytes[4] != Version) throw new SeriesIndexCorruptException(path, $"unknown version {bytes[4]}");
        ulong logGeneration = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
        if (logGeneration < generation) return Create(path, generation);
        if (logGeneration > generation)
            throw new SeriesIndexCorruptException(path, $"log generation {logGeneration} is newer than the index file's {generation}");

        int at = HeaderSize, records = 0;
        while (bytes.Length - at >= RecordHeaderSize)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
            if (length > bytes.Length - at - RecordHeaderSize) break;
            uint crc = Crc32C.Append(Crc32C.Compute(bytes.AsSpan(at, 4)), bytes.AsSpan(at + 8, 1 + (int)length));
            if (crc != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 4))) break;
            apply((RecordType)bytes[at + 8], bytes.AsSpan(at + RecordHeaderSize, (int)length));
            records++;
            at += RecordHeaderSize + (int)length;
        }

        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var log = new SeriesIndexLog(path, handle, at) { RecordsReplayed = records, BytesTruncated = bytes.Length - at };
        if (at < bytes.Length)
        {
            RandomAccess.SetLength(handle, at);
            RandomAccess.FlushToDisk(handle);
        }
        return log;
    }

    private static SeriesIndexLog Create(string path, ulong generation)
    {
        WriteEmpty(path, generation);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        return new SeriesIndexLog(path, handle, HeaderSize);
    }

    /// <summary>Writes an empty log for <paramref name="generation"/> at <paramref name="path"/> through a temporary file and a rename.</summary>
    private static void WriteEmpty(string path, ulong generation)
    {
        string temp = path + ".tmp";
        Span<byte> header = stackalloc byte[HeaderSize];
        header.Clear();
        Magic.CopyTo(header);
        header[4] = Version;
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], generation);
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, header, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>Appends a record whose payload is <paramref name="payload0"/> then <paramref name="payload1"/>; durable after the next flush.</summary>
    public void Append(RecordType type, int payloadLength, ReadOnlySpan<byte> payload0, ReadOnlySpan<byte> payload1 = default)
    {
        lock (_pendingLock)
        {
            var span = _pending.GetSpan(RecordHeaderSize + payloadLength);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)payloadLength);
            span[8] = (byte)type;
            payload0.CopyTo(span[RecordHeaderSize..]);
            payload1.CopyTo(span[(RecordHeaderSize + payload0.Length)..]);
            uint crc = Crc32C.Append(Crc32C.Compute(span[..4]), span.Slice(8, 1 + payloadLength));
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], crc);
            _pending.Advance(RecordHeaderSize + payloadLength);
        }
    }

    /// <summary>Writes and fsyncs every record appended so far.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushHoldingGate();
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Blocking <see cref="FlushAsync"/>.</summary>
    public void Flush()
    {
        _flushGate.Wait();
        try
        {
            FlushHoldingGate();
        }
        finally
        {
            _flushGate.Release();
        }
    }

    private void FlushHoldingGate()
    {
        ArrayBufferWriter<byte> batch;
        lock (_pendingLock)
        {
            if (_pending.WrittenCount == 0) return;
            batch = _pending;
            _pending = _spare;
            _spare = batch;
        }
        RandomAccess.Write(_handle, batch.WrittenSpan, _length);
        _length += batch.WrittenCount;
        RandomAccess.FlushToDisk(_handle);
        batch.ResetWrittenCount();
    }

    /// <summary>
    /// After a merge wrote the file of <paramref name="generation"/>: replaces the log with an empty one. Records
    /// still pending are in the new file and are dropped.
    /// </summary>
    public void Restart(ulong generation)
    {
        _flushGate.Wait();
        try
        {
            lock (_pendingLock) _pending.ResetWrittenCount();
            _handle.Dispose();
            WriteEmpty(Path, generation);
            _handle = File.OpenHandle(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            _length = HeaderSize;
        }
        finally
        {
            _flushGate.Release();
        }
    }

    public void Dispose()
    {
        Flush();
        _handle.Dispose();
        _flushGate.Dispose();
    }
}
