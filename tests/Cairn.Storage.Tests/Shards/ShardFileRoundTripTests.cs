using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Wal;
using CsCheck;

namespace Cairn.Storage.Tests.Shards;

public class ShardFileRoundTripTests
{
    private static void Check(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }

    [Test]
    public void WriteRead_RandomKeysAllTypes_ReadsBackEveryValue()
    {
        using var dir = new TempDir();
        int file = 0;
        Gen.Int.Sample(seed =>
        {
            using var workspace = new EncodingWorkspace(); // samples run on several threads
            List<SeriesData> series = ShardTestData.RandomSeries(seed);
            string path = dir.File($"{Interlocked.Increment(ref file)}.shard");
            ShardFileSummary summary = ShardTestData.Write(path, series, workspace);
            Check(!File.Exists(path + ".tmp"), "the temporary file is renamed");
            Check(summary.Length == new FileInfo(path).Length, "summary length");

            using var reader = ShardFileReader.Open(path);
            Check(reader.KeyCount == series.Count, $"key count {reader.KeyCount} != {series.Count}");
            Check(reader.PointCount == series.Sum(s => (long)s.Timestamps.Length), "point count");
            Check(reader.MinTime == series.Min(s => s.Timestamps[0]) && reader.MaxTime == series.Max(s => s.Timestamps[^1]), "min/max time");
            long blocks = 0;
            foreach (SeriesData s in series)
            {
                Check(reader.TryFindKey(s.Key, out ShardIndexEntry entry), $"{s.KeyString} not found");
                Check(entry.FieldType == s.Type, $"{s.KeyString}: type {entry.FieldType} != {s.Type}");
                Check(entry.BlockCount == (s.Timestamps.Length + 999) / 1000, $"{s.KeyString}: {entry.BlockCount} blocks");
                int offset = 0;
                for (int b = 0; b < entry.BlockCount; b++)
                {
                    ShardBlockInfo info = entry.GetBlock(b);
                    var (timestamps, values) = ShardTestData.ReadBlock(reader, entry, b, workspace);
                    Check(info.MinTime == timestamps[0] && info.MaxTime == timestamps[^1] && info.Count == timestamps.Length, "block entry times");
                    string? difference = ShardTestData.Difference(s, timestamps, values, offset);
                    Check(difference is null, difference ?? "");
                    offset += timestamps.Length;
                }
                Check(offset == s.Timestamps.Length, $"{s.KeyString}: read {offset} of {s.Timestamps.Length} points");
                blocks += entry.BlockCount;
            }
            Check(reader.BlockCount == blocks, "block count");
        }, iter: 40);
    }

    [Test]
    public async Task TryFindKey_EveryKeyAndAbsentKeys_FindsOnlyWrittenOnes()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        List<SeriesData> series = ShardTestData.RandomSeries(seed: 7, maxKeys: 60);
        string path = dir.File("find.shard");
        ShardTestData.Write(path, series, workspace);
        using var reader = ShardFileReader.Open(path);

        var written = new HashSet<string>(series.Select(s => s.KeyString));
        for (int i = 0; i < series.Count; i++)
        {
            await Assert.That(reader.TryFindKey(series[i].Key, out ShardIndexEntry entry)).IsTrue();
            await Assert.That(entry.Ordinal).IsEqualTo(i);
            await Assert.That(entry.Key().SequenceEqual(series[i].Key)).IsTrue();
        }

        var absent = new List<byte[]> { Array.Empty<byte>(), new byte[] { 0 }, new byte[] { 0xFF, 0xFF }, System.Text.Encoding.UTF8.GetBytes("zzz") };
        foreach (SeriesData s in series)
        {
            absent.Add(s.Key[..^1]);
            absent.Add([.. s.Key, 0]);
            var bumped = (byte[])s.Key.Clone();
            bumped[^1]++;
            absent.Add(bumped);
        }
        foreach (byte[] key in absent)
        {
            bool expected = written.Contains(System.Text.Encoding.UTF8.GetString(key));
            await Assert.That(reader.TryFindKey(key, out _)).IsEqualTo(expected);
        }
    }

    [Test]
    public async Task EnumerateKeys_AllAndByPrefix_ReturnsSortedMatches()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        List<SeriesData> series = ShardTestData.RandomSeries(seed: 11, maxKeys: 80);
        string path = dir.File("enumerate.shard");
        ShardTestData.Write(path, series, workspace);
        using var reader = ShardFileReader.Open(path);

        var all = new List<string>();
        foreach (ShardIndexEntry entry in reader.EnumerateKeys())
            all.Add(entry.KeyString);
        await Assert.That(all).IsEquivalentTo(series.Select(s => s.KeyString).ToList());

        foreach (string prefix in new[] { "", "cpu", "disk,host=h1", "mem,host=h4", "net,", "nope", "cpu,host=h1#!~#usage" })
        {
            var found = new List<string>();
            foreach (ShardIndexEntry entry in reader.EnumerateKeys(System.Text.Encoding.UTF8.GetBytes(prefix)))
                found.Add(entry.KeyString);
            await Assert.That(found).IsEquivalentTo(all.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList());
        }

        // A series' fields, and not those of a series whose key merely starts the same (h1 vs h10).
        foreach (string seriesKey in series.Select(s => s.KeyString.Split("#!~#")[0]).Distinct())
        {
            var found = new List<string>();
            foreach (ShardIndexEntry entry in reader.EnumerateSeries(System.Text.Encoding.UTF8.GetBytes(seriesKey)))
                found.Add(entry.KeyString);
            await Assert.That(found).IsEquivalentTo(all.Where(k => k.StartsWith(seriesKey + "#!~#", StringComparison.Ordinal)).ToList());
        }
    }

    [Test]
    public void EnumerateBlocks_RandomRanges_ReturnsExactlyTheOverlappingBlocks()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        var random = new Random(3);
        long[] timestamps = ShardTestData.Timestamps(random, 5000);
        var series = new List<SeriesData> { new(System.Text.Encoding.UTF8.GetBytes("cpu,host=a#!~#v"), FieldType.Integer, timestamps, ShardTestData.Values(random, FieldType.Integer, 5000)) };
        string path = dir.File("prune.shard");
        ShardTestData.Write(path, series, workspace, maxPointsPerBlock: 300);
        using var reader = ShardFileReader.Open(path);
        Check(reader.TryFindKey(series[0].Key, out ShardIndexEntry entry), "key");
        Check(entry.BlockCount == 17, $"{entry.BlockCount} blocks of 300");

        long first = timestamps[0], last = timestamps[^1];
        Gen.Select(Gen.Long[first - 100, last + 100], Gen.Long[0, (last - first) / 3]).Sample((start, width) =>
        {
            long end = start + width;
            var expected = new List<int>();
            for (int b = 0; b < entry.BlockCount; b++)
            {
                ShardBlockInfo info = entry.GetBlock(b);
                if (info.MaxTime >= start && info.MinTime <= end) expected.Add(b);
            }
            var actual = new List<int>();
            foreach (ShardBlockInfo info in reader.EnumerateBlocks(entry, start, end))
                actual.Add(info.Index);
            Check(actual.SequenceEqual(expected), $"[{start}, {end}]: blocks {string.Join(',', actual)} != {string.Join(',', expected)}");
        }, iter: 500);

        var everything = new List<int>();
        foreach (ShardBlockInfo info in reader.EnumerateBlocks(entry, long.MinValue, long.MaxValue))
            everything.Add(info.Index);
        Check(everything.Count == 17, "the whole range yields every block");
    }
}
