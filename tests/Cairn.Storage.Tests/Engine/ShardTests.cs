using Cairn.Storage.Engine;
using Cairn.Storage.Index;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Engine;

/// <summary>The per-shard engine: WAL + cache + files + tombstones + index, across snapshots, compactions and reopen.</summary>
public class ShardTests
{
    private static EngineOptions Options(CapturedLog? log = null, long cacheMax = 0) => new()
    {
        CacheMaxMemorySize = cacheMax,
        CacheSnapshotMemorySize = 1L << 40,
        CacheSnapshotWriteColdDuration = TimeSpan.FromDays(1),
        CompactFullWriteColdDuration = TimeSpan.FromDays(1),
        Logger = log?.Logger,
    };

    private static Task<Shard> OpenAsync(TempDir dir, EngineOptions? options = null) =>
        Shard.OpenAsync(1, "db", "rp", Path.Combine(dir.Path, "data"), Path.Combine(dir.Path, "wal"), options ?? Options());

    /// <summary>Registers the series of <paramref name="seriesKey"/> and field "v" as the points writer does.</summary>
    private static void Index(Shard shard, string seriesKey, FieldType type = FieldType.Float)
    {
        var key = System.Text.Encoding.UTF8.GetBytes(seriesKey);
        if (!SeriesKeyParser.TryParse(key, out var measurement, out var tags)) throw new Exception("bad key " + seriesKey);
        shard.Index.TryGetOrAdd(key, measurement, tags, out _, out _);
        shard.Index.TryRegisterField(measurement, "v"u8, type, out _);
    }

    private static async Task WriteAsync(Shard shard, string seriesKey, params (long Time, double Value)[] points)
    {
        Index(shard, seriesKey);
        using var payload = new PointsPayloadWriter();
        var key = System.Text.Encoding.UTF8.GetBytes(seriesKey);
        foreach (var (time, value) in points)
        {
            payload.BeginPoint(key, time);
            payload.Field("v"u8, FieldType.Float, BitConverter.DoubleToInt64Bits(value));
            payload.EndPoint();
        }
        await shard.WriteAsync(payload.Written);
    }

    private static (long, double)[] Read(Shard shard, string seriesKey)
    {
        var values = shard.Read(System.Text.Encoding.UTF8.GetBytes(seriesKey), "v"u8);
        if (values is null) return [];
        return [.. Enumerable.Range(0, values.Count).Select(i => (values.Times[i], values.Float(i)))];
    }

    private static void Same((long, double)[] actual, params (long, double)[] expected)
    {
        if (!actual.SequenceEqual(expected))
            throw new Exception($"expected [{string.Join(", ", expected)}] but read [{string.Join(", ", actual)}]");
    }

    [Test]
    public async Task Write_IsReadable_AndSurvivesReopenThroughTheWal()
    {
        using var dir = new TempDir();
        await using (var shard = await OpenAsync(dir))
        {
            await WriteAsync(shard, "cpu,host=a", (10, 1.5), (20, 2.5));
            await WriteAsync(shard, "cpu,host=a", (15, 9.0), (20, 3.5)); // out of order and an overwrite
            Same(Read(shard, "cpu,host=a"), (10, 1.5), (15, 9.0), (20, 3.5));
        }
        await using var reopened = await OpenAsync(dir);
        Same(Read(reopened, "cpu,host=a"), (10, 1.5), (15, 9.0), (20, 3.5));
        await Assert.That(reopened.Index.Measurements()).IsEquivalentTo(new[] { "cpu" });
    }

    [Test]
    public async Task Snapshot_WritesAFile_RemovesWalSegments_AndReadsMergeFileAndCache()
    {
        using var dir = new TempDir();
        await using (var shard = await OpenAsync(dir))
        {
            await WriteAsync(shard, "cpu,host=a", (10, 1), (20, 2));
            await Assert.That(await shard.SnapshotAsync()).IsTrue();
            await Assert.That(shard.FilePaths.Count).IsEqualTo(1);
            await Assert.That(shard.CacheSize).IsEqualTo(0);
            await WriteAsync(shard, "cpu,host=a", (20, 5), (30, 3)); // newer value for t=20 in the cache
            Same(Read(shard, "cpu,host=a"), (10, 1), (20, 5), (30, 3));
        }
        var walFiles = Directory.GetFiles(Path.Combine(dir.Path, "wal"), "*.wal");
        await Assert.That(walFiles.Length).IsEqualTo(1); // the segments the snapshot covered are gone
        await using var reopened = await OpenAsync(dir);
        Same(Read(reopened, "cpu,host=a"), (10, 1), (20, 5), (30, 3));
    }

