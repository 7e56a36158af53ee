using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Shards;

public class ShardFileWriterTests
{
    private static readonly byte[] KeyA = System.Text.Encoding.UTF8.GetBytes("cpu,host=a#!~#v");
    private static readonly byte[] KeyB = System.Text.Encoding.UTF8.GetBytes("cpu,host=b#!~#v");

    [Test]
    public async Task BeginKey_NotAscending_Throws()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        using var writer = new ShardFileWriter(dir.File("a.shard"), workspace);
        writer.WriteSeries(KeyB, [1L], [1L]);
        await Assert.That(() => writer.BeginKey(KeyA, FieldType.Integer)).Throws<ArgumentException>();
        await Assert.That(() => writer.BeginKey(KeyB, FieldType.Integer)).Throws<ArgumentException>();
    }

    [Test]
    public async Task WriteBlock_TimestampsNotAscendingOrWrongType_Throws()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        using var writer = new ShardFileWriter(dir.File("a.shard"), workspace);
        writer.BeginKey(KeyA, FieldType.Float);
        await Assert.That(() => writer.WriteBlock([2L, 2L], [1.0, 2.0])).Throws<ArgumentException>();
        await Assert.That(() => writer.WriteBlock([1L], [1L])).Throws<InvalidOperationException>();
        writer.WriteBlock([5L, 6L], [1.0, 2.0]);
        await Assert.That(() => writer.WriteBlock([6L, 7L], [1.0, 2.0])).Throws<ArgumentException>();
        await Assert.That(() => writer.WriteBlock(ReadOnlySpan<long>.Empty, ReadOnlySpan<double>.Empty)).Throws<ArgumentOutOfRangeException>();
    }

    [Test]
    public async Task Complete_KeyWithoutPoints_Throws()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        using var writer = new ShardFileWriter(dir.File("a.shard"), workspace);
        writer.BeginKey(KeyA, FieldType.Float);
        await Assert.That(() => writer.Complete()).Throws<InvalidOperationException>();
    }

    [Test]
    public async Task Dispose_WithoutComplete_LeavesNoFile()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = dir.File("a.shard");
        using (var writer = new ShardFileWriter(path, workspace))
            writer.WriteSeries(KeyA, [1L, 2L], [true, false]);
        await Assert.That(Directory.GetFiles(dir.Path)).IsEmpty();
    }

    [Test]
    public async Task Complete_DestinationExists_ThrowsAndKeepsIt()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = dir.File("a.shard");
        File.WriteAllText(path, "old");
        using (var writer = new ShardFileWriter(path, workspace))
        {
            writer.WriteSeries(KeyA, [1L], [1UL]);
            await Assert.That(() => writer.Complete()).Throws<IOException>();
        }
        await Assert.That(File.ReadAllText(path)).IsEqualTo("old");
    }

    [Test]
    public async Task Complete_NoKeys_OpensEmpty()
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        string path = dir.File("empty.shard");
        using (var writer = new ShardFileWriter(path, workspace))
            writer.Complete();
        using var reader = ShardFileReader.Open(path);
        await Assert.That(reader.KeyCount).IsEqualTo(0);
        await Assert.That(reader.TryFindKey(KeyA, out _)).IsFalse();
        await Assert.That(reader.EnumerateKeys().MoveNext()).IsFalse();
    }
}
