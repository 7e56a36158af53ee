using System.Text;
using Cairn.Cluster.Schema;
using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.Index;

namespace Cairn.Cluster.Tests.Schema;

public class SchemaMessagesTests
{
    private static readonly string[] Keys =
    [
        "cpu,host=a,region=west", "cpu,host=b,region=east", "mem,host=a", "we\\ ird\\,m,k\\=1=v\\ 2",
    ];

    [Test]
    public async Task ShardIndex_RoundTrip_RebuildsTheOwnersIndex()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cairn-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var owner = SeriesIndex.Open(dir);
            foreach (var key in Keys)
            {
                var bytes = Encoding.UTF8.GetBytes(key);
                await Assert.That(SeriesKeyParser.TryParse(bytes, out var m, out var tags)).IsTrue();
                owner.TryGetOrAdd(bytes, m, tags, out _, out _);
            }
            owner.TryRegisterField("cpu"u8, "usage"u8, FieldType.Float, out _);
            owner.TryRegisterField("cpu"u8, "ok"u8, FieldType.Boolean, out _);
            owner.TryRegisterField("mem"u8, "free"u8, FieldType.Integer, out _);

            var payload = ShardIndexMessage.Response(owner);
            using var view = RemoteShardView.Create(7, "db", "rp");
            var (present, next) = ShardIndexMessage.ReadResponse(payload, view);
            await Assert.That(present).IsTrue();
            await Assert.That(next).IsNull();

