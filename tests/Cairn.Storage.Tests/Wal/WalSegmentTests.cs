using ShardWal = Cairn.Storage.Wal.WriteAheadLog;

namespace Cairn.Storage.Tests.Wal;

public class WalSegmentTests
{
    [Test]
    public async Task AppendAsync_PastSegmentSize_RollsToNewSegmentsNoLargerThanTheLimit()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(segmentSize: 1000);
        List<Replayed> written;
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            written = await WalTesting.AppendAllAsync(wal, Enumerable.Range(0, 50).Select(i => ((byte)1, new byte[100])));
            await Assert.That(wal.SegmentIds.Count).IsGreaterThan(5);
        }

        var files = Directory.GetFiles(dir.Path, "*.wal").Order().ToArray();
        foreach (var file in files) await Assert.That(new FileInfo(file).Length).IsLessThanOrEqualTo(1000);
        await Assert.That(Path.GetFileName(files[0])).IsEqualTo("00000001.wal");
        // 8-byte header + 9 entries of 109 bytes = 989: nine entries per segment.
        await Assert.That(written.Count(e => ShardWal.SegmentOf(e.Sequence) == 1)).IsEqualTo(9);

        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(WalTesting.SameEntries(replayed, written, out var difference)).IsTrue().Because(difference);
    }

    [Test]
    public async Task AppendAsync_EntryLargerThanSegmentSize_GetsASegmentOfItsOwn()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(segmentSize: 1000);
        await using var wal = await ShardWal.OpenAsync(dir.Path, options);
        long small = await wal.AppendAsync(1, new byte[10]);
        long big = await wal.AppendAsync(2, new byte[5000]);
        long after = await wal.AppendAsync(3, new byte[10]);

        await Assert.That(ShardWal.SegmentOf(small)).IsEqualTo(1);
        await Assert.That(ShardWal.SegmentOf(big)).IsEqualTo(2);
        await Assert.That(ShardWal.SegmentOf(after)).IsEqualTo(3);
        var (replayed, _) = await WalTesting.ReplayAllAsync(wal);
        await Assert.That(replayed.Select(e => e.Payload.Length).ToArray()).IsEquivalentTo(new[] { 10, 5000, 10 });
    }

    [Test]
    public async Task RollAsync_AfterAppends_ReturnsClosedSegmentAndNextAppendStartsANewOne()
    {
        using var dir = new TempDir();
        await using var wal = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        long first = await wal.AppendAsync(1, new byte[] { 1 });
        long closed = await wal.RollAsync();
        long second = await wal.AppendAsync(1, new byte[] { 2 });

        await Assert.That(closed).IsEqualTo(ShardWal.SegmentOf(first));
        await Assert.That(ShardWal.SegmentOf(second)).IsEqualTo(closed + 1);
        await Assert.That(wal.SegmentIds.ToArray()).IsEquivalentTo(new[] { closed, closed + 1 });
    }

    [Test]
    public async Task RollAsync_NothingWrittenSinceLastRoll_CreatesNoEmptySegment()
    {
        using var dir = new TempDir();
        await using var wal = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        await Assert.That(await wal.RollAsync()).IsEqualTo(0);
        await wal.AppendAsync(1, new byte[] { 1 });
        long closed = await wal.RollAsync();
        await Assert.That(await wal.RollAsync()).IsEqualTo(closed);
        await Assert.That(wal.SegmentIds.Count).IsEqualTo(1);
    }

    [Test]
    public async Task RemoveSegmentsThroughAsync_ClosedSegments_DeletesThemAndReplaySkipsTheirEntries()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options();
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            await wal.AppendAsync(1, new byte[] { 1 });
            await wal.AppendAsync(1, new byte[] { 2 });
            long snapshotted = await wal.RollAsync();
            long kept = await wal.AppendAsync(1, new byte[] { 3 });

            int removed = await wal.RemoveSegmentsThroughAsync(snapshotted);

            await Assert.That(removed).IsEqualTo(1);
            await Assert.That(File.Exists(WalTesting.SegmentFile(dir.Path, snapshotted))).IsFalse();
            await Assert.That(wal.SegmentIds.ToArray()).IsEquivalentTo(new[] { ShardWal.SegmentOf(kept) });
        }

        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(replayed.Select(e => e.Payload[0]).ToArray()).IsEquivalentTo(new byte[] { 3 });
    }

    [Test]
    public async Task RemoveSegmentsThroughAsync_IdOfActiveSegment_KeepsTheActiveSegment()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(segmentSize: 300);
        await using var wal = await ShardWal.OpenAsync(dir.Path, options);
        long last = 0;
        for (int i = 0; i < 10; i++) last = await wal.AppendAsync(1, new byte[100]);
        long active = ShardWal.SegmentOf(last);
        await Assert.That(active).IsGreaterThan(1);

        int removed = await wal.RemoveSegmentsThroughAsync(long.MaxValue);

        await Assert.That(removed).IsEqualTo((int)active - 1);
        await Assert.That(wal.SegmentIds.ToArray()).IsEquivalentTo(new[] { active });
        long next = await wal.AppendAsync(1, new byte[] { 7 });
        var (replayed, _) = await WalTesting.ReplayAllAsync(wal);
        await Assert.That(replayed[^1].Sequence).IsEqualTo(next);
    }

    [Test]
    public async Task OpenAsync_ExistingSegments_AppendsContinueInTheNewestSegment()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options();
        long before;
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options)) before = await wal.AppendAsync(1, new byte[] { 1 });
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            long after = await wal.AppendAsync(1, new byte[] { 2 });
            await Assert.That(ShardWal.SegmentOf(after)).IsEqualTo(ShardWal.SegmentOf(before));
            await Assert.That(after).IsEqualTo(before + 1);
        }
        await Assert.That(Directory.GetFiles(dir.Path, "*.wal").Length).IsEqualTo(1);
    }
}
