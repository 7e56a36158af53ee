using System.Buffers.Binary;
using Cairn.Common.Hashing;
using Cairn.Common.Platform;
using Cairn.Meta.Store;
using NLog;

namespace Cairn.Meta.Raft;

/// <summary>
/// What a meta node keeps on disk for Raft, in <c>[meta] dir</c> (docs/formats/raft.md):
/// <list type="bullet">
/// <item><c>raft.term</c>: the current term and the vote cast in it, replaced atomically (temp file, fsync, rename);</item>
/// <item><c>raft.snapshot</c>: the state machine at some index (a <see cref="MetaSnapshotCodec"/> image) with that
/// index and its term, replaced atomically;</item>
/// <item><c>raft.log</c>: the entries after the snapshot, appended and fsynced before they are acknowledged; a torn
/// or damaged tail is cut off at open (an unacknowledged append); a suffix is cut by rewriting the file.</item>
/// </list>
/// Not thread-safe: <see cref="RaftNode"/> calls it under its lock.
/// </summary>
public sealed class RaftStorage : IDisposable
{
    private const string TermFile = "raft.term";
    private const string SnapshotFile = "raft.snapshot";
    private const string LogFile = "raft.log";
    private const byte FormatVersion = 1;
    private const int RecordHeader = 8; // u32 length of the rest, u32 CRC-32C of the rest
    private static ReadOnlySpan<byte> SnapshotMagic => "CRS"u8;
    private static readonly Logger Log = LogManager.GetLogger("raft");

    private readonly string _dir;
    private readonly List<RaftEntry> _entries = [];
    private FileStream _log;

    private RaftStorage(string dir, FileStream log)
    {
        _dir = dir;
        _log = log;
    }

    public ulong CurrentTerm { get; private set; }

    /// <summary>The Raft address voted for in <see cref="CurrentTerm"/>, or "".</summary>
    public string VotedFor { get; private set; } = "";

    public ulong SnapshotIndex { get; private set; }
    public ulong SnapshotTerm { get; private set; }

    /// <summary>The state at <see cref="SnapshotIndex"/>.</summary>
    public MetaState SnapshotState { get; private set; } = MetaState.Empty;

    /// <summary>The encoded <see cref="SnapshotState"/>, as InstallSnapshot sends it.</summary>
    public byte[] SnapshotBytes { get; private set; } = MetaSnapshotCodec.Encode(MetaState.Empty);

    public ulong LastIndex => _entries.Count == 0 ? SnapshotIndex : _entries[^1].Index;
    public ulong LastTerm => _entries.Count == 0 ? SnapshotTerm : _entries[^1].Term;

    /// <summary>True when nothing was ever stored: no term, no snapshot, no entries.</summary>
    public bool IsEmpty => CurrentTerm == 0 && SnapshotIndex == 0 && _entries.Count == 0;

