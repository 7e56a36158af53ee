using Cairn.Cluster.HintedHandoff;
using Cairn.Cluster.Write;
using System.Collections.Concurrent;
using System.Text;

namespace Cairn.Cluster.Tests.HintedHandoff;

/// <summary>One request as <see cref="RecordingSender"/> received it, decoded as a WriteShard request.</summary>
internal sealed record ReplayedRequest(ulong Shard, string Database, string Rp, ulong MetaIndex, string Payload, int Length);

/// <summary>
/// A sender that decodes every request as WriteShard, waits a random few milliseconds, tracks how many requests are in
/// flight (per node and per shard), and fails or refuses those <see cref="Decide"/> says (attempt numbers count from 1).
/// </summary>
internal sealed class RecordingSender(int seed, int maxDelayMs)
{
    private readonly Random _random = new(seed);
    private readonly ConcurrentQueue<ReplayedRequest> _attempts = new();
    private readonly ConcurrentQueue<ReplayedRequest> _delivered = new();
    private readonly ConcurrentDictionary<ulong, int> _inFlightPerShard = new();
    private int _attemptCount;
    private int _inFlight;
    private int _maxInFlight;
    private int _maxInFlightPerShard;

    public Func<ReplayedRequest, int, Exception?> Decide { get; set; } = (_, _) => null;

    public IReadOnlyList<ReplayedRequest> Attempts => [.. _attempts];

    public IReadOnlyList<ReplayedRequest> Delivered => [.. _delivered];

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int MaxInFlightPerShard => Volatile.Read(ref _maxInFlightPerShard);

    /// <summary>The payloads delivered for <paramref name="shard"/>, in delivery order, joined.</summary>
    public string DeliveredPayload(ulong shard) => string.Concat(Delivered.Where(r => r.Shard == shard).Select(r => r.Payload));

