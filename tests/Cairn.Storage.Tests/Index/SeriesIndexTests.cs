using Cairn.Storage.Index;
using Cairn.Storage.LineProtocol;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Index;

public class SeriesIndexTests
{
    private static readonly TestSeries CpuA = TestSeries.Of("cpu", ("host", "a"), ("region", "west"));
    private static readonly TestSeries CpuB = TestSeries.Of("cpu", ("host", "b"), ("region", "west"));
    private static readonly TestSeries MemA = TestSeries.Of("mem", ("host", "a"));

    [Test]
    public async Task TryGetOrAdd_SameKeyTwice_SameIdCreatedOnce()
    {
        using var dir = new TempDir();
        using var index = SeriesIndex.Open(dir.Path);
        var key = System.Text.Encoding.UTF8.GetBytes(CpuA.Key);
        index.TryGetOrAdd(key, "cpu"u8, CpuA.TagList, out uint first, out bool created1);
        index.TryGetOrAdd(key, "cpu"u8, CpuA.TagList, out uint second, out bool created2);
        uint other = index.Add(CpuB);

        await Assert.That(first).IsEqualTo(1u);
        await Assert.That(created1).IsTrue();
        await Assert.That(second).IsEqualTo(first);
        await Assert.That(created2).IsFalse();
        await Assert.That(other).IsEqualTo(2u);
        await Assert.That(index.SeriesCount).IsEqualTo(2);
        await Assert.That(index.Key(other)).IsEqualTo(CpuB.Key);
    }

    [Test]
    public async Task TryGetOrAdd_ParsedPoint_UsesItsKeyAndUnescapedTags()
    {
        using var dir = new TempDir();
        using var index = SeriesIndex.Open(dir.Path);
        ReadPoint(index, out uint id);
        await Assert.That(index.Measurements()).IsEquivalentTo(new[] { "we ather" });
        await Assert.That(index.TagValues("we ather", "a b")).IsEquivalentTo(new[] { "x,y" });
        await Assert.That(index.Key(id)).IsEqualTo("we\\ ather,a\\ b=x\\,y,z=1");

        static void ReadPoint(SeriesIndex index, out uint id)
        {
            var reader = new LineProtocolParser().Read("we\\ ather,z=1,a\\ b=x\\,y v=1 1\n"u8, 0, Precision.Nanosecond);
            if (!reader.MoveNext() || reader.IsError) throw new InvalidOperationException("line did not parse");
            var point = reader.Current;
            index.TryGetOrAdd(point.SeriesKey, point.Measurement, new ParsedPointTags(point), out id, out _);
        }
    }

    [Test]
    public async Task Open_AfterAddsWithoutMerge_ReplaysLogToSameIds()
    {
        using var dir = new TempDir();
        uint a, b, m;
        using (var index = SeriesIndex.Open(dir.Path))
        {
            a = index.Add(CpuA);
            b = index.Add(CpuB);
            m = index.Add(MemA);
            await index.FlushAsync();
        }
        using var reopened = SeriesIndex.Open(dir.Path);
        await Assert.That(reopened.Statistics.LogRecordsReplayed).IsEqualTo(3);
        await Assert.That(reopened.Add(CpuA)).IsEqualTo(a);
        await Assert.That(reopened.Add(CpuB)).IsEqualTo(b);
        await Assert.That(reopened.Add(MemA)).IsEqualTo(m);
        await Assert.That(reopened.Add(TestSeries.Of("disk"))).IsEqualTo(4u);
    }

    [Test]
    public async Task Open_AfterMerge_MapsFileAndReplaysNothing()
    {
        using var dir = new TempDir();
        var series = Enumerable.Range(0, 500).Select(i => TestSeries.Of("m" + (i % 7), ("host", "h" + i), ("dc", "d" + (i % 3)))).ToList();
        var ids = new List<uint>();
        using (var index = SeriesIndex.Open(dir.Path))
        {
            foreach (var s in series) ids.Add(index.Add(s));
            index.Field("m1", "value", FieldType.Float, out _);
            index.Merge();
        }

        using var reopened = SeriesIndex.Open(dir.Path);
        var stats = reopened.Statistics;
        await Assert.That(stats.Generation).IsEqualTo(1ul);
        await Assert.That(stats.FileSeries).IsEqualTo(500);
        await Assert.That(stats.DeltaSeries).IsEqualTo(0);
        await Assert.That(stats.LogRecordsReplayed).IsEqualTo(0);
        for (int i = 0; i < series.Count; i++)
        {
            await Assert.That(reopened.TryGetId(System.Text.Encoding.UTF8.GetBytes(series[i].Key), out uint id)).IsTrue();
            await Assert.That(id).IsEqualTo(ids[i]);
        }
        await Assert.That(reopened.Statistics.DeltaSeries).IsEqualTo(0);
        await Assert.That(reopened.Fields("m1")).IsEquivalentTo(new[] { ("value", FieldType.Float) });
        await Assert.That(reopened.Add(TestSeries.Of("new"))).IsEqualTo(501u);
    }

