using Cairn.Common.Hashing;
using Cairn.Common.Platform;
using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Cairn.Meta.Store;

/// <summary>
/// The meta.log file: the commands applied since the last snapshot, each fsynced before it is acknowledged.
///
/// File header:
/// | offset | size | meaning            |
/// |--------|------|--------------------|
/// | 0      | 1    | format version (1) |
/// | 1      | 3    | magic "CML"        |
///
/// Then records, back to back:
/// | offset | size | meaning                                              |
/// |--------|------|------------------------------------------------------|
/// | 0      | 4    | command length N, u32 LE                             |
/// | 4      | 4    | CRC-32C of bytes 8 … 16+N (index and command), u32 LE |
/// | 8      | 8    | the state index this command produces, u64 LE        |
/// | 16     | N    | the command (<see cref="MetaCommandCodec"/>)          |
///
/// A record cut short by a crash, or failing its checksum, ends the log: it and everything after it
/// are truncated on open.
/// </summary>
internal sealed class MetaCommandLog : IDisposable
{
    public const byte FormatVersion = 1;
    public const int HeaderLength = 4;
    public const int RecordHeaderLength = 16;
    /// <summary>A length beyond this is damage, not a command.</summary>
    public const int MaxCommandLength = 16 << 20;

    private static readonly Logger Log = LogManager.GetLogger("meta");
    private static ReadOnlySpan<byte> Magic => "CML"u8;

    private readonly string _path;
    private readonly SafeFileHandle _file;
    private long _length;

    private MetaCommandLog(string path, SafeFileHandle file, long length)
    {
        _path = path;
        _file = file;
        _length = length;
    }

    public readonly record struct Record(ulong Index, byte[] Command);

    /// <summary>
    /// Opens (or creates) the log, reads its complete records into <paramref name="records"/> and cuts off
    /// a torn tail. Throws <see cref="InvalidDataException"/> if the file is not a meta log of a known version.
    /// </summary>
    public static MetaCommandLog Open(string path, List<Record> records)
    {
        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            long length = RandomAccess.GetLength(file);
            var log = new MetaCommandLog(path, file, length);
            if (length < HeaderLength)
            {
                if (length > 0) Log.Error("meta log {0}: header cut short ({1} bytes); starting an empty log", path, length);
                log.WriteHeader();
                return log;
            }

            if (length > int.MaxValue) throw new InvalidDataException($"meta log {path}: {length} bytes is too large to be a meta log");
            var data = new byte[length];
            RandomAccess.Read(file, data, 0);
            if (data[0] != FormatVersion) throw new InvalidDataException($"meta log {path}: unsupported format version {data[0]}");
            if (!data.AsSpan(1, 3).SequenceEqual(Magic)) throw new InvalidDataException($"meta log {path}: bad magic");

            long at = HeaderLength;
            string? torn = null;
            while (at < length)
            {
                var rest = data.AsSpan((int)at);
                if (rest.Length < RecordHeaderLength) { torn = "record header cut short"; break; }
                uint n = BinaryPrimitives.ReadUInt32LittleEndian(rest);
                if (n > MaxCommandLength) { torn = $"implausible command length {n}"; break; }
                if (rest.Length < RecordHeaderLength + n) { torn = "command cut short"; break; }
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
                var covered = rest.Slice(8, 8 + (int)n);
                if (Crc32C.Compute(covered) != crc) { torn = "checksum mismatch"; break; }
                records.Add(new Record(BinaryPrimitives.ReadUInt64LittleEndian(rest[8..]), rest.Slice(RecordHeaderLength, (int)n).ToArray()));
                at += RecordHeaderLength + n;
            }

            if (torn is not null)
            {
                Log.Error("meta log {0}: {1} at offset {2}; truncating {3} bytes after the last complete command (index {4})",
                    path, torn, at, length - at, records.Count > 0 ? records[^1].Index : 0);
                RandomAccess.SetLength(file, at);
                RandomAccess.FlushToDisk(file);
                log._length = at;
            }
            return log;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public long Length => _length;

    /// <summary>
    /// Appends one record and fsyncs it. Not cancellable: a half-written record must be rolled back, not
    /// abandoned. If even the rollback fails the log is unusable and the exception says so.
    /// </summary>
    public async ValueTask AppendAsync(ulong index, ReadOnlyMemory<byte> command)
    {
        int total = RecordHeaderLength + command.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var span = buffer.AsSpan(0, total);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)command.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(span[8..], index);
            command.Span.CopyTo(span[RecordHeaderLength..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32C.Compute(span[8..]));
            try
            {
                await RandomAccess.WriteAsync(_file, buffer.AsMemory(0, total), _length, CancellationToken.None).ConfigureAwait(false);
                RandomAccess.FlushToDisk(_file);
            }
            catch (Exception writeError)
            {
                try
                {
                    RandomAccess.SetLength(_file, _length);
                    RandomAccess.FlushToDisk(_file);
                }
                catch (Exception rollbackError)
                {
                    throw new MetaLogFaultedException($"meta log {_path}: append failed and could not be rolled back", new AggregateException(writeError, rollbackError));
                }
                throw;
            }
            _length += total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Empties the log after a snapshot has made its records redundant.</summary>
    public void Truncate()
    {
        RandomAccess.SetLength(_file, HeaderLength);
        RandomAccess.FlushToDisk(_file);
        _length = HeaderLength;
    }

    private void WriteHeader()
    {
        Span<byte> header = [FormatVersion, Magic[0], Magic[1], Magic[2]];
        RandomAccess.SetLength(_file, 0);
        RandomAccess.Write(_file, header, 0);
        RandomAccess.FlushToDisk(_file);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        _length = HeaderLength;
    }

    public void Dispose() => _file.Dispose();
}
