using Cairn.Storage.Wal;
using NLog;
using NLog.Config;
using NLog.Targets;

namespace Cairn.Storage.Tests.Wal;

/// <summary>A fresh directory under the temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cairn-wal-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A private NLog factory whose "wal" logger keeps every line, so tests never touch the global configuration.</summary>
internal sealed class CapturedLog
{
    private readonly MemoryTarget _target;

    public CapturedLog()
    {
        var factory = new LogFactory();
        var config = new LoggingConfiguration(factory);
        _target = new MemoryTarget("memory") { Layout = "${level:uppercase=true}|${message}" };
        config.AddRuleForAllLevels(_target);
        factory.Configuration = config;
        Logger = factory.GetLogger("wal");
    }

    public Logger Logger { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_target) return _target.Logs.ToArray();
        }
    }

    public bool HasError(string containing) => Lines.Any(l => l.StartsWith("ERROR|", StringComparison.Ordinal) && l.Contains(containing, StringComparison.Ordinal));
}

internal readonly record struct Replayed(long Sequence, byte Type, byte[] Payload);

internal static class WalTesting
{
    public static WalOptions Options(long segmentSize = WalOptions.DefaultSegmentSize, Logger? logger = null, TimeSpan fsyncDelay = default, int queueDepth = 256) => new()
    {
        SegmentSize = segmentSize,
        Logger = logger ?? new CapturedLog().Logger,
        FsyncDelay = fsyncDelay,
        QueueDepth = queueDepth,
    };

    public static async Task<(List<Replayed> Entries, WalReplayResult Result)> ReplayAllAsync(Cairn.Storage.Wal.WriteAheadLog wal)
    {
        var entries = new List<Replayed>();
        var result = await wal.ReplayAsync(e =>
        {
            entries.Add(new Replayed(e.Sequence, e.Type, e.Payload.ToArray()));
            return ValueTask.CompletedTask;
        });
        return (entries, result);
    }

    /// <summary>Opens, replays and closes the WAL in <paramref name="dir"/>.</summary>
    public static async Task<(List<Replayed> Entries, WalReplayResult Result)> ReopenAndReplayAsync(string dir, WalOptions options)
    {
        await using var wal = await Cairn.Storage.Wal.WriteAheadLog.OpenAsync(dir, options);
        return await ReplayAllAsync(wal);
    }

    /// <summary>Appends each entry in turn, awaiting each; returns them with their sequence numbers.</summary>
    public static async Task<List<Replayed>> AppendAllAsync(Cairn.Storage.Wal.WriteAheadLog wal, IEnumerable<(byte Type, byte[] Payload)> entries)
    {
        var written = new List<Replayed>();
        foreach (var (type, payload) in entries)
        {
            long sequence = await wal.AppendAsync(type, payload);
            written.Add(new Replayed(sequence, type, payload));
        }
        return written;
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static string SegmentFile(string dir, long id) => Path.Combine(dir, $"{id:D8}.wal");

    public static long EntrySize(Replayed e) => 9 + e.Payload.Length;

    /// <summary>Offset of each entry of segment <paramref name="segmentId"/> in its file, in order.</summary>
    public static List<(Replayed Entry, long Start, long End)> Layout(IEnumerable<Replayed> written, long segmentId)
    {
        var layout = new List<(Replayed, long, long)>();
        long offset = 8;
        foreach (var e in written)
        {
            if (Cairn.Storage.Wal.WriteAheadLog.SegmentOf(e.Sequence) != segmentId) continue;
            layout.Add((e, offset, offset + EntrySize(e)));
            offset += EntrySize(e);
        }
        return layout;
    }

    public static bool SameEntries(IReadOnlyList<Replayed> actual, IReadOnlyList<Replayed> expected, out string difference)
    {
        difference = "";
        if (actual.Count != expected.Count)
        {
            difference = $"replayed {actual.Count} entries, expected {expected.Count}";
            return false;
        }
        for (int i = 0; i < actual.Count; i++)
        {
            var a = actual[i];
            var e = expected[i];
            if (a.Sequence != e.Sequence || a.Type != e.Type || !a.Payload.AsSpan().SequenceEqual(e.Payload))
            {
                difference = $"entry {i}: got seq {a.Sequence:X} type {a.Type} len {a.Payload.Length}, expected seq {e.Sequence:X} type {e.Type} len {e.Payload.Length}";
                return false;
            }
        }
        return true;
    }
}