    public static RaftStorage Open(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var temp in Directory.GetFiles(dir, "raft.*.tmp")) File.Delete(temp);
        var log = new FileStream(Path.Combine(dir, LogFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var storage = new RaftStorage(dir, log);
        try
        {
            storage.LoadTerm();
            storage.LoadSnapshot();
            storage.LoadLog();
        }
        catch
        {
            log.Dispose();
            throw;
        }
        return storage;
    }

    /// <summary>The entry at <paramref name="index"/>, or null when it is in the snapshot or past the end.</summary>
    public RaftEntry? Entry(ulong index) =>
        index > SnapshotIndex && index <= LastIndex ? _entries[(int)(index - SnapshotIndex - 1)] : null;

    /// <summary>The term of the entry at <paramref name="index"/>; the snapshot's term at its index; null if unknown.</summary>
    public ulong? TermAt(ulong index)
    {
        if (index == SnapshotIndex) return SnapshotTerm;
        return Entry(index)?.Term;
    }

    /// <summary>Up to <paramref name="max"/> entries from <paramref name="from"/> on.</summary>
    public List<RaftEntry> EntriesFrom(ulong from, int max)
    {
        var list = new List<RaftEntry>();
        for (ulong i = Math.Max(from, SnapshotIndex + 1); i <= LastIndex && list.Count < max; i++) list.Add(Entry(i)!);
        return list;
    }

    public void SetTerm(ulong term, string votedFor)
    {
        if (term == CurrentTerm && votedFor == VotedFor) return;
        var w = new MetaBinaryWriter(64);
        w.Byte(FormatVersion);
        w.UInt64(term);
        w.String(votedFor);
        WriteAtomically(TermFile, Seal(w.Written));
        CurrentTerm = term;
        VotedFor = votedFor;
    }

    /// <summary>Appends <paramref name="entries"/> (which must follow <see cref="LastIndex"/>) and fsyncs.</summary>
    public void Append(IReadOnlyList<RaftEntry> entries)
    {
        if (entries.Count == 0) return;
        var w = new MetaBinaryWriter(256);
        foreach (var e in entries)
        {
            if (e.Index != LastIndex + 1) throw new InvalidOperationException($"raft log: entry {e.Index} does not follow {LastIndex}");
            WriteRecord(w, e);
            _entries.Add(e);
        }
        _log.Seek(0, SeekOrigin.End);
        _log.Write(w.Written);
        _log.Flush(flushToDisk: true);
    }

    /// <summary>Removes the entries from <paramref name="index"/> on (a follower's conflicting suffix).</summary>
    public void TruncateFrom(ulong index)
    {
        if (index > LastIndex) return;
        if (index <= SnapshotIndex) throw new InvalidOperationException($"raft log: cannot cut committed entries at {index} (snapshot at {SnapshotIndex})");
        _entries.RemoveRange((int)(index - SnapshotIndex - 1), _entries.Count - (int)(index - SnapshotIndex - 1));
        RewriteLog();
    }

    /// <summary>
    /// Makes <paramref name="state"/> (the state machine after applying <paramref name="index"/>) the snapshot and
    /// drops the entries it covers. With <paramref name="discardLog"/> the whole log goes (an installed snapshot
    /// that does not match the log).
    /// </summary>
    public void SaveSnapshot(ulong index, ulong term, MetaState state, bool discardLog = false)
    {
        var image = MetaSnapshotCodec.Encode(state);
        var w = new MetaBinaryWriter(image.Length + 32);
        w.Byte(FormatVersion);
        foreach (byte b in SnapshotMagic) w.Byte(b);
        w.UInt64(index);
        w.UInt64(term);
        w.Bytes(image);
        WriteAtomically(SnapshotFile, Seal(w.Written));

        if (discardLog || index >= LastIndex || TermAt(index) != term) _entries.Clear();
        else _entries.RemoveRange(0, (int)(index - SnapshotIndex));
        SnapshotIndex = index;
        SnapshotTerm = term;
        SnapshotState = state;
        SnapshotBytes = image;
        RewriteLog();
    }

    private void LoadTerm()
    {
        var path = Path.Combine(_dir, TermFile);
        if (!File.Exists(path)) return;
        var body = Unseal(File.ReadAllBytes(path), TermFile);
        var r = new MetaBinaryReader(body, TermFile);
        if (r.Byte() != FormatVersion) r.Fail<int>("unsupported format version");
        CurrentTerm = r.UInt64();
        VotedFor = r.String();
        r.End();
    }

    private void LoadSnapshot()
    {
        var path = Path.Combine(_dir, SnapshotFile);
        if (!File.Exists(path)) return;
        var body = Unseal(File.ReadAllBytes(path), SnapshotFile);
        var r = new MetaBinaryReader(body, SnapshotFile);
        if (r.Byte() != FormatVersion) r.Fail<int>("unsupported format version");
        foreach (byte b in SnapshotMagic)
            if (r.Byte() != b) r.Fail<int>("bad magic");
        SnapshotIndex = r.UInt64();
        SnapshotTerm = r.UInt64();
        SnapshotBytes = r.Bytes();
        r.End();
        SnapshotState = MetaSnapshotCodec.Decode(SnapshotBytes);
    }

    private void LoadLog()
    {
        var data = new byte[_log.Length];
        _log.Seek(0, SeekOrigin.Begin);
        _log.ReadExactly(data);
        int at = 0;
        while (data.Length - at >= RecordHeader)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at));
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 4));
            if (length > data.Length - at - RecordHeader) break;
            var body = data.AsSpan(at + RecordHeader, (int)length);
            if (Crc32C.Compute(body) != crc) break;
            RaftEntry entry;
            try
            {
                var r = new MetaBinaryReader(body, LogFile);
                entry = RaftMessageCodec.ReadEntry(ref r);
                r.End();
            }
            catch (InvalidDataException) { break; }
            at += RecordHeader + (int)length;
            if (entry.Index <= SnapshotIndex) continue; // covered by a snapshot written after it
            if (entry.Index != LastIndex + 1)
                throw new InvalidDataException($"{LogFile}: entry {entry.Index} follows {LastIndex}");
            _entries.Add(entry);
        }
        if (at < data.Length)
        {
            Log.Warn("{0}: cutting {1} bytes of a torn or damaged tail after entry {2}", Path.Combine(_dir, LogFile), data.Length - at, LastIndex);
            _log.SetLength(at);
            _log.Flush(flushToDisk: true);
        }
    }

    private void RewriteLog()
    {
        var w = new MetaBinaryWriter(1024);
        foreach (var e in _entries) WriteRecord(w, e);
        _log.Dispose();
        AtomicFile.Write(Path.Combine(_dir, LogFile), w.Written);
        _log = new FileStream(Path.Combine(_dir, LogFile), FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
    }

    private static void WriteRecord(MetaBinaryWriter w, RaftEntry e)
    {
        int lengthAt = w.Reserve4();
        int crcAt = w.Reserve4();
        int start = w.Length;
        RaftMessageCodec.WriteEntry(w, e);
        w.PatchUInt32(lengthAt, (uint)(w.Length - start));
        w.PatchUInt32(crcAt, Crc32C.Compute(w.Written[start..]));
    }

    /// <summary>CRC-32C then the body.</summary>
    private static byte[] Seal(ReadOnlySpan<byte> body)
    {
        var sealed_ = new byte[body.Length + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(sealed_, Crc32C.Compute(body));
        body.CopyTo(sealed_.AsSpan(4));
        return sealed_;
    }

    private static byte[] Unseal(byte[] data, string what)
    {
        if (data.Length < 4 || Crc32C.Compute(data.AsSpan(4)) != BinaryPrimitives.ReadUInt32LittleEndian(data))
            throw new InvalidDataException($"{what}: checksum mismatch");
        return data[4..];
    }

    private void WriteAtomically(string name, byte[] bytes) => AtomicFile.Write(Path.Combine(_dir, name), bytes);

    public void Dispose() => _log.Dispose();
}
