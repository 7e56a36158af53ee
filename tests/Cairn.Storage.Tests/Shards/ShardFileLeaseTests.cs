using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Shards;

public class ShardFileLeaseTests
{
    private static readonly byte[] Key = System.Text.Encoding.UTF8.GetBytes("cpu,host=a#!~#usage");

    private static string WriteSample(TempDir dir, EncodingWorkspace workspace, string name)
    {
        string path = dir.File(name);
        long[] timestamps = Enumerable.Range(1, 2500).Select(i => i * 10L).ToArray();
        long[] values = Enumerable.Range(0, 2500).Select(i => (long)(i % 97)).ToArray();
        using var writer = new ShardFileWriter(path, workspace);
        writer.WriteSeries(Key, timestamps, values);
        writer.Complete();
        return path;
    }

    private static bool IsMapped(string path) =>
        File.ReadAllLines("/proc/self/maps").Any(line => line.EndsWith(" " + path, StringComparison.Ordinal) || line.EndsWith(" " + path + " (deleted)", StringComparison.Ordinal));

    [Test]
    public async Task MarkForDelete_WhileLeaseHeld_DataStaysReadableUntilLastRelease()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = WriteSample(dir, workspace, "a.shard");
        var reader = ShardFileReader.Open(path);
        ShardFileLease first = reader.AcquireLease();
        ShardFileLease second = reader.AcquireLease();

        reader.MarkForDelete();
        await Assert.That(File.Exists(path)).IsTrue();
        await Assert.That(reader.TryFindKey(Key, out ShardIndexEntry entry)).IsTrue();
        first.Dispose();
        first.Dispose(); // a second dispose must not drop another reference

        var timestamps = new long[1000];
        var values = new long[1000];
        await Assert.That(reader.ReadBlock(entry, 2, timestamps, values, workspace)).IsEqualTo(500);
        await Assert.That(timestamps[0]).IsEqualTo(20010L);
        await Assert.That(values[499]).IsEqualTo(2499L % 97);
        await Assert.That(File.Exists(path)).IsTrue();

        second.Dispose();
        await Assert.That(File.Exists(path)).IsFalse();
        await Assert.That(reader.TryAcquireLease(out _)).IsFalse();
        await Assert.That(() => reader.AcquireLease()).Throws<ObjectDisposedException>();
        await Assert.That(() => reader.TryFindKey(Key, out _)).Throws<ObjectDisposedException>();
    }

    [Test]
    public async Task Dispose_WithoutMarkForDelete_KeepsTheFile()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = WriteSample(dir, workspace, "a.shard");
        var reader = ShardFileReader.Open(path);
        using (reader.AcquireLease())
            reader.Dispose();
        reader.Dispose();
        await Assert.That(File.Exists(path)).IsTrue();
    }

    [Test]
    public async Task MarkForDelete_NoLeases_DeletesAtOnce()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = WriteSample(dir, workspace, "a.shard");
        ShardFileReader.Open(path).MarkForDelete();
        await Assert.That(File.Exists(path)).IsFalse();
    }

    [Test]
    public async Task AcquireLease_Held_FileIsMemoryMappedUntilReleased()
    {
        if (!File.Exists("/proc/self/maps"))
            return; // Linux only: nothing else exposes the process's mappings this simply
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = Path.GetFullPath(WriteSample(dir, workspace, "mapped.shard"));
        var reader = ShardFileReader.Open(path);
        ShardFileLease lease = reader.AcquireLease();
        reader.Dispose();
        await Assert.That(IsMapped(path)).IsTrue();
        lease.Dispose();
        await Assert.That(IsMapped(path)).IsFalse();
    }

    [Test]
    public async Task Leases_ManyThreads_CountBalances()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = WriteSample(dir, workspace, "a.shard");
        var reader = ShardFileReader.Open(path);
        Parallel.For(0, 64, worker =>
        {
            for (int i = 0; i < 1000; i++)
            {
                using ShardFileLease lease = reader.AcquireLease();
                if (!lease.Reader.TryFindKey(Key, out _)) throw new Exception("key lost");
            }
        });
        reader.MarkForDelete();
        await Assert.That(File.Exists(path)).IsFalse();
    }
}
