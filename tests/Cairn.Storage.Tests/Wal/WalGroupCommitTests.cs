using System.Diagnostics;
using ShardWal = Cairn.Storage.Wal.WriteAheadLog;

namespace Cairn.Storage.Tests.Wal;

public class WalGroupCommitTests
{
    [Test]
    public async Task AppendAsync_BurstOfConcurrentAppends_FewerFsyncsThanAppends()
    {
        using var dir = new TempDir();
        await using var wal = await ShardWal.OpenAsync(dir.Path, WalTesting.Options(queueDepth: 2048));
        // All 1000 are queued before the first can have been synced: the writer must batch them.
        var pending = new Task<long>[1000];
        for (int i = 0; i < pending.Length; i++) pending[i] = wal.AppendAsync(1, BitConverter.GetBytes(i)).AsTask();
        await Task.WhenAll(pending);

        var stats = wal.Statistics;
        await Assert.That(stats.Appends).IsEqualTo(1000);
        await Assert.That(stats.Fsyncs).IsLessThan(stats.Appends);
        await Assert.That(stats.Groups).IsLessThan(stats.Appends);
    }

    [Test]
    public async Task AppendAsync_FsyncDelay_GathersAppendsArrivingWithinTheDelay()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(fsyncDelay: TimeSpan.FromMilliseconds(200));
        await using var wal = await ShardWal.OpenAsync(dir.Path, options);
        var pending = new List<Task<long>>();
        for (int i = 0; i < 100; i++) pending.Add(wal.AppendAsync(1, new byte[] { (byte)i }).AsTask());
        await Task.WhenAll(pending);

        // 100 appends queued in well under 200 ms: a handful of groups at most, never one per append.
        await Assert.That(wal.Statistics.Fsyncs).IsLessThanOrEqualTo(10);
    }

    [Test]
    public async Task AppendAsync_ConcurrentWriters_ReplayOrderFollowsSequenceNumbers()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(segmentSize: 8192);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<Replayed>();
        await using (var wal = await ShardWal.OpenAsync(dir.Path, options))
        {
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                for (int i = 0; i < 100; i++)
                {
                    var payload = WalTesting.RandomBytes(random, random.Next(0, 300));
                    long sequence = await wal.AppendAsync((byte)w, payload);
                    acknowledged.Add(new Replayed(sequence, (byte)w, payload));
                }
            })).ToArray();
            await Task.WhenAll(writers);
            await Assert.That(wal.Statistics.Fsyncs).IsLessThanOrEqualTo(wal.Statistics.Appends + wal.SegmentIds.Count);
        }

        var expected = acknowledged.OrderBy(e => e.Sequence).ToList();
        await Assert.That(expected.Select(e => e.Sequence).Distinct().Count()).IsEqualTo(800);
        var (replayed, _) = await WalTesting.ReopenAndReplayAsync(dir.Path, options);
        await Assert.That(WalTesting.SameEntries(replayed, expected, out var difference)).IsTrue().Because(difference);
    }

    [Test]
    public async Task AppendAsync_QueueDepthOne_BackPressureStillCompletesEveryAppend()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(queueDepth: 1);
        await using var wal = await ShardWal.OpenAsync(dir.Path, options);
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++) await wal.AppendAsync(2, new byte[] { (byte)w, (byte)i });
        })).ToArray();
        await Task.WhenAll(writers);
        await Assert.That(wal.Statistics.Appends).IsEqualTo(320);
    }

    [Test]
    public async Task AppendAsync_TokenAlreadyCancelled_ThrowsAndWritesNothingForIt()
    {
        using var dir = new TempDir();
        var options = WalTesting.Options(queueDepth: 1);
        await using var wal = await ShardWal.OpenAsync(dir.Path, options);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.That(async () => await wal.AppendAsync(1, new byte[] { 1 }, cts.Token)).Throws<OperationCanceledException>();
        await wal.AppendAsync(1, new byte[] { 2 });
        var (replayed, _) = await WalTesting.ReplayAllAsync(wal);
        await Assert.That(replayed.Count).IsEqualTo(1);
        await Assert.That(replayed[0].Payload[0]).IsEqualTo((byte)2);
    }

    /// <summary>
    /// Prints the rates of 5000-point batches (~500 KB payloads) from 4 concurrent writers; the
    /// numbers are for people, the assertions only check that groups formed and nothing was lost.
    /// </summary>
    [Test]
    [NotInParallel]
    public async Task Throughput_FourWritersOf500KBBatches_PrintsAppendsAndFsyncsPerSecond()
    {
        const int payloadSize = 500_000;
        const int appendsPerWriter = 100;
        foreach (var (writerCount, delayMs) in new[] { (1, 0), (4, 0), (4, 1) })
        {
            using var dir = new TempDir();
            var options = WalTesting.Options(fsyncDelay: TimeSpan.FromMilliseconds(delayMs));
            var payloads = Enumerable.Range(0, writerCount).Select(w => WalTesting.RandomBytes(new Random(w), payloadSize)).ToArray();
            await using var wal = await ShardWal.OpenAsync(dir.Path, options);
            var clock = Stopwatch.StartNew();
            var writers = Enumerable.Range(0, writerCount).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < appendsPerWriter; i++) await wal.AppendAsync(1, payloads[w]);
            })).ToArray();
            await Task.WhenAll(writers);
            clock.Stop();

            var stats = wal.Statistics;
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(
                $"WAL throughput, fsync delay {delayMs} ms, {writerCount} writer(s) x {appendsPerWriter} appends of {payloadSize / 1000} KB: " +
                $"{stats.Appends / seconds:F0} appends/s, {stats.Fsyncs / seconds:F0} fsyncs/s, " +
                $"{stats.BytesWritten / seconds / (1 << 20):F0} MiB/s, {(double)stats.Appends / stats.Groups:F2} appends per group, " +
                $"{stats.Appends} appends, {stats.Fsyncs} fsyncs in {seconds:F2} s");

            await Assert.That(stats.Appends).IsEqualTo(writerCount * appendsPerWriter);
            await Assert.That(stats.Groups).IsLessThanOrEqualTo(stats.Appends);
            await Assert.That(stats.Fsyncs).IsLessThanOrEqualTo(stats.Groups + wal.SegmentIds.Count);
        }
    }
}
