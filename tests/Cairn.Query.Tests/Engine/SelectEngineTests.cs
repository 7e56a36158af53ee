using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Parsing;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Tests.Engine;

/// <summary>SELECT answers over an in-memory shard, compared with InfluxDB's bytes.</summary>
public class SelectEngineTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 946684800L * Second; // 2000-01-01T00:00:00Z

    /// <summary>One shard held in memory: series key → field → (time, value) points.</summary>
    private sealed class MemoryShard : IShardReader
    {
        private readonly Dictionary<string, Dictionary<string, SortedDictionary<long, object>>> _data = new(StringComparer.Ordinal);

        public MemoryShard Add(string seriesKey, string field, long time, object value)
        {
            if (!_data.TryGetValue(seriesKey, out var fields)) _data[seriesKey] = fields = new(StringComparer.Ordinal);
            if (!fields.TryGetValue(field, out var points)) fields[field] = points = [];
            points[time] = value;
            return this;
        }

        public IReadOnlyList<string> Measurements() => [.. _data.Keys.Select(k => k.Split(',')[0]).Distinct().Order(StringComparer.Ordinal)];

        public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement)
        {
            var result = new SortedDictionary<string, FieldType>(StringComparer.Ordinal);
            foreach (var (key, fields) in _data)
            {
                if (key.Split(',')[0] != measurement) continue;
                foreach (var (name, points) in fields) result.TryAdd(name, TypeOf(points.Values.First()));
            }
            return [.. result.Select(p => (p.Key, p.Value))];
        }

        public IReadOnlyList<string> TagKeys(string measurement) =>
            [.. Series(measurement).SelectMany(s => s.Tags.Select(t => t.Key)).Distinct().Order(StringComparer.Ordinal)];

        public IReadOnlyList<SeriesEntry> Series(string measurement) =>
            [.. _data.Keys.Where(k => k.Split(',')[0] == measurement).Order(StringComparer.Ordinal).Select(k => new SeriesEntry(Encoding.UTF8.GetBytes(k),
                [.. k.Split(',').Skip(1).Select(t => new KeyValuePair<string, string>(t.Split('=')[0], t.Split('=')[1])).OrderBy(t => t.Key, StringComparer.Ordinal)]))];

        public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime)
        {
            if (!_data.TryGetValue(Encoding.UTF8.GetString(seriesKey), out var fields) || !fields.TryGetValue(field, out var points)) return null;
            var selected = points.Where(p => p.Key >= minTime && p.Key <= maxTime).ToList();
            if (selected.Count == 0) return null;
            var type = TypeOf(selected[0].Value);
            return new ShardValues(type, [.. selected.Select(p => p.Key)],
                [.. selected.Select(p => p.Value switch { double d => BitConverter.DoubleToInt64Bits(d), long l => l, bool b => b ? 1L : 0L, _ => 0L })],
                type == FieldType.String ? [.. selected.Select(p => (string)p.Value)] : []);
        }

        private static FieldType TypeOf(object v) => v switch
        {
            double => FieldType.Float,
            long => FieldType.Integer,
            bool => FieldType.Boolean,
            _ => FieldType.String,
        };
    }

    private static MemoryShard Cpu()
    {
        var shard = new MemoryShard();
        shard.Add("cpu,host=a,region=west", "value", T0, 1.0)
            .Add("cpu,host=a,region=west", "value", T0 + 10 * Second, 3.0)
            .Add("cpu,host=b,region=east", "value", T0 + 5 * Second, 2.0)
            .Add("cpu,host=b,region=east", "value", T0 + 15 * Second, 6.0)
            .Add("cpu,host=b,region=east", "load", T0 + 15 * Second, 7L);
        return shard;
    }

    private static string Run(string query, MemoryShard shard, long now = T0 + 3600 * Second) => Run(query, [shard], now);

    private static string Run(string query, MemoryShard[] shardList, long now = T0 + 3600 * Second)
    {
        var stmt = (SelectStatement)InfluxQLParser.ParseStatement(query);
        var result = new QueryResult(0);
        var context = new SelectContext((string db, string rp, out IReadOnlyList<IShardReader> shards, out string? error) =>
        {
            shards = shardList;
            error = null;
            return true;
        }, now);
        string? failure = SelectEngine.Execute(stmt, context, result);
        if (failure is not null) result.Error = failure;
        return Encoding.UTF8.GetString(QueryResponseJson.ToBytes([result])).TrimEnd('\n');
    }

    [Test]
    public async Task Execute_RawField_RowsInTimeOrderAcrossSeries()
    {
        await Assert.That(Run("SELECT value FROM cpu", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"value\"],\"values\":[" +
            "[\"2000-01-01T00:00:00Z\",1],[\"2000-01-01T00:00:05Z\",2],[\"2000-01-01T00:00:10Z\",3],[\"2000-01-01T00:00:15Z\",6]]}]}]}");
    }

    [Test]
    public async Task Execute_Wildcard_FieldsAndTagsSortedByName()
    {
        await Assert.That(Run("SELECT * FROM cpu WHERE host = 'b'", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"host\",\"load\",\"region\",\"value\"],\"values\":[" +
            "[\"2000-01-01T00:00:05Z\",\"b\",null,\"east\",2],[\"2000-01-01T00:00:15Z\",\"b\",7,\"east\",6]]}]}]}");
    }

    [Test]
    public async Task Execute_AggregatesWithoutGroupByTime_EpochTimeAndSuffixedNames()
    {
        await Assert.That(Run("SELECT count(value), mean(value), mean(value) FROM cpu", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"count\",\"mean\",\"mean_1\"],\"values\":[" +
            "[\"1970-01-01T00:00:00Z\",4,3,3]]}]}]}");
    }

    [Test]
    public async Task Execute_LoneSelector_ReportsThePointTime()
    {
        await Assert.That(Run("SELECT max(value), host FROM cpu", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"max\",\"host\"],\"values\":[" +
            "[\"2000-01-01T00:00:15Z\",6,\"b\"]]}]}]}");
    }

    [Test]
    public async Task Execute_GroupByTimeAndTag_FillsEmptyWindows()
    {
        await Assert.That(Run("SELECT sum(value) FROM cpu WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:00:20Z' GROUP BY time(10s), host fill(0)", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[" +
            "{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"sum\"],\"values\":[[\"2000-01-01T00:00:00Z\",1],[\"2000-01-01T00:00:10Z\",3]]}," +
            "{\"name\":\"cpu\",\"tags\":{\"host\":\"b\"},\"columns\":[\"time\",\"sum\"],\"values\":[[\"2000-01-01T00:00:00Z\",2],[\"2000-01-01T00:00:10Z\",6]]}]}]}");
    }

    [Test]
    public async Task Execute_Derivative_PerSecond()
    {
        await Assert.That(Run("SELECT derivative(value) FROM cpu WHERE host = 'a'", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"derivative\"],\"values\":[[\"2000-01-01T00:00:10Z\",0.2]]}]}]}");
    }

    [Test]
    public async Task Execute_MixedAggregateAndField_InfluxError()
    {
        await Assert.That(Run("SELECT mean(value), host FROM cpu", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"error\":\"mixing aggregate and non-aggregate queries is not supported\"}]}");
    }

    [Test]
    public async Task Execute_OrderDescLimit_NewestFirst()
    {
        await Assert.That(Run("SELECT value FROM cpu ORDER BY time DESC LIMIT 2", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"value\"],\"values\":[" +
            "[\"2000-01-01T00:00:15Z\",6],[\"2000-01-01T00:00:10Z\",3]]}]}]}");
    }

    [Test]
    public async Task Execute_Subquery_AggregatesTheInnerSeries()
    {
        await Assert.That(Run("SELECT max(mean) FROM (SELECT mean(value) FROM cpu GROUP BY host)", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"max\"],\"values\":[[\"1970-01-01T00:00:00Z\",4]]}]}]}");
    }

    [Test]
    public async Task Execute_TimeZone_LocalWindowsAndOffsets()
    {
        await Assert.That(Run("SELECT count(value) FROM cpu WHERE time >= '1999-12-31T00:00:00-08:00' AND time < '2000-01-01T00:00:00-08:00' GROUP BY time(1d) TZ('America/Los_Angeles')", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"count\"],\"values\":[[\"1999-12-31T00:00:00-08:00\",4]]}]}]}");
    }

    [Test]
    public async Task Execute_TopWithLimitAboveStatementLimit_InfluxError()
    {
        await Assert.That(Run("SELECT top(value, 3) FROM cpu LIMIT 2", Cpu())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"error\":\"limit (3) in top function can not be larger than the LIMIT (2) in the select statement\"}]}");
    }

    [Test]
    public async Task Encode_IntoRows_LineProtocolWithTags()
    {
        var series = new ResultSeries("cpu", ["time", "mean", "host"], [new("region", "west")]);
        series.Values.Add([new ResultTime(T0), 1.5, "a"]);
        series.Values.Add([new ResultTime(T0 + Second), null, null]);
        var (body, points) = IntoPoints.Encode([series], "out", new HashSet<string> { "host" });
        await Assert.That(points).IsEqualTo(1);
        await Assert.That(Encoding.UTF8.GetString(body)).IsEqualTo("out,host=a,region=west mean=1.5 946684800000000000\n");
    }

    /// <summary>influxql's stddev: a running mean, then the squared deviations, over the points in the given order.</summary>
    private static double RunningStddev(IEnumerable<double> values)
    {
        var list = values.ToList();
        double mean = 0;
        int n = 0;
        foreach (var v in list) mean += (v - mean) / ++n;
        double variance = 0;
        foreach (var v in list) variance += (v - mean) * (v - mean);
        return Math.Sqrt(variance / (n - 1));
    }

    [Test]
    public async Task Stddev_TwoShards_ReducesEarlierShardFirstWhateverTheListOrder()
    {
        var early = new MemoryShard();
        var late = new MemoryShard();
        var earlyValues = Enumerable.Range(0, 40).Select(i => Math.Round((i * 13 % 100) * 0.61 + 0.01 * i, 2)).ToList();
        var lateValues = Enumerable.Range(0, 40).Select(i => Math.Round((i * 53 % 100) * 0.91 + 0.03 * i, 2)).ToList();
        for (int i = 0; i < 40; i++)
        {
            early.Add("cpu,host=a", "value", T0 + i * Second, earlyValues[i]);
            late.Add("cpu,host=a", "value", T0 + (100 + i) * Second, lateValues[i]);
        }
        double timeOrder = RunningStddev(earlyValues.Concat(lateValues));
        await Assert.That(RunningStddev(lateValues.Concat(earlyValues))).IsNotEqualTo(timeOrder).Because("the data must make the order matter");
        string expected = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"stddev\"],\"values\":[[\"2000-01-01T00:00:00Z\","
            + timeOrder.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "]]}]}]}";
        const string query = "SELECT stddev(value) FROM cpu WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-02T00:00:00Z'";
        await Assert.That(Run(query, [late, early])).IsEqualTo(expected);
        await Assert.That(Run(query, [early, late])).IsEqualTo(expected);
    }

    /// <summary>One reduce level of influxql's float mean: a partial of n ≥ 2 points adds mean × n, else its value.</summary>
    private static (double Mean, long Count) MeanLevel(IEnumerable<(double Mean, long Count)> partials)
    {
        double sum = 0;
        long count = 0;
        foreach (var (mean, n) in partials)
        {
            sum += n >= 2 ? mean * n : mean;
            count += n >= 2 ? n : 1;
        }
        return (sum / count, count);
    }

    [Test]
    public async Task Mean_SeveralSeriesAndShards_RoundsThroughInfluxDbReduceLevels()
    {
        // Two shards, two series each (series order a, b whatever GOMAXPROCS is), values with two decimals.
        var early = new MemoryShard();
        var late = new MemoryShard();
        var values = new Dictionary<(MemoryShard Shard, string Series), List<double>>();
        uint state = 99;
        double Next() => Math.Round((state = state * 1103515245 + 12345) % 10000 / 100.0, 2);
        foreach (var (shard, start, n) in new[] { (early, 0, 7), (late, 100, 5) })
        {
            foreach (var series in new[] { "cpu,host=a", "cpu,host=b" })
            {
                var list = values[(shard, series)] = [];
                for (int i = 0; i < n; i++)
                {
                    double v = Next();
                    list.Add(v);
                    shard.Add(series, "value", T0 + (start + i) * Second, v);
                }
            }
        }
        (double, long) SeriesLevel(List<double> v)
        {
            double sum = 0;
            foreach (var x in v) sum += x;
            return (sum / v.Count, v.Count);
        }
        var shardEarly = MeanLevel([SeriesLevel(values[(early, "cpu,host=a")]), SeriesLevel(values[(early, "cpu,host=b")])]);
        var shardLate = MeanLevel([SeriesLevel(values[(late, "cpu,host=a")]), SeriesLevel(values[(late, "cpu,host=b")])]);
        // Shards, then the statement's own merge level.
        double expected = MeanLevel([MeanLevel([shardEarly, shardLate])]).Mean;

        double naive = values.Values.SelectMany(v => v).Sum() / values.Values.Sum(v => v.Count);
        await Assert.That(naive).IsNotEqualTo(expected).Because("the data must make the reduce levels matter");
        string body = Run("SELECT mean(value) FROM cpu WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-02T00:00:00Z'", [early, late]);
        await Assert.That(body).Contains("[\"2000-01-01T00:00:00Z\"," + expected.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "]");
    }
}