            await Assert.That(view.Id).IsEqualTo(7UL);
            await Assert.That(view.Index.Measurements()).IsEquivalentTo(owner.Measurements());
            foreach (var m in owner.Measurements())
            {
                await Assert.That(view.Index.Fields(m)).IsEquivalentTo(owner.Fields(m));
                await Assert.That(view.Index.TagKeys(m)).IsEquivalentTo(owner.TagKeys(m));
                foreach (var k in owner.TagKeys(m)) await Assert.That(view.Index.TagValues(m, k)).IsEquivalentTo(owner.TagValues(m, k));
                var keys = view.Index.SeriesIds(m).Select(id => Encoding.UTF8.GetString(view.Index.SeriesKey(id)!)).Order().ToArray();
                var expected = owner.SeriesIds(m).Select(id => Encoding.UTF8.GetString(owner.SeriesKey(id)!)).Order().ToArray();
                await Assert.That(keys).IsEquivalentTo(expected);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task ShardIndex_SmallPages_CarryEverySeriesOnceAcrossPages()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cairn-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var owner = SeriesIndex.Open(dir);
            var expected = new List<string>();
            foreach (var m in new[] { "a", "b", "c" })
            {
                owner.TryRegisterField(Encoding.UTF8.GetBytes(m), "v"u8, FieldType.Float, out _);
                for (int i = 0; i < 25; i++)
                {
                    string key = $"{m},host=h{i:D2}";
                    var bytes = Encoding.UTF8.GetBytes(key);
                    SeriesKeyParser.TryParse(bytes, out var name, out var tags);
                    owner.TryGetOrAdd(bytes, name, tags, out _, out _);
                    expected.Add(key);
                }
            }
            using var view = RemoteShardView.Create(1, "db", "rp");
            (string Measurement, uint After)? cursor = ("", 0);
            int pages = 0;
            while (cursor is { } at)
            {
                var page = ShardIndexMessage.Response(owner, at.Measurement, at.After, pageBytes: 100);
                (_, cursor) = ShardIndexMessage.ReadResponse(page, view);
                await Assert.That(cursor).IsNotEqualTo(at);
                pages++;
                if (pages > 1000) break;
            }
            await Assert.That(pages).IsGreaterThan(3);
            var keys = view.Index.Measurements().SelectMany(m => view.Index.SeriesIds(m)).Select(id => Encoding.UTF8.GetString(view.Index.SeriesKey(id)!)).Order().ToArray();
            await Assert.That(keys).IsEquivalentTo(expected.Order().ToArray());
            await Assert.That(view.Index.Fields("c")).IsEquivalentTo(owner.Fields("c"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task ShardIndex_AbsentShard_IsEmptyAndNotPresent()
    {
        using var view = RemoteShardView.Create(1, "db", "rp");
        var (present, next) = ShardIndexMessage.ReadResponse(ShardIndexMessage.Response(null), view);
        await Assert.That(present).IsFalse();
        await Assert.That(next).IsNull();
        await Assert.That(view.Index.Measurements()).IsEmpty();
    }

    [Test]
    public async Task ShardIndex_TruncatedResponse_IsInvalidData()
    {
        var payload = ShardIndexMessage.Response(null).ToArray();
        using var view = RemoteShardView.Create(1, "db", "rp");
        await Assert.That(() => ShardIndexMessage.ReadResponse(payload.AsMemory(0, payload.Length - 1), view)).Throws<InvalidDataException>();
    }

    [Test]
    public async Task RemoteShardView_Dispose_RemovesItsDirectory()
    {
        var view = RemoteShardView.Create(1, "db", "rp");
        string dir = view.Index.Directory;
        await Assert.That(Directory.Exists(dir)).IsTrue();
        view.Dispose();
        await Assert.That(Directory.Exists(dir)).IsFalse();
    }

    [Test]
    public async Task ShardIndexRequest_RoundTrip()
    {
        var (db, id, from, after) = ShardIndexMessage.ReadRequest(ShardIndexMessage.Request("my db", 42, "cpu", 9));
        await Assert.That(db).IsEqualTo("my db");
        await Assert.That(id).IsEqualTo(42UL);
        await Assert.That(from).IsEqualTo("cpu");
        await Assert.That(after).IsEqualTo(9U);
    }

    [Test]
    public async Task QueryMessages_RoundTrip()
    {
        NodeQuery[] queries = [new(3, "SELECT 1", "db", TimeSpan.FromMilliseconds(1500), "running"), new(9, "SHOW QUERIES", "", TimeSpan.Zero, "killed")];
        var read = QueryMessages.ReadListResponse(QueryMessages.ListResponse(queries));
        await Assert.That(read).IsEquivalentTo(queries);
        await Assert.That(QueryMessages.ReadKillRequest(QueryMessages.KillRequest(77))).IsEqualTo(77UL);
        await Assert.That(QueryMessages.ReadKillResponse(QueryMessages.KillResponse(true))).IsTrue();
        await Assert.That(QueryMessages.ReadKillResponse(QueryMessages.KillResponse(false))).IsFalse();
    }

    [Test]
    public async Task ExecuteLocalMessage_RoundTrip_EmptyErrorIsSuccess()
    {
        var (statement, database, now) = ExecuteLocalMessage.ReadRequest(ExecuteLocalMessage.Request("DROP SERIES FROM cpu", "db", 123));
        await Assert.That(statement).IsEqualTo("DROP SERIES FROM cpu");
        await Assert.That(database).IsEqualTo("db");
        await Assert.That(now).IsEqualTo(123L);
        await Assert.That(ExecuteLocalMessage.ReadResponse(ExecuteLocalMessage.Response(null))).IsNull();
        await Assert.That(ExecuteLocalMessage.ReadResponse(ExecuteLocalMessage.Response("boom"))).IsEqualTo("boom");
    }

    [Test]
    public async Task Messages_UnknownVersion_IsInvalidData()
    {
        var bad = new WireWriter().U8(99).U64(1).Written;
        await Assert.That(() => QueryMessages.ReadKillRequest(bad)).Throws<InvalidDataException>();
        await Assert.That(() => ExecuteLocalMessage.ReadResponse(bad)).Throws<InvalidDataException>();
        await Assert.That(() => ShardIndexMessage.ReadRequest(bad)).Throws<InvalidDataException>();
    }
}
