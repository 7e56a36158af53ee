using System.Buffers.Binary;
using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Wal;
using CsCheck;
using TUnit.Assertions.Enums;

namespace Cairn.Storage.Tests.Shards;

/// <summary>Version 2's split keys: each series stored once, keys compared in two parts without composing them.</summary>
public class ShardFileKeyTests
{
    private static void Check(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static string WriteKeys(TempDir dir, EncodingWorkspace workspace, string name, IEnumerable<byte[]> keys)
    {
        string path = dir.File(name);
        using var writer = new ShardFileWriter(path, workspace);
        long t = 0;
        foreach (byte[] key in keys)
            writer.WriteSeries(key, [++t], [t]);
        writer.Complete();
        return path;
    }

    [Test]
    public async Task Write_SeriesWithManyFields_StoresEachSeriesKeyOnce()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string[] series = ["cpu,host=a", "cpu,host=ab", "mem,host=a"];
        string[] fields = ["idle", "system", "user"];
        var keys = series.SelectMany(s => fields.Select(f => ShardKey.Compose(Utf8(s), Utf8(f)))).ToList();
        string path = WriteKeys(dir, workspace, "a.shard", keys);

        using var reader = ShardFileReader.Open(path);
        await Assert.That(reader.KeyCount).IsEqualTo(9);
        await Assert.That(reader.SeriesCount).IsEqualTo(3);
        // One copy of each series key in the whole file.
        byte[] bytes = File.ReadAllBytes(path);
        await Assert.That(Occurrences(bytes, Utf8("cpu,host=ab"))).IsEqualTo(1);
        await Assert.That(Occurrences(bytes, Utf8("mem,host=a"))).IsEqualTo(1);

        for (int i = 0; i < keys.Count; i++)
        {
            ShardIndexEntry entry = reader.GetEntry(i);
            await Assert.That(System.Text.Encoding.UTF8.GetString(entry.SeriesKey)).IsEqualTo(series[i / 3]);
            await Assert.That(System.Text.Encoding.UTF8.GetString(entry.FieldKey)).IsEqualTo(fields[i % 3]);
            await Assert.That(entry.KeyLength).IsEqualTo(keys[i].Length);
            await Assert.That(entry.Key()).IsEquivalentTo(keys[i], CollectionOrdering.Matching);
            await Assert.That(entry.KeyEquals(keys[i])).IsTrue();
            await Assert.That(entry.KeyStartsWith(ShardKey.SeriesPrefix(Utf8(series[i / 3])))).IsTrue();
        }
        var fieldsOfA = new List<string>();
        foreach (ShardIndexEntry entry in reader.EnumerateSeries(Utf8("cpu,host=a")))
            fieldsOfA.Add(System.Text.Encoding.UTF8.GetString(entry.FieldKey));
        await Assert.That(fieldsOfA).IsEquivalentTo(fields, CollectionOrdering.Matching);
    }

