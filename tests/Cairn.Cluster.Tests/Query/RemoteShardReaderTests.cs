using System.Net;
using System.Text;
using Cairn.Cluster.Query;
using Cairn.Common.Net;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Parsing;
using Cairn.Query.Results;
using Cairn.Query.Tests.Engine;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Cluster.Tests.Query;

/// <summary>
/// Remote shard reads in one process over a real RPC listener: statements over <see cref="RemoteShardReader"/>s answer
/// as over the same shards read locally (schema, batched scans and partials through their wire formats), a dead owner
/// is failed over, and a shard no owner serves throws <see cref="ShardUnavailableException"/> naming it.
/// </summary>
public class RemoteShardReaderTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 1577836800L * Second;
    private const string Secret = "test-secret";

    private static async Task WriteAsync(Shard shard, int from, int to)
    {
        string[] series = ["cpu,host=a,region=east", "cpu,host=b,region=east", "cpu,host=c,region=west", "mem,host=a"];
        using var payload = new PointsPayloadWriter(1 << 20);
        for (int k = 0; k < series.Length; k++)
        {
            var key = Encoding.UTF8.GetBytes(series[k]);
            if (!SeriesKeyParser.TryParse(key, out var measurement, out var tags)) throw new InvalidDataException("bad key");
            shard.Index.TryGetOrAdd(key, measurement, tags, out _, out _);
            shard.Index.TryRegisterField(measurement, "f"u8, FieldType.Float, out _);
            shard.Index.TryRegisterField(measurement, "s"u8, FieldType.String, out _);
            for (int i = from; i < to; i++)
            {
                var random = new Random(i * 5 + k);
                if (random.Next(5) == 0) continue;
                payload.BeginPoint(key, T0 + i * 10 * Second);
                payload.Field("f"u8, FieldType.Float, BitConverter.DoubleToInt64Bits(random.Next(1000) * 0.1));
                if (i % 4 == 0) payload.StringField("s"u8, Encoding.UTF8.GetBytes("v" + random.Next(3)));
                payload.EndPoint();
            }
        }
        await shard.WriteAsync(payload.Written);
    }

    private static string Run(string query, IReadOnlyList<IShardReader> shardList) => SelectRunner.Run(query, shardList, T0 + 86400 * Second);

    [Test]
    public async Task Select_OverRemoteShards_AnswersAsLocal_FailsOverADeadOwner_NamesAShardNoOwnerServes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cairn-remoteshard-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = new TsdbStore(Path.Combine(dir, "data"), Path.Combine(dir, "wal"), new EngineOptions());
            var first = await store.GetOrCreateShardAsync("db", "rp", 1);
            var second = await store.GetOrCreateShardAsync("db", "rp", 2);
            await WriteAsync(first, 0, 360);
            await WriteAsync(second, 360, 900);
            await using var meta = await LocalMetaStore.OpenAsync(Path.Combine(dir, "meta"));
            await using var client = new ClusterClient(new ClusterClientOptions { InternalSharedSecret = Secret });
            var service = new ClusterService();
            var cluster = new ClusterContext(meta, store, client, service, () => 0, new ClusterTimeouts { ShardReaderTimeout = TimeSpan.FromSeconds(5) });
            ShardQueryService.Register(cluster);
            await using var listener = TcpServiceListener.Bind(IPAddress.Loopback, 0, "cluster-test");
            service.RegisterOn(listener, Secret);
            listener.Start();
            string address = $"127.0.0.1:{listener.LocalEndPoint.Port}";
            // Nothing listens on port 1: the first owner is refused, the reader goes on to the second.
            ShardOwner[] owners = [new ShardOwner(9, "127.0.0.1:1"), new ShardOwner(7, address)];

            List<IShardReader> local = [new ShardViewReader(first), new ShardViewReader(second)];
            List<IShardReader> Remote() =>
            [
                new RemoteShardReader(cluster, 1, 0, owners, new OwnerFailures(), CancellationToken.None),
                new RemoteShardReader(cluster, 2, 0, owners, new OwnerFailures(), CancellationToken.None),
                // Owned but never written: answers as an empty shard.
                new RemoteShardReader(cluster, 77, 0, owners, new OwnerFailures(), CancellationToken.None),
            ];
            string[] queries =
            [
                "SELECT * FROM cpu",
                "SELECT f, s FROM cpu WHERE host = 'b' ORDER BY time DESC LIMIT 15",
                "SELECT count(f), mean(f), sum(f), min(f), max(f), first(s), last(s) FROM cpu GROUP BY time(7m), region fill(0)",
                "SELECT mean(f) FROM /.*/ GROUP BY host",
                "SELECT percentile(f, 75), median(f) FROM cpu GROUP BY host",
                "SELECT top(f, 2) FROM cpu",
                "SELECT count(f) FROM cpu WHERE f > 50 GROUP BY host",
                "SELECT derivative(mean(f), 1m) FROM cpu WHERE time >= '2020-01-01T00:00:00Z' AND time < '2020-01-01T02:00:00Z' GROUP BY time(10m)",
            ];
            foreach (var query in queries)
            {
                string expected = Run(query, local);
                await Assert.That(expected).Contains("\"values\"").Because(query);
                await Assert.That(Run(query, Remote())).IsEqualTo(expected).Because(query);
            }
            await Assert.That(service.Requests(ClusterMethod.ShardSchema)).IsGreaterThan(0);
            await Assert.That(service.Requests(ClusterMethod.ScanSeries)).IsGreaterThan(0);
            await Assert.That(service.Requests(ClusterMethod.ShardPartials)).IsGreaterThan(0);
            // Batched: far fewer scans than series fields read (one call per field and measurement of each shard here).
            await Assert.That(service.Requests(ClusterMethod.ScanSeries)).IsLessThan(queries.Length * 3 * 2 * 4);

            var unserved = new RemoteShardReader(cluster, 5, 0, [new ShardOwner(9, "127.0.0.1:1")], new OwnerFailures(), CancellationToken.None);
            var failure = Assert.Throws<ShardUnavailableException>(() => Run("SELECT count(f) FROM cpu", [unserved]));
            await Assert.That(failure.Message).StartsWith("shard 5: no owner answered: node 9:");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