    public async Task Send(ulong nodeId, ulong shardId, ReadOnlyMemory<byte> request, CancellationToken ct)
    {
        var (shard, database, rp, metaIndex, payload) = PointsWriter.DecodeWriteShard(request);
        var seen = new ReplayedRequest(shard, database, rp, metaIndex, Encoding.UTF8.GetString(payload.Span), request.Length);
        int attempt = Interlocked.Increment(ref _attemptCount);
        _attempts.Enqueue(seen);
        int now = Interlocked.Increment(ref _inFlight);
        int shardNow = _inFlightPerShard.AddOrUpdate(shardId, 1, (_, n) => n + 1);
        Raise(ref _maxInFlight, now);
        Raise(ref _maxInFlightPerShard, shardNow);
        try
        {
            int delay;
            lock (_random) delay = _random.Next(0, maxDelayMs + 1);
            if (delay > 0) await Task.Delay(delay, ct);
            if (Decide(seen, attempt) is { } error) throw error;
            _delivered.Enqueue(seen);
        }
        finally
        {
            _inFlightPerShard.AddOrUpdate(shardId, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void Raise(ref int max, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen) { }
    }
}

public class HintedHandoffBatchingTests
{
    /// <summary>A WriteShard request as the coordinator queues it; the payload is opaque to replay, so text names the entry.</summary>
    private static byte[] WriteShard(ulong shard, string payload, ulong metaIndex = 7, string db = "db", string rp = "rp") =>
        PointsWriter.EncodeWriteShard(shard, db, rp, metaIndex, Encoding.UTF8.GetBytes(payload));

    /// <summary>A payload of exactly <paramref name="length"/> bytes starting with <paramref name="name"/> and ending in '|'.</summary>
    private static string Payload(string name, int length) => name.PadRight(length - 1, '.') + "|";

    [Test]
    public async Task Replay_ConsecutiveEntriesOfAShard_AreMergedUpToBatchSizeInOrder()
    {
        using var dir = new TempDir();
        // Header of a request for "db"/"rp": u64 shard, 2 + 2 string bytes with u32 lengths, u64 meta index, u32 payload length.
        int header = WriteShard(1, "").Length;
        const int PayloadLength = 100;
        long batchSize = header + 3 * PayloadLength + 50; // three payloads fit, four do not
        var sender = new RecordingSender(seed: 1, maxDelayMs: 0);
        await using var service = new HintedHandoffService(HH.Options(dir, retryConcurrency: 1, batchSize: batchSize), sender.Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);

        var expected = new Dictionary<ulong, StringBuilder> { [1] = new(), [2] = new() };
        void Enqueue(ulong shard, string payload, ulong metaIndex = 7, int points = 2)
        {
            service.Enqueue(9, shard, WriteShard(shard, payload, metaIndex), points);
            expected[shard].Append(payload);
        }
        // Shard 1: seven small entries interleaved with shard 2's, one larger than batch-size, then two more.
        for (int i = 0; i < 7; i++)
        {
            Enqueue(1, Payload($"a{i}", PayloadLength), metaIndex: (ulong)(10 + i));
            if (i % 2 == 0) Enqueue(2, Payload($"b{i}", PayloadLength));
        }
        Enqueue(1, Payload("huge", (int)batchSize));
        Enqueue(1, Payload("a7", PayloadLength));
        Enqueue(1, Payload("a8", PayloadLength));
        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(9, TimeSpan.FromSeconds(10))).IsTrue();

        // Every shard's points arrive once, in queue order.
        await Assert.That(sender.DeliveredPayload(1)).IsEqualTo(expected[1].ToString());
        await Assert.That(sender.DeliveredPayload(2)).IsEqualTo(expected[2].ToString());
        // Requests never mix shards, and only the oversized entry's request passes batch-size.
        var requests = sender.Delivered;
        foreach (var r in requests)
        {
            await Assert.That(r.Database).IsEqualTo("db");
            await Assert.That(r.Rp).IsEqualTo("rp");
            await Assert.That(r.Payload.Split('|', StringSplitOptions.RemoveEmptyEntries).All(p => p[0] == (r.Shard == 1 ? 'a' : 'b') || p.StartsWith("huge", StringComparison.Ordinal)))
                .IsTrue();
            if (!r.Payload.StartsWith("huge", StringComparison.Ordinal)) await Assert.That(r.Length).IsLessThanOrEqualTo((int)batchSize);
        }
        // Greedy merging: a0-a2, a3-a5, a6 (the huge one does not fit after it), huge alone, a7-a8; b0-b4, b6.
        string Names(ReplayedRequest r) => string.Join("+", r.Payload.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(p => p.TrimEnd('.')));
        await Assert.That(string.Join(",", requests.Where(r => r.Shard == 1).Select(Names))).IsEqualTo("a0+a1+a2,a3+a4+a5,a6,huge,a7+a8");
        await Assert.That(string.Join(",", requests.Where(r => r.Shard == 2).Select(Names))).IsEqualTo("b0+b2+b4,b6");
        // A merged request carries the newest meta index of its entries.
        await Assert.That(requests.First(r => r.Shard == 1).MetaIndex).IsEqualTo(12UL);

        var stats = HH.Stats(service, 9);
        await Assert.That(stats.WriteNodeReq).IsEqualTo(requests.Count);
        await Assert.That(stats.WriteNodeReqPoints).IsEqualTo(stats.WriteShardReqPoints);
        await Assert.That(stats.WriteShardReq).IsEqualTo(14);
        await Assert.That(stats.BytesRead).IsEqualTo(stats.BytesWritten);
        await Assert.That(stats.QueueDepth).IsEqualTo(0);
    }

    [Test]
    public async Task Replay_BatchSizeBelowOneEntry_SendsEachEntryAlone()
    {
        using var dir = new TempDir();
        var sender = new RecordingSender(seed: 2, maxDelayMs: 0);
        await using var service = new HintedHandoffService(HH.Options(dir, batchSize: 1), sender.Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        for (int i = 0; i < 5; i++) service.Enqueue(3, 4, WriteShard(4, $"p{i}|"), 1);
        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(3, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.Delivered.Select(r => r.Payload))).IsEqualTo("p0|,p1|,p2|,p3|,p4|");
        await Assert.That(HH.Stats(service, 3).WriteNodeReq).IsEqualTo(5);
    }

    [Test]
    [Arguments(1)]
    [Arguments(4)]
    public async Task Replay_ManyShardsWithRandomDelays_StaysWithinRetryConcurrencyAndShardOrder(int concurrency)
    {
        using var dir = new TempDir();
        int seed = Environment.TickCount;
        int header = WriteShard(1, "").Length;
        // Two payloads per request at most, so every shard needs many requests.
        var sender = new RecordingSender(seed, maxDelayMs: 3);
        await using var service = new HintedHandoffService(HH.Options(dir, retryConcurrency: concurrency, batchSize: header + 2 * 20),
            sender.Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        const int Shards = 10, PerShard = 30;
        var expected = new StringBuilder[Shards];
        for (int s = 0; s < Shards; s++) expected[s] = new StringBuilder();
        void EnqueueRound(int from, int to)
        {
            for (int i = from; i < to; i++)
                for (int s = 0; s < Shards; s++)
                {
                    string payload = Payload($"{s}:{i}", 20);
                    service.Enqueue(5, (ulong)(100 + s), WriteShard((ulong)(100 + s), payload), 1);
                    expected[s].Append(payload);
                }
        }
        EnqueueRound(0, PerShard / 2);
        service.Start();
        // The rest arrives while replay runs: the window is refilled as it drains.
        EnqueueRound(PerShard / 2, PerShard);
        await Assert.That(await service.WaitForEmptyAsync(5, TimeSpan.FromSeconds(30))).IsTrue();

        for (int s = 0; s < Shards; s++)
            await Assert.That(sender.DeliveredPayload((ulong)(100 + s))).IsEqualTo(expected[s].ToString()).Because($"shard {100 + s}, seed {seed}");
        await Assert.That(sender.MaxInFlight).IsLessThanOrEqualTo(concurrency).Because($"seed {seed}");
        await Assert.That(sender.MaxInFlightPerShard).IsEqualTo(1).Because($"seed {seed}");
        if (concurrency > 1) await Assert.That(sender.MaxInFlight).IsGreaterThan(1).Because($"replay should overlap requests; seed {seed}");
        await Assert.That(HH.Stats(service, 5).WriteNodeReqPoints).IsEqualTo(Shards * PerShard);
    }

    [Test]
    public async Task Replay_TransientFailureMidWindow_RetriesOnlyWhatWasNotDeliveredAndSkipsNothing()
    {
        using var dir = new TempDir();
        int seed = Environment.TickCount;
        var sender = new RecordingSender(seed, maxDelayMs: 2);
        int failuresLeft = 3;
        // Shard 12's third request fails three times before it goes through.
        int shard12Requests = 0;
        sender.Decide = (r, _) =>
            r.Shard == 12 && Interlocked.Increment(ref shard12Requests) >= 3 && Interlocked.Decrement(ref failuresLeft) >= 0 ? new IOException("connection reset") : null;
        await using var service = new HintedHandoffService(HH.Options(dir, retryConcurrency: 3, batchSize: 1), sender.Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        var all = new List<(ulong Shard, string Payload)>();
        for (int i = 0; i < 8; i++)
            for (ulong shard = 11; shard <= 13; shard++)
            {
                string payload = $"{shard}:{i}|";
                service.Enqueue(2, shard, WriteShard(shard, payload), 1);
                all.Add((shard, payload));
            }
        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(2, TimeSpan.FromSeconds(10))).IsTrue();

        // Each entry delivered exactly once (those delivered before the failure are not sent again), per shard in order.
        await Assert.That(sender.Delivered.Count).IsEqualTo(all.Count).Because($"seed {seed}");
        for (ulong shard = 11; shard <= 13; shard++)
            await Assert.That(sender.DeliveredPayload(shard)).IsEqualTo(string.Concat(all.Where(a => a.Shard == shard).Select(a => a.Payload)));
        var stats = HH.Stats(service, 2);
        await Assert.That(stats.WriteNodeReqFail).IsEqualTo(3);
        await Assert.That(stats.WriteNodeReq).IsEqualTo(all.Count);
        await Assert.That(sender.Attempts.Count).IsEqualTo(all.Count + 3);
    }

    [Test]
    public async Task Replay_StoppedDuringBackOff_ResumesFromTheFirstUnacknowledgedEntry()
    {
        using var dir = new TempDir();
        int seed = Environment.TickCount;
        // A long back-off keeps the first service waiting after the failure until it is stopped.
        var options = HH.Options(dir, retryConcurrency: 3, batchSize: 1, retryInterval: TimeSpan.FromMinutes(5), retryMaxInterval: TimeSpan.FromMinutes(5));
        var first = new RecordingSender(seed, maxDelayMs: 2);
        int shard22Requests = 0;
        first.Decide = (r, _) => r.Shard == 22 && Interlocked.Increment(ref shard22Requests) >= 4 ? new IOException("node down") : null;
        var order = new List<string>();
        var service = new HintedHandoffService(options, first.Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        for (int i = 0; i < 10; i++)
            for (ulong shard = 21; shard <= 23; shard++)
            {
                string payload = $"{shard}:{i}|";
                service.Enqueue(4, shard, WriteShard(shard, payload), 1);
                order.Add(payload);
            }
        service.Start();
        await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 4).WriteNodeReqFail == 1)).IsTrue();
        // The round ends once the requests in flight finish; then the position is saved.
        await Assert.That(await HH.EventuallyAsync(() => HH.Stats(service, 4).QueueDepth == order.Count - FirstUndelivered())).IsTrue().Because($"seed {seed}");
        await service.DisposeAsync();

        int FirstUndelivered()
        {
            var delivered = first.Delivered.Select(r => r.Payload).ToHashSet();
            int i = 0;
            while (i < order.Count && delivered.Contains(order[i])) i++;
            return i;
        }
        int resumeAt = FirstUndelivered();
        // Shard 22's fourth entry failed, so the position stopped before it at the latest.
        await Assert.That(resumeAt).IsLessThanOrEqualTo(3 * 3 + 1).Because($"seed {seed}");
        await Assert.That(first.Delivered.Count(r => r.Shard == 22)).IsEqualTo(3);

        var second = new RecordingSender(seed + 1, maxDelayMs: 0);
        await using var reopened = new HintedHandoffService(options, second.Send, TimeProvider.System);
        await reopened.OpenAsync(CancellationToken.None);
        await Assert.That(HH.Stats(reopened, 4).QueueDepth).IsEqualTo(order.Count - resumeAt);
        reopened.Start();
        await Assert.That(await reopened.WaitForEmptyAsync(4, TimeSpan.FromSeconds(10))).IsTrue();
        // Exactly the entries from the first unacknowledged one on are sent again, each shard in order: nothing skipped.
        await Assert.That(second.Delivered.Select(r => r.Payload).Order(StringComparer.Ordinal).ToArray())
            .IsEquivalentTo(order.Skip(resumeAt).Order(StringComparer.Ordinal).ToArray());
        for (ulong shard = 21; shard <= 23; shard++)
            await Assert.That(second.DeliveredPayload(shard))
                .IsEqualTo(string.Concat(order.Skip(resumeAt).Where(p => p.StartsWith($"{shard}:", StringComparison.Ordinal))));
    }