    [Test]
    public async Task Open_TornLogTail_KeepsEveryWholeRecord()
    {
        using var dir = new TempDir();
        var series = Enumerable.Range(0, 20).Select(i => TestSeries.Of("cpu", ("host", "h" + i))).ToList();
        var ends = new List<long>();
        using (var index = SeriesIndex.Open(dir.Path))
        {
            foreach (var s in series)
            {
                index.Add(s);
                await index.FlushAsync();
                ends.Add(new FileInfo(IndexTesting.LogPath(dir.Path)).Length);
            }
        }
        byte[] full = File.ReadAllBytes(IndexTesting.LogPath(dir.Path));
        for (long cut = SeriesIndexLogHeader; cut <= full.Length; cut += 7)
        {
            File.WriteAllBytes(IndexTesting.LogPath(dir.Path), full[..(int)cut]);
            int whole = ends.Count(e => e <= cut);
            using var index = SeriesIndex.Open(dir.Path);
            await Assert.That(index.SeriesCount).IsEqualTo(whole);
            await Assert.That(index.Statistics.LogBytesTruncated).IsEqualTo(cut - (whole == 0 ? SeriesIndexLogHeader : ends[whole - 1]));
            for (int i = 0; i < whole; i++) await Assert.That(index.Key((uint)(i + 1))).IsEqualTo(series[i].Key);
            // The cut tail is gone from the file, so what comes next lands right after the last whole record.
            await Assert.That(index.Add(TestSeries.Of("after"))).IsEqualTo((uint)(whole + 1));
        }
    }

    private const int SeriesIndexLogHeader = 16;

    [Test]
    public async Task Open_LogRecordWithFlippedBit_CutFromThere()
    {
        using var dir = new TempDir();
        using (var index = SeriesIndex.Open(dir.Path))
        {
            index.Add(CpuA);
            await index.FlushAsync();
            index.Add(CpuB);
        }
        var bytes = File.ReadAllBytes(IndexTesting.LogPath(dir.Path));
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(IndexTesting.LogPath(dir.Path), bytes);
        using var reopened = SeriesIndex.Open(dir.Path);
        await Assert.That(reopened.SeriesCount).IsEqualTo(1);
        await Assert.That(reopened.Key(1)).IsEqualTo(CpuA.Key);
    }

    [Test]
    [Arguments(3)]
    [Arguments(40)]
    [Arguments(100)]
    [Arguments(-1)]
    public async Task Open_CorruptIndexFile_ThrowsNamingTheFile(int offset)
    {
        using var dir = new TempDir();
        using (var index = SeriesIndex.Open(dir.Path))
        {
            index.Add(CpuA);
            index.Add(MemA);
            index.Merge();
        }
        string path = IndexTesting.FilePath(dir.Path);
        var bytes = File.ReadAllBytes(path);
        if (offset < 0) bytes = bytes[..^5];
        else bytes[offset] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<SeriesIndexCorruptException>(() => SeriesIndex.Open(dir.Path).Dispose());
        await Assert.That(error!.Path).IsEqualTo(path);
        await Assert.That(error.Message).Contains(path);
    }

