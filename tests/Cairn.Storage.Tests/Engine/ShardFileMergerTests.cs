using Cairn.Storage.Encoding;
using Cairn.Storage.Engine;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Shards;
using Cairn.Storage.Tests.Wal;
using CsCheck;
using TUnit.Assertions.Enums;

namespace Cairn.Storage.Tests.Engine;

public class ShardFileMergerTests
{
    private static byte[] Key(string series, string field) =>
        ShardKey.Compose(System.Text.Encoding.UTF8.GetBytes(series), System.Text.Encoding.UTF8.GetBytes(field));

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static void Check(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }

    /// <summary>One key read back: every block decoded and joined, values boxed, and each block's point count.</summary>
    private sealed record ReadKey(string Key, FieldType Type, List<long> Timestamps, List<object> Values, List<int> BlockCounts);

    private static List<ReadKey> ReadAll(string path, EncodingWorkspace workspace)
    {
        using var reader = ShardFileReader.Open(path);
        var keys = new List<ReadKey>();
        foreach (ShardIndexEntry entry in reader.EnumerateKeys())
        {
            var read = new ReadKey(entry.KeyString, entry.FieldType, [], [], []);
            for (int b = 0; b < entry.BlockCount; b++)
            {
                var (timestamps, values) = ShardTestData.ReadBlock(reader, entry, b, workspace);
                read.Timestamps.AddRange(timestamps);
                foreach (object value in values) read.Values.Add(value);
                read.BlockCounts.Add(timestamps.Length);
            }
            keys.Add(read);
        }
        return keys;
    }

    private static ShardFileReader Write(TempDir dir, string name, EncodingWorkspace workspace, int maxPointsPerBlock, params SeriesData[] series)
    {
        var sorted = series.OrderBy(s => s.Key, ShardTestData.ByteComparer.Instance).ToList();
        string path = dir.File(name);
        ShardTestData.Write(path, sorted, workspace, maxPointsPerBlock);
        return ShardFileReader.Open(path);
    }

    private static SeriesData Longs(byte[] key, long[] timestamps, long[] values) => new(key, FieldType.Integer, timestamps, values);

    private static long[] Range(long from, long to, long step = 1)
    {
        var list = new List<long>();
        for (long t = from; t <= to; t += step) list.Add(t);
        return list.ToArray();
    }

    [Test]
    public async Task Merge_OverlappingFiles_NewestInputWins()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        byte[] key = Key("cpu,host=a", "v");
        long[] oldTimes = Range(0, 2999), newTimes = Range(1500, 3499, 2);
        using var older = Write(dir, "1.csf", workspace, 700, Longs(key, oldTimes, oldTimes.Select(t => t).ToArray()));
        using var newer = Write(dir, "2.csf", workspace, 300, Longs(key, newTimes, newTimes.Select(t => -t).ToArray()));

        ShardFileSummary? summary = ShardFileMerger.Merge([older, newer], TombstoneSet.Empty, dir.File("out.csf"), workspace);

