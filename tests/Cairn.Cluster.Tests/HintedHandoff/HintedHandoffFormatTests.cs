using Cairn.Cluster.HintedHandoff;

namespace Cairn.Cluster.Tests.HintedHandoff;

public class HintedHandoffFormatTests
{
    [Test]
    public async Task WriteRecord_RandomRecords_ReadBackFieldForFieldAndEveryBitFlipIsCaught()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int round = 0; round < 50; round++)
        {
            var request = new byte[random.Next(0, 300)];
            random.NextBytes(request);
            long enqueued = random.NextInt64();
            ulong shard = (ulong)random.NextInt64();
            int points = random.Next();
            var record = new byte[HintedHandoffFormat.RecordOverhead + request.Length];
            HintedHandoffFormat.WriteRecord(record, enqueued, shard, points, request);

            int bodyLength = HintedHandoffFormat.BodyLength(record, out uint checksum);
            await Assert.That(bodyLength).IsEqualTo(record.Length - HintedHandoffFormat.RecordHeaderSize).Because($"seed {seed}");
            var body = record.AsSpan(HintedHandoffFormat.RecordHeaderSize).ToArray();
            await Assert.That(HintedHandoffFormat.Checksum(record.AsSpan(0, 4), body)).IsEqualTo(checksum);
            await Assert.That(HintedHandoffFormat.EnqueuedNs(body)).IsEqualTo(enqueued);
            await Assert.That(HintedHandoffFormat.ShardId(body)).IsEqualTo(shard);
            await Assert.That(HintedHandoffFormat.Points(body)).IsEqualTo(points);
            await Assert.That(body.AsSpan(HintedHandoffFormat.BodyHeaderSize).SequenceEqual(request)).IsTrue();

            // Any single flipped bit, the length field included, fails the check (or the length's sanity test).
            int bit = random.Next(record.Length * 8);
            var damaged = (byte[])record.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            int damagedLength = HintedHandoffFormat.BodyLength(damaged, out uint damagedChecksum);
            bool caught = damagedLength != bodyLength
                || HintedHandoffFormat.Checksum(damaged.AsSpan(0, 4), damaged.AsSpan(HintedHandoffFormat.RecordHeaderSize)) != damagedChecksum;
            await Assert.That(caught).IsTrue().Because($"seed {seed}, bit {bit}");
        }
    }

    [Test]
    public async Task SegmentFileName_OnlyCanonicalNamesParse()
    {
        await Assert.That(HintedHandoffFormat.SegmentFileName(42)).IsEqualTo("00000042.hhq");
        await Assert.That(HintedHandoffFormat.TryParseSegmentFileName("00000042.hhq", out ulong id) && id == 42).IsTrue();
        await Assert.That(HintedHandoffFormat.TryParseSegmentFileName("123456789.hhq", out id) && id == 123456789).IsTrue();
        await Assert.That(HintedHandoffFormat.TryParseSegmentFileName("42.hhq", out _)).IsFalse();
        await Assert.That(HintedHandoffFormat.TryParseSegmentFileName("00000000.hhq", out _)).IsFalse();
        await Assert.That(HintedHandoffFormat.TryParseSegmentFileName("00000042.hhq.damaged", out _)).IsFalse();
        await Assert.That(HintedHandoffFormat.TryParseNodeDirectoryName("17", out ulong node) && node == 17).IsTrue();
        await Assert.That(HintedHandoffFormat.TryParseNodeDirectoryName("017", out _)).IsFalse();
        await Assert.That(HintedHandoffFormat.TryParseNodeDirectoryName("x", out _)).IsFalse();
    }

    [Test]
    public async Task PositionFile_WrittenPositions_ReadBackTheLatest()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "position");
        using (var file = QueuePositionFile.Open(path, out var none, out bool damaged))
        {
            await Assert.That(none is null).IsTrue();
            await Assert.That(damaged).IsFalse();
            for (long i = 1; i <= 5; i++) file.Write(new QueuePosition((ulong)i, i * 100));
        }
        using (var file = QueuePositionFile.Open(path, out var position, out bool damaged))
        {
            await Assert.That(position).IsEqualTo(new QueuePosition(5, 500));
            await Assert.That(damaged).IsFalse();
            // The sequence goes on from the one read, so the next write wins over both slots.
            file.Write(new QueuePosition(6, 8));
        }
        using (QueuePositionFile.Open(path, out var position, out _))
            await Assert.That(position).IsEqualTo(new QueuePosition(6, 8));
    }
}
