using Cairn.Cluster.HintedHandoff;

namespace Cairn.Cluster.Tests.HintedHandoff;

public class HintedHandoffReplayTests
{
    [Test]
    public async Task Replay_SenderFailsThenSucceeds_DeliversEveryEntryInOrder()
    {
        using var dir = new TempDir();
        var sender = new ScriptedSender { Decide = (_, attempt) => attempt <= 5 ? new IOException("connection refused") : null };
        await using var service = await HH.OpenAsync(HH.Options(dir), sender);
        var expected = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            service.Enqueue(3, (ulong)(100 + i % 3), HH.Request($"w{i}"), points: i + 1);
            expected.Add($"w{i}");
        }
        await Assert.That(service.HasPending(3)).IsTrue();
        await Assert.That(sender.Attempts.Count).IsEqualTo(0);

        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(3, TimeSpan.FromSeconds(10))).IsTrue();

        // Shards replay side by side (retry-concurrency), each in queue order, each entry once.
        for (ulong shard = 100; shard < 103; shard++)
        {
            var mine = sender.Delivered.Where(w => w.Shard == shard).Select(w => w.Request).ToList();
            await Assert.That(string.Join(",", mine)).IsEqualTo(string.Join(",", expected.Where((_, i) => (ulong)(100 + i % 3) == shard)));
        }
        await Assert.That(sender.DeliveredTo(3).Order().ToArray()).IsEquivalentTo(expected.Order().ToArray());
        var stats = HH.Stats(service, 3);
        await Assert.That(stats.WriteNodeReq).IsEqualTo(20);
        await Assert.That(stats.WriteNodeReqFail).IsEqualTo(5);
        await Assert.That(stats.WriteNodeReqPoints).IsEqualTo(Enumerable.Range(1, 20).Sum());
        await Assert.That(stats.WriteShardReq).IsEqualTo(20);
        await Assert.That(stats.WriteShardReqPoints).IsEqualTo(Enumerable.Range(1, 20).Sum());
        await Assert.That(stats.QueueDepth).IsEqualTo(0);
        await Assert.That(stats.QueueBytes).IsEqualTo(0);
        await Assert.That(stats.BytesRead).IsEqualTo(stats.BytesWritten);
        await Assert.That(stats.Path).IsEqualTo(dir.Node(3));
        await Assert.That(service.WriteShardReq).IsEqualTo(20);
        await Assert.That(service.HasPending(3)).IsFalse();
    }

    [Test]
    public async Task Replay_RejectedEntries_AreDroppedCountedAndTheRestDelivered()
    {
        using var dir = new TempDir();
        var sender = new ScriptedSender { Decide = (w, _) => w.Shard == 13 ? new HintedWriteRejectedException("shard not found") : null };
        await using var service = await HH.OpenAsync(HH.Options(dir), sender);
        for (int i = 0; i < 9; i++) service.Enqueue(2, i % 3 == 0 ? 13UL : 12UL, HH.Request($"w{i}"), 1);
        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(2, TimeSpan.FromSeconds(10))).IsTrue();

        await Assert.That(string.Join(",", sender.DeliveredTo(2))).IsEqualTo("w1,w2,w4,w5,w7,w8");
        // Each rejected entry was tried once, never retried.
        await Assert.That(sender.Attempts.Count).IsEqualTo(9);
        var stats = HH.Stats(service, 2);
        await Assert.That(stats.WriteDropped).IsEqualTo(3);
        await Assert.That(stats.WriteNodeReq).IsEqualTo(6);
        await Assert.That(stats.WriteNodeReqFail).IsEqualTo(0);
    }

    [Test]
    public async Task Replay_NodeDown_BackOffDoublesUpToMaxAndResetsAfterSuccess()
    {
        using var dir = new TempDir();
        var time = new ManualTimeProvider(HH.Epoch);
        bool failing = true;
        var sender = new ScriptedSender(time) { Decide = (_, _) => Volatile.Read(ref failing) ? new TimeoutException("node down") : null };
        var options = HH.Options(dir, retryInterval: TimeSpan.FromSeconds(1), retryMaxInterval: TimeSpan.FromSeconds(8), purgeInterval: TimeSpan.FromHours(1));
        await using var service = await HH.OpenAsync(options, sender, time);
        service.Enqueue(4, 1, HH.Request("a"), 1);
        service.Start();

        var purgeAt = HH.Epoch + TimeSpan.FromHours(1);
        var waits = new List<double>();
        for (int attempt = 1; attempt <= 7; attempt++)
        {
            await Assert.That(await HH.EventuallyAsync(() => sender.Attempts.Count == attempt)).IsTrue().Because($"attempt {attempt}");
            await Assert.That(await HH.EventuallyAsync(() => time.NextDueBefore(purgeAt) is not null)).IsTrue();
            var wait = time.NextDueBefore(purgeAt)!.Value - time.GetUtcNow();
            waits.Add(wait.TotalSeconds);
            if (attempt == 7) break;
            time.Advance(wait);
        }
        await Assert.That(string.Join(",", waits)).IsEqualTo("1,2,4,8,8,8,8");
        // The attempts happened exactly when the back-off said.
        var times = sender.Attempts.Select(a => (a.At - HH.Epoch).TotalSeconds).ToArray();
        await Assert.That(string.Join(",", times)).IsEqualTo("0,1,3,7,15,23,31");

        Volatile.Write(ref failing, false);
        time.Advance(TimeSpan.FromSeconds(8));
        await Assert.That(await service.WaitForEmptyAsync(4, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(HH.Stats(service, 4).WriteNodeReqFail).IsEqualTo(7);

        // After a success the next failure waits retry-interval again.
        Volatile.Write(ref failing, true);
        service.Enqueue(4, 1, HH.Request("b"), 1);
        await Assert.That(await HH.EventuallyAsync(() => sender.Attempts.Count == 9)).IsTrue();
        await Assert.That(await HH.EventuallyAsync(() => time.NextDueBefore(purgeAt) is not null)).IsTrue();
        await Assert.That(time.NextDueBefore(purgeAt)!.Value - time.GetUtcNow()).IsEqualTo(TimeSpan.FromSeconds(1));
    }

    [Test]
    public async Task Replay_RetryRateLimit_SpacesSendsByTheirBytes()
    {
        using var dir = new TempDir();
        var time = new ManualTimeProvider(HH.Epoch);
        var sender = new ScriptedSender(time);
        // 1000 bytes per second and 500-byte records: one record per half second.
        var options = HH.Options(dir, rateLimit: 1000, purgeInterval: TimeSpan.FromHours(1));
        await using var service = await HH.OpenAsync(options, sender, time);
        for (int i = 0; i < 4; i++) service.Enqueue(5, 1, HH.Request($"r{i}", 500 - 28), 1);
        service.Start();

        var purgeAt = HH.Epoch + TimeSpan.FromHours(1);
        for (int sent = 1; sent < 4; sent++)
        {
            await Assert.That(await HH.EventuallyAsync(() => sender.Delivered.Count == sent)).IsTrue();
            await Assert.That(await HH.EventuallyAsync(() => time.NextDueBefore(purgeAt) is not null)).IsTrue();
            time.Advance(time.NextDueBefore(purgeAt)!.Value - time.GetUtcNow());
        }
        await Assert.That(await service.WaitForEmptyAsync(5, TimeSpan.FromSeconds(10))).IsTrue();
        var times = sender.Delivered.Select(a => (a.At - HH.Epoch).TotalMilliseconds).ToArray();
        await Assert.That(string.Join(",", times)).IsEqualTo("0,500,1000,1500");
    }

    [Test]
    public async Task Enqueue_ConcurrentThreadsAndNodesWhileReplaying_EveryEntryOnceInOrderPerThread()
    {
        using var dir = new TempDir();
        var sender = new ScriptedSender { Decide = (_, attempt) => attempt % 17 == 0 ? new IOException("flaky") : null };
        // Small segments: many rolls and deletions while appends and replay race.
        await using var service = await HH.OpenAsync(HH.Options(dir, segmentSize: 2048, retryInterval: TimeSpan.FromMilliseconds(1),
            retryMaxInterval: TimeSpan.FromMilliseconds(2)), sender);
        service.Start();
        const int Threads = 6, PerThread = 300;
        using var go = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            go.Wait();
            for (int i = 0; i < PerThread; i++) service.Enqueue((ulong)(1 + t % 2), (ulong)t, HH.Request($"{t}:{i}", 40), 1);
        })).ToArray();
        go.Set();
        await Task.WhenAll(writers);
        await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(30))).IsTrue();
        await Assert.That(await service.WaitForEmptyAsync(2, TimeSpan.FromSeconds(30))).IsTrue();

        foreach (ulong node in new ulong[] { 1, 2 })
        {
            var delivered = sender.DeliveredTo(node).Select(r => r.TrimEnd('.')).ToList();
            await Assert.That(delivered.Count).IsEqualTo(Threads / 2 * PerThread);
            await Assert.That(delivered.Distinct().Count()).IsEqualTo(delivered.Count);
            for (int t = (int)node - 1; t < Threads; t += 2)
            {
                var mine = delivered.Where(r => r.StartsWith($"{t}:", StringComparison.Ordinal)).Select(r => int.Parse(r[(r.IndexOf(':') + 1)..])).ToList();
                await Assert.That(mine.SequenceEqual(Enumerable.Range(0, PerThread))).IsTrue().Because($"thread {t} on node {node}");
            }
            await Assert.That(HH.Stats(service, node).QueueBytes).IsEqualTo(0);
        }
        await Assert.That(service.WriteShardReq).IsEqualTo(Threads * PerThread);
    }

    [Test]
    public async Task DisposeAsync_SenderIgnoresCancellation_ReturnsWithinTheStopBound()
    {
        using var dir = new TempDir();
        var stuck = new TaskCompletionSource();
        var service = new HintedHandoffService(HH.Options(dir, stopTimeout: TimeSpan.FromMilliseconds(200)), (_, _, _, _) => stuck.Task, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        service.Enqueue(1, 1, HH.Request("x"), 1);
        service.Start();
        await Task.Delay(50);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await service.DisposeAsync();
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(3));
        await Assert.That(() => service.Enqueue(1, 1, HH.Request("y"), 1)).Throws<ObjectDisposedException>();
        stuck.SetResult();
    }

    [Test]
    public async Task DisposeAsync_SenderHonoursCancellation_StopsPromptlyAndKeepsTheEntry()
    {
        using var dir = new TempDir();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = HH.Options(dir);
        var service = new HintedHandoffService(options, async (_, _, _, ct) =>
        {
            called.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        service.Enqueue(1, 1, HH.Request("kept"), 1);
        service.Start();
        await called.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await service.DisposeAsync();
        await Assert.That(clock.Elapsed).IsLessThan(TimeSpan.FromSeconds(2));

        var sender = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, sender);
        await Assert.That(HH.Stats(reopened, 1).QueueDepth).IsEqualTo(1);
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo("kept");
    }
}