    [Test]
    public async Task Replay_MergedRequestRefused_RetriesEntriesAloneAndDropsOnlyTheRefusedOne()
    {
        using var dir = new TempDir();
        var sender = new RecordingSender(seed: 3, maxDelayMs: 0);
        sender.Decide = (r, _) => r.Payload.Contains("bad", StringComparison.Ordinal) ? new HintedWriteRejectedException("malformed points") : null;
        await using var service = new HintedHandoffService(HH.Options(dir), sender.Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        foreach (var p in new[] { "p0|", "bad|", "p2|" }) service.Enqueue(1, 5, WriteShard(5, p), 1);
        service.Start();
        await Assert.That(await service.WaitForEmptyAsync(1, TimeSpan.FromSeconds(10))).IsTrue();
        await Assert.That(string.Join(",", sender.Attempts.Select(r => r.Payload))).IsEqualTo("p0|bad|p2|,p0|,bad|,p2|");
        await Assert.That(sender.DeliveredPayload(5)).IsEqualTo("p0|p2|");
        await Assert.That(HH.Stats(service, 1).WriteDropped).IsEqualTo(1);
        await Assert.That(HH.Stats(service, 1).WriteNodeReq).IsEqualTo(2);
    }

    [Test]
    public async Task Enqueue_PastMaxWritesPending_RefusesTheExcessAtOnce()
    {
        using var dir = new TempDir();
        await using var service = new HintedHandoffService(HH.Options(dir, maxWritesPending: 2), new ScriptedSender().Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        service.Enqueue(8, 1, HH.Request("first"), 1);
        var queue = service.QueueOf(8)!;

        // Appends wait while the queue's lock is held: two may wait, the third is refused without waiting.
        var (waiting, refused) = PileUp(service, queue);
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10));

        await Assert.That(refused).IsNotNull();
        await Assert.That(refused is IOException).IsTrue();
        await Assert.That(refused!.Message).IsEqualTo("hinted handoff queue has too many pending writes");
        var stats = HH.Stats(service, 8);
        await Assert.That(stats.WriteBlocked).IsEqualTo(1);
        await Assert.That(stats.QueueDepth).IsEqualTo(3);
        await Assert.That(queue.PendingAppends).IsEqualTo(0);
        // Once the pile-up is gone, appends are accepted again.
        service.Enqueue(8, 1, HH.Request("later"), 1);
        await Assert.That(HH.Stats(service, 8).QueueDepth).IsEqualTo(4);
    }