        await Assert.That(summary).IsNotNull();
        await Assert.That(File.Exists(dir.File("out.csf.tmp"))).IsFalse();
        var read = ReadAll(dir.File("out.csf"), workspace).Single();
        long[] expectedTimes = oldTimes.Union(newTimes).Order().ToArray();
        await Assert.That(read.Timestamps).IsEquivalentTo(expectedTimes, CollectionOrdering.Matching);
        for (int i = 0; i < expectedTimes.Length; i++)
        {
            long t = expectedTimes[i];
            long expected = t >= 1500 && t % 2 == 0 ? -t : t;
            Check((long)read.Values[i] == expected, $"t={t}: {read.Values[i]} != {expected}");
        }
        await Assert.That(read.BlockCounts.Take(read.BlockCounts.Count - 1).All(c => c == 1000)).IsTrue();
        await Assert.That(summary!.Value.PointCount).IsEqualTo((long)expectedTimes.Length);
    }

    [Test]
    public async Task Merge_Tombstones_DropDeletedPointsOfEveryFieldOfTheSeries()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        long[] times = Range(1, 5000);
        using var input = Write(dir, "1.csf", workspace, 1000,
            Longs(Key("cpu,host=a", "x"), times, times),
            new SeriesData(Key("cpu,host=a", "y"), FieldType.String, times, times.Select(t => "s" + t).ToArray()),
            Longs(Key("cpu,host=ab", "x"), times, times)); // a series whose key merely starts the same
        var tombstones = TombstoneSet.Create([
            new Tombstone(Bytes("cpu,host=a"), 1001, 2000), // exactly one block: skipped undecoded
            new Tombstone(Bytes("cpu,host=a"), 10, 19),
            new Tombstone(Bytes("cpu,host=a"), 4990, long.MaxValue),
        ]);

        ShardFileMerger.Merge([input], tombstones, dir.File("out.csf"), workspace);

        var read = ReadAll(dir.File("out.csf"), workspace);
        long[] kept = times.Where(t => !(t is >= 1001 and <= 2000 or >= 10 and <= 19 or >= 4990)).ToArray();
        await Assert.That(read.Select(k => k.Key).ToArray()).IsEquivalentTo(new[] { "cpu,host=a#!~#x", "cpu,host=a#!~#y", "cpu,host=ab#!~#x" }, CollectionOrdering.Matching);
        await Assert.That(read[0].Timestamps).IsEquivalentTo(kept, CollectionOrdering.Matching);
        await Assert.That(read[1].Timestamps).IsEquivalentTo(kept, CollectionOrdering.Matching);
        await Assert.That(read[1].Values.Cast<string>().ToArray()).IsEquivalentTo(kept.Select(t => "s" + t).ToArray(), CollectionOrdering.Matching);
        await Assert.That(read[2].Timestamps.Count).IsEqualTo(5000);
    }

    [Test]
    public async Task Merge_TypeConflict_NewestInputsTypeWins()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        byte[] key = Key("m", "f");
        using var first = Write(dir, "1.csf", workspace, 1000, new SeriesData(key, FieldType.Float, [1, 2, 3], new double[] { 1.5, 2.5, 3.5 }));
        using var second = Write(dir, "2.csf", workspace, 1000, Longs(key, [2, 4], [20, 40]));
        using var third = Write(dir, "3.csf", workspace, 1000, new SeriesData(key, FieldType.Float, [3, 5], new double[] { 30.5, 50.5 }));

        ShardFileMerger.Merge([first, second, third], TombstoneSet.Empty, dir.File("a.csf"), workspace);
        var read = ReadAll(dir.File("a.csf"), workspace).Single();
        await Assert.That(read.Type).IsEqualTo(FieldType.Float);
        await Assert.That(read.Timestamps).IsEquivalentTo(new long[] { 1, 2, 3, 5 }, CollectionOrdering.Matching);
        await Assert.That(read.Values.Cast<double>().ToArray()).IsEquivalentTo(new[] { 1.5, 2.5, 30.5, 50.5 }, CollectionOrdering.Matching);

        ShardFileMerger.Merge([first, second], TombstoneSet.Empty, dir.File("b.csf"), workspace);
        read = ReadAll(dir.File("b.csf"), workspace).Single();
        await Assert.That(read.Type).IsEqualTo(FieldType.Integer);
        await Assert.That(read.Values.Cast<long>().ToArray()).IsEquivalentTo(new long[] { 20, 40 }, CollectionOrdering.Matching);
    }

    [Test]
    public async Task Merge_EverythingDeleted_ReturnsNullAndLeavesNoFile()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        using var input = Write(dir, "1.csf", workspace, 100,
            Longs(Key("cpu,host=a", "x"), Range(1, 250), Range(1, 250)),
            Longs(Key("mem,host=a", "x"), Range(1, 10), Range(1, 10)));
        using var empty = Write(dir, "2.csf", workspace, 100);
        var tombstones = TombstoneSet.Create([
            new Tombstone(Bytes("cpu,host=a"), 1, 150),
            new Tombstone(Bytes("cpu,host=a"), 151, 250),
            new Tombstone(Bytes("mem,host=a"), long.MinValue, long.MaxValue),
        ]);

        ShardFileSummary? summary = ShardFileMerger.Merge([input, empty], tombstones, dir.File("out.csf"), workspace);

        await Assert.That(summary).IsNull();
        await Assert.That(Directory.GetFiles(dir.Path).Select(p => Path.GetFileName(p)).Order().ToArray()).IsEquivalentTo(new[] { "1.csf", "2.csf" }, CollectionOrdering.Matching);
        await Assert.That(ShardFileMerger.Merge([], TombstoneSet.Empty, dir.File("none.csf"), workspace)).IsNull();
        await Assert.That(File.Exists(dir.File("none.csf.tmp"))).IsFalse();
    }

    [Test]
    public async Task Merge_ManyFiles_KeysComeOutInByteOrder()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        var random = new Random(5);
        var inputs = new List<ShardFileReader>();
        var expected = new SortedSet<byte[]>(ShardTestData.ByteComparer.Instance);
        try
        {
            for (int file = 0; file < 12; file++)
            {
                var series = new Dictionary<string, SeriesData>();
                for (int k = random.Next(0, 40); k > 0; k--)
                {
                    // Keys that share prefixes and differ in length, so byte order matters ("h1" < "h10" < "h2").
                    byte[] key = Key($"m{random.Next(3)},host=h{random.Next(25)}", random.Next(2) == 0 ? "v" : "v2");
                    series[Convert.ToHexString(key)] = Longs(key, [file * 10L], [file]);
                    expected.Add(key);
                }
                inputs.Add(Write(dir, $"{file}.csf", workspace, 1000, [.. series.Values]));
            }
            ShardFileSummary? summary = ShardFileMerger.Merge(inputs, TombstoneSet.Empty, dir.File("out.csf"), workspace);
            var read = ReadAll(dir.File("out.csf"), workspace);
            await Assert.That(read.Select(k => k.Key).ToArray()).IsEquivalentTo(expected.Select(k => System.Text.Encoding.UTF8.GetString(k)).ToArray(), CollectionOrdering.Matching);
            await Assert.That(summary!.Value.KeyCount).IsEqualTo(expected.Count);
        }
        finally
        {
            foreach (var input in inputs) input.Dispose();
        }
    }

    [Test]
    public async Task Merge_CorruptInputBlock_ThrowsNamingTheInputAndLeavesNoOutput()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        using var good = Write(dir, "1.csf", workspace, 100, Longs(Key("a", "v"), Range(1, 300), Range(1, 300)));
        string badPath = dir.File("2.csf");
        Write(dir, "2.csf", workspace, 100, Longs(Key("a", "v"), Range(301, 600), Range(301, 600))).Dispose();
        long inside;
        using (var intact = ShardFileReader.Open(badPath))
        {
            Check(intact.TryFindKey(Key("a", "v"), out ShardIndexEntry entry), "key");
            ShardBlockInfo block = entry.GetBlock(1);
            inside = block.Offset + block.Size - 1; // the second block's last byte
        }
        byte[] bytes = File.ReadAllBytes(badPath);
        bytes[inside] ^= 0x10;
        File.WriteAllBytes(badPath, bytes);
        using var bad = ShardFileReader.Open(badPath);

        var error = Assert.Throws<ShardFileCorruptException>(() => ShardFileMerger.Merge([good, bad], TombstoneSet.Empty, dir.File("out.csf"), workspace));
        await Assert.That(error.Path).IsEqualTo(Path.GetFullPath(badPath));
        await Assert.That(error.Message).Contains(badPath);
        await Assert.That(error.Key).IsEqualTo("a#!~#v");
        await Assert.That(File.Exists(dir.File("out.csf"))).IsFalse();
        await Assert.That(File.Exists(dir.File("out.csf.tmp"))).IsFalse();
    }

    [Test]
    public async Task Merge_Cancelled_LeavesNoOutput()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        using var input = Write(dir, "1.csf", workspace, 100, Longs(Key("a", "v"), Range(1, 300), Range(1, 300)));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.That(() => ShardFileMerger.Merge([input], TombstoneSet.Empty, dir.File("out.csf"), workspace, ct: cancelled.Token))
            .Throws<OperationCanceledException>();
        await Assert.That(File.Exists(dir.File("out.csf"))).IsFalse();
        await Assert.That(File.Exists(dir.File("out.csf.tmp"))).IsFalse();
    }

    [Test]
    public async Task Merge_ReleasesItsLeases()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        var input = Write(dir, "1.csf", workspace, 100, Longs(Key("a", "v"), Range(1, 300), Range(1, 300)));
        ShardFileMerger.Merge([input], TombstoneSet.Empty, dir.File("out.csf"), workspace);
        input.MarkForDelete();
        await Assert.That(File.Exists(dir.File("1.csf"))).IsFalse(); // no lease left behind keeps it
    }

    [Test]
    public async Task Merge_PerInputTombstones_BindOnlyTheirInputs()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        byte[] key = Key("cpu,host=a", "v");
        using var older = Write(dir, "1.csf", workspace, 1000, Longs(key, [1, 2, 3], [1, 2, 3]));
        using var newer = Write(dir, "2.csf", workspace, 1000, Longs(key, [2, 4], [20, 40])); // written after the delete
        var delete = TombstoneSet.Create([new Tombstone(Bytes("cpu,host=a"), 1, 10)]);

        ShardFileMerger.Merge([older, newer], reader => reader == older ? delete : TombstoneSet.Empty, dir.File("out.csf"), workspace);

        var read = ReadAll(dir.File("out.csf"), workspace).Single();
        await Assert.That(read.Timestamps).IsEquivalentTo(new long[] { 2, 4 }, CollectionOrdering.Matching);
        await Assert.That(read.Values.Cast<long>().ToArray()).IsEquivalentTo(new long[] { 20, 40 }, CollectionOrdering.Matching);
    }

    [Test]
    public async Task Rewrite_AppliesTombstonesAndRepacksBlocks()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        long[] times = Range(1, 2500);
        using var input = Write(dir, "1.csf", workspace, 7, new SeriesData(Key("m", "b"), FieldType.Boolean, times, times.Select(t => t % 3 == 0).ToArray()));

        ShardFileSummary? summary = ShardFileMerger.Rewrite(input, TombstoneSet.Create([new Tombstone(Bytes("m"), 100, 199)]), dir.File("out.csf"), workspace);

        var read = ReadAll(dir.File("out.csf"), workspace).Single();
        await Assert.That(read.Timestamps.Count).IsEqualTo(2400);
        await Assert.That(read.BlockCounts).IsEquivalentTo(new[] { 1000, 1000, 400 }, CollectionOrdering.Matching);
        await Assert.That(read.Values.Cast<bool>().Zip(read.Timestamps).All(p => p.First == (p.Second % 3 == 0))).IsTrue();
        await Assert.That(summary!.Value.BlockCount).IsEqualTo(3L);
    }

    private static readonly string[] PropertySeries = ["cpu,host=a", "cpu,host=a1", "cpu,host=b", "mem,host=a"];
    private static readonly string[] PropertyFields = ["f", "g", "usage"];
    private static readonly int[] BlockSizes = [1, 3, 64, 1000];

    [Test]
    public void Merge_RandomInputsAndTombstones_MatchesModel()
    {
        using var dir = new TempDir();
        int sample = 0;
        Gen.Int.Sample(seed =>
        {
            using var workspace = new EncodingWorkspace(); // samples run on several threads
            int id = Interlocked.Increment(ref sample);
            var random = new Random(seed);
            var readers = new List<ShardFileReader>();
            try
            {
                // The model: per key, per input, the points written (oldest input first).
                var written = new Dictionary<string, List<(int Input, FieldType Type, long[] Times, Array Values)>>();
                int inputCount = random.Next(1, 6);
                for (int input = 0; input < inputCount; input++)
                {
                    var series = new List<SeriesData>();
                    foreach (string s in PropertySeries)
                    {
                        foreach (string f in PropertyFields)
                        {
                            if (random.Next(3) == 0) continue;
                            byte[] key = Key(s, f);
                            // Mostly one type per key; sometimes another, so type conflicts happen.
                            var type = random.Next(8) == 0 ? (FieldType)random.Next(1, 6) : (FieldType)(1 + (Array.IndexOf(PropertySeries, s) * 3 + Array.IndexOf(PropertyFields, f)) % 5);
                            int n = random.Next(4) switch { 0 => random.Next(1, 5), 1 => random.Next(995, 1006), _ => random.Next(1, 2500) };
                            long t = random.Next(0, 3000);
                            long[] times = new long[n];
                            for (int i = 0; i < n; i++) times[i] = t += random.Next(1, 4);
                            Array values = ShardTestData.Values(random, type, n);
                            series.Add(new SeriesData(key, type, times, values));
                            string name = System.Text.Encoding.UTF8.GetString(key);
                            if (!written.TryGetValue(name, out var list)) written[name] = list = [];
                            list.Add((input, type, times, values));
                        }
                    }
                    readers.Add(Write(dir, $"{id}-{input}.csf", workspace, BlockSizes[random.Next(BlockSizes.Length)], [.. series]));
                }
                var tombstones = new List<Tombstone>();
                for (int i = random.Next(0, 5); i > 0; i--)
                {
                    long min = random.Next(4) == 0 ? long.MinValue : random.Next(-10, 9000);
                    long max = random.Next(4) == 0 ? long.MaxValue : min + random.Next(0, 3000);
                    tombstones.Add(new Tombstone(Bytes(PropertySeries[random.Next(PropertySeries.Length)]), min, max));
                }
                int outBlock = BlockSizes[random.Next(BlockSizes.Length)];
                string output = dir.File($"{id}-out.csf");

                ShardFileSummary? summary = ShardFileMerger.Merge(readers, TombstoneSet.Create(tombstones), output, workspace, outBlock);

                // Expected: newest input's type; among inputs of that type newest value per timestamp; minus deletes.
                var expected = new SortedDictionary<string, (FieldType Type, SortedDictionary<long, object> Points)>(StringComparer.Ordinal);
                foreach (var (name, versions) in written)
                {
                    FieldType type = versions[^1].Type;
                    string seriesKey = name[..name.IndexOf("#!~#", StringComparison.Ordinal)];
                    var points = new SortedDictionary<long, object>();
                    foreach (var v in versions.Where(v => v.Type == type))
                    {
                        for (int i = 0; i < v.Times.Length; i++)
                            points[v.Times[i]] = v.Values.GetValue(i)!;
                    }
                    foreach (long t in points.Keys.ToList())
                    {
                        if (tombstones.Any(x => System.Text.Encoding.UTF8.GetString(x.SeriesKey) == seriesKey && x.MinTime <= t && t <= x.MaxTime))
                            points.Remove(t);
                    }
                    if (points.Count > 0) expected[name] = (type, points);
                }

                if (expected.Count == 0)
                {
                    Check(summary is null && !File.Exists(output) && !File.Exists(output + ".tmp"), $"seed {seed}: nothing left, yet a file");
                    return;
                }
                Check(summary is not null, $"seed {seed}: no output");
                var read = ReadAll(output, workspace);
                Check(read.Select(k => k.Key).SequenceEqual(expected.Keys), $"seed {seed}: keys {string.Join(' ', read.Select(k => k.Key))} != {string.Join(' ', expected.Keys)}");
                foreach (ReadKey key in read)
                {
                    var (type, points) = expected[key.Key];
                    Check(key.Type == type, $"seed {seed}: {key.Key}: type {key.Type} != {type}");
                    Check(key.Timestamps.SequenceEqual(points.Keys), $"seed {seed}: {key.Key}: timestamps differ ({key.Timestamps.Count} vs {points.Count})");
                    int i = 0;
                    foreach (object value in points.Values)
                    {
                        object actual = key.Values[i];
                        bool same = value is double d ? BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)actual) : value.Equals(actual);
                        Check(same, $"seed {seed}: {key.Key}: value at {key.Timestamps[i]}: {actual} != {value}");
                        i++;
                    }
                    for (int b = 0; b < key.BlockCounts.Count - 1; b++)
                        Check(key.BlockCounts[b] == outBlock, $"seed {seed}: {key.Key}: block {b} holds {key.BlockCounts[b]} of {outBlock}");
                }
                Check(summary!.Value.PointCount == expected.Values.Sum(e => (long)e.Points.Count), $"seed {seed}: point count");
            }
            finally
            {
                foreach (var reader in readers) reader.Dispose();
            }
        }, iter: 60);
    }
}
