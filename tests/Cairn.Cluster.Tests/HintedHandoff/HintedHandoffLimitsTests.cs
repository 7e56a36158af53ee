using Cairn.Cluster.HintedHandoff;

namespace Cairn.Cluster.Tests.HintedHandoff;

public class HintedHandoffLimitsTests
{
    [Test]
    public async Task Enqueue_PastSegmentSize_RollsAndDeletesEachSegmentOnceDelivered()
    {
        using var dir = new TempDir();
        var sender = new ScriptedSender();
        await using var service = await HH.OpenAsync(HH.Options(dir, segmentSize: HH.SegmentHeader + 2 * HH.RecordLength(100)), sender);
        for (int i = 0; i < 7; i++) service.Enqueue(1, 1, HH.Request($"e{i}", 100), 1);
        await Assert.That(dir.SegmentNames(1)).IsEqualTo("00000001.hhq,00000002.hhq,00000003.hhq,00000004.hhq");
        long onDisk = dir.Segments(1).Sum(f => new FileInfo(f).Length);
        await Assert.That(HH.Stats(service, 1).QueueBytes).IsEqualTo(onDisk);
        await Assert.That(onDisk).IsEqualTo(4 * HH.SegmentHeader + 7 * HH.RecordLength(100));
        await Assert.That(HH.Stats(service, 1).BytesWritten).IsEqualTo(7 * HH.RecordLength(100));

        sender.Decide = (_, attempt) => attempt > 3 ? new IOException("down") : null;
        service.Start();
        await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 1).WriteNodeReqFail >= 1)).IsTrue();
        await Assert.That(dir.SegmentNames(1)).IsEqualTo("00000002.hhq,00000003.hhq,00000004.hhq");
        await Assert.That(HH.Stats(service, 1).QueueBytes).IsEqualTo(onDisk - HH.SegmentHeader - 2 * HH.RecordLength(100));

        sender.Decide = (_, _) => null;
        await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(dir.Segments(1).Length).IsEqualTo(0);
        await Assert.That(HH.Stats(service, 1).QueueBytes).IsEqualTo(0);
        await Assert.That(sender.DeliveredTo(1).Count).IsEqualTo(7);
    }

    [Test]
    public async Task Enqueue_RecordLargerThanASegment_GetsASegmentOfItsOwn()
    {
        using var dir = new TempDir();
        var sender = new ScriptedSender();
        await using var service = await HH.OpenAsync(HH.Options(dir, segmentSize: 256), sender);
        service.Enqueue(1, 1, HH.Request("small"), 1);
        service.Enqueue(1, 1, HH.Request("big", 1000), 1);
        service.Enqueue(1, 1, HH.Request("small2"), 1);
        await Assert.That(dir.Segments(1).Length).IsEqualTo(3);
        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1).Select(r => r.TrimEnd('.')))).IsEqualTo("small,big,small2");
    }

    [Test]
    public async Task Enqueue_PastMaxSize_RefusedWithQueueIsFullUntilTheQueueDrains()
    {
        using var dir = new TempDir();
        var sender = new ScriptedSender();
        long maxSize = HH.SegmentHeader + 4 * HH.RecordLength(100);
        await using var service = await HH.OpenAsync(HH.Options(dir, maxSize: maxSize), sender);
        for (int i = 0; i < 4; i++) service.Enqueue(6, 1, HH.Request($"e{i}", 100), 10);

        var refused = await Assert.That(() => service.Enqueue(6, 1, HH.Request("e4", 100), 10)).Throws<HintedHandoffQueueFullException>();
        await Assert.That(refused!.Message).IsEqualTo("queue is full");
        // At max-size even the smallest write is refused: the queue never passes it.
        await Assert.That(() => service.Enqueue(6, 1, HH.Request("e5", 1), 1)).Throws<HintedHandoffQueueFullException>();
        var stats = HH.Stats(service, 6);
        await Assert.That(stats.WriteBlocked).IsEqualTo(2);
        await Assert.That(stats.QueueDepth).IsEqualTo(4);
        await Assert.That(stats.QueueBytes).IsEqualTo(maxSize);
        await Assert.That(stats.WriteShardReq).IsEqualTo(6);
        await Assert.That(service.WriteShardReq).IsEqualTo(6);
        await Assert.That(service.WriteShardReqPoints).IsEqualTo(51);
        // Other destinations are not affected.
        service.Enqueue(7, 1, HH.Request("other", 100), 1);

        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(6, TimeSpan.FromSeconds(10))).IsTrue();
        service.Enqueue(6, 1, HH.Request("e6", 100), 10);
        await Assert.That(await service.WaitForEmptyAsync(6, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(6).Select(r => r.TrimEnd('.')))).IsEqualTo("e0,e1,e2,e3,e6");
        await Assert.That(HH.Stats(service, 6).WriteBlocked).IsEqualTo(2);
    }

    [Test]
    public async Task PurgeTimer_EntriesOlderThanMaxAge_AreDroppedWhileTheNodeIsDown()
    {
        using var dir = new TempDir();
        var time = new ManualTimeProvider(HH.Epoch);
        var sender = new ScriptedSender(time) { Decide = (_, _) => new IOException("down") };
        // A back-off of an hour: only the purge timer can drop anything in this test.
        var options = HH.Options(dir, maxAge: TimeSpan.FromMinutes(10), purgeInterval: TimeSpan.FromMinutes(1),
            retryInterval: TimeSpan.FromHours(1), retryMaxInterval: TimeSpan.FromHours(1));
        await using var service = await HH.OpenAsync(options, sender, time);
        for (int i = 0; i < 3; i++) service.Enqueue(1, 1, HH.Request($"old{i}"), 1);
        service.Start();
        await Assert.That(await HH.EventuallyAsync(() => sender.Attempts.Count == 1)).IsTrue();

        for (int minute = 1; minute <= 5; minute++) time.Advance(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 2; i++) service.Enqueue(1, 1, HH.Request($"new{i}"), 1);
        for (int minute = 6; minute <= 11; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(5);
        }
        await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 1).WriteDropped == 3)).IsTrue();
        await Assert.That(HH.Stats(service, 1).QueueDepth).IsEqualTo(2);
        await Assert.That(service.HasPending(1)).IsTrue();

        for (int minute = 12; minute <= 16; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(5);
        }
        await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 1).WriteDropped == 5)).IsTrue();
        await Assert.That(service.HasPending(1)).IsFalse();
        await Assert.That(HH.Stats(service, 1).QueueBytes).IsEqualTo(0);
        await Assert.That(dir.Segments(1).Length).IsEqualTo(0);
        await Assert.That(sender.Attempts.Count).IsEqualTo(1);
    }

    [Test]
    public async Task Replay_EntriesOlderThanMaxAge_AreDroppedNotSent()
    {
        using var dir = new TempDir();
        var time = new ManualTimeProvider(HH.Epoch);
        var sender = new ScriptedSender(time);
        await using var service = await HH.OpenAsync(HH.Options(dir, maxAge: TimeSpan.FromMinutes(10), purgeInterval: TimeSpan.FromHours(1)), sender, time);
        service.Enqueue(1, 1, HH.Request("stale0"), 1);
        service.Enqueue(1, 1, HH.Request("stale1"), 1);
        time.Advance(TimeSpan.FromMinutes(6));
        service.Enqueue(1, 1, HH.Request("fresh0"), 1);
        time.Advance(TimeSpan.FromMinutes(5));
        service.Enqueue(1, 1, HH.Request("fresh1"), 1);

        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo("fresh0,fresh1");
        await Assert.That(HH.Stats(service, 1).WriteDropped).IsEqualTo(2);
        await Assert.That(HH.Stats(service, 1).WriteNodeReq).IsEqualTo(2);
    }

    [Test]
    public async Task DropNodeAsync_DeletesThatNodesQueueOnly()
    {
        using var dir = new TempDir();
        var sender = new ScriptedSender { Decide = (_, _) => new IOException("down") };
        await using var service = await HH.OpenAsync(HH.Options(dir), sender);
        service.Enqueue(7, 1, HH.Request("to7"), 1);
        service.Enqueue(8, 1, HH.Request("to8"), 1);
        service.Start();
        await Assert.That(Directory.Exists(dir.Node(7))).IsTrue();

        await service.DropNodeAsync(7);
        await Assert.That(Directory.Exists(dir.Node(7))).IsFalse();
        await Assert.That(service.HasPending(7)).IsFalse();
        await Assert.That(service.Statistics.Select(s => s.Node).ToArray()).IsEquivalentTo(new ulong[] { 8 });
        await Assert.That(dir.Segments(8).Length).IsEqualTo(1);
        await Assert.That(service.HasPending(8)).IsTrue();

        // The node may come back under the same id: it gets a fresh, empty queue.
        sender.Decide = (_, _) => null;
        service.Enqueue(7, 1, HH.Request("again"), 1);
        await Assert.That(await service.WaitForEmptyAsync(7, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(7))).IsEqualTo("again");
    }

    [Test]
    public async Task Disabled_OpensNothingAndRefusesAppends()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "hh");
        await using var service = new HintedHandoffService(new HintedHandoffOptions { Enabled = false, Dir = root }, new ScriptedSender().Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        service.Start();
        await Assert.That(Directory.Exists(root)).IsFalse();
        await Assert.That(() => service.Enqueue(1, 1, HH.Request("x"), 1)).Throws<InvalidOperationException>();
        await Assert.That(service.HasPending(1)).IsFalse();
    }

    [Test]
    public async Task Enqueue_BeforeOpen_Throws()
    {
        using var dir = new TempDir();
        await using var service = new HintedHandoffService(HH.Options(dir), new ScriptedSender().Send, TimeProvider.System);
        await Assert.That(() => service.Enqueue(1, 1, HH.Request("x"), 1)).Throws<InvalidOperationException>();
    }

    [Test]
    public async Task Validate_BadSettings_AreReported()
    {
        using var dir = new TempDir();
        await Assert.That(HH.Options(dir).Validate()).IsNull();
        await Assert.That(new HintedHandoffOptions { Dir = "" }.Validate()).IsNotNull();
        await Assert.That(new HintedHandoffOptions { Dir = "x", MaxSize = 0 }.Validate()).IsNotNull();
        await Assert.That(new HintedHandoffOptions { Dir = "x", RetryInterval = TimeSpan.Zero }.Validate()).IsNotNull();
        await Assert.That(new HintedHandoffOptions { Dir = "x", RetryInterval = TimeSpan.FromSeconds(5), RetryMaxInterval = TimeSpan.FromSeconds(1) }.Validate()).IsNotNull();
        await Assert.That(new HintedHandoffOptions { Dir = "x", SegmentSize = 10 }.Validate()).IsNotNull();
        await Assert.That(new HintedHandoffOptions { Dir = "x", RetryRateLimit = -1 }.Validate()).IsNotNull();
        await Assert.That(new HintedHandoffOptions { Enabled = false }.Validate()).IsNull();
        await Assert.That(() => new HintedHandoffService(new HintedHandoffOptions { Dir = "x", MaxSize = -5 }, new ScriptedSender().Send, TimeProvider.System))
            .Throws<ArgumentException>();
    }
}
