using Cairn.Cluster.HintedHandoff;

namespace Cairn.Cluster.Tests.HintedHandoff;

public class HintedHandoffRecoveryTests
{
    [Test]
    public async Task Reopen_AfterPartialDelivery_ReplaysOnlyTheUndeliveredEntries()
    {
        using var dir = new TempDir();
        // Two 100-byte requests per segment, so the delivered ones span deleted segments and a half-read one.
        var options = HH.Options(dir, segmentSize: HH.SegmentHeader + 2 * HH.RecordLength(100));
        var first = new ScriptedSender { Decide = (_, attempt) => attempt > 5 ? new IOException("node went away") : null };
        await using (var service = await HH.OpenAsync(options, first))
        {
            for (int i = 0; i < 10; i++) service.Enqueue(9, 1, HH.Request($"e{i}", 100), 2);
            await Assert.That(dir.Segments(9).Length).IsEqualTo(5);
            service.Start();
            await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 9).WriteNodeReqFail >= 1)).IsTrue();
            await Assert.That(HH.Stats(service, 9).WriteNodeReq).IsEqualTo(5);
            await Assert.That(HH.Stats(service, 9).QueueDepth).IsEqualTo(5);
            // Segments 1 and 2 are delivered and gone; 3 is half read.
            await Assert.That(dir.SegmentNames(9)).IsEqualTo("00000003.hhq,00000004.hhq,00000005.hhq");
        }
        await Assert.That(string.Join(",", first.DeliveredTo(9).Select(r => r.TrimEnd('.')))).IsEqualTo("e0,e1,e2,e3,e4");

        var second = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, second);
        await Assert.That(reopened.HasPending(9)).IsTrue();
        await Assert.That(HH.Stats(reopened, 9).QueueDepth).IsEqualTo(5);
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(9, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", second.DeliveredTo(9).Select(r => r.TrimEnd('.')))).IsEqualTo("e5,e6,e7,e8,e9");
        await Assert.That(dir.Segments(9).Length).IsEqualTo(0);
    }

    [Test]
    public async Task Reopen_AppendsAfterRestart_FollowTheRecoveredEntries()
    {
        using var dir = new TempDir();
        var options = HH.Options(dir);
        await using (var service = await HH.OpenAsync(options, new ScriptedSender()))
            for (int i = 0; i < 3; i++) service.Enqueue(1, 1, HH.Request($"old{i}"), 1);

        var sender = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, sender);
        for (int i = 0; i < 2; i++) reopened.Enqueue(1, 1, HH.Request($"new{i}"), 1);
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo("old0,old1,old2,new0,new1");
    }

    [Test]
    public async Task Reopen_LastSegmentCutAnywhere_KeepsExactlyTheWholeRecordsBeforeTheCut()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        using var source = new TempDir();
        var requests = Enumerable.Range(0, 12).Select(i => HH.Request($"e{i}", random.Next(1, 200))).ToArray();
        await using (var service = await HH.OpenAsync(HH.Options(source), new ScriptedSender()))
            foreach (var request in requests) service.Enqueue(1, 1, request, 1);
        var segment = source.Segments(1).Single();
        byte[] bytes = File.ReadAllBytes(segment);
        var ends = new List<long>();
        long end = HH.SegmentHeader;
        foreach (var request in requests) ends.Add(end += HH.RecordLength(request.Length));
        await Assert.That(bytes.Length).IsEqualTo((int)end);

        var cuts = Enumerable.Range(0, 25).Select(_ => random.Next(HH.SegmentHeader, bytes.Length)).Append(bytes.Length - 1).Append((int)ends[^2] + 3);
        foreach (int cut in cuts)
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.Node(1));
            File.WriteAllBytes(Path.Combine(dir.Node(1), Path.GetFileName(segment)), bytes.AsSpan(0, cut).ToArray());
            int whole = ends.Count(e => e <= cut);

            var log = new CapturedLog();
            var sender = new ScriptedSender();
            await using var service = await HH.OpenAsync(HH.Options(dir, log), sender);
            await Assert.That(HH.Stats(service, 1).QueueDepth).IsEqualTo(whole).Because($"seed {seed}, cut at {cut}");
            long goodEnd = whole == 0 ? HH.SegmentHeader : ends[whole - 1];
            if (goodEnd < cut)
            {
                await Assert.That(new FileInfo(dir.Segments(1).Single()).Length).IsEqualTo(goodEnd).Because($"seed {seed}, cut at {cut}");
                await Assert.That(log.Has("WARN", "torn append")).IsTrue();
            }
            service.Enqueue(1, 1, HH.Request("after"), 1);
            service.Start();
            await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
            var expected = requests.Take(whole).Select(r => System.Text.Encoding.UTF8.GetString(r)).Append("after");
            await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo(string.Join(",", expected)).Because($"seed {seed}, cut at {cut}");
        }
    }

    [Test]
    public async Task Reopen_GarbageAfterTheLastRecord_IsCutAndNewAppendsReplay()
    {
        using var dir = new TempDir();
        var options = HH.Options(dir);
        await using (var service = await HH.OpenAsync(options, new ScriptedSender()))
            for (int i = 0; i < 5; i++) service.Enqueue(1, 1, HH.Request($"e{i}"), 1);
        var segment = dir.Segments(1).Single();
        long length = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Append)) file.Write(new byte[] { 0x30, 0, 0, 0, 9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7 });

        var sender = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, sender);
        await Assert.That(new FileInfo(segment).Length).IsEqualTo(length);
        await Assert.That(HH.Stats(reopened, 1).QueueDepth).IsEqualTo(5);
        reopened.Enqueue(1, 1, HH.Request("e5"), 1);
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo("e0,e1,e2,e3,e4,e5");
    }

    [Test]
    public async Task Reopen_CrcDamageInAnOlderSegment_DropsThatSegmentsRestAndKeepsLaterSegments()
    {
        using var dir = new TempDir();
        var log = new CapturedLog();
        var options = HH.Options(dir, log, segmentSize: HH.SegmentHeader + 2 * HH.RecordLength(100));
        await using (var service = await HH.OpenAsync(options, new ScriptedSender()))
            for (int i = 0; i < 6; i++) service.Enqueue(1, 1, HH.Request($"e{i}", 100), 1);
        var segments = dir.Segments(1);
        await Assert.That(segments.Length).IsEqualTo(3);
        // A bit flip inside the request of the first record of the middle segment.
        HH.FlipByte(segments[1], HH.SegmentHeader + 28 + 50);

        var sender = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, sender);
        await Assert.That(log.Has("ERROR", "is damaged")).IsTrue();
        await Assert.That(HH.Stats(reopened, 1).QueueDepth).IsEqualTo(4);
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1).Select(r => r.TrimEnd('.')))).IsEqualTo("e0,e1,e4,e5");
    }

    [Test]
    public async Task Replay_RecordDamagedAfterOpen_IsNeverSentAndIsCounted()
    {
        using var dir = new TempDir();
        var log = new CapturedLog();
        var sender = new ScriptedSender();
        await using var service = await HH.OpenAsync(HH.Options(dir, log), sender);
        for (int i = 0; i < 3; i++) service.Enqueue(1, 1, HH.Request($"e{i}", 100), 1);
        // The second record's shard id, which the CRC covers.
        HH.FlipByte(dir.Segments(1).Single(), HH.SegmentHeader + HH.RecordLength(100) + 16);
        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();

        // The damaged record cannot be framed past, so the rest of its segment goes with it.
        await Assert.That(string.Join(",", sender.DeliveredTo(1).Select(r => r.TrimEnd('.')))).IsEqualTo("e0");
        await Assert.That(HH.Stats(service, 1).WriteDropped).IsEqualTo(2);
        await Assert.That(log.Has("ERROR", "is damaged")).IsTrue();

        service.Enqueue(1, 1, HH.Request("later"), 1);
        await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(sender.DeliveredTo(1).Last()).IsEqualTo("later");
    }

    [Test]
    public async Task Reopen_TornSegmentHeaderAndDamagedHeader_AreSetAsideWithoutException()
    {
        using var dir = new TempDir();
        var log = new CapturedLog();
        var options = HH.Options(dir, log);
        await using (var service = await HH.OpenAsync(options, new ScriptedSender()))
            service.Enqueue(1, 1, HH.Request("kept"), 1);
        // A segment created just before a crash (half its header), and one whose header is not ours.
        File.WriteAllBytes(Path.Combine(dir.Node(1), "00000007.hhq"), "CHH"u8.ToArray());
        File.WriteAllBytes(Path.Combine(dir.Node(1), "00000008.hhq"), "NOPE\u0001abcdefgh"u8.ToArray());

        var sender = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, sender);
        await Assert.That(File.Exists(Path.Combine(dir.Node(1), "00000007.hhq"))).IsFalse();
        await Assert.That(File.Exists(Path.Combine(dir.Node(1), "00000008.hhq.damaged"))).IsTrue();
        await Assert.That(log.Has("ERROR", "unreadable header")).IsTrue();
        reopened.Enqueue(1, 1, HH.Request("next"), 1);
        // New segments are numbered past every id seen, the set-aside one included.
        await Assert.That(Path.GetFileName(reopened.QueueOf(1)!.SegmentPaths[^1])).IsEqualTo("00000009.hhq");
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo("kept,next");
    }

    [Test]
    public async Task Reopen_DamagedPositionFile_ReplaysFromTheOldestSegmentAgain()
    {
        using var dir = new TempDir();
        var log = new CapturedLog();
        var options = HH.Options(dir, log);
        var first = new ScriptedSender { Decide = (_, attempt) => attempt > 2 ? new IOException("down") : null };
        await using (var service = await HH.OpenAsync(options, first))
        {
            for (int i = 0; i < 4; i++) service.Enqueue(1, 1, HH.Request($"e{i}"), 1);
            service.Start();
            await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 1).WriteNodeReqFail >= 1)).IsTrue();
        }
        var position = Path.Combine(dir.Node(1), "position");
        File.WriteAllBytes(position, new byte[64]);

        var sender = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, sender);
        await Assert.That(log.Has("WARN", "position file is damaged")).IsTrue();
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        // Delivered twice rather than lost: point writes are idempotent.
        await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo("e0,e1,e2,e3");
    }

    [Test]
    public async Task Reopen_OneTornPositionSlot_FallsBackToThePreviousPosition()
    {
        using var dir = new TempDir();
        var options = HH.Options(dir);
        var first = new ScriptedSender { Decide = (_, attempt) => attempt > 3 ? new IOException("down") : null };
        await using (var service = await HH.OpenAsync(options, first))
        {
            for (int i = 0; i < 6; i++) service.Enqueue(1, 1, HH.Request($"e{i}"), 1);
            service.Start();
            await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 1).WriteNodeReqFail >= 1)).IsTrue();
        }
        // Three positions were written (sequences 1, 2, 3): slot 1 holds the latest. Tear it.
        var position = Path.Combine(dir.Node(1), "position");
        HH.FlipByte(position, 32 + 16);

        var sender = new ScriptedSender();
        await using var reopened = await HH.OpenAsync(options, sender);
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.DeliveredTo(1))).IsEqualTo("e2,e3,e4,e5");
    }

    [Test]
    public async Task Open_QueueAlreadyOpenElsewhere_IsRefused()
    {
        using var dir = new TempDir();
        var options = HH.Options(dir);
        await using var first = await HH.OpenAsync(options, new ScriptedSender());
        first.Enqueue(1, 1, HH.Request("x"), 1);

        await using var second = new Cairn.Cluster.HintedHandoff.HintedHandoffService(options, new ScriptedSender().Send, TimeProvider.System);
        var error = await Assert.That(() => second.OpenAsync(CancellationToken.None)).Throws<IOException>();
        await Assert.That(error!.Message).Contains("already open");
        await Assert.That(first.HasPending(1)).IsTrue();
    }
}
