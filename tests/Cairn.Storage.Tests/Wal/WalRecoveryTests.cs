using Cairn.Storage.Wal;
using CsCheck;
using ShardWal = Cairn.Storage.Wal.WriteAheadLog;

namespace Cairn.Storage.Tests.Wal;

public class WalRecoveryTests
{
    private static readonly Gen<(byte Type, byte[] Payload)> SmallEntryGen = Gen.Select(Gen.Byte, Gen.Byte.Array[0, 300]);

    /// <summary>Appends <paramref name="entries"/> to a new WAL in <paramref name="dir"/> and closes it.</summary>
    private static async Task<List<Replayed>> WriteWalAsync(string dir, WalOptions options, IEnumerable<(byte, byte[])> entries)
    {
        await using var wal = await ShardWal.OpenAsync(dir, options);
        return await WalTesting.AppendAllAsync(wal, entries);
    }

    private static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    private static void FlipBit(string path, long offset, int bit)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= (byte)(1 << bit);
        File.WriteAllBytes(path, bytes);
    }

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }

    /// <summary>
    /// Cuts the newest segment at <paramref name="cut"/>, then checks that open + replay returns exactly the
    /// entries wholly before the cut (and all of the older segments), reports and logs a cut inside an entry,
    /// and that appends afterwards continue in the same file and replay too.
    /// </summary>
    private static async Task CheckRecoveryAfterCutAsync(string dir, List<Replayed> written, long cut)
    {
        long lastId = ShardWal.SegmentOf(written[^1].Sequence);
        string last = WalTesting.SegmentFile(dir, lastId);
        long length = new FileInfo(last).Length;
        Truncate(last, cut);

        var layout = WalTesting.Layout(written, lastId);
        var expected = written.Where(e => ShardWal.SegmentOf(e.Sequence) < lastId)
            .Concat(layout.Where(x => x.End <= cut).Select(x => x.Entry)).ToList();
        long goodEnd = cut < 8 ? 8 : layout.Where(x => x.End <= cut).Select(x => x.End).DefaultIfEmpty(8).Max();
        bool cutInsideEntry = cut >= 8 && cut != goodEnd;

        var log = new CapturedLog();
        var options = WalTesting.Options(segmentSize: 2048, logger: log.Logger);
        List<Replayed> appended;
        await using (var wal = await ShardWal.OpenAsync(dir, options))
        {
            var (replayed, result) = await WalTesting.ReplayAllAsync(wal);
            Check(WalTesting.SameEntries(replayed, expected, out var difference), $"cut {cut} of {length}: {difference}");
            Check(new FileInfo(last).Length == goodEnd, $"cut {cut}: file is {new FileInfo(last).Length} bytes, expected {goodEnd}");
            if (cutInsideEntry)
            {
                Check(result.Corruptions.Count == 1, $"cut {cut}: {result.Corruptions.Count} corruptions reported");
                var c = result.Corruptions[0];
                Check(c.File == last && c.Offset == goodEnd && c.Truncated && c.SegmentId == lastId, $"cut {cut}: reported {c}");
                Check(log.HasError(last) && log.HasError($"offset {goodEnd}"), $"cut {cut}: no error naming {last} at {goodEnd}: {string.Join(" / ", log.Lines)}");
            }
            else
            {
                Check(result.Corruptions.Count == 0, $"cut {cut}: unexpected {string.Join(", ", result.Corruptions)}");
            }

            appended = await WalTesting.AppendAllAsync(wal, [(7, [1, 2, 3]), (8, [])]);
            Check(appended.All(e => ShardWal.SegmentOf(e.Sequence) == lastId), $"cut {cut}: appends went to another segment");
        }

        var (again, againResult) = await WalTesting.ReopenAndReplayAsync(dir, options);
        Check(WalTesting.SameEntries(again, expected.Concat(appended).ToList(), out var afterDifference), $"cut {cut}, after appends: {afterDifference}");
        Check(againResult.Corruptions.Count == 0, $"cut {cut}: damage after repair: {string.Join(", ", againResult.Corruptions)}");
    }

    [Test]
    public async Task Open_LastSegmentCutAtRandomOffset_ReplaysAcknowledgedPrefixAndAppendsContinue()
    {
        await Gen.Select(SmallEntryGen.List[1, 30], Gen.Int[0, 1_000_000]).SampleAsync(async (entries, pick) =>
        {
            using var dir = new TempDir();
            var written = await WriteWalAsync(dir.Path, WalTesting.Options(segmentSize: 2048), entries);
            long lastId = ShardWal.SegmentOf(written[^1].Sequence);
            long length = new FileInfo(WalTesting.SegmentFile(dir.Path, lastId)).Length;
            await CheckRecoveryAfterCutAsync(dir.Path, written, pick % (length + 1));
        }, iter: 100);
    }

    [Test]
    public async Task Open_LastSegmentCutAtEveryOffset_ReplaysAcknowledgedPrefixAndAppendsContinue()
    {
        using var pristine = new TempDir();
        var random = new Random(3);
        var entries = Enumerable.Range(0, 12).Select(i => ((byte)i, WalTesting.RandomBytes(random, random.Next(0, 40)))).ToList();
        var written = await WriteWalAsync(pristine.Path, WalTesting.Options(segmentSize: 256), entries);
        long lastId = ShardWal.SegmentOf(written[^1].Sequence);
        await Assert.That(lastId).IsGreaterThan(1);
        long length = new FileInfo(WalTesting.SegmentFile(pristine.Path, lastId)).Length;

        for (long cut = 0; cut <= length; cut++)
        {
            using var dir = new TempDir();
            foreach (var file in Directory.GetFiles(pristine.Path, "*.wal")) File.Copy(file, dir.File(Path.GetFileName(file)));
            await CheckRecoveryAfterCutAsync(dir.Path, written, cut);
        }
    }

    [Test]
    public async Task Replay_BitFlipInClosedSegment_ReturnsEntriesBeforeItAndAllLaterSegments()
    {
        var entriesGen = Gen.Select(Gen.Byte, Gen.Byte.Array[50, 200]).List[10, 40];
        await Gen.Select(entriesGen, Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int[0, 7]).SampleAsync(async (entries, segmentPick, offsetPick, bit) =>
        {
            using var dir = new TempDir();
            var written = await WriteWalAsync(dir.Path, WalTesting.Options(segmentSize: 512), entries);
            var ids = written.Select(e => ShardWal.SegmentOf(e.Sequence)).Distinct().ToList();
            Check(ids.Count >= 2, "expected several segments");
            long damagedId = ids[segmentPick % (ids.Count - 1)];
            string damagedFile = WalTesting.SegmentFile(dir.Path, damagedId);
            long length = new FileInfo(damagedFile).Length;
            long offset = 8 + offsetPick % (length - 8);
            FlipBit(damagedFile, offset, bit);

            var layout = WalTesting.Layout(written, damagedId);
            var hit = layout.Single(x => x.Start <= offset && offset < x.End);
            var lost = layout.Where(x => x.Start >= hit.Start).Select(x => x.Entry.Sequence).ToHashSet();
            var expected = written.Where(e => !lost.Contains(e.Sequence)).ToList();

            var log = new CapturedLog();
            var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, WalTesting.Options(segmentSize: 512, logger: log.Logger));

            Check(WalTesting.SameEntries(replayed, expected, out var difference), $"flip at {offset} bit {bit} of segment {damagedId}: {difference}");
            Check(result.Corruptions.Count == 1, $"{result.Corruptions.Count} corruptions reported");
            var c = result.Corruptions[0];
            Check(c.File == damagedFile && c.Offset == hit.Start && !c.Truncated, $"flip at {offset}: reported {c}, expected offset {hit.Start}");
            Check(log.HasError(damagedFile) && log.HasError($"offset {hit.Start}"), $"no error naming {damagedFile}: {string.Join(" / ", log.Lines)}");
            Check(new FileInfo(damagedFile).Length == length, "a closed segment was modified");
        }, iter: 100);
    }

    [Test]
    public async Task Open_BitFlipInLastSegment_TruncatesAtDamagedEntryAndAppendsContinue()
    {
        using var dir = new TempDir();
        var entries = Enumerable.Range(0, 5).Select(i => ((byte)1, new byte[20])).ToList();
        var written = await WriteWalAsync(dir.Path, WalTesting.Options(), entries);
        string file = WalTesting.SegmentFile(dir.Path, 1);
        long third = 8 + 2 * 29;
        FlipBit(file, third + 15, 3);

        var log = new CapturedLog();
        var options = WalTesting.Options(logger: log.Logger);
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            var (replayed, result) = await WalTesting.ReplayAllAsync(wal);
            await Assert.That(WalTesting.SameEntries(replayed, written.Take(2).ToList(), out var difference)).IsTrue().Because(difference);
            await Assert.That(result.Corruptions.Single()).IsEqualTo(new WalCorruption(file, 1, third, WalDamage.BadChecksum, Truncated: true));
            await Assert.That(log.HasError(file)).IsTrue();
            await Assert.That(new FileInfo(file).Length).IsEqualTo(third);
            await wal.AppendAsync(9, new byte[] { 9 });
        }
        var (after, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(after.Select(e => e.Type).ToArray()).IsEquivalentTo(new byte[] { 1, 1, 9 });
    }

    [Test]
    public async Task Replay_BadHeaderInClosedSegment_SkipsTheFileAndReplaysTheRest()
    {
        using var dir = new TempDir();
        var entries = Enumerable.Range(0, 30).Select(i => ((byte)i, new byte[100])).ToList();
        var written = await WriteWalAsync(dir.Path, WalTesting.Options(segmentSize: 512), entries);
        string second = WalTesting.SegmentFile(dir.Path, 2);
        FlipBit(second, 1, 0);

        var log = new CapturedLog();
        var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, WalTesting.Options(segmentSize: 512, logger: log.Logger));

        var expected = written.Where(e => ShardWal.SegmentOf(e.Sequence) != 2).ToList();
        await Assert.That(WalTesting.SameEntries(replayed, expected, out var difference)).IsTrue().Because(difference);
        await Assert.That(result.Corruptions.Single()).IsEqualTo(new WalCorruption(second, 2, 0, WalDamage.BadHeader, Truncated: false));
        await Assert.That(log.HasError(second)).IsTrue();
    }

    [Test]
    public async Task Replay_UnsupportedVersion_SkipsTheFile()
    {
        using var dir = new TempDir();
        var entries = Enumerable.Range(0, 30).Select(i => ((byte)i, new byte[100])).ToList();
        var written = await WriteWalAsync(dir.Path, WalTesting.Options(segmentSize: 512), entries);
        string first = WalTesting.SegmentFile(dir.Path, 1);
        var bytes = File.ReadAllBytes(first);
        bytes[4] = 2;
        File.WriteAllBytes(first, bytes);

        var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, WalTesting.Options(segmentSize: 512));

        await Assert.That(replayed.Count).IsEqualTo(written.Count(e => ShardWal.SegmentOf(e.Sequence) != 1));
        await Assert.That(result.Corruptions.Single().Damage).IsEqualTo(WalDamage.UnsupportedVersion);
    }

    [Test]
    public async Task Open_OnlySegmentIsGarbage_LeavesItAndAppendsToANewSegment()
    {
        using var dir = new TempDir();
        string garbage = WalTesting.SegmentFile(dir.Path, 1);
        var noise = WalTesting.RandomBytes(new Random(5), 500);
        noise[0] = 0; // never the magic
        File.WriteAllBytes(garbage, noise);

        var log = new CapturedLog();
        var options = WalTesting.Options(logger: log.Logger);
        long sequence;
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            var (replayed, result) = await WalTesting.ReplayAllAsync(wal);
            await Assert.That(replayed.Count).IsEqualTo(0);
            await Assert.That(result.Corruptions.Single().Damage).IsEqualTo(WalDamage.BadHeader);
            await Assert.That(log.HasError(garbage)).IsTrue();
            sequence = await wal.AppendAsync(1, new byte[] { 42 });
        }

        await Assert.That(ShardWal.SegmentOf(sequence)).IsEqualTo(2);
        await Assert.That(File.ReadAllBytes(garbage)).IsEquivalentTo(noise);
        var (after, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(after.Single().Payload).IsEquivalentTo(new byte[] { 42 });
    }

    [Test]
    public async Task Open_EmptyNewestSegment_RewritesHeaderAndAppendsToIt()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(WalTesting.SegmentFile(dir.Path, 1), []);
        var options = WalTesting.Options();
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            var (replayed, result) = await WalTesting.ReplayAllAsync(wal);
            await Assert.That(replayed.Count).IsEqualTo(0);
            await Assert.That(result.Corruptions.Count).IsEqualTo(0);
            await Assert.That(ShardWal.SegmentOf(await wal.AppendAsync(1, new byte[] { 1 }))).IsEqualTo(1);
        }
        var (after, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(after.Count).IsEqualTo(1);
    }

    [Test]
    public async Task Replay_EmptyClosedSegment_IsReportedAndSkipped()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(WalTesting.SegmentFile(dir.Path, 1), []);
        var written = await WriteWalAsync(dir.Path, WalTesting.Options(), [(1, [1])]); // reuses segment 1
        await Assert.That(ShardWal.SegmentOf(written[0].Sequence)).IsEqualTo(1);
        File.Move(WalTesting.SegmentFile(dir.Path, 1), WalTesting.SegmentFile(dir.Path, 2));
        File.WriteAllBytes(WalTesting.SegmentFile(dir.Path, 1), []);

        var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, WalTesting.Options());

        await Assert.That(replayed.Single().Payload).IsEquivalentTo(new byte[] { 1 });
        await Assert.That(result.Corruptions.Single().SegmentId).IsEqualTo(1);
    }

    [Test]
    public async Task Open_ZeroFilledTail_IsCutOff()
    {
        using var dir = new TempDir();
        var written = await WriteWalAsync(dir.Path, WalTesting.Options(), [(1, [1, 2]), (2, [3])]);
        string file = WalTesting.SegmentFile(dir.Path, 1);
        long length = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Append)) stream.Write(new byte[4096]);

        var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, WalTesting.Options());

        await Assert.That(WalTesting.SameEntries(replayed, written, out var difference)).IsTrue().Because(difference);
        await Assert.That(result.Corruptions.Single().Offset).IsEqualTo(length);
        await Assert.That(new FileInfo(file).Length).IsEqualTo(length);
    }

    [Test]
    public async Task Replay_HugeLengthField_StopsWithoutReadingIt()
    {
        using var dir = new TempDir();
        var entries = Enumerable.Range(0, 30).Select(i => ((byte)i, new byte[100])).ToList();
        var written = await WriteWalAsync(dir.Path, WalTesting.Options(segmentSize: 512), entries);
        string first = WalTesting.SegmentFile(dir.Path, 1);
        var bytes = File.ReadAllBytes(first);
        bytes[8 + 109 + 3] = 0xFF; // second entry's length: > 4 GiB / 2
        File.WriteAllBytes(first, bytes);

        var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, WalTesting.Options(segmentSize: 512));

        await Assert.That(replayed.Count).IsEqualTo(written.Count - (written.Count(e => ShardWal.SegmentOf(e.Sequence) == 1) - 1));
        await Assert.That(result.Corruptions.Single()).IsEqualTo(new WalCorruption(first, 1, 8 + 109, WalDamage.BadLength, Truncated: false));
    }

    [Test]
    public async Task Open_ForeignFilesInDirectory_AreIgnoredAndLeftAlone()
    {
        using var dir = new TempDir();
        string[] foreign = ["notes.txt", "1.wal", "00000001.wal.tmp", "abc.wal", "-0000001.wal"];
        foreach (var name in foreign) File.WriteAllText(dir.File(name), name);

        var options = WalTesting.Options();
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            await wal.AppendAsync(1, new byte[] { 1 });
            await Assert.That(wal.SegmentIds.ToArray()).IsEquivalentTo(new long[] { 1 });
            await wal.RollAsync();
            await wal.RemoveSegmentsThroughAsync(long.MaxValue);
        }
        var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(replayed.Count).IsEqualTo(0);
        await Assert.That(result.Corruptions.Count).IsEqualTo(0);
        foreach (var name in foreign) await Assert.That(File.ReadAllText(dir.File(name))).IsEqualTo(name);
    }

    /// <summary>
    /// A crash, simulated by copying the directory while four writers append: whatever was acknowledged
    /// before the copy began must come back, and nothing that was never written may.
    /// </summary>
    [Test]
    public async Task Replay_DirectoryCopiedMidWrite_ReturnsEveryEntryAcknowledgedBeforeTheCopy()
    {
        using var dir = new TempDir();
        using var copy = new TempDir();
        var options = WalTesting.Options(segmentSize: 64 << 10);
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<long, byte[]>();
        var all = new System.Collections.Concurrent.ConcurrentDictionary<long, byte[]>();
        HashSet<long> ackedBeforeCopy;
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                for (int i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
                {
                    var payload = WalTesting.RandomBytes(random, random.Next(1, 3000));
                    long sequence = await wal.AppendAsync((byte)w, payload);
                    all[sequence] = payload;
                    acknowledged[sequence] = payload;
                }
            })).ToArray();

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (acknowledged.Count < 300 && DateTime.UtcNow < deadline && !writers.Any(t => t.IsFaulted)) await Task.Delay(1);
            ackedBeforeCopy = acknowledged.Keys.ToHashSet();
            foreach (var file in Directory.GetFiles(dir.Path, "*.wal").OrderBy(f => f, StringComparer.Ordinal))
                File.Copy(file, copy.File(Path.GetFileName(file)));
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(copy.Path, options);

        await Assert.That(ackedBeforeCopy.Count).IsGreaterThanOrEqualTo(300);
        var replayedSequences = replayed.Select(e => e.Sequence).ToHashSet();
        await Assert.That(ackedBeforeCopy.Where(s => !replayedSequences.Contains(s)).Count()).IsEqualTo(0);
        for (int i = 1; i < replayed.Count; i++) await Assert.That(replayed[i].Sequence).IsGreaterThan(replayed[i - 1].Sequence);
        foreach (var e in replayed) await Assert.That(e.Payload.AsSpan().SequenceEqual(all[e.Sequence])).IsTrue();
    }
}
