using System.Buffers;
using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Parsing;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;
using Cairn.Storage.Index;

namespace Cairn.Query.Tests.Engine;

/// <summary>
/// Partials folded where a shard lives and merged where the query runs answer as folding the values in one place:
/// <see cref="FieldPartial.Merge"/> of pieces against one fold of the whole (ties included), and whole statements over
/// shards read as <see cref="IPartialShardReader"/>s (through the wire codec) against the same shards read directly.
/// </summary>
public class ShardPartialsTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 946684800L * Second; // 2000-01-01T00:00:00Z

    [Test]
    [Arguments(FieldType.Float)]
    [Arguments(FieldType.Integer)]
    [Arguments(FieldType.Unsigned)]
    [Arguments(FieldType.Boolean)]
    [Arguments(FieldType.String)]
    public async Task Merge_PiecesInAnyOrder_EqualsTheFoldOfTheWhole(FieldType type)
    {
        var random = new Random(11 + (int)type);
        // Sums of floats depend on the order of the values; only the reduce levels answer them (with their own sums).
        var need = PartialNeeds.Min | PartialNeeds.Max | PartialNeeds.First | PartialNeeds.Last
            | (type is FieldType.Integer or FieldType.Unsigned ? PartialNeeds.Sum : PartialNeeds.None);
        int compared = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            // Several series (shards) with times that repeat across them and values that repeat often: the tie rules.
            var whole = new FieldPartial();
            var pieces = new List<FieldPartial>();
            int seriesCount = random.Next(1, 6);
            for (int s = 0; s < seriesCount; s++)
            {
                int n = random.Next(1, 30);
                var set = new SortedSet<long>();
                while (set.Count < n) set.Add(random.Next(0, 40));
                long[] times = [.. set];
                var bits = new long[n];
                var texts = new string[n];
                for (int i = 0; i < n; i++)
                {
                    bits[i] = type switch
                    {
                        FieldType.Float => BitConverter.DoubleToInt64Bits(random.Next(-3, 3) * 0.5),
                        FieldType.Integer => random.Next(-3, 3) + (random.Next(8) == 0 ? long.MaxValue / 2 : 0),
                        FieldType.Unsigned => random.Next(0, 3) + (random.Next(8) == 0 ? long.MaxValue : 0),
                        FieldType.Boolean => random.Next(0, 2),
                        _ => 0,
                    };
                    texts[i] = ((char)('a' + random.Next(0, 3))).ToString();
                }
                bool strings = type == FieldType.String;
                // One piece per run of a series (a window or a shard cuts it), folded alone.
                for (int i = 0; i < n;)
                {
                    int end = Math.Min(n, i + random.Next(1, 10));
                    var runTimes = times.AsSpan(i, end - i);
                    var runBits = strings ? default : bits.AsSpan(i, end - i);
                    var runTexts = strings ? texts.AsSpan(i, end - i) : default;
                    whole.AddRange(need, type, runTimes, runBits, runTexts);
                    var piece = new FieldPartial();
                    piece.AddRange(need, type, runTimes, runBits, runTexts);
                    pieces.Add(RoundTrip(piece, need, type));
                    i = end;
                }
            }
            // Merged in a random order: the result must not depend on it.
            var merged = new FieldPartial();
            foreach (var piece in pieces.OrderBy(_ => random.Next())) merged.Merge(need, type, piece);
            await Assert.That(Bytes(merged, need, type)).IsEquivalentTo(Bytes(whole, need, type)).Because($"trial {trial}");
            foreach (var call in new[] { "count", "min", "max", "first", "last", "spread", "sum" })
            {
                if (!FieldPartial.Supports(call, type) || (call == "sum" && type == FieldType.Float)) continue;
                var expected = whole.Finish(call, type, 0);
                var actual = merged.Finish(call, type, 0);
                await Assert.That(actual.Time).IsEqualTo(expected.Time).Because($"{call}, trial {trial}");
                await Assert.That(actual.Value).IsEqualTo(expected.Value).Because($"{call}, trial {trial}");
                compared++;
            }
        }
        await Assert.That(compared).IsGreaterThan(300);
    }

    private static byte[] Bytes(FieldPartial partial, PartialNeeds need, FieldType type)
    {
        var output = new ArrayBufferWriter<byte>();
        partial.Write(new PartialsWriter(output), need, type);
        return output.WrittenSpan.ToArray();
    }

    private static FieldPartial RoundTrip(FieldPartial partial, PartialNeeds need, FieldType type)
    {
        var reader = new PartialsReader(Bytes(partial, need, type));
        var copy = FieldPartial.Read(ref reader, need, type);
        if (reader.Remaining != 0) throw new InvalidDataException("partial not read to its end");
        return copy;
    }

    /// <summary>
    /// A shard read as a remote one: partials computed over it and carried through the wire codec. With
    /// <paramref name="splitSeries"/> every request for several series is answered as the cluster's reader answers one
    /// an owner refused as too large: its halves, each computed alone, joined in order.
    /// </summary>
    private sealed class PartialComputingReader(IShardReader inner, ulong shardGroupId = 0, bool splitSeries = false) : IPartialShardReader
    {
        public ulong ShardGroupId => shardGroupId;
        public int Calls;
        public int ScanCalls;
        public IReadOnlyList<string> Measurements() => inner.Measurements();
        public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement) => inner.Fields(measurement);
        public IReadOnlyList<string> TagKeys(string measurement) => inner.TagKeys(measurement);
        public IReadOnlyList<SeriesEntry> Series(string measurement) => inner.Series(measurement);

        public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime)
        {
            Interlocked.Increment(ref ScanCalls);
            return inner.Read(seriesKey, field, minTime, maxTime);
        }

        public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) => default;
        public ulong ShardId => inner.ShardId;

        public Task<ShardPartials> PartialsAsync(ShardPartialsRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(Answer(request, cancellationToken));
        }

        private ShardPartials Answer(ShardPartialsRequest request, CancellationToken cancellationToken)
        {
            if (splitSeries && request.SeriesKeys.Count > 1)
            {
                int half = request.SeriesKeys.Count / 2;
                return ShardPartials.Concat(
                    Answer(request with { SeriesKeys = [.. request.SeriesKeys.Take(half)] }, cancellationToken),
                    Answer(request with { SeriesKeys = [.. request.SeriesKeys.Skip(half)] }, cancellationToken));
            }
            var requestBytes = new ArrayBufferWriter<byte>();
            request.Write(new PartialsWriter(requestBytes));
            var requestReader = new PartialsReader(requestBytes.WrittenSpan);
            var decoded = ShardPartialsRequest.Read(ref requestReader);
            var answer = new ArrayBufferWriter<byte>();
            ShardPartials.Compute(inner, decoded, cancellationToken).Write(new PartialsWriter(answer));
            var reader = new PartialsReader(answer.WrittenSpan);
            return ShardPartials.Read(ref reader);
        }
    }

    private static string Run(string query, IReadOnlyList<IShardReader> shardList) => SelectRunner.Run(query, shardList, T0 + 86400 * Second);

    /// <summary>Writes fields f (float), i (integer), u (unsigned), b (boolean), s (string) of four series, with gaps.</summary>
    private static async Task WriteAsync(Shard shard, int from, int to, Random random)
    {
        string[] series = ["cpu,host=a,region=east", "cpu,host=b,region=east", "cpu,host=c,region=west", "cpu,host=d"];
        using var payload = new PointsPayloadWriter(1 << 20);
        foreach (var seriesKey in series)
        {
            var key = Encoding.UTF8.GetBytes(seriesKey);
            if (!SeriesKeyParser.TryParse(key, out var measurement, out var tags)) throw new InvalidDataException("bad key " + seriesKey);
            shard.Index.TryGetOrAdd(key, measurement, tags, out _, out _);
            shard.Index.TryRegisterField(measurement, "f"u8, FieldType.Float, out _);
            shard.Index.TryRegisterField(measurement, "i"u8, FieldType.Integer, out _);
            shard.Index.TryRegisterField(measurement, "u"u8, FieldType.Unsigned, out _);
            shard.Index.TryRegisterField(measurement, "b"u8, FieldType.Boolean, out _);
            shard.Index.TryRegisterField(measurement, "s"u8, FieldType.String, out _);
            for (int i = from; i < to; i++)
            {
                if (random.Next(7) == 0) continue;
                payload.BeginPoint(key, T0 + i * Second);
                // Floats that do not add exactly: the reduce levels' order shows.
                payload.Field("f"u8, FieldType.Float, BitConverter.DoubleToInt64Bits(random.Next(1000) * 0.1 + 1e-9 * random.Next(7)));
                payload.Field("i"u8, FieldType.Integer, random.Next(-50, 50));
                payload.Field("u"u8, FieldType.Unsigned, random.Next(0, 50));
                payload.Field("b"u8, FieldType.Boolean, random.Next(0, 2));
                if (i % 3 == 0) payload.StringField("s"u8, Encoding.UTF8.GetBytes("v" + random.Next(4)));
                payload.EndPoint();
            }
        }
        await shard.WriteAsync(payload.Written);
    }

    [Test]
    public async Task Select_ShardsAsPartialReaders_AnswersAsReadingThemDirectly()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cairn-shardpartials-" + Guid.NewGuid().ToString("N"));
        var opened = new List<Shard>();
        try
        {
            var options = new EngineOptions
            {
                CacheSnapshotMemorySize = 1L << 40,
                CacheSnapshotWriteColdDuration = TimeSpan.FromDays(1),
                CompactFullWriteColdDuration = TimeSpan.FromDays(1),
            };
            var random = new Random(3);
            // Three shards of consecutive time ranges (shard groups): the first two compacted (block statistics), the last in the cache.
            for (int s = 0; s < 3; s++)
            {
                var shard = await Shard.OpenAsync((ulong)(s + 1), "db", "rp", Path.Combine(dir, "data", s.ToString()), Path.Combine(dir, "wal", s.ToString()), options);
                opened.Add(shard);
                await WriteAsync(shard, s * 4000, s * 4000 + 2500, random);
                if (s < 2)
                {
                    await shard.SnapshotAsync();
                    await WriteAsync(shard, s * 4000 + 2500, s * 4000 + 4000, random);
                    await shard.SnapshotAsync();
                    using var slots = new SemaphoreSlim(1);
                    await shard.CompactAsync(slots, forceFull: true);
                }
                else
                {
                    await WriteAsync(shard, s * 4000 + 2500, s * 4000 + 4000, random);
                }
            }
            var direct = opened.Select(IShardReader (s) => new ShardViewReader(s)).ToList();
            var partial = opened.Select(s => new PartialComputingReader(new ShardViewReader(s))).ToList();
            var split = opened.Select(IShardReader (s) => new PartialComputingReader(new ShardViewReader(s), splitSeries: true)).ToList();
            const string range = " WHERE time >= '2000-01-01T00:10:00Z' AND time < '2000-01-01T03:10:00Z'";
            string[] queries =
            [
                "SELECT count(f) FROM cpu",
                "SELECT count(f), count(s) FROM cpu" + range + " GROUP BY host",
                "SELECT count(f) FROM cpu" + range + " GROUP BY time(1h, 20m), region fill(0)",
                "SELECT mean(f), sum(f) FROM cpu" + range + " GROUP BY time(17m)",
                "SELECT mean(f), sum(f), mean(i), mean(u) FROM cpu GROUP BY region",
                "SELECT mean(f) FROM cpu" + range + " GROUP BY time(30m), * fill(linear)",
                "SELECT sum(i), sum(u), spread(i), spread(u), spread(f) FROM cpu" + range + " GROUP BY time(1h)",
                "SELECT min(f), max(f) FROM cpu" + range + " GROUP BY time(20m), host",
                "SELECT min(i), max(u), min(b), max(b) FROM cpu GROUP BY time(45m)",
                "SELECT first(f), last(f), first(s), last(s), first(b), last(b) FROM cpu" + range + " GROUP BY time(25m)",
                "SELECT first(i), last(u) FROM cpu" + range + " GROUP BY region",
                "SELECT max(f) FROM cpu" + range + " AND host = 'b' GROUP BY time(10m) fill(previous)",
                "SELECT count(f), mean(f) / 2 FROM cpu" + range + " AND region = 'east' GROUP BY time(1h) tz('America/New_York')",
                "SELECT count(f) FROM cpu WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T04:00:00Z' GROUP BY time(1h) ORDER BY time DESC",
                "SELECT min(f) FROM cpu" + range + " GROUP BY time(1h) LIMIT 2",
            ];
            int partialCalls = 0;
            foreach (var query in queries)
            {
                foreach (var p in partial) p.Calls = p.ScanCalls = 0;
                string expected = Run(query, direct);
                string actual = Run(query, partial.Cast<IShardReader>().ToList());
                await Assert.That(actual).IsEqualTo(expected).Because(query);
                await Assert.That(Run(query, split)).IsEqualTo(expected).Because("split: " + query);
                await Assert.That(actual).Contains("\"values\"").Because(query);
                // The partials path never reads a value of these shards here.
                if (partial.Sum(p => p.Calls) > 0) await Assert.That(partial.Sum(p => p.ScanCalls)).IsEqualTo(0).Because(query);
                partialCalls += partial.Sum(p => p.Calls);
            }
            await Assert.That(partialCalls).IsGreaterThan(queries.Length);
        }
        finally
        {
            foreach (var shard in opened) await shard.DisposeAsync();
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes series <paramref name="keys"/> (of four) at minutes [from, to): values depend only on the series and time.</summary>
    private static async Task WriteSeriesAsync(Shard shard, int from, int to, params int[] keys)
    {
        string[] series = ["cpu,host=a,region=east", "cpu,host=b,region=east", "cpu,host=c,region=west", "cpu,host=d"];
        using var payload = new PointsPayloadWriter(1 << 20);
        foreach (int k in keys)
        {
            var key = Encoding.UTF8.GetBytes(series[k]);
            if (!SeriesKeyParser.TryParse(key, out var measurement, out var tags)) throw new InvalidDataException("bad key");
            shard.Index.TryGetOrAdd(key, measurement, tags, out _, out _);
            shard.Index.TryRegisterField(measurement, "f"u8, FieldType.Float, out _);
            shard.Index.TryRegisterField(measurement, "i"u8, FieldType.Integer, out _);
            for (int i = from; i < to; i++)
            {
                var random = new Random(i * 7 + k);
                if (random.Next(6) == 0) continue;
                // Equal times across series (ties in the merge); floats that do not add exactly.
                payload.BeginPoint(key, T0 + i * 60 * Second);
                payload.Field("f"u8, FieldType.Float, BitConverter.DoubleToInt64Bits(random.Next(1000) * 0.1 + 1e-9 * random.Next(7)));
                payload.Field("i"u8, FieldType.Integer, random.Next(-50, 50));
                payload.EndPoint();
            }
        }
        await shard.WriteAsync(payload.Written);
    }

    [Test]
    public async Task Select_ShardGroupSplitOverShards_AnswersAsOneShardPerGroup()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cairn-shardunits-" + Guid.NewGuid().ToString("N"));
        var opened = new List<Shard>();
        async Task<Shard> Open(ulong id)
        {
            var shard = await Shard.OpenAsync(id, "db", "rp", Path.Combine(dir, "data", id.ToString()), Path.Combine(dir, "wal", id.ToString()), new EngineOptions());
            opened.Add(shard);
            return shard;
        }
        try
        {
            // Two time ranges: as one shard each (a single server), and as two shards each (a cluster's group of two).
            var whole = new List<IShardReader>();
            var split = new List<IShardReader>();
            for (int g = 0; g < 2; g++)
            {
                var one = await Open((ulong)(10 + g));
                await WriteSeriesAsync(one, g * 120, g * 120 + 120, 0, 1, 2, 3);
                whole.Add(new ShardViewReader(one));
                var left = await Open((ulong)(20 + 2 * g));
                var right = await Open((ulong)(21 + 2 * g));
                await WriteSeriesAsync(left, g * 120, g * 120 + 120, 0, 3);
                await WriteSeriesAsync(right, g * 120, g * 120 + 120, 1, 2);
                split.Add(new ShardViewReader(left) { ShardGroupId = (ulong)(g + 1) });
                split.Add(new PartialComputingReader(new ShardViewReader(right) { ShardGroupId = (ulong)(g + 1) }, (ulong)(g + 1)));
            }
            string[] queries =
            [
                "SELECT f, i, host FROM cpu",
                "SELECT * FROM cpu WHERE region = 'east' LIMIT 9",
                "SELECT f FROM cpu ORDER BY time DESC LIMIT 20",
                "SELECT mean(f), sum(f) FROM cpu",
                "SELECT mean(f), sum(f), count(i) FROM cpu GROUP BY time(13m), region",
                "SELECT mean(f) FROM cpu WHERE i > 0 GROUP BY time(1h)",
                "SELECT median(f), percentile(i, 30) FROM cpu GROUP BY region",
                "SELECT f FROM cpu SLIMIT 2",
                "SELECT top(f, 5), host FROM cpu",
            ];
            foreach (var query in queries)
            {
                string expected = Run(query, whole);
                await Assert.That(expected).Contains("\"values\"").Because(query);
                await Assert.That(Run(query, split)).IsEqualTo(expected).Because(query);
            }
        }
        finally
        {
            foreach (var shard in opened) await shard.DisposeAsync();
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