    private static (Task[] Waiting, Exception? Refused) PileUp(HintedHandoffService service, HintedHandoffQueue queue)
    {
        Task[] waiting;
        Exception? refused = null;
        using (queue.HoldAppendsForTest())
        {
            waiting = [.. Enumerable.Range(0, 2).Select(i => OnOwnThread(() => service.Enqueue(8, 1, HH.Request($"waiting{i}"), 1)))];
            if (!SpinWait.SpinUntil(() => queue.PendingAppends == 2, TimeSpan.FromSeconds(10))) throw new TimeoutException("the appends never piled up");
            try
            {
                service.Enqueue(8, 1, HH.Request("refused"), 1);
            }
            catch (HintedHandoffQueueBlockedException e)
            {
                refused = e;
            }
        }
        return (waiting, refused);
    }

    private static (Task[] Waiting, bool PiledUp) HoldWhileAppending(HintedHandoffService service, HintedHandoffQueue queue, int count)
    {
        using (queue.HoldAppendsForTest())
        {
            Task[] waiting = [.. Enumerable.Range(0, count).Select(i => OnOwnThread(() => service.Enqueue(8, 1, HH.Request($"w{i}"), 1)))];
            return (waiting, SpinWait.SpinUntil(() => queue.PendingAppends == count, TimeSpan.FromSeconds(10)));
        }
    }