    [Test]
    public async Task LeveledAndFullCompaction_KeepEveryValue_AndEndWithOneFile()
    {
        using var dir = new TempDir();
        await using var shard = await OpenAsync(dir);
        var expected = new List<(long, double)>();
        for (int round = 0; round < 9; round++)
        {
            var points = Enumerable.Range(0, 50).Select(i => ((long)(round * 100 + i), (double)(round * 1000 + i))).ToArray();
            await WriteAsync(shard, "cpu,host=a", points);
            await WriteAsync(shard, $"mem,host=h{round}", (round, round));
            expected.AddRange(points);
            await shard.SnapshotAsync();
        }
        using var slots = new SemaphoreSlim(1);
        int leveled = await shard.CompactAsync(slots);
        await Assert.That(leveled).IsGreaterThanOrEqualTo(2); // 9 level-1 files: two groups of four
        await Assert.That(shard.FilePaths.Count).IsLessThan(9);
        Same(Read(shard, "cpu,host=a"), [.. expected]);
        await shard.CompactAsync(slots, forceFull: true);
        await Assert.That(shard.FilePaths.Count).IsEqualTo(1);
        Same(Read(shard, "cpu,host=a"), [.. expected]);
        Same(Read(shard, "mem,host=h8"), (8, 8));
        // Replaced files are deleted once no reader holds them.
        await Assert.That(Directory.GetFiles(Path.Combine(dir.Path, "data"), "*.csf").Length).IsEqualTo(1);
    }

    [Test]
    public async Task Delete_HidesOldValues_ButNotValuesWrittenAfterIt_ThroughSnapshotCompactionAndReopen()
    {
        using var dir = new TempDir();
        await using (var shard = await OpenAsync(dir))
        {
            await WriteAsync(shard, "cpu,host=a", (10, 1), (20, 2), (30, 3));
            await shard.SnapshotAsync();
            await WriteAsync(shard, "cpu,host=a", (40, 4));
            shard.Index.TryGetId("cpu,host=a"u8, out uint id);
            await shard.DeleteSeriesAsync([id], 15, 45, CancellationToken.None);
            Same(Read(shard, "cpu,host=a"), (10, 1));
            await WriteAsync(shard, "cpu,host=a", (20, 22)); // after the delete: must survive it
            Same(Read(shard, "cpu,host=a"), (10, 1), (20, 22));
            await shard.SnapshotAsync();
            Same(Read(shard, "cpu,host=a"), (10, 1), (20, 22));
            using var slots = new SemaphoreSlim(1);
            await shard.CompactAsync(slots, forceFull: true);
            Same(Read(shard, "cpu,host=a"), (10, 1), (20, 22));
            await Assert.That(shard.Statistics.HasTombstones).IsFalse();
        }
        await using var reopened = await OpenAsync(dir);
        Same(Read(reopened, "cpu,host=a"), (10, 1), (20, 22));
    }

    [Test]
    public async Task FullCompactionOfOneFileWithTombstones_RewritesIt_AndReopenKeepsOnlyTheRewrite()
    {
        using var dir = new TempDir();
        using var slots = new SemaphoreSlim(1);
        await using (var shard = await OpenAsync(dir))
        {
            await WriteAsync(shard, "cpu,host=a", (10, 1), (20, 2));
            await shard.SnapshotAsync();
            await shard.CompactAsync(slots, forceFull: true);
            shard.Index.TryGetId("cpu,host=a"u8, out uint id);
            await shard.DeleteSeriesAsync([id], 20, 20, CancellationToken.None);
            await shard.CompactAsync(slots, forceFull: true);
            await Assert.That(shard.FilePaths.Count).IsEqualTo(1);
            await Assert.That(shard.Statistics.HasTombstones).IsFalse();
            Same(Read(shard, "cpu,host=a"), (10, 1));
        }
        await Assert.That(Directory.GetFiles(Path.Combine(dir.Path, "data"), "*.csf").Length).IsEqualTo(1);
        await using var reopened = await OpenAsync(dir);
        Same(Read(reopened, "cpu,host=a"), (10, 1));
    }

