using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Wal;
using CsCheck;

namespace Cairn.Storage.Tests.Shards;

public class ShardFileCorruptionTests
{
    private static void Check(bool condition, string message)
    {
        if (!condition) throw new Exception(message);
    }

    /// <summary>A small file with every field type and a few multi-block keys, and its bytes.</summary>
    private static (List<SeriesData> Series, byte[] Bytes) Sample(TempDir dir, EncodingWorkspace workspace)
    {
        List<SeriesData> series = ShardTestData.RandomSeries(seed: 5, maxKeys: 12);
        string path = dir.File("original.shard");
        ShardTestData.Write(path, series, workspace, maxPointsPerBlock: 400);
        return (series, File.ReadAllBytes(path));
    }

    [Test]
    public void Open_TruncatedAnywhere_FailsNamingTheFile()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        var (_, bytes) = Sample(dir, workspace);
        // CsCheck samples on several threads: each sample gets its own file, or one would truncate another's mapping.
        int sample = 0;
        Gen.Int[0, bytes.Length - 1].Sample(cut =>
        {
            string path = dir.File($"cut-{Interlocked.Increment(ref sample)}.shard");
            File.WriteAllBytes(path, bytes[..cut]);
            try
            {
                using var reader = ShardFileReader.Open(path);
                Check(false, $"opened a file cut at {cut} of {bytes.Length}");
            }
            catch (ShardFileCorruptException e)
            {
                Check(e.Path == Path.GetFullPath(path) && e.Message.Contains(path, StringComparison.Ordinal), $"names the file: {e.Message}");
                Check(e.Key is null, "a truncation is the file's fault, not a key's");
            }
        }, iter: 300);
    }

    [Test]
    public void Open_BitFlippedAnywhere_FailsOrOnlyTheDamagedBlockReportsIt()
    {
        using var dir = new TempDir();
        var (series, bytes) = Sample(dir, new EncodingWorkspace());
        int sample = 0;
        Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Int[0, 7]).Sample((offset, bit) =>
        {
            string path = dir.File($"flipped-{Interlocked.Increment(ref sample)}.shard");
            using var workspace = new EncodingWorkspace(); // samples run on several threads
            byte[] damaged = (byte[])bytes.Clone();
            damaged[offset] ^= (byte)(1 << bit);
            File.WriteAllBytes(path, damaged);
            ShardFileReader reader;
            try
            {
                reader = ShardFileReader.Open(path);
            }
            catch (ShardFileCorruptException e)
            {
                Check(e.Path == Path.GetFullPath(path), $"names the file: {e.Message}");
                return;
            }
            using (reader)
            {
                int failed = 0;
                foreach (SeriesData s in series)
                {
                    Check(reader.TryFindKey(s.Key, out ShardIndexEntry entry), $"flip at {offset}: the index is intact, so {s.KeyString} is found");
                    int read = 0;
                    for (int b = 0; b < entry.BlockCount; b++)
                    {
                        ShardBlockInfo info = entry.GetBlock(b);
                        try
                        {
                            var (timestamps, values) = ShardTestData.ReadBlock(reader, entry, b, workspace);
                            string? difference = ShardTestData.Difference(s, timestamps, values, read);
                            Check(difference is null, $"flip at {offset}: {difference}");
                        }
                        catch (ShardFileCorruptException e)
                        {
                            failed++;
                            Check(offset >= info.Offset && offset < info.Offset + info.Size, $"flip at {offset} failed block {b} of {s.KeyString} at {info.Offset}");
                            Check(e.Path == reader.Path && e.Key == s.KeyString && e.Block == b, $"names file, key and block: {e.Message}");
                            Check(e.Reason == ShardFileCorruption.BlockChecksumMismatch, $"the CRC catches it: {e.Reason}");
                        }
                        read += info.Count;
                    }
                }
                Check(failed == 1, $"flip at {offset} in the blocks region fails exactly one block, not {failed}");
            }
        }, iter: 400);
    }

    [Test]
    public async Task Open_NotAShardFile_ReportsBadMagic()
    {
        using var dir = new TempDir();
        string path = dir.File("junk.shard");
        File.WriteAllBytes(path, new byte[200]);
        var e = await Assert.That(() => ShardFileReader.Open(path)).Throws<ShardFileCorruptException>();
        await Assert.That(e!.Reason).IsEqualTo(ShardFileCorruption.BadMagic);
    }

    [Test]
    public async Task ReadBlock_WrongValueType_ThrowsAndOtherBlocksStillRead()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = dir.File("a.shard");
        var key = "m,host=a#!~#f"u8.ToArray();
        using (var writer = new ShardFileWriter(path, workspace))
        {
            writer.BeginKey(key, FieldType.Integer);
            writer.WriteBlock([1L, 2L, 3L], [10L, 20L, 30L]);
            writer.WriteBlock([4L, 5L, 6L], [40L, 50L, 60L]);
            writer.Complete();
        }
        using var reader = ShardFileReader.Open(path);
        await Assert.That(reader.TryFindKey(key, out ShardIndexEntry entry)).IsTrue();
        var timestamps = new long[3];
        var values = new long[3];
        // Ask for floats from an integer key: a caller's bug, not corruption.
        await Assert.That(() => reader.ReadBlock(entry, 0, timestamps, new double[3], workspace)).Throws<InvalidOperationException>();
        await Assert.That(reader.ReadBlock(entry, 1, timestamps, values, workspace)).IsEqualTo(3);
        await Assert.That(values).IsEquivalentTo(new long[] { 40, 50, 60 });
    }
}