    [Test]
    public async Task BeginKey_NoSeparator_Throws()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        using var writer = new ShardFileWriter(dir.File("a.shard"), workspace);
        await Assert.That(() => writer.BeginKey("cpu,host=a"u8, FieldType.Float)).Throws<ArgumentException>();
    }

    [Test]
    public async Task Open_Version1File_RefusedAsUnsupportedVersionNamingIt()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = WriteKeys(dir, workspace, "old.shard", [Utf8("cpu#!~#v")]);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[4] = 1;
        File.WriteAllBytes(path, bytes);
        var e = await Assert.That(() => ShardFileReader.Open(path)).Throws<ShardFileCorruptException>();
        await Assert.That(e!.Reason).IsEqualTo(ShardFileCorruption.UnsupportedVersion);
        await Assert.That(e.Message).Contains("format version 1").And.Contains(path);

        // A version-1 file too short for a version-2 footer still reports its version, not a truncation.
        File.WriteAllBytes(path, bytes[..(8 + 64)]);
        e = await Assert.That(() => ShardFileReader.Open(path)).Throws<ShardFileCorruptException>();
        await Assert.That(e!.Reason).IsEqualTo(ShardFileCorruption.UnsupportedVersion);
    }

    [Test]
    public async Task EntryAt_SeriesReferenceOutsideTheSeriesTable_ReportsBadIndexEntry()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = WriteKeys(dir, workspace, "a.shard", [Utf8("cpu#!~#a"), Utf8("cpu#!~#b")]);
        byte[] bytes = File.ReadAllBytes(path);
        // Point the first key entry's series reference past the series table, then re-seal the index and footer CRCs.
        ReadOnlySpan<byte> footer = bytes.AsSpan(bytes.Length - 72);
        long indexOffset = BinaryPrimitives.ReadInt64LittleEndian(footer);
        long indexLength = BinaryPrimitives.ReadInt64LittleEndian(footer[8..]);
        uint seriesLength = BinaryPrimitives.ReadUInt32LittleEndian(footer[56..]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)(indexOffset + seriesLength)), seriesLength);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 72 + 60), Cairn.Common.Hashing.Crc32C.Compute(bytes.AsSpan((int)indexOffset, (int)indexLength)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 72 + 68), Cairn.Common.Hashing.Crc32C.Compute(bytes.AsSpan(bytes.Length - 72, 68)));
        File.WriteAllBytes(path, bytes);

        using var reader = ShardFileReader.Open(path);
        var e = await Assert.That(() => reader.GetEntry(0)).Throws<ShardFileCorruptException>();
        await Assert.That(e!.Reason).IsEqualTo(ShardFileCorruption.BadIndexEntry);
        await Assert.That(e.Path).IsEqualTo(reader.Path);
        await Assert.That(reader.GetEntry(1).Key()).IsEquivalentTo(Utf8("cpu#!~#b"), CollectionOrdering.Matching);
    }

    /// <summary>
    /// Keys over an alphabet of the separator's own bytes and the ones around them ('!' sorts before '#', ',' after),
    /// so a series key that is a prefix of another, series keys that sort differently from their composite keys,
    /// empty series and field keys, and field keys holding the separator all occur.
    /// </summary>
    [Test]
    public void FindEnumerateCompare_AwkwardKeys_AgreeWithByteOrderOfTheCompositeKey()
    {
        using var dir = new TempDir();
        int file = 0;
        Gen<string> part = Gen.String[Gen.Char["!#~,ab"], 0, 6];
        Gen.Select(Gen.Select(part, part).Array[1, 40], Gen.Select(part, part).Array[0, 20]).Sample((written, probes) =>
        {
            using var workspace = new EncodingWorkspace(); // samples run on several threads
            var keys = new SortedSet<byte[]>(ShardTestData.ByteComparer.Instance);
            foreach (var (s, f) in written)
                keys.Add(ShardKey.Compose(Utf8(s), Utf8(f)));
            var sorted = keys.ToList();
            string path = WriteKeys(dir, workspace, $"{Interlocked.Increment(ref file)}.shard", sorted);
            using var reader = ShardFileReader.Open(path);
            Check(reader.KeyCount == sorted.Count, "key count");

            var entries = new List<ShardIndexEntry>();
            foreach (ShardIndexEntry entry in reader.EnumerateKeys())
                entries.Add(entry);
            for (int i = 0; i < sorted.Count; i++)
            {
                Check(entries[i].Key().AsSpan().SequenceEqual(sorted[i]), $"key {i}: {entries[i].KeyString}");
                Check(reader.TryFindKey(sorted[i], out ShardIndexEntry found) && found.Ordinal == i, $"find {entries[i].KeyString}");
                for (int j = 0; j < sorted.Count; j++)
                    Check(Math.Sign(entries[i].CompareTo(entries[j])) == Math.Sign(i.CompareTo(j)), $"CompareTo {i} {j}");
            }

            var probeKeys = probes.Select(p => Utf8(p.Item1 + p.Item2)).Concat(probes.Select(p => ShardKey.Compose(Utf8(p.Item1), Utf8(p.Item2))));
            foreach (byte[] probe in probeKeys)
            {
                string text = System.Text.Encoding.UTF8.GetString(probe);
                Check(reader.TryFindKey(probe, out _) == keys.Contains(probe), $"TryFindKey({text})");
                foreach (ShardIndexEntry entry in entries)
                {
                    Check(Math.Sign(entry.CompareKey(probe)) == Math.Sign(entry.Key().AsSpan().SequenceCompareTo(probe)), $"CompareKey({entry.KeyString}, {text})");
                    Check(entry.KeyStartsWith(probe) == entry.Key().AsSpan().StartsWith(probe), $"KeyStartsWith({entry.KeyString}, {text})");
                }
                var byPrefix = new List<int>();
                foreach (ShardIndexEntry entry in reader.EnumerateKeys(probe))
                    byPrefix.Add(entry.Ordinal);
                var expected = Enumerable.Range(0, sorted.Count).Where(i => sorted[i].AsSpan().StartsWith(probe)).ToList();
                Check(byPrefix.SequenceEqual(expected), $"EnumerateKeys({text}): {string.Join(',', byPrefix)} != {string.Join(',', expected)}");
            }
        }, iter: 300);
    }

    private static int Occurrences(byte[] haystack, byte[] needle)
    {
        int count = 0;
        for (int at = 0; ;)
        {
            int found = haystack.AsSpan(at).IndexOf(needle);
            if (found < 0) return count;
            count++;
            at += found + 1;
        }
    }
}
