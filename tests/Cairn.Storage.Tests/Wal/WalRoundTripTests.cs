using Cairn.Storage.Wal;
using CsCheck;
using ShardWal = Cairn.Storage.Wal.WriteAheadLog;

namespace Cairn.Storage.Tests.Wal;

public class WalRoundTripTests
{
    private static readonly Gen<(byte Type, byte[] Payload)> EntryGen = Gen.Select(Gen.Byte, Gen.Byte.Array[0, 2000]);

    [Test]
    public async Task Replay_AfterReopen_ReturnsEveryEntryInOrder()
    {
        await EntryGen.List[1, 60].SampleAsync(async entries =>
        {
            using var dir = new TempDir();
            var options = WalTesting.Options(segmentSize: 4096);
            List<Replayed> written;
            await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
                written = await WalTesting.AppendAllAsync(wal, entries);

            var (replayed, result) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
            if (!WalTesting.SameEntries(replayed, written, out var difference)) throw new Exception(difference);
            if (result.Corruptions.Count != 0) throw new Exception($"unexpected damage: {result.Corruptions[0]}");
            if (result.Entries != written.Count) throw new Exception($"result counts {result.Entries} entries");
        }, iter: 40);
    }

    [Test]
    public async Task AppendAsync_Sequences_StrictlyIncreaseAcrossReopen()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(segmentSize: 1024);
        var random = new Random(11);
        var sequences = new List<long>();
        for (int session = 0; session < 3; session++)
        {
            await using var wal = await ShardWal.OpenAsync(dir.Path, options);
            for (int i = 0; i < 30; i++) sequences.Add(await wal.AppendAsync(1, WalTesting.RandomBytes(random, random.Next(0, 200))));
        }
        for (int i = 1; i < sequences.Count; i++) await Assert.That(sequences[i]).IsGreaterThan(sequences[i - 1]);
        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(replayed.Select(e => e.Sequence).ToArray()).IsEquivalentTo(sequences.ToArray());
    }

    [Test]
    public async Task Replay_EmptyPayloadsAndEveryType_RoundTrip()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options();
        var entries = Enumerable.Range(0, 256).Select(t => ((byte)t, t % 3 == 0 ? Array.Empty<byte>() : new[] { (byte)t })).ToList();
        List<Replayed> written;
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
            written = await WalTesting.AppendAllAsync(wal, entries);

        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(WalTesting.SameEntries(replayed, written, out var difference)).IsTrue().Because(difference);
    }

    [Test]
    public async Task Replay_WhileOpen_ReturnsDurableEntriesOfActiveSegment()
    {
        using var dir = new TempDir();
        await using var wal = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        var written = await WalTesting.AppendAllAsync(wal, [(1, [1, 2, 3]), (2, [4, 5])]);

        var (replayed, _) = await WalTesting.ReplayAllAsync(wal);

        await Assert.That(WalTesting.SameEntries(replayed, written, out var difference)).IsTrue().Because(difference);
    }

    [Test]
    public async Task OpenAsync_MissingDirectory_CreatesIt()
    {
        using var dir = new TempDir();
        var nested = Path.Combine(dir.Path, "db", "rp", "7");
        await using var wal = await ShardWal.OpenAsync(nested, WalTesting.Options());
        await Assert.That(Directory.Exists(nested)).IsTrue();
        await Assert.That(wal.SegmentIds.Count).IsEqualTo(0);
    }

    [Test]
    public async Task OpenAsync_InvalidOptions_Throws()
    {
        using var dir = new TempDir();
        await Assert.That(async () => await ShardWal.OpenAsync(dir.Path, new WalOptions { SegmentSize = 10 })).Throws<ArgumentException>();
        await Assert.That(async () => await ShardWal.OpenAsync(dir.Path, new WalOptions { FsyncDelay = TimeSpan.FromSeconds(-1) })).Throws<ArgumentException>();
    }

    [Test]
    public async Task OpenAsync_DirectoryAlreadyOpen_ThrowsIOExceptionUntilClosed()
    {
        using var dir = new TempDir();
        var first = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        await Assert.That(async () => await ShardWal.OpenAsync(dir.Path, WalTesting.Options())).Throws<IOException>();
        await first.CloseAsync();
        await using var second = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        await Assert.That(second.SegmentIds.Count).IsEqualTo(0);
    }

    [Test]
    public async Task AppendAsync_AfterClose_ThrowsObjectDisposed()
    {
        using var dir = new TempDir();
        var wal = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        await wal.CloseAsync();
        await Assert.That(async () => await wal.AppendAsync(1, new byte[] { 1 })).Throws<ObjectDisposedException>();
    }

    [Test]
    public async Task AppendAsync_AfterIoFailure_FailsThatAppendAndEveryLaterOne()
    {
        using var dir = new TempDir();
        var walDir = Path.Combine(dir.Path, "wal");
        var log = new CapturedLog();
        var wal = await ShardWal.OpenAsync(walDir, WalTesting.Options(logger: log.Logger));
        await wal.AppendAsync(1, new byte[] { 1 });
        await wal.RollAsync();
        // The next append must create a segment in a directory that is gone.
        Directory.Delete(walDir, recursive: true);

        await Assert.That(async () => await wal.AppendAsync(1, new byte[] { 2 })).Throws<IOException>();
        await Assert.That(async () => await wal.AppendAsync(1, new byte[] { 3 })).Throws<IOException>();
        await Assert.That(async () => await wal.RollAsync()).Throws<IOException>();
        await Assert.That(log.HasError(walDir)).IsTrue();
        await wal.CloseAsync();
    }

    [Test]
    public async Task AppendAsync_PayloadOverLimit_ThrowsArgumentOutOfRange()
    {
        using var dir = new TempDir();
        await using var wal = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        await Assert.That(async () => await wal.AppendAsync(1, new byte[(64 << 20) + 1])).Throws<ArgumentOutOfRangeException>();
    }

    [Test]
    public async Task CloseAsync_WithAppendsQueued_MakesThemAllDurable()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(queueDepth: 1024);
        var wal = await ShardWal.OpenAsync(dir.Path, options);
        var pending = new List<Task<long>>();
        for (int i = 0; i < 500; i++) pending.Add(wal.AppendAsync((byte)(i % 7), BitConverter.GetBytes(i)).AsTask());
        await wal.CloseAsync();
        // Completions run off the writer loop, so they may land just after CloseAsync returns.
        var sequences = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.That(sequences.Length).IsEqualTo(500);

        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(replayed.Count).IsEqualTo(500);
        for (int i = 0; i < 500; i++) await Assert.That(BitConverter.ToInt32(replayed[i].Payload)).IsEqualTo(i);
    }

    [Test]
    public async Task Dispose_Twice_IsHarmless()
    {
        using var dir = new TempDir();
        var wal = await ShardWal.OpenAsync(dir.Path, WalTesting.Options());
        await wal.AppendAsync(1, new byte[] { 9 });
        wal.Dispose();
        wal.Dispose();
        await wal.CloseAsync();
        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, WalTesting.Options());
        await Assert.That(replayed.Count).IsEqualTo(1);
    }
}
