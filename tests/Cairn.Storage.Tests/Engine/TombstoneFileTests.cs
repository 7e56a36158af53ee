using Cairn.Storage.Engine;
using Cairn.Storage.Tests.Wal;
using TUnit.Assertions.Enums;

namespace Cairn.Storage.Tests.Engine;

public class TombstoneFileTests
{
    private static readonly Tombstone[] Three =
    [
        new("cpu,host=a"u8.ToArray(), 10, 20),
        new("mem,host=b,region=eu"u8.ToArray(), long.MinValue, long.MaxValue),
        new("disk,host=c"u8.ToArray(), -5, 5),
    ];

    private static string[] Describe(TombstoneSet set) =>
        set.Enumerate().Select(t => $"{System.Text.Encoding.UTF8.GetString(t.SeriesKey)}:{t.MinTime}..{t.MaxTime}").Order(StringComparer.Ordinal).ToArray();

    private static string[] Describe(IEnumerable<Tombstone> tombstones) => Describe(TombstoneSet.Create(tombstones));

    private static bool WarnedAbout(CapturedLog log, string path) =>
        log.Lines.Any(l => l.StartsWith("WARN|", StringComparison.Ordinal) && l.Contains(path, StringComparison.Ordinal));

    [Test]
    public async Task Open_NoFile_EmptyAndCreatesNothing()
    {
        using var dir = new TempDir();
        using var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger);
        await Assert.That(file.Current.IsEmpty).IsTrue();
        await Assert.That(File.Exists(dir.File(TombstoneFile.FileName))).IsFalse();
        file.Clear();
        await Assert.That(File.Exists(dir.File(TombstoneFile.FileName))).IsFalse();
    }

    [Test]
    public async Task AppendReopen_RoundTrip_SameTombstones()
    {
        using var dir = new TempDir();
        using (var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger))
        {
            file.Append(Three[..2]);
            file.Append([]);
            file.Append(Three[2..]);
            await Assert.That(Describe(file.Current)).IsEquivalentTo(Describe(Three), CollectionOrdering.Matching);
        }

        var log = new CapturedLog();
        using var reopened = TombstoneFile.Open(dir.Path, log.Logger);
        await Assert.That(Describe(reopened.Current)).IsEquivalentTo(Describe(Three), CollectionOrdering.Matching);
        await Assert.That(reopened.RecordsLoaded).IsEqualTo(3);
        await Assert.That(reopened.BytesTruncated).IsEqualTo(0L);
        await Assert.That(log.Lines.Count).IsEqualTo(0);
        await Assert.That(reopened.Current.Deletes("mem,host=b,region=eu"u8, 0)).IsTrue();

        // Appends continue after the loaded records.
        reopened.Append([new Tombstone("net,host=d"u8.ToArray(), 1, 1)]);
        using var again = TombstoneFile.Open(dir.Path, log.Logger);
        await Assert.That(again.RecordsLoaded).IsEqualTo(4);
    }

    [Test]
    public async Task Append_InvalidTombstone_ThrowsAndWritesNothing()
    {
        using var dir = new TempDir();
        using var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger);
        await Assert.That(() => file.Append([Three[0], new Tombstone("x"u8.ToArray(), 5, 4)])).Throws<ArgumentException>();
        await Assert.That(() => file.Append([new Tombstone(new byte[70_000], 1, 2)])).Throws<ArgumentException>();
        await Assert.That(file.Current.IsEmpty).IsTrue();
        await Assert.That(File.Exists(file.Path)).IsFalse();
    }

    [Test]
    public async Task Open_TornLastRecord_EveryCut_EarlierRecordsSurvive()
    {
        using var dir = new TempDir();
        string path;
        long beforeLast;
        using (var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger))
        {
            file.Append(Three[..2]);
            beforeLast = new FileInfo(file.Path).Length;
            file.Append(Three[2..]);
            path = file.Path;
        }
        byte[] bytes = File.ReadAllBytes(path);
        string[] expected = Describe(Three[..2]);

        for (long cut = beforeLast; cut < bytes.Length; cut++)
        {
            File.WriteAllBytes(path, bytes[..(int)cut]);
            var log = new CapturedLog();
            using (var file = TombstoneFile.Open(dir.Path, log.Logger))
            {
                await Assert.That(Describe(file.Current)).IsEquivalentTo(expected, CollectionOrdering.Matching);
                await Assert.That(file.BytesTruncated).IsEqualTo(cut - beforeLast);
                await Assert.That(new FileInfo(path).Length).IsEqualTo(beforeLast);
                await Assert.That(WarnedAbout(log, path)).IsEqualTo(cut > beforeLast);
            }
        }
    }

    [Test]
    public async Task Open_TruncatedIntoHeader_StartsEmptyWithWarning()
    {
        using var dir = new TempDir();
        string path;
        using (var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger))
        {
            file.Append(Three);
            path = file.Path;
        }
        byte[] bytes = File.ReadAllBytes(path);
        for (int cut = 0; cut < 8; cut++)
        {
            File.WriteAllBytes(path, bytes[..cut]);
            var log = new CapturedLog();
            using var file = TombstoneFile.Open(dir.Path, log.Logger);
            await Assert.That(file.Current.IsEmpty).IsTrue();
            await Assert.That(WarnedAbout(log, path)).IsTrue();
            file.Append(Three[..1]);
            using var reopened = TombstoneFile.Open(dir.Path, log.Logger);
            await Assert.That(reopened.RecordsLoaded).IsEqualTo(1);
        }
    }

    [Test]
    public async Task Open_BitFlipInARecord_ThatRecordAndLaterDropped()
    {
        using var dir = new TempDir();
        string path;
        long[] starts = new long[Three.Length + 1];
        using (var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger))
        {
            for (int i = 0; i < Three.Length; i++)
            {
                starts[i] = File.Exists(file.Path) ? new FileInfo(file.Path).Length : 8;
                file.Append([Three[i]]);
            }
            path = file.Path;
            starts[^1] = new FileInfo(path).Length;
        }
        byte[] bytes = File.ReadAllBytes(path);

        for (int record = 0; record < Three.Length; record++)
        {
            for (long offset = starts[record]; offset < starts[record + 1]; offset++)
            {
                foreach (int bit in new[] { 0, 7 })
                {
                    byte[] damaged = (byte[])bytes.Clone();
                    damaged[offset] ^= (byte)(1 << bit);
                    File.WriteAllBytes(path, damaged);
                    var log = new CapturedLog();
                    using var file = TombstoneFile.Open(dir.Path, log.Logger);
                    await Assert.That(Describe(file.Current)).IsEquivalentTo(Describe(Three[..record]), CollectionOrdering.Matching);
                    await Assert.That(WarnedAbout(log, path)).IsTrue();
                    await Assert.That(new FileInfo(path).Length).IsEqualTo(starts[record]);
                }
            }
        }
    }

    [Test]
    public async Task Open_NotATombstoneLog_Throws()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File(TombstoneFile.FileName), "CWAL\u0001\0\0\0"u8.ToArray());
        await Assert.That(() => TombstoneFile.Open(dir.Path, new CapturedLog().Logger)).Throws<InvalidDataException>();
        File.WriteAllBytes(dir.File(TombstoneFile.FileName), "CTMB\u0002\0\0\0"u8.ToArray());
        await Assert.That(() => TombstoneFile.Open(dir.Path, new CapturedLog().Logger)).Throws<InvalidDataException>();
    }

    [Test]
    public async Task Clear_Persists_HeaderOnlyFile()
    {
        using var dir = new TempDir();
        using (var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger))
        {
            file.Append(Three);
            TombstoneSet before = file.Current;
            file.Clear();
            await Assert.That(file.Current.IsEmpty).IsTrue();
            await Assert.That(before.IsEmpty).IsFalse(); // a set handed out earlier does not change
            await Assert.That(new FileInfo(file.Path).Length).IsEqualTo(8L);
            await Assert.That(File.Exists(file.Path + ".tmp")).IsFalse();
        }
        using (var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger))
        {
            await Assert.That(file.Current.IsEmpty).IsTrue();
            file.Append(Three[..1]); // appends work on the replaced file
        }
        using var last = TombstoneFile.Open(dir.Path, new CapturedLog().Logger);
        await Assert.That(Describe(last.Current)).IsEquivalentTo(Describe(Three[..1]), CollectionOrdering.Matching);
    }

    [Test]
    public async Task ClearApplied_KeepsRecordsAppendedAfterTheSet()
    {
        using var dir = new TempDir();
        using (var file = TombstoneFile.Open(dir.Path, new CapturedLog().Logger))
        {
            file.Append(Three[..2]);
            TombstoneSet applied = file.Current;      // a full compaction starts with this
            file.Append(Three[2..]);                  // a delete arrives while it runs
            file.ClearApplied(applied);
            await Assert.That(Describe(file.Current)).IsEquivalentTo(Describe(Three[2..]), CollectionOrdering.Matching);

            TombstoneSet second = file.Current;
            file.Append(Three[..1]);
            file.ClearApplied(applied);               // stale: everything it applied is already gone
            await Assert.That(Describe(file.Current)).IsEquivalentTo(Describe(Three[..1].Concat(Three[2..])), CollectionOrdering.Matching);
            file.ClearApplied(second);
            await Assert.That(Describe(file.Current)).IsEquivalentTo(Describe(Three[..1]), CollectionOrdering.Matching);
        }
        using var reopened = TombstoneFile.Open(dir.Path, new CapturedLog().Logger);
        await Assert.That(Describe(reopened.Current)).IsEquivalentTo(Describe(Three[..1]), CollectionOrdering.Matching);
    }
}