    [Test]
    public async Task Delete_ReplaysInOrderWithWritesFromTheWal()
    {
        using var dir = new TempDir();
        await using (var shard = await OpenAsync(dir))
        {
            await WriteAsync(shard, "cpu,host=a", (10, 1), (20, 2));
            shard.Index.TryGetId("cpu,host=a"u8, out uint id);
            await shard.DeleteSeriesAsync([id], 0, 100, CancellationToken.None);
            await WriteAsync(shard, "cpu,host=a", (20, 7));
        }
        await using var reopened = await OpenAsync(dir);
        Same(Read(reopened, "cpu,host=a"), (20, 7));
    }

    [Test]
    public async Task DropMeasurement_RemovesSeriesFromIndexAndData()
    {
        using var dir = new TempDir();
        await using var shard = await OpenAsync(dir);
        await WriteAsync(shard, "cpu,host=a", (10, 1));
        await WriteAsync(shard, "mem,host=a", (10, 1));
        await shard.SnapshotAsync();
        await shard.DeleteMeasurementAsync("cpu", CancellationToken.None);
        await Assert.That(shard.Index.Measurements()).IsEquivalentTo(new[] { "mem" });
        Same(Read(shard, "cpu,host=a"));
        Same(Read(shard, "mem,host=a"), (10, 1));
    }

    [Test]
    public async Task DeleteOfWholeRange_DropsTheSeriesFromTheIndex_PartialRangeKeepsIt()
    {
        using var dir = new TempDir();
        await using var shard = await OpenAsync(dir);
        await WriteAsync(shard, "cpu,host=a", (10, 1), (20, 2));
        await WriteAsync(shard, "cpu,host=b", (10, 1), (20, 2));
        shard.Index.TryGetId("cpu,host=a"u8, out uint a);
        shard.Index.TryGetId("cpu,host=b"u8, out uint b);
        await shard.DeleteSeriesAsync([a], 0, 15, CancellationToken.None);
        await shard.DeleteSeriesAsync([b], 0, 25, CancellationToken.None);
        await Assert.That(shard.Index.TryGetId("cpu,host=a"u8, out _)).IsTrue();
        await Assert.That(shard.Index.TryGetId("cpu,host=b"u8, out _)).IsFalse();
    }

    [Test]
    public async Task CacheLimit_RefusesWritesWithInfluxText()
    {
        using var dir = new TempDir();
        await using var shard = await OpenAsync(dir, Options(cacheMax: 2000));
        var points = Enumerable.Range(0, 200).Select(i => ((long)i, (double)i)).ToArray();
        var error = await Assert.ThrowsAsync<CacheFullException>(async () =>
        {
            for (int i = 0; i < 10; i++) await WriteAsync(shard, "cpu,host=a", points);
        });
        await Assert.That(error!.Message).Matches(@"^cache-max-memory-size exceeded: \(\d+/2000\)$");
    }

    [Test]
    public async Task TornWalTail_IsLoggedAndCut_EarlierWritesSurvive()
    {
        using var dir = new TempDir();
        await using (var shard = await OpenAsync(dir))
        {
            await WriteAsync(shard, "cpu,host=a", (10, 1));
            await WriteAsync(shard, "cpu,host=a", (20, 2));
        }
        var segment = Directory.GetFiles(Path.Combine(dir.Path, "wal"), "*.wal").Single();
        using (var f = new FileStream(segment, FileMode.Open))
            f.SetLength(f.Length - 3);
        var log = new CapturedLog();
        await using var reopened = await OpenAsync(dir, Options(log));
        Same(Read(reopened, "cpu,host=a"), (10, 1));
    }

    [Test]
    public async Task DamagedDataFile_IsLoggedByName_AndTheRestIsServed()
    {
        using var dir = new TempDir();
        await using (var shard = await OpenAsync(dir))
        {
            await WriteAsync(shard, "cpu,host=a", (10, 1));
            await shard.SnapshotAsync();
            await WriteAsync(shard, "cpu,host=b", (10, 2));
            await shard.SnapshotAsync();
        }
        var files = Directory.GetFiles(Path.Combine(dir.Path, "data"), "*.csf").Order().ToArray();
        using (var f = new FileStream(files[0], FileMode.Open))
            f.SetLength(f.Length - 10); // cut into the footer
        var log = new CapturedLog();
        await using var reopened = await OpenAsync(dir, Options(log));
        Same(Read(reopened, "cpu,host=b"), (10, 2));
        await Assert.That(log.Lines.Any(l => l.StartsWith("ERROR") && l.Contains(files[0]))).IsTrue();
    }

