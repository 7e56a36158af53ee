using Cairn.Storage.Engine;
using Cairn.Storage.Shards;
using CsCheck;
using TUnit.Assertions.Enums;

namespace Cairn.Storage.Tests.Engine;

public class TombstoneSetTests
{
    private static readonly byte[] Cpu = "cpu,host=a"u8.ToArray();
    private static readonly byte[] Mem = "mem,host=a"u8.ToArray();

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }

    [Test]
    public async Task RangesFor_OverlappingAndAdjacent_MergedAndSorted()
    {
        var set = TombstoneSet.Create([
            new Tombstone(Cpu, 50, 60),
            new Tombstone(Cpu, 10, 20),
            new Tombstone(Cpu, 15, 30),
            new Tombstone(Cpu, 31, 40),  // adjacent to 15..30: one range
            new Tombstone(Cpu, 42, 45),  // a gap at 41
            new Tombstone(Cpu, 90, 80),  // min above max: deletes nothing
            new Tombstone(Mem, long.MinValue, long.MaxValue),
        ]);

        await Assert.That(set.SeriesCount).IsEqualTo(2);
        await Assert.That(set.RangesFor(Cpu).ToArray()).IsEquivalentTo(new (long, long)[] { (10, 40), (42, 45), (50, 60) }, CollectionOrdering.Matching);
        await Assert.That(set.RangesFor(Mem).ToArray()).IsEquivalentTo(new (long, long)[] { (long.MinValue, long.MaxValue) }, CollectionOrdering.Matching);
        await Assert.That(set.RangesFor("disk"u8).IsEmpty).IsTrue();
    }

    [Test]
    public async Task Covers_Deletes_Overlaps_Edges()
    {
        var set = TombstoneSet.Create([new Tombstone(Cpu, 10, 40), new Tombstone(Cpu, 50, 60), new Tombstone(Mem, long.MaxValue - 1, long.MaxValue)]);

        await Assert.That(set.Covers(Cpu, 10, 40)).IsTrue();
        await Assert.That(set.Covers(Cpu, 11, 39)).IsTrue();
        await Assert.That(set.Covers(Cpu, 9, 40)).IsFalse();
        await Assert.That(set.Covers(Cpu, 30, 55)).IsFalse(); // spans the gap
        await Assert.That(set.Deletes(Cpu, 10)).IsTrue();
        await Assert.That(set.Deletes(Cpu, 40)).IsTrue();
        await Assert.That(set.Deletes(Cpu, 41)).IsFalse();
        await Assert.That(set.Deletes(Cpu, 9)).IsFalse();
        await Assert.That(set.Deletes(Cpu, 61)).IsFalse();
        await Assert.That(set.Overlaps(Cpu, 41, 49)).IsFalse();
        await Assert.That(set.Overlaps(Cpu, 41, 50)).IsTrue();
        await Assert.That(set.Overlaps(Cpu, long.MinValue, 10)).IsTrue();
        await Assert.That(set.Deletes(Mem, long.MaxValue)).IsTrue();
        await Assert.That(set.Deletes("cpu,host=a,x=1"u8, 20)).IsFalse(); // another series, same prefix
        await Assert.That(TombstoneSet.Empty.IsEmpty).IsTrue();
        await Assert.That(TombstoneSet.Empty.Deletes(Cpu, 0)).IsFalse();
    }

    [Test]
    public async Task RangesForKey_ShardKey_UsesTheSeriesPart()
    {
        var set = TombstoneSet.Create([new Tombstone(Cpu, 1, 2)]);
        await Assert.That(set.RangesForKey(ShardKey.Compose(Cpu, "usage"u8)).Length).IsEqualTo(1);
        await Assert.That(set.RangesForKey(ShardKey.Compose(Cpu, "a#!~#b"u8)).Length).IsEqualTo(1);
        await Assert.That(set.RangesForKey(ShardKey.Compose("cpu,host=ab"u8, "usage"u8)).IsEmpty).IsTrue();
    }

    [Test]
    public async Task With_AddsToACopy_OriginalUnchanged()
    {
        var first = TombstoneSet.Create([new Tombstone(Cpu, 10, 20)]);
        byte[] reused = (byte[])Mem.Clone();
        var second = first.With([new Tombstone(Cpu, 21, 30), new Tombstone(reused, 5, 5)]);
        reused[0] = (byte)'x'; // the set keeps its own copy of the key

        await Assert.That(first.RangesFor(Cpu).ToArray()).IsEquivalentTo(new (long, long)[] { (10, 20) }, CollectionOrdering.Matching);
        await Assert.That(first.Deletes(Mem, 5)).IsFalse();
        await Assert.That(second.RangesFor(Cpu).ToArray()).IsEquivalentTo(new (long, long)[] { (10, 30) }, CollectionOrdering.Matching);
        await Assert.That(second.Deletes(Mem, 5)).IsTrue();
        await Assert.That(second.Enumerate().Count()).IsEqualTo(2);
    }

    [Test]
    public void Apply_RandomPointsAndRanges_KeepsExactlyTheUndeleted()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var tombstones = new List<Tombstone>();
            for (int i = random.Next(6); i > 0; i--)
            {
                long min = random.Next(-20, 200);
                tombstones.Add(new Tombstone(Cpu, min, min + random.Next(-2, 40)));
            }
            var set = TombstoneSet.Create(tombstones);
            bool sorted = random.Next(2) == 0;
            int n = random.Next(0, 300);
            long[] timestamps = new long[n];
            for (int i = 0; i < n; i++) timestamps[i] = sorted ? (i == 0 ? -30 : timestamps[i - 1] + random.Next(1, 3)) : random.Next(-30, 250);
            string[] values = timestamps.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

            bool Deleted(long t) => tombstones.Any(x => x.MinTime <= t && t <= x.MaxTime);
            long[] expected = timestamps.Where(t => !Deleted(t)).ToArray();
            int kept = set.Apply<string>(Cpu, timestamps, values);
            Check(kept == expected.Length, $"seed {seed}: kept {kept}, expected {expected.Length}");
            Check(timestamps.AsSpan(0, kept).SequenceEqual(expected), $"seed {seed}: timestamps differ");
            for (int i = 0; i < kept; i++)
                Check(values[i] == timestamps[i].ToString(System.Globalization.CultureInfo.InvariantCulture), $"seed {seed}: value {i} moved apart from its timestamp");
            Check(set.Apply<string>(Mem, timestamps.AsSpan(0, kept), values) == kept, "another series keeps everything");
        }, iter: 300);
    }
}