    /// <summary>Runs <paramref name="action"/> on a thread of its own: blocked appends must not wait for the thread pool to grow.</summary>
    private static Task OnOwnThread(Action action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                action();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true };
        thread.Start();
        return done.Task;
    }

    [Test]
    public async Task Enqueue_MaxWritesPendingZero_IsNoLimit()
    {
        using var dir = new TempDir();
        await using var service = new HintedHandoffService(HH.Options(dir, maxWritesPending: 0), new ScriptedSender().Send, TimeProvider.System);
        await service.OpenAsync(CancellationToken.None);
        service.Enqueue(8, 1, HH.Request("first"), 1);
        var queue = service.QueueOf(8)!;
        var (waiting, piledUp) = HoldWhileAppending(service, queue, 20);
        await Assert.That(piledUp).IsTrue();
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.That(HH.Stats(service, 8).QueueDepth).IsEqualTo(21);
        await Assert.That(HH.Stats(service, 8).WriteBlocked).IsEqualTo(0);
    }

    [Test]
    public async Task Merge_RoundTripsThroughTheWriteShardCodec_AndRefusesWhatItCannotMerge()
    {
        var a = WriteShard(3, "one|", metaIndex: 5);
        var b = WriteShard(3, "two|", metaIndex: 9);
        await Assert.That(HintedWriteMerge.TryParse(a, 3, out var pa)).IsTrue();
        await Assert.That(HintedWriteMerge.TryParse(b, 3, out var pb)).IsTrue();
        await Assert.That(HintedWriteMerge.CanJoin(pa, pb)).IsTrue();
        var merged = HintedWriteMerge.Merge(3, [pa, pb]);
        var (shard, db, rp, metaIndex, payload) = PointsWriter.DecodeWriteShard(merged);
        await Assert.That(shard).IsEqualTo(3UL);
        await Assert.That(db).IsEqualTo("db");
        await Assert.That(rp).IsEqualTo("rp");
        await Assert.That(metaIndex).IsEqualTo(9UL);
        await Assert.That(Encoding.UTF8.GetString(payload.Span)).IsEqualTo("one|two|");
        await Assert.That((long)merged.Length).IsEqualTo(HintedWriteMerge.MergedLength(pa, 8));

        // Not a WriteShard request, another shard's, trailing bytes, another policy: never merged.
        await Assert.That(HintedWriteMerge.TryParse(Encoding.UTF8.GetBytes("plain text"), 3, out _)).IsFalse();
        await Assert.That(HintedWriteMerge.TryParse(a, 4, out _)).IsFalse();
        await Assert.That(HintedWriteMerge.TryParse(a.Append((byte)0).ToArray(), 3, out _)).IsFalse();
        await Assert.That(HintedWriteMerge.TryParse(WriteShard(3, "x|", rp: "other"), 3, out var other)).IsTrue();
        await Assert.That(HintedWriteMerge.CanJoin(pa, other)).IsFalse();
    }

    [Test]
    public async Task Validate_BadBatchSizeOrMaxWritesPending_AreReported()
    {
        await Assert.That(new HintedHandoffOptions { Dir = "x" }.Validate()).IsNull();
        await Assert.That(new HintedHandoffOptions { Dir = "x", BatchSize = 0 }.Validate()).Contains("batch-size");
        await Assert.That(new HintedHandoffOptions { Dir = "x", MaxWritesPending = -1 }.Validate()).Contains("max-writes-pending");
        await Assert.That(new HintedHandoffOptions { Dir = "x", RetryConcurrency = 0 }.Validate()).Contains("retry-concurrency");
        await Assert.That(new HintedHandoffOptions().BatchSize).IsEqualTo(512000L);
        await Assert.That(new HintedHandoffOptions().MaxWritesPending).IsEqualTo(1024);
        await Assert.That(new HintedHandoffOptions().RetryConcurrency).IsEqualTo(20);
    }
}