    [Test]
    public async Task SeriesKeyParser_InvertsTheCanonicalKey()
    {
        var key = @"we\ ather\,x,lo\=c=a\ b\,c,z=1"u8.ToArray();
        await Assert.That(SeriesKeyParser.TryParse(key, out var measurement, out var tags)).IsTrue();
        await Assert.That(System.Text.Encoding.UTF8.GetString(measurement)).IsEqualTo("we ather,x");
        await Assert.That(tags.Count).IsEqualTo(2);
        await Assert.That(System.Text.Encoding.UTF8.GetString(tags.Key(0))).IsEqualTo("lo=c");
        await Assert.That(System.Text.Encoding.UTF8.GetString(tags.Value(0))).IsEqualTo("a b,c");
    }

    [Test]
    public async Task Scan_PassesWhatReadReturns_StreamingBlocksWhenOneFileHoldsTheField()
    {
        using var dir = new TempDir();
        await using var shard = await OpenAsync(dir);
        var key = System.Text.Encoding.UTF8.GetBytes("cpu,host=a");
        var points = Enumerable.Range(0, 3500).Select(i => ((long)i * 10, i * 0.5)).ToArray();
        await WriteAsync(shard, "cpu,host=a", points);
        await shard.SnapshotAsync();

        (List<(long, double)> Values, int Runs) Scan(long min, long max)
        {
            var values = new List<(long, double)>();
            int runs = 0;
            shard.Scan(key, "v"u8, min, max, (type, times, bits, _) =>
            {
                runs++;
                if (type != FieldType.Float) throw new Exception("type " + type);
                for (int i = 0; i < times.Length; i++) values.Add((times[i], BitConverter.Int64BitsToDouble(bits[i])));
            });
            return (values, runs);
        }
        (long, double)[] ReadRange(long min, long max)
        {
            var values = shard.Read(key, "v"u8, min, max);
            return values is null ? [] : [.. Enumerable.Range(0, values.Count).Select(i => (values.Times[i], values.Float(i)))];
        }
        (long, long)[] ranges = [(long.MinValue, long.MaxValue), (15, 34_985), (9_995, 10_005), (40_000, 50_000), (-10, -1), (20, 20)];

        // One file: the blocks go to the sink one by one (3500 points make several runs), trimmed to the range.
        foreach (var (min, max) in ranges) Same([.. Scan(min, max).Values], ReadRange(min, max));
        await Assert.That(Scan(long.MinValue, long.MaxValue).Runs).IsGreaterThan(1);

        // Values in the cache too, one overwriting a file value: the merged answer of Read, in one run.
        await WriteAsync(shard, "cpu,host=a", (20, 99.0), (40_000, 1.0));
        foreach (var (min, max) in ranges) Same([.. Scan(min, max).Values], ReadRange(min, max));
        await Assert.That(Scan(long.MinValue, long.MaxValue).Runs).IsEqualTo(1);

        // Two files, then one file with a tombstone.
        await shard.SnapshotAsync();
        foreach (var (min, max) in ranges) Same([.. Scan(min, max).Values], ReadRange(min, max));
        using (var slots = new SemaphoreSlim(1)) await shard.CompactAsync(slots, forceFull: true);
        shard.Index.TryGetId(key, out uint id);
        await shard.DeleteSeriesAsync([id], 100, 200, CancellationToken.None);
        foreach (var (min, max) in ranges) Same([.. Scan(min, max).Values], ReadRange(min, max));
        await Assert.That(Scan(long.MinValue, long.MaxValue).Values.Exists(v => v.Item1 == 150)).IsFalse();
    }

    /// <summary>One Scan with a block count sink: the blocks taken as counts, and the runs the value sink received.</summary>
    private static (List<(long Min, long Max, int Count)> Counted, List<(long First, long Last, int Count)> Decoded) ScanCounting(
        Shard shard, string seriesKey, long min, long max, Func<long, long, bool> accept)
    {
        var counted = new List<(long, long, int)>();
        var decoded = new List<(long, long, int)>();
        shard.Scan(System.Text.Encoding.UTF8.GetBytes(seriesKey), "v"u8, min, max,
            (_, times, _, _) => decoded.Add((times[0], times[^1], times.Length)),
            (type, lo, hi, count) =>
            {
                if (type != FieldType.Float) throw new Exception("type " + type);
                if (!accept(lo, hi)) return false;
                counted.Add((lo, hi, count));
                return true;
            });
        return (counted, decoded);
    }

