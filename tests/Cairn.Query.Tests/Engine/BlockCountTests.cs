using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Parsing;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.Index;

namespace Cairn.Query.Tests.Engine;

/// <summary>count() over a compacted storage shard, whole blocks taken as their point count, against the row path.</summary>
public class BlockCountTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 946684800L * Second; // 2000-01-01T00:00:00Z

    /// <summary>A local shard reader that counts the blocks its callers take as counts.</summary>
    private sealed class CountingReader(IShardReader inner) : IShardReader
    {
        public int BlocksTaken;

        public IReadOnlyList<string> Measurements() => inner.Measurements();
        public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement) => inner.Fields(measurement);
        public IReadOnlyList<string> TagKeys(string measurement) => inner.TagKeys(measurement);
        public IReadOnlyList<SeriesEntry> Series(string measurement) => inner.Series(measurement);
        public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime) => inner.Read(seriesKey, field, minTime, maxTime);
        public void Scan(byte[] seriesKey, string field, long minTime, long maxTime, ShardValueSink sink) => inner.Scan(seriesKey, field, minTime, maxTime, sink);

        public void Scan(byte[] seriesKey, string field, long minTime, long maxTime, ShardValueSink sink, ShardBlockCountSink? wholeBlocks) =>
            inner.Scan(seriesKey, field, minTime, maxTime, sink, wholeBlocks is null ? null : (type, min, max, count) =>
            {
                if (!wholeBlocks(type, min, max, count)) return false;
                Interlocked.Increment(ref BlocksTaken);
                return true;
            });

        public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) => inner.Cost(seriesKey, field, minTime, maxTime);
        public ulong ShardId => inner.ShardId;
    }

    private static string Run(string query, IShardReader shard, SelectLimits limits) => SelectRunner.Run(query, [shard], T0 + 86400 * Second, limits);

    /// <summary>Writes points of fields "f" (float, every second with gaps) and "s" (string, every third second) of three series.</summary>
    private static async Task WriteAsync(Shard shard, int from, int to, Random random)
    {
        string[] series = ["cpu,host=a,region=east", "cpu,host=b,region=east", "cpu,host=c,region=west"];
        using var payload = new PointsPayloadWriter();
        foreach (var seriesKey in series)
        {
            var key = Encoding.UTF8.GetBytes(seriesKey);
            if (!SeriesKeyParser.TryParse(key, out var measurement, out var tags)) throw new Exception("bad key " + seriesKey);
            shard.Index.TryGetOrAdd(key, measurement, tags, out _, out _);
            shard.Index.TryRegisterField(measurement, "f"u8, FieldType.Float, out _);
            shard.Index.TryRegisterField(measurement, "s"u8, FieldType.String, out _);
            for (int i = from; i < to; i++)
            {
                if (random.Next(10) == 0) continue;
                payload.BeginPoint(key, T0 + i * Second);
                payload.Field("f"u8, FieldType.Float, BitConverter.DoubleToInt64Bits(random.Next(100) / 4.0));
                if (i % 3 == 0) payload.StringField("s"u8, Encoding.UTF8.GetBytes("v" + random.Next(4)));
                payload.EndPoint();
            }
        }
        await shard.WriteAsync(payload.Written);
    }

    [Test]
    public async Task Count_CompactedShard_AnswersAsTheRowPath_TakingWholeBlocksInOneWindow()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cairn-blockcount-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new EngineOptions
            {
                CacheSnapshotMemorySize = 1L << 40,
                CacheSnapshotWriteColdDuration = TimeSpan.FromDays(1),
                CompactFullWriteColdDuration = TimeSpan.FromDays(1),
            };
            await using var shard = await Shard.OpenAsync(1, "db", "rp", Path.Combine(dir, "data"), Path.Combine(dir, "wal"), options);
            // About 9,000 points per series and field "f" over 10,000 s, in two files compacted into one: blocks of 1000
            // points span about 1100 s, longer than a minute and shorter than an hour.
            var random = new Random(5);
            await WriteAsync(shard, 0, 6000, random);
            await shard.SnapshotAsync();
            await WriteAsync(shard, 6000, 10_000, random);
            await shard.SnapshotAsync();
            using (var slots = new SemaphoreSlim(1)) await shard.CompactAsync(slots, forceFull: true);

            var reader = new CountingReader(new ShardViewReader(shard));
            const string range = " WHERE time >= '2000-01-01T00:05:00Z' AND time < '2000-01-01T02:40:00Z'";
            (string Query, bool Whole)[] queries =
            [
                ("SELECT count(f) FROM cpu" + range, true),
                ("SELECT count(f) FROM cpu", true),
                ("SELECT count(f), count(s) FROM cpu" + range + " GROUP BY host", true),
                ("SELECT count(f) FROM cpu" + range + " GROUP BY time(1h)", true),
                ("SELECT count(f) FROM cpu" + range + " GROUP BY time(1h, 20m), region fill(0)", true),
                ("SELECT count(f) FROM cpu WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T03:00:00Z' GROUP BY time(30m), *", true),
                ("SELECT count(s) FROM cpu" + range + " GROUP BY time(2h) fill(none)", true),
                ("SELECT count(f) FROM cpu" + range + " AND host = 'b' GROUP BY time(1m)", false),
                ("SELECT count(f) FROM cpu" + range + " GROUP BY time(10m) fill(previous)", false),
                // Not only counts: every block decoded.
                ("SELECT count(f), sum(f) FROM cpu" + range + " GROUP BY time(1h)", false),
                ("SELECT count(f) / 2 FROM cpu" + range, true),
            ];
            foreach (var (query, whole) in queries)
            {
                reader.BlocksTaken = 0;
                string partials = Run(query, reader, SelectLimits.None);
                int taken = reader.BlocksTaken;
                // A point limit sends the statement through the row path, which decodes every value.
                string rows = Run(query, reader, new SelectLimits(MaxPoints: int.MaxValue));
                await Assert.That(partials).IsEqualTo(rows).Because(query);
                await Assert.That(partials).Contains("\"values\"").Because(query);
                if (whole) await Assert.That(taken).IsGreaterThan(0).Because(query);
                else await Assert.That(taken).IsEqualTo(0).Because(query);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A local shard reader that offers no block statistics: count() decodes every block, as before them.</summary>
    private sealed class DecodingReader(IShardReader inner) : IShardReader
    {
        public IReadOnlyList<string> Measurements() => inner.Measurements();
        public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement) => inner.Fields(measurement);
        public IReadOnlyList<string> TagKeys(string measurement) => inner.TagKeys(measurement);
        public IReadOnlyList<SeriesEntry> Series(string measurement) => inner.Series(measurement);
        public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime) => inner.Read(seriesKey, field, minTime, maxTime);
        public void Scan(byte[] seriesKey, string field, long minTime, long maxTime, ShardValueSink sink) => inner.Scan(seriesKey, field, minTime, maxTime, sink);
        public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) => inner.Cost(seriesKey, field, minTime, maxTime);
        public ulong ShardId => inner.ShardId;
    }

    /// <summary>Prints the time of count() over 1M points of one compacted shard with and without block statistics.</summary>
    [Test, Explicit, Category("Perf")]
    public async Task Count_MillionPoints_TimesWithAndWithoutBlockStatistics()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cairn-blockcount-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new EngineOptions
            {
                CacheSnapshotMemorySize = 1L << 40,
                CacheSnapshotWriteColdDuration = TimeSpan.FromDays(1),
                CompactFullWriteColdDuration = TimeSpan.FromDays(1),
            };
            await using var shard = await Shard.OpenAsync(1, "db", "rp", Path.Combine(dir, "data"), Path.Combine(dir, "wal"), options);
            // Ten series of 100,000 float points one second apart, written in chunks, compacted into one file.
            for (int h = 0; h < 10; h++)
            {
                var key = Encoding.UTF8.GetBytes("cpu,host=h" + h);
                if (!SeriesKeyParser.TryParse(key, out var measurement, out var tags)) throw new Exception("bad key");
                shard.Index.TryGetOrAdd(key, measurement, tags, out _, out _);
                shard.Index.TryRegisterField(measurement, "f"u8, FieldType.Float, out _);
                for (int from = 0; from < 100_000; from += 25_000)
                {
                    using var payload = new PointsPayloadWriter(1 << 20);
                    for (int i = from; i < from + 25_000; i++)
                    {
                        payload.BeginPoint(key, T0 + i * Second);
                        payload.Field("f"u8, FieldType.Float, BitConverter.DoubleToInt64Bits(i * 0.25));
                        payload.EndPoint();
                    }
                    await shard.WriteAsync(payload.Written);
                }
                await shard.SnapshotAsync();
            }
            using (var slots = new SemaphoreSlim(1)) await shard.CompactAsync(slots, forceFull: true);

            var after = new ShardViewReader(shard);
            var before = new DecodingReader(after);
            foreach (var query in new[] { "SELECT count(f) FROM cpu", "SELECT count(f) FROM cpu WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-02T00:00:00Z' GROUP BY time(1h)" })
            {
                string expected = Run(query, before, SelectLimits.None);
                await Assert.That(Run(query, after, SelectLimits.None)).IsEqualTo(expected);
                double Median(IShardReader reader)
                {
                    var times = new List<double>();
                    for (int i = 0; i < 9; i++)
                    {
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        Run(query, reader, SelectLimits.None);
                        times.Add(watch.Elapsed.TotalMilliseconds);
                    }
                    times.Sort();
                    return times[times.Count / 2];
                }
                Console.WriteLine($"{query}: decoding {Median(before):F2} ms, block statistics {Median(after):F2} ms (median of 9)");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