    [Test]
    public async Task Queries_FileAndDelta_SortedAndCombined()
    {
        using var dir = new TempDir();
        using var index = SeriesIndex.Open(dir.Path);
        uint b = index.Add(CpuB);
        uint m = index.Add(MemA);
        index.Merge();
        uint a = index.Add(CpuA);
        uint c = index.Add(TestSeries.Of("cpu", ("host", "c"), ("zone", "1")));

        await Assert.That(index.Measurements()).IsEquivalentTo(new[] { "cpu", "mem" }, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(index.SeriesIds("cpu")).IsEquivalentTo(new[] { b, a, c }, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(index.TagKeys("cpu")).IsEquivalentTo(new[] { "host", "region", "zone" }, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(index.TagValues("cpu", "host")).IsEquivalentTo(new[] { "a", "b", "c" }, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(index.SeriesIdsForTag("cpu", "region", "west")).IsEquivalentTo(new[] { b, a }, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(index.SeriesIdsForTag("mem", "host", "a")).IsEquivalentTo(new[] { m });
        await Assert.That(index.SeriesIds("nope")).IsEmpty();
    }

    [Test]
    public async Task TryRegisterField_SecondTypeDiffers_ConflictWithFirstTypeEverywhere()
    {
        using var dir = new TempDir();
        using (var index = SeriesIndex.Open(dir.Path))
        {
            await Assert.That(index.Field("cpu", "v", FieldType.Float, out _)).IsEqualTo(FieldTypeResult.Created);
            await Assert.That(index.Field("cpu", "v", FieldType.Float, out _)).IsEqualTo(FieldTypeResult.Exists);
            await Assert.That(index.Field("cpu", "v", FieldType.Integer, out var existing)).IsEqualTo(FieldTypeResult.Conflict);
            await Assert.That(existing).IsEqualTo(FieldType.Float);
            await Assert.That(index.Field("mem", "v", FieldType.String, out _)).IsEqualTo(FieldTypeResult.Created);
            index.Merge();
            await Assert.That(index.Field("cpu", "v", FieldType.Boolean, out existing)).IsEqualTo(FieldTypeResult.Conflict);
            await Assert.That(existing).IsEqualTo(FieldType.Float);
            await Assert.That(index.Field("cpu", "w", FieldType.Unsigned, out _)).IsEqualTo(FieldTypeResult.Created);
        }
        using var reopened = SeriesIndex.Open(dir.Path);
        await Assert.That(reopened.Field("cpu", "w", FieldType.Float, out var w)).IsEqualTo(FieldTypeResult.Conflict);
        await Assert.That(w).IsEqualTo(FieldType.Unsigned);
        await Assert.That(reopened.Fields("cpu")).IsEquivalentTo(new[] { ("v", FieldType.Float), ("w", FieldType.Unsigned) }, TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(reopened.Fields("mem")).IsEquivalentTo(new[] { ("v", FieldType.String) });
    }

    [Test]
    public async Task DeleteMeasurement_ThenRecreated_FieldTypesStartOver()
    {
        using var dir = new TempDir();
        using (var index = SeriesIndex.Open(dir.Path))
        {
            index.Add(CpuA);
            index.Field("cpu", "v", FieldType.Float, out _);
            index.Merge();
            index.Field("cpu", "w", FieldType.Float, out _);
            await Assert.That(index.DeleteMeasurement("cpu")).IsTrue();
            await Assert.That(index.Measurements()).IsEmpty();
            await Assert.That(index.Fields("cpu")).IsEmpty();
            await Assert.That(index.Field("cpu", "v", FieldType.String, out _)).IsEqualTo(FieldTypeResult.Created);
            await Assert.That(index.Add(CpuA)).IsEqualTo(2u);
        }
        using var reopened = SeriesIndex.Open(dir.Path);
        await Assert.That(reopened.Fields("cpu")).IsEquivalentTo(new[] { ("v", FieldType.String) });
        await Assert.That(reopened.SeriesIds("cpu")).IsEquivalentTo(new[] { 2u });
        reopened.Merge();
        await Assert.That(reopened.Fields("cpu")).IsEquivalentTo(new[] { ("v", FieldType.String) });
        await Assert.That(reopened.SeriesIds("cpu")).IsEquivalentTo(new[] { 2u });
    }

    [Test]
    public async Task DeleteSeries_FromFileAndDelta_GoneAfterReopenAndMerge()
    {
        using var dir = new TempDir();
        uint a, b, m;
        using (var index = SeriesIndex.Open(dir.Path))
        {
            a = index.Add(CpuA);
            m = index.Add(MemA);
            index.Merge();
            b = index.Add(CpuB);
            await Assert.That(index.DeleteSeries([a, b, 99])).IsEqualTo(2);
            await Assert.That(index.SeriesCount).IsEqualTo(1);
            await Assert.That(index.TryGetId(System.Text.Encoding.UTF8.GetBytes(CpuA.Key), out _)).IsFalse();
        }
        using var reopened = SeriesIndex.Open(dir.Path);
        await Assert.That(reopened.Measurements()).IsEquivalentTo(new[] { "mem" });
        await Assert.That(reopened.TagKeys("cpu")).IsEmpty();
        await Assert.That(reopened.SeriesKey(a)).IsNull();
        await Assert.That(reopened.Statistics.Tombstones).IsEqualTo(2);
        reopened.Merge();
        await Assert.That(reopened.Statistics.Tombstones).IsEqualTo(0);
        await Assert.That(reopened.Statistics.FileSeries).IsEqualTo(1);
        await Assert.That(reopened.SeriesKey(a)).IsNull();
        await Assert.That(reopened.Key(m)).IsEqualTo(MemA.Key);
        uint again = reopened.Add(CpuA);
        await Assert.That(again).IsEqualTo(4u);
    }

    [Test]
    public async Task TryGetOrAdd_TagValueOverLimit_RejectedWithInfluxText()
    {
        using var dir = new TempDir();
        using var index = SeriesIndex.Open(dir.Path, new SeriesIndexOptions { MaxValuesPerTag = 2 });
        index.Add(TestSeries.Of("cpu", ("host", "a")));
        index.Merge();
        index.Add(TestSeries.Of("cpu", ("host", "b")));
        index.Add(TestSeries.Of("cpu", ("host", "a"), ("x", "1")));
        var c = TestSeries.Of("cpu", ("host", "c"));
        bool ok = index.TryGetOrAdd(System.Text.Encoding.UTF8.GetBytes(c.Key), "cpu"u8, c.TagList, out _, out _, out var rejected);

        await Assert.That(ok).IsFalse();
        await Assert.That(rejected!.Reason).IsEqualTo("max-values-per-tag limit exceeded (2/2): measurement=\"cpu\" tag=\"host\" value=\"c\"");
        await Assert.That(WriteErrorText.PartialWrite(rejected.Reason, 1))
            .IsEqualTo("partial write: max-values-per-tag limit exceeded (2/2): measurement=\"cpu\" tag=\"host\" value=\"c\" dropped=1");
        await Assert.That(index.SeriesCount).IsEqualTo(3);
    }

    [Test]
    public async Task LimitTexts_MatchInfluxDb()
    {
        await Assert.That(SeriesLimitText.MaxSeriesPerDatabase(1000)).IsEqualTo("max-series-per-database limit exceeded: (1000)");
        await Assert.That(SeriesLimitText.GoQuote("a\"b\\c\n\u0001é"u8)).IsEqualTo("\"a\\\"b\\\\c\\n\\x01é\"");
        await Assert.That(SeriesLimitText.GoQuote([0xff, 0x41])).IsEqualTo("\"\\xffA\"");
    }

    [Test]
    public async Task HotPath_ExistingSeriesAndFields_AllocateNothing()
    {
        using var dir = new TempDir();
        using var index = SeriesIndex.Open(dir.Path);
        var inFile = Enumerable.Range(0, 200).Select(i => TestSeries.Of("cpu", ("host", "h" + i))).ToList();
        foreach (var s in inFile) index.Add(s);
        index.Field("cpu", "value", FieldType.Float, out _);
        index.Merge();
        var inDelta = Enumerable.Range(0, 200).Select(i => TestSeries.Of("mem", ("host", "h" + i))).ToList();
        foreach (var s in inDelta) index.Add(s);
        index.Field("mem", "value", FieldType.Float, out _);

        var keys = inFile.Concat(inDelta).Select(s => (Key: System.Text.Encoding.UTF8.GetBytes(s.Key), Measurement: System.Text.Encoding.UTF8.GetBytes(s.Measurement), s.TagList)).ToArray();
        // Warm up, then take the least of a few measurements: a one-off runtime allocation on this
        // thread (tiering, a timer) must not fail the test, a per-call allocation shows every time.
        long bytes = MeasureAllocations(index, keys, "value"u8.ToArray());
        for (int attempt = 0; attempt < 5 && bytes != 0; attempt++)
            bytes = Math.Min(bytes, MeasureAllocations(index, keys, "value"u8.ToArray()));
        await Assert.That(bytes).IsEqualTo(0L);
    }

    private static long MeasureAllocations(SeriesIndex index, (byte[] Key, byte[] Measurement, SeriesTagList Tags)[] keys, byte[] field)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        uint sum = 0;
        for (int round = 0; round < 10; round++)
        {
            foreach (var (key, measurement, tags) in keys)
            {
                index.TryGetOrAdd(key, measurement, tags, out uint id, out bool created);
                if (created) throw new InvalidOperationException("created");
                sum += id;
                if (index.TryRegisterField(measurement, field, FieldType.Float, out _) != FieldTypeResult.Exists) throw new InvalidOperationException("field");
            }
        }
        long after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(sum);
        return after - before;
    }

    [Test]
    public async Task Merge_CrashBeforeLogRestart_StaleLogIgnored()
    {
        using var dir = new TempDir();
        byte[] oldLog;
        using (var index = SeriesIndex.Open(dir.Path))
        {
            index.Add(CpuA);
            index.DeleteMeasurement("cpu");
            index.Add(CpuA);
            await index.FlushAsync();
            oldLog = File.ReadAllBytes(IndexTesting.LogPath(dir.Path));
            index.Merge();
        }
        // As if the process died between renaming series.idx and restarting series.log.
        File.WriteAllBytes(IndexTesting.LogPath(dir.Path), oldLog);
        using var reopened = SeriesIndex.Open(dir.Path);
        await Assert.That(reopened.Statistics.LogRecordsReplayed).IsEqualTo(0);
        await Assert.That(reopened.SeriesIds("cpu")).IsEquivalentTo(new[] { 2u });
    }
}