    [Test]
    public async Task Scan_OneFile_TakesWholeBlocksAsCountsAndDecodesEdgesAndRefusedBlocks()
    {
        using var dir = new TempDir();
        await using var shard = await OpenAsync(dir);
        // 3500 points 10 apart: blocks of 1000 points [0, 9990], [10000, 19990], [20000, 29990], [30000, 34990].
        await WriteAsync(shard, "cpu,host=a", [.. Enumerable.Range(0, 3500).Select(i => ((long)i * 10, i * 0.5))]);
        await shard.SnapshotAsync();

        // The whole range: every block as its statistics, nothing decoded.
        var (counted, decoded) = ScanCounting(shard, "cpu,host=a", long.MinValue, long.MaxValue, (_, _) => true);
        await Assert.That(counted).IsEquivalentTo([(0L, 9_990L, 1000), (10_000L, 19_990L, 1000), (20_000L, 29_990L, 1000), (30_000L, 34_990L, 500)]);
        await Assert.That(decoded).IsEmpty();

        // Partial blocks at both edges are decoded and trimmed; the two whole ones between are counted.
        (counted, decoded) = ScanCounting(shard, "cpu,host=a", 15, 34_985, (_, _) => true);
        await Assert.That(counted).IsEquivalentTo([(10_000L, 19_990L, 1000), (20_000L, 29_990L, 1000)]);
        await Assert.That(decoded).IsEquivalentTo([(20L, 9_990L, 998), (30_000L, 34_980L, 499)]);

        // A block lying exactly on the range's bounds is whole.
        (counted, decoded) = ScanCounting(shard, "cpu,host=a", 10_000, 19_990, (_, _) => true);
        await Assert.That(counted).IsEquivalentTo([(10_000L, 19_990L, 1000)]);
        await Assert.That(decoded).IsEmpty();

        // Blocks the caller refuses are decoded whole.
        (counted, decoded) = ScanCounting(shard, "cpu,host=a", long.MinValue, long.MaxValue, (lo, _) => lo != 10_000);
        await Assert.That(counted).IsEquivalentTo([(0L, 9_990L, 1000), (20_000L, 29_990L, 1000), (30_000L, 34_990L, 500)]);
        await Assert.That(decoded).IsEquivalentTo([(10_000L, 19_990L, 1000)]);
    }

    [Test]
    public async Task Scan_CachedValuesSecondFileOrTombstones_DecodesEverything()
    {
        using var dir = new TempDir();
        await using var shard = await OpenAsync(dir);
        await WriteAsync(shard, "cpu,host=a", [.. Enumerable.Range(0, 2500).Select(i => ((long)i * 10, i * 0.5))]);
        await shard.SnapshotAsync();
        async Task AllDecoded(int points)
        {
            var (counted, decoded) = ScanCounting(shard, "cpu,host=a", long.MinValue, long.MaxValue, (_, _) => true);
            await Assert.That(counted).IsEmpty();
            await Assert.That(decoded.Sum(d => d.Count)).IsEqualTo(points);
        }
        await Assert.That(ScanCounting(shard, "cpu,host=a", long.MinValue, long.MaxValue, (_, _) => true).Counted.Count).IsEqualTo(3);

        // A cached value overwriting one in a block: the block's count still holds, but its values are not what is read.
        await WriteAsync(shard, "cpu,host=a", (20, 99.0), (30_000, 1.0));
        await AllDecoded(2501);

        // The same values in a second file.
        await shard.SnapshotAsync();
        await AllDecoded(2501);

        // One file again, with a tombstone over part of a block.
        using (var slots = new SemaphoreSlim(1)) await shard.CompactAsync(slots, forceFull: true);
        await Assert.That(ScanCounting(shard, "cpu,host=a", long.MinValue, long.MaxValue, (_, _) => true).Counted.Count).IsEqualTo(3);
        shard.Index.TryGetId(System.Text.Encoding.UTF8.GetBytes("cpu,host=a"), out uint id);
        await shard.DeleteSeriesAsync([id], 100, 200, CancellationToken.None);
        await AllDecoded(2501 - 11);
    }
}
