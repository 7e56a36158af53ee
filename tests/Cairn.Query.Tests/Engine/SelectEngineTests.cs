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

        /// <summary>Every point counts as a cached value (the memory shard has no files).</summary>
        public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) =>
            new(0, 0, 0, Read(seriesKey, field, minTime, maxTime)?.Count ?? 0);

        public ulong ShardId => 7;

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

    private static string Run(string query, MemoryShard shard, long now = T0 + 3600 * Second, SelectLimits? limits = null) =>
        Run(query, [shard], now, limits);

    private static string Run(string query, IReadOnlyList<IShardReader> shardList, long now = T0 + 3600 * Second, SelectLimits? limits = null) =>
        SelectRunner.Run(query, shardList, now, limits);

    /// <summary>One integer series "m" with the given values one second apart from T0.</summary>
    private static MemoryShard Integers(IEnumerable<long> values)
    {
        var shard = new MemoryShard();
        long t = T0;
        foreach (long v in values)
        {
            shard.Add("m", "v", t, v);
            t += Second;
        }
        return shard;
    }

    private static string PercentileRow(string time, long value) =>
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"percentile\"],\"values\":[" +
        $"[\"{time}\",{value}]]}}]}}]}}";

    [Test]
    public async Task Execute_PercentileTies_AnswerThePointGosUnstableSortLeavesAtTheRank()
    {
        // 1.6.7 (Go 1.19's pdqsort): one 1 then twelve 0s; the partition moves the middle 0 (t+6s) first. A stable
        // sort, or ties broken by time, would answer t+1s.
        var shard = Integers([1, .. Enumerable.Repeat(0L, 12)]);
        await Assert.That(Run("SELECT percentile(v, 5) FROM m", shard)).IsEqualTo(PercentileRow("2000-01-01T00:00:06Z", 0));
    }

    [Test]
    public async Task Execute_PercentileTies_SixtyPointsFollowTheNintherPivotsAsInfluxDb()
    {
        // Sixty values 0..4 (the Tukey ninther pivot path); the times are influxd 1.6.7's answers for the same data.
        var shard = Integers(Enumerable.Range(0, 60).Select(i => (long)((i * 7 + i / 9) % 5)));
        (int P, string Time, long Value)[] expected =
            [(10, "2000-01-01T00:00:05Z", 0), (30, "2000-01-01T00:00:53Z", 1), (50, "2000-01-01T00:00:46Z", 2),
             (70, "2000-01-01T00:00:49Z", 3), (90, "2000-01-01T00:00:40Z", 4)];
        foreach (var (p, time, value) in expected)
            await Assert.That(Run($"SELECT percentile(v, {p}) FROM m", shard)).IsEqualTo(PercentileRow(time, value));
    }

    /// <summary>
    /// m: 5 points in [0s,10s) (too few for the 5th percentile's rank), then 10 in [10s,20s); n: the other way round.
    /// </summary>
    private static MemoryShard PercentileWindows()
    {
        var shard = new MemoryShard();
        for (int i = 0; i < 5; i++) shard.Add("m", "v", T0 + i * Second, (long)(i + 1));
        for (int i = 0; i < 10; i++) shard.Add("m", "v", T0 + (10 + i) * Second, (long)(i + 10));
        for (int i = 0; i < 10; i++) shard.Add("n", "v", T0 + i * Second, (long)(i + 1));
        for (int i = 0; i < 5; i++) shard.Add("n", "v", T0 + (10 + i) * Second, (long)(i + 20));
        return shard;
    }

    private const string PercentileWindowsRange = "WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:00:20Z' GROUP BY time(10s)";

    [Test]
    public async Task Execute_PercentileFirstWindowWithoutRank_AnswersNoSeries()
    {
        // influxd 1.6.7 for the same points: the first window the statement reads has no rank, so no series at all,
        // for n's later windows too; with ORDER BY time DESC the first window read is n's last one.
        const string none = "{\"results\":[{\"statement_id\":0}]}";
        var shard = PercentileWindows();
        await Assert.That(Run($"SELECT percentile(v, 5) FROM m {PercentileWindowsRange}", shard)).IsEqualTo(none);
        await Assert.That(Run($"SELECT percentile(v, 5) FROM m, n {PercentileWindowsRange}", shard)).IsEqualTo(none);
        await Assert.That(Run($"SELECT percentile(v, 5) FROM n, m {PercentileWindowsRange} ORDER BY time DESC", shard)).IsEqualTo(none);
    }

    [Test]
    public async Task Execute_PercentileLaterWindowWithoutRank_IsNull()
    {
        // influxd 1.6.7: a window without a rank after the first is an empty window, filled with null.
        await Assert.That(Run($"SELECT percentile(v, 5) FROM n {PercentileWindowsRange}", PercentileWindows())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"n\",\"columns\":[\"time\",\"percentile\"],\"values\":[" +
            "[\"2000-01-01T00:00:00Z\",1],[\"2000-01-01T00:00:10Z\",null]]}]}]}");
    }

    [Test]

    public async Task Execute_FillLinear_CountsTimeInIntervals()
    {
        // influxd 1.6.7 for the same points, both orders: the slope is taken over whole intervals (2, not 20e9 ns), so
        // the filled window is 89.03999999999999, not the 89.04 of nanosecond arithmetic.
        var shard = new MemoryShard().Add("m", "v", T0, 96.96).Add("m", "v", T0 + 20 * Second, 81.12);
        const string range = "WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:00:30Z' GROUP BY time(10s) fill(linear)";
        const string head = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"mean\"],\"values\":[";
        await Assert.That(Run($"SELECT mean(v) FROM m {range}", shard)).IsEqualTo(head +
            "[\"2000-01-01T00:00:00Z\",96.96],[\"2000-01-01T00:00:10Z\",89.03999999999999],[\"2000-01-01T00:00:20Z\",81.12]]}]}]}");
        await Assert.That(Run($"SELECT mean(v) FROM m {range} ORDER BY time DESC", shard)).IsEqualTo(head +
            "[\"2000-01-01T00:00:20Z\",81.12],[\"2000-01-01T00:00:10Z\",89.03999999999999],[\"2000-01-01T00:00:00Z\",96.96]]}]}]}");
    }

    [Test]
    public async Task Execute_Distinct_SortsFirstPointsByTimeThenValue()
    {
        // influxd 1.6.7 for the same points: each value's first point in input order, sorted by its time and then by
        // value; the raw merge order at 00:00 (23 then 17) does not decide. Descending input keeps each value's latest
        // point (23 at 00:01), sorted the same way.
        var shard = new MemoryShard().Add("d,host=a", "v", T0, 23L).Add("d,host=b", "v", T0, 17L)
            .Add("d,host=a", "v", T0 + Second, 5L).Add("d,host=b", "v", T0 + Second, 23L).Add("d,host=a", "v", T0 + 2 * Second, -2L);
        static string Rows(params long[] values) =>
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"d\",\"columns\":[\"time\",\"distinct\"],\"values\":[" +
            string.Join(",", values.Select(v => $"[\"1970-01-01T00:00:00Z\",{v}]")) + "]}]}]}";
        await Assert.That(Run("SELECT distinct(v) FROM d", shard)).IsEqualTo(Rows(17, 23, 5, -2));
        await Assert.That(Run("SELECT distinct(v) FROM d ORDER BY time DESC", shard)).IsEqualTo(Rows(17, 5, 23, -2));
    }

    [Test]
    public async Task Execute_DerivativeOfSeveralSeries_KeepsTheFirstPointAtATime()
    {
        // influxd 1.6.7 for the same points: at 00:01 the merge yields 40 (b) then 10 (a); the reducer drops the 10, so
        // 00:02 is measured from 40 (60), not from 10 (90). Descending: 100, 40, (10 dropped), 0.
        var shard = new MemoryShard().Add("dv,host=a", "v", T0, 0.0).Add("dv,host=a", "v", T0 + Second, 10.0)
            .Add("dv,host=b", "v", T0 + Second, 40.0).Add("dv,host=a", "v", T0 + 2 * Second, 100.0);
        static string Rows(string column, string values) =>
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"dv\",\"columns\":[\"time\",\"" + column + "\"],\"values\":[" + values + "]}]}]}";
        await Assert.That(Run("SELECT v FROM dv", shard)).IsEqualTo(Rows("v",
            "[\"2000-01-01T00:00:00Z\",0],[\"2000-01-01T00:00:01Z\",40],[\"2000-01-01T00:00:01Z\",10],[\"2000-01-01T00:00:02Z\",100]"));
        await Assert.That(Run("SELECT derivative(v) FROM dv", shard)).IsEqualTo(Rows("derivative",
            "[\"2000-01-01T00:00:01Z\",40],[\"2000-01-01T00:00:02Z\",60]"));
        await Assert.That(Run("SELECT difference(v) FROM dv", shard)).IsEqualTo(Rows("difference",
            "[\"2000-01-01T00:00:01Z\",40],[\"2000-01-01T00:00:02Z\",60]"));
        await Assert.That(Run("SELECT derivative(v) FROM dv ORDER BY time DESC", shard)).IsEqualTo(Rows("derivative",
            "[\"2000-01-01T00:00:01Z\",-60],[\"2000-01-01T00:00:00Z\",-40]"));
    }

    [Test]
    public async Task Execute_FillNumberForAFieldTheSeriesLacks_CastsToTheColumnType()
    {
        // influxd 1.6.7 for the same points: f is an integer of fx, so fy's last(f) shows fill(-1.5) as -1; with fx not
        // in the FROM, f has no type and the column stays null; count() is an integer and mean() a float regardless.
        var shard = new MemoryShard().Add("fx", "f", T0, 1L).Add("fx", "f", T0 + 10 * Second, 2L)
            .Add("fy", "g", T0, 2.5).Add("fy", "g", T0 + 10 * Second, 3.5);
        const string range = "WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:00:20Z' GROUP BY time(10s) fill(-1.5)";
        await Assert.That(Run($"SELECT last(f), last(g) FROM fx, fy {range}", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"fx\",\"columns\":[\"time\",\"last\",\"last_1\"],\"values\":[" +
            "[\"2000-01-01T00:00:00Z\",1,-1.5],[\"2000-01-01T00:00:10Z\",2,-1.5]]}," +
            "{\"name\":\"fy\",\"columns\":[\"time\",\"last\",\"last_1\"],\"values\":[" +
            "[\"2000-01-01T00:00:00Z\",-1,2.5],[\"2000-01-01T00:00:10Z\",-1,3.5]]}]}]}");
        await Assert.That(Run($"SELECT last(f), last(g) FROM fy {range}", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"fy\",\"columns\":[\"time\",\"last\",\"last_1\"],\"values\":[" +
            "[\"2000-01-01T00:00:00Z\",null,2.5],[\"2000-01-01T00:00:10Z\",null,3.5]]}]}]}");
        await Assert.That(Run($"SELECT count(f), mean(f), last(g) FROM fy {range}", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"fy\",\"columns\":[\"time\",\"count\",\"mean\",\"last\"],\"values\":[" +
            "[\"2000-01-01T00:00:00Z\",-1,-1.5,2.5],[\"2000-01-01T00:00:10Z\",-1,-1.5,3.5]]}]}]}");
    }

    [Test]
    public async Task Execute_LimitWithSeveralCalls_AppliesToEachCallsPoints()
    {
        // influxd 1.6.7 for the same points: a has windows 0s-30s, b only 20s and 30s; LIMIT/OFFSET count each call's
        // own points, then the rows are joined by time.
        var shard = new MemoryShard().Add("pf", "a", T0, 1L).Add("pf", "a", T0 + 10 * Second, 2L).Add("pf", "a", T0 + 20 * Second, 3L)
            .Add("pf", "a", T0 + 30 * Second, 4L).Add("pf", "b", T0 + 20 * Second, 5.0).Add("pf", "b", T0 + 30 * Second, 6.0);
        const string range = "WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:00:40Z' GROUP BY time(10s)";
        static string Rows(string columns, string values) =>
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"pf\",\"columns\":[\"time\"," + columns + "],\"values\":[" + values + "]}]}]}";
        await Assert.That(Run($"SELECT max(a), max(b) FROM pf {range} fill(none) LIMIT 2", shard)).IsEqualTo(Rows("\"max\",\"max_1\"",
            "[\"2000-01-01T00:00:00Z\",1,null],[\"2000-01-01T00:00:10Z\",2,null],[\"2000-01-01T00:00:20Z\",null,5],[\"2000-01-01T00:00:30Z\",null,6]"));
        await Assert.That(Run($"SELECT max(a), max(b) FROM pf {range} fill(none) LIMIT 1 OFFSET 1", shard)).IsEqualTo(Rows("\"max\",\"max_1\"",
            "[\"2000-01-01T00:00:10Z\",2,null],[\"2000-01-01T00:00:30Z\",null,6]"));
        await Assert.That(Run($"SELECT max(a), max(b) FROM pf {range} fill(none) ORDER BY time DESC LIMIT 2 OFFSET 1", shard)).IsEqualTo(
            Rows("\"max\",\"max_1\"", "[\"2000-01-01T00:00:20Z\",3,5],[\"2000-01-01T00:00:10Z\",2,null]"));
        await Assert.That(Run($"SELECT difference(max(a)), max(a) FROM pf {range} LIMIT 2", shard)).IsEqualTo(Rows("\"difference\",\"max\"",
            "[\"2000-01-01T00:00:00Z\",null,1],[\"2000-01-01T00:00:10Z\",1,2],[\"2000-01-01T00:00:20Z\",1,null]"));
    }

    [Test]
    public async Task Execute_RawRowsAtEqualTimes_CompareTheAuxiliaryFieldsSortedByName()
    {
        // influxd 1.6.7 for the same points: the auxiliary fields are sorted by name, so state (a string) decides before
        // usage (a float, which would leave the merge order: a first): "a" < "z" puts b first, reversed when descending.
        var shard = new MemoryShard().Add("ax,host=a", "usage", T0, 1.0).Add("ax,host=a", "state", T0, "z")
            .Add("ax,host=b", "usage", T0, 2.0).Add("ax,host=b", "state", T0, "a");
        const string head = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"ax\",\"columns\":[\"time\",";
        await Assert.That(Run("SELECT usage, state FROM ax", shard)).IsEqualTo(head +
            "\"usage\",\"state\"],\"values\":[[\"2000-01-01T00:00:00Z\",2,\"a\"],[\"2000-01-01T00:00:00Z\",1,\"z\"]]}]}]}");
        await Assert.That(Run("SELECT usage, state FROM ax ORDER BY time DESC", shard)).IsEqualTo(head +
            "\"usage\",\"state\"],\"values\":[[\"2000-01-01T00:00:00Z\",1,\"z\"],[\"2000-01-01T00:00:00Z\",2,\"a\"]]}]}]}");
        await Assert.That(Run("SELECT usage FROM ax", shard)).IsEqualTo(head +
            "\"usage\"],\"values\":[[\"2000-01-01T00:00:00Z\",1],[\"2000-01-01T00:00:00Z\",2]]}]}]}");
    }

    [Test]
    public async Task Execute_ModeTies_FollowInfluxqlsRunRule()
    {
        // influxd 1.6.7's answer for the same points: 5 5 3 3 9: both 3 and 5 occur twice and influxql answers 5 (the
        // later run wins a tie unless its first point is later than the best's last one), not the smallest value.
        await Assert.That(Run("SELECT mode(v) FROM m", Integers([5, 5, 3, 3, 9]))).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"mode\"],\"values\":[" +
            "[\"1970-01-01T00:00:00Z\",5]]}]}]}");
    }

    [Test]
    public async Task Execute_AbsOfNegativeInteger_IsPositiveAsNewer1x()
    {
        // 1.6.7 answers -2 (influxdata/influxdb#10261); newer 1.x (#10276) and Cairn answer the absolute value.
        await Assert.That(Run("SELECT abs(v) FROM m", Integers([-2, 3]))).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"abs\"],\"values\":[" +
            "[\"2000-01-01T00:00:00Z\",2],[\"2000-01-01T00:00:01Z\",3]]}]}]}");
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

    /// <summary>Points 35, 31, -2 at 10 s, 50 s and 60 s, as integers or floats.</summary>
    private static MemoryShard IntegralSteps(bool integer)
    {
        var shard = new MemoryShard();
        foreach (var (at, v) in new[] { (10L, 35L), (50L, 31L), (60L, -2L) })
            shard.Add("m", "v", T0 + at * Second, integer ? v : (object)(double)v);
        return shard;
    }

    [Test]
    public async Task Integral_GroupByTime_NoFillAndIntegerReducerCarriesInterpolatedValue()
    {
        // Window [10 s, 20 s) closes at 20 s with the value 34 interpolated there: 0.5 × (35 + 34) × 10 = 345. The rest
        // of the step to 50 s: the float reducer takes 0.5 × (34 + 31) × 30 = 975, the integer one (as 1.6.7) keeps
        // the previous value 35 and the interpolated 34: 0.5 × (35 + 34) × 30 = 1035; then 0.5 × (31 − 2) × 10 = 145.
        // The empty windows between have no rows even with fill(0): influxql wraps no fill iterator around integral().
        const string query = "SELECT integral(v) FROM m WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:01:10Z' GROUP BY time(10s) fill(0)";
        const string head = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"integral\"],\"values\":[";
        await Assert.That(Run(query, IntegralSteps(integer: true))).IsEqualTo(
            head + "[\"2000-01-01T00:00:10Z\",345],[\"2000-01-01T00:00:50Z\",1180]]}]}]}");
        await Assert.That(Run(query, IntegralSteps(integer: false))).IsEqualTo(
            head + "[\"2000-01-01T00:00:10Z\",345],[\"2000-01-01T00:00:50Z\",1120]]}]}]}");
    }

    [Test]
    public async Task Integral_WithoutGroupByTime_IntegerTimeIsTheRangeStart()
    {
        // 0.5 × (35 + 31) × 40 + 0.5 × (31 − 2) × 10 = 1465 either way; only the integer reducer's time is the range's start.
        const string head = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"integral\"],\"values\":[";
        await Assert.That(Run("SELECT integral(v) FROM m WHERE time >= '2000-01-01T00:00:05Z'", IntegralSteps(integer: true))).IsEqualTo(
            head + "[\"2000-01-01T00:00:05Z\",1465]]}]}]}");
        await Assert.That(Run("SELECT integral(v) FROM m WHERE time >= '2000-01-01T00:00:05Z'", IntegralSteps(integer: false))).IsEqualTo(
            head + "[\"1970-01-01T00:00:00Z\",1465]]}]}]}");
        await Assert.That(Run("SELECT integral(v) FROM m WHERE time < '2000-01-01T00:01:05Z'", IntegralSteps(integer: true))).IsEqualTo(
            head + "[\"1970-01-01T00:00:00Z\",1465]]}]}]}");
    }

    [Test]
    public async Task Integral_OrderByTimeDesc_ReducesBackwardsAsInfluxDb167()
    {
        // Descending, the reducer's areas are negative and each is emitted at its window's end: 60 s opens [60 s, 80 s),
        // which 50 s closes with nothing (80 s: 0); 10 s closes [40 s, 60 s) at 40 s, where 32 is interpolated:
        // 0.5 × (31 − 2) × −10 + 0.5 × (32 + 31) × −10 = −460 at 60 s; the rest, to 10 s, goes to [0 s, 20 s): floats
        // 0.5 × (35 + 32) × −30 = −1005, integers (the previous value kept) 0.5 × (32 + 31) × −30 = −945.
        const string query = "SELECT integral(v) FROM m WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:01:10Z' GROUP BY time(20s) ORDER BY time DESC";
        const string head = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"integral\"],\"values\":[";
        await Assert.That(Run(query, IntegralSteps(integer: false))).IsEqualTo(
            head + "[\"2000-01-01T00:01:20Z\",0],[\"2000-01-01T00:01:00Z\",-460],[\"2000-01-01T00:00:20Z\",-1005]]}]}]}");
        await Assert.That(Run(query, IntegralSteps(integer: true))).IsEqualTo(
            head + "[\"2000-01-01T00:01:20Z\",0],[\"2000-01-01T00:01:00Z\",-460],[\"2000-01-01T00:00:20Z\",-945]]}]}]}");
        // Without GROUP BY time the integer reducer's window is the range, emitted at one past its end; the point on the
        // range's start closes it, and it is emitted again (with 0) when the input ends. The float one has no window.
        const string plain = "SELECT integral(v) FROM m WHERE time >= '2000-01-01T00:00:10Z' AND time < '2000-01-01T00:01:05Z' ORDER BY time DESC";
        await Assert.That(Run(plain, IntegralSteps(integer: true))).IsEqualTo(
            head + "[\"2000-01-01T00:01:05Z\",-1465],[\"2000-01-01T00:01:05Z\",0]]}]}]}");
        await Assert.That(Run(plain, IntegralSteps(integer: false))).IsEqualTo(
            head + "[\"1970-01-01T00:00:00Z\",-1465]]}]}]}");
    }

    [Test]
    public async Task Integral_SeveralGroups_LastWindowsFollowEveryGroup()
    {
        // k=a: 1, 3, 5 and k=b: 2, 2, 2 at 0 s, 10 s, 30 s. Each group's last window ([20 s, 40 s)) is emitted only when
        // the whole input ends, last group first: a's is a series entry of its own after b's, and LIMIT and OFFSET count
        // every entry apart (InfluxDB 1.6.7's likeliest answer; its map order makes the others possible).
        var shard = new MemoryShard();
        foreach (var (at, va, vb) in new[] { (0L, 1.0, 2.0), (10L, 3.0, 2.0), (30L, 5.0, 2.0) })
            shard.Add("g,k=a", "v", T0 + at * Second, va).Add("g,k=b", "v", T0 + at * Second, vb);
        const string query = "SELECT integral(v) FROM g WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T00:00:40Z' GROUP BY time(20s), k";
        const string a = "{\"name\":\"g\",\"tags\":{\"k\":\"a\"},\"columns\":[\"time\",\"integral\"],\"values\":";
        const string b = "{\"name\":\"g\",\"tags\":{\"k\":\"b\"},\"columns\":[\"time\",\"integral\"],\"values\":";
        await Assert.That(Run(query, shard)).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":["
            + a + "[[\"2000-01-01T00:00:00Z\",55]]}," + b + "[[\"2000-01-01T00:00:00Z\",40],[\"2000-01-01T00:00:20Z\",20]]},"
            + a + "[[\"2000-01-01T00:00:20Z\",45]]}]}]}");
        await Assert.That(Run(query + " LIMIT 1 OFFSET 1", shard)).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":["
            + b + "[[\"2000-01-01T00:00:20Z\",20]]}]}]}");
    }

    [Test]
    public async Task Fill_LinearWithOffsetWindows_InterpolatesOverWindowNumbers()
    {
        // 33.25 at 09:25 and 59.29 at 16:25 in hourly windows offset by 15 minutes: influxql interpolates over window
        // numbers (time / interval), so 15:15 is 26.04 / 7 × 6 + 33.25 = 55.57 where nanoseconds would give
        // 55.56999999999999, and backwards 13:15 is 48.129999999999995 where nanoseconds would give 48.13.
        var shard = new MemoryShard().Add("lf", "v", T0 + (9 * 3600 + 25 * 60) * Second, 33.25).Add("lf", "v", T0 + (16 * 3600 + 25 * 60) * Second, 59.29);
        const string query = "SELECT max(v) FROM lf WHERE time >= '2000-01-01T09:00:00Z' AND time < '2000-01-01T17:00:00Z' GROUP BY time(1h,15m) fill(linear)";
        const string head = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"lf\",\"columns\":[\"time\",\"max\"],\"values\":[";
        await Assert.That(Run(query, shard, now: T0 + 24 * 3600 * Second)).IsEqualTo(head
            + "[\"2000-01-01T08:15:00Z\",null],[\"2000-01-01T09:15:00Z\",33.25],[\"2000-01-01T10:15:00Z\",36.97],[\"2000-01-01T11:15:00Z\",40.69],"
            + "[\"2000-01-01T12:15:00Z\",44.41],[\"2000-01-01T13:15:00Z\",48.129999999999995],[\"2000-01-01T14:15:00Z\",51.849999999999994],"
            + "[\"2000-01-01T15:15:00Z\",55.57],[\"2000-01-01T16:15:00Z\",59.29]]}]}]}");
        await Assert.That(Run(query + " ORDER BY time DESC", shard, now: T0 + 24 * 3600 * Second)).IsEqualTo(head
            + "[\"2000-01-01T16:15:00Z\",59.29],[\"2000-01-01T15:15:00Z\",55.57],[\"2000-01-01T14:15:00Z\",51.85],[\"2000-01-01T13:15:00Z\",48.129999999999995],"
            + "[\"2000-01-01T12:15:00Z\",44.41],[\"2000-01-01T11:15:00Z\",40.69],[\"2000-01-01T10:15:00Z\",36.97],[\"2000-01-01T09:15:00Z\",33.25],"
            + "[\"2000-01-01T08:15:00Z\",null]]}]}]}");
    }

    /// <summary>Points of several series at the minutes after T0 given as "h:mm" (integers when the value is a long).</summary>
    private static MemoryShard At(params (string Series, string Time, object Value)[] points)
    {
        var shard = new MemoryShard();
        foreach (var (series, time, value) in points)
        {
            var parts = time.Split(':');
            shard.Add(series, "v", T0 + (long.Parse(parts[0]) * 3600 + long.Parse(parts[1]) * 60) * Second, value);
        }
        return shard;
    }

    [Test]
    public async Task Raw_EqualTimesOfSeveralSeries_OrderedByAuxiliaryFieldsSortedByName()
    {
        // influxql sorts the auxiliary fields by name: for "v, host" the tag host decides ties first (h1 before h3 at
        // 11:40 and 12:00, backwards under DESC), which the merge heap alone would order the other way.
        var shard = At(("r,host=h0,region=east", "10:40", 2.37), ("r,host=h0,region=east", "12:10", 8.59),
            ("r,host=h1,region=east", "12:00", 8.62), ("r,host=h1,region=east", "12:20", 16.74),
            ("r,host=h1,rack=r2,region=west", "11:40", 14.16), ("r,host=h1,rack=r2,region=west", "12:20", 7.25), ("r,host=h1,rack=r2,region=west", "13:00", 0.83),
            ("r,host=h2,region=west", "10:10", 9.6), ("r,host=h2,region=west", "10:30", 6.02), ("r,host=h2,region=west", "11:10", 10.38),
            ("r,host=h3,rack=r1,region=west", "10:10", 12.72), ("r,host=h3,rack=r1,region=west", "10:50", 19.16),
            ("r,host=h3,rack=r1,region=west", "11:40", 11.87), ("r,host=h3,rack=r1,region=west", "12:00", 3.35));
        const string head = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"r\",\"columns\":[\"time\",\"v\",\"host\"],\"values\":[";
        await Assert.That(Run("SELECT v, host FROM r", shard)).IsEqualTo(head
            + "[\"2000-01-01T10:10:00Z\",9.6,\"h2\"],[\"2000-01-01T10:10:00Z\",12.72,\"h3\"],[\"2000-01-01T10:30:00Z\",6.02,\"h2\"],[\"2000-01-01T10:40:00Z\",2.37,\"h0\"],"
            + "[\"2000-01-01T10:50:00Z\",19.16,\"h3\"],[\"2000-01-01T11:10:00Z\",10.38,\"h2\"],[\"2000-01-01T11:40:00Z\",14.16,\"h1\"],[\"2000-01-01T11:40:00Z\",11.87,\"h3\"],"
            + "[\"2000-01-01T12:00:00Z\",8.62,\"h1\"],[\"2000-01-01T12:00:00Z\",3.35,\"h3\"],[\"2000-01-01T12:10:00Z\",8.59,\"h0\"],[\"2000-01-01T12:20:00Z\",7.25,\"h1\"],"
            + "[\"2000-01-01T12:20:00Z\",16.74,\"h1\"],[\"2000-01-01T13:00:00Z\",0.83,\"h1\"]]}]}]}");
        await Assert.That(Run("SELECT v, host FROM r ORDER BY time DESC", shard)).IsEqualTo(head
            + "[\"2000-01-01T13:00:00Z\",0.83,\"h1\"],[\"2000-01-01T12:20:00Z\",16.74,\"h1\"],[\"2000-01-01T12:20:00Z\",7.25,\"h1\"],[\"2000-01-01T12:10:00Z\",8.59,\"h0\"],"
            + "[\"2000-01-01T12:00:00Z\",3.35,\"h3\"],[\"2000-01-01T12:00:00Z\",8.62,\"h1\"],[\"2000-01-01T11:40:00Z\",11.87,\"h3\"],[\"2000-01-01T11:40:00Z\",14.16,\"h1\"],"
            + "[\"2000-01-01T11:10:00Z\",10.38,\"h2\"],[\"2000-01-01T10:50:00Z\",19.16,\"h3\"],[\"2000-01-01T10:40:00Z\",2.37,\"h0\"],[\"2000-01-01T10:30:00Z\",6.02,\"h2\"],"
            + "[\"2000-01-01T10:10:00Z\",12.72,\"h3\"],[\"2000-01-01T10:10:00Z\",9.6,\"h2\"]]}]}]}");
    }

    [Test]
    public async Task Distinct_OrderByTimeDesc_KeepsLatestPointsSortedByTimeThenValue()
    {
        // The reducer keeps each value's first point in input order (the latest one backwards) and emits them sorted by
        // that time, then value; ORDER BY time DESC reverses only the windows.
        var shard = At(("d,host=h0", "10:00", 30L), ("d,host=h0", "10:10", 39L), ("d,host=h0", "10:20", 31L), ("d,host=h0", "10:50", 13L),
            ("d,host=h0", "11:30", -4L), ("d,host=h0", "11:50", 39L), ("d,host=h1", "10:00", -3L), ("d,host=h1", "10:10", 15L),
            ("d,host=h1", "10:30", 35L), ("d,host=h1", "10:40", 11L), ("d,host=h1", "11:00", 10L), ("d,host=h1", "11:10", -5L),
            ("d,host=h1", "11:20", 12L), ("d,host=h1", "11:30", 11L));
        const string query = "SELECT distinct(v) FROM d WHERE time >= '2000-01-01T10:00:00Z' AND time < '2000-01-01T12:00:00Z' GROUP BY time(2h)";
        static string Rows(params long[] values) => "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"d\",\"columns\":[\"time\",\"distinct\"],\"values\":["
            + string.Join(',', values.Select(v => $"[\"2000-01-01T10:00:00Z\",{v}]")) + "]}]}]}";
        await Assert.That(Run(query, shard, now: T0 + 24 * 3600 * Second)).IsEqualTo(Rows(-3, 30, 15, 39, 31, 35, 11, 13, 10, -5, 12, -4));
        await Assert.That(Run(query + " ORDER BY time DESC", shard, now: T0 + 24 * 3600 * Second)).IsEqualTo(Rows(-3, 30, 15, 31, 35, 13, 10, -5, 12, -4, 11, 39));
    }

    [Test]
    public async Task Derivative_SeveralSeriesAtOneTime_KeepsTheFirstPoint()
    {
        // h0 and h1 merged: at 22:30 both have a point; the reducer drops the second one, so 22:40 is (39 − 2) / 600 s
        // after h0's 2 (which the merge puts first), not after h1's 9. Backwards h1's 9 comes first at 22:30.
        var shard = At(("e,host=h0", "22:00", 26L), ("e,host=h0", "22:30", 2L), ("e,host=h0", "22:40", 39L), ("e,host=h0", "23:10", 35L),
            ("e,host=h1", "22:20", 10L), ("e,host=h1", "22:30", 9L), ("e,host=h1", "23:10", 22L));
        static string Rows(string column, string values) =>
            $"{{\"results\":[{{\"statement_id\":0,\"series\":[{{\"name\":\"e\",\"columns\":[\"time\",\"{column}\"],\"values\":[{values}]}}]}}]}}";
        await Assert.That(Run("SELECT derivative(v) FROM e", shard)).IsEqualTo(Rows("derivative",
            "[\"2000-01-01T22:20:00Z\",-0.013333333333333334],[\"2000-01-01T22:30:00Z\",-0.013333333333333334],[\"2000-01-01T22:40:00Z\",0.06166666666666667],[\"2000-01-01T23:10:00Z\",-0.009444444444444445]"));
        await Assert.That(Run("SELECT derivative(v) FROM e ORDER BY time DESC", shard)).IsEqualTo(Rows("derivative",
            "[\"2000-01-01T22:40:00Z\",0.009444444444444445],[\"2000-01-01T22:30:00Z\",-0.05],[\"2000-01-01T22:20:00Z\",0.0016666666666666668],[\"2000-01-01T22:00:00Z\",0.013333333333333334]"));
        await Assert.That(Run("SELECT difference(v) FROM e", shard)).IsEqualTo(Rows("difference",
            "[\"2000-01-01T22:20:00Z\",-16],[\"2000-01-01T22:30:00Z\",-8],[\"2000-01-01T22:40:00Z\",37],[\"2000-01-01T23:10:00Z\",-17]"));
        await Assert.That(Run("SELECT non_negative_difference(v) FROM e ORDER BY time DESC", shard)).IsEqualTo(Rows("non_negative_difference",
            "[\"2000-01-01T22:40:00Z\",17],[\"2000-01-01T22:20:00Z\",1],[\"2000-01-01T22:00:00Z\",16]"));
    }

    [Test]
    public async Task Execute_TopOfBareFieldWithLimit_ChoosesFromTheStorageLimitedPoints()
    {
        // top() of a bare field keeps the statement's LIMIT in its input's options: the shard hands over only its
        // first offset + limit + 1 points (1 and 2), so the 9 read after them is never a candidate.
        var shard = new MemoryShard().Add("cpu", "value", T0, 1.0).Add("cpu", "value", T0 + Second, 2.0)
            .Add("cpu", "value", T0 + 2 * Second, 9.0).Add("cpu", "value", T0 + 3 * Second, 3.0);
        await Assert.That(Run("SELECT top(value, 1) FROM cpu LIMIT 1", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"top\"],\"values\":[" +
            "[\"2000-01-01T00:00:01Z\",2]]}]}]}");
        // Without LIMIT or OFFSET every point is a candidate.
        await Assert.That(Run("SELECT top(value, 1) FROM cpu", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"top\"],\"values\":[" +
            "[\"2000-01-01T00:00:02Z\",9]]}]}]}");
        // max() clears the limits before reading, so it still sees the 9.
        await Assert.That(Run("SELECT max(value) FROM cpu LIMIT 1", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"max\"],\"values\":[" +
            "[\"2000-01-01T00:00:02Z\",9]]}]}]}");
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

    private static MemoryShard FourHosts()
    {
        var shard = new MemoryShard();
        foreach (var host in new[] { "a", "b", "c", "d" })
            shard.Add("cpu,host=" + host, "value", T0, 1.0).Add("cpu,host=" + host, "value", T0 + Second, 2.0);
        return shard;
    }

    private static string Error(string text) => "{\"results\":[{\"statement_id\":0,\"error\":\"" + text + "\"}]}";

    [Test]
    public async Task Execute_MoreSeriesThanMaxSelectSeries_FailsAtTheFirstSeriesOver()
    {
        // One tag set of four series: the engine stops at the fourth (InfluxDB's TestServer_Query_MaxSelectSeriesN).
        await Assert.That(Run("SELECT count(value) FROM cpu", FourHosts(), limits: new SelectLimits(MaxSeries: 3)))
            .IsEqualTo(Error("max-select-series limit exceeded: (4/3)"));
        await Assert.That(Run("SELECT count(value) FROM cpu", FourHosts(), limits: new SelectLimits(MaxSeries: 4)))
            .IsEqualTo(Run("SELECT count(value) FROM cpu", FourHosts()));
    }

    [Test]
    public async Task Execute_MaxSelectSeriesWithTagSets_FailsWithTheShardCount()
    {
        await Assert.That(Run("SELECT count(value) FROM cpu GROUP BY host", FourHosts(), limits: new SelectLimits(MaxSeries: 2)))
            .IsEqualTo(Error("max-select-series limit exceeded: (4/2)"));
        // Series rule out by a tag condition do not count.
        await Assert.That(Run("SELECT count(value) FROM cpu WHERE host = 'a' OR host = 'b'", FourHosts(), limits: new SelectLimits(MaxSeries: 2)))
            .Contains("[\"1970-01-01T00:00:00Z\",4]");
    }

    [Test]
    public async Task Execute_MaxSelectSeries_CountsPerShard()
    {
        var first = new MemoryShard().Add("cpu,host=a", "value", T0, 1.0).Add("cpu,host=b", "value", T0, 1.0);
        var second = new MemoryShard().Add("cpu,host=c", "value", T0, 1.0).Add("cpu,host=d", "value", T0, 1.0);
        await Assert.That(Run("SELECT count(value) FROM cpu", [first, second], limits: new SelectLimits(MaxSeries: 2)))
            .Contains("[\"1970-01-01T00:00:00Z\",4]");
    }

    [Test]
    public async Task Execute_MorePointsThanMaxSelectPoint_FailsWithInfluxDbSpelling()
    {
        await Assert.That(Run("SELECT value FROM cpu", FourHosts(), limits: new SelectLimits(MaxPoints: 3)))
            .IsEqualTo(Error("max-select-point limit exceeed: (4/3)"));
        await Assert.That(Run("SELECT value FROM cpu", FourHosts(), limits: new SelectLimits(MaxPoints: 8)))
            .IsEqualTo(Run("SELECT value FROM cpu", FourHosts()));
        // Points the condition drops are not counted.
        await Assert.That(Run("SELECT value FROM cpu WHERE value > 1", FourHosts(), limits: new SelectLimits(MaxPoints: 4)))
            .DoesNotContain("error");
    }

    [Test]
    public async Task Execute_MoreBucketsThanMaxSelectBuckets_Fails()
    {
        // InfluxDB's TestStatementExecutor_MaxSelectBucketsN.
        const string query = "SELECT count(value) FROM cpu WHERE time >= '2000-01-01T00:00:05Z' AND time < '2000-01-01T00:00:35Z' GROUP BY time(10s)";
        await Assert.That(Run(query, Cpu(), limits: new SelectLimits(MaxBuckets: 3))).IsEqualTo(Error("max-select-buckets limit exceeded: (4/3)"));
        await Assert.That(Run(query, Cpu(), limits: new SelectLimits(MaxBuckets: 4))).IsEqualTo(Run(query, Cpu()));
        // Raw queries make no buckets.
        await Assert.That(Run("SELECT value FROM cpu WHERE time >= '2000-01-01T00:00:00Z' AND time < '2000-01-01T01:00:00Z'", Cpu(),
            limits: new SelectLimits(MaxBuckets: 1))).DoesNotContain("error");
    }

    [Test]
    public async Task Execute_MaxSelectBucketsWithoutLowerBound_ReadsTheLastBucketsOnly()
    {
        // InfluxDB's TestServer_Query_ImplicitFill: points at 11:30, 12:00 and 16:30.
        const long Hour = 3600 * Second;
        long day = 1262304000L * Second; // 2010-01-01T00:00:00Z
        var shard = new MemoryShard().Add("fills", "val", day + 11 * Hour + 30 * 60 * Second, 1L)
            .Add("fills", "val", day + 12 * Hour, 3L).Add("fills", "val", day + 16 * Hour + 30 * 60 * Second, 5L);
        var five = new SelectLimits(MaxBuckets: 5);
        await Assert.That(Run("select mean(val) from fills where time < '2010-01-01T18:00:00Z' group by time(1h)", shard, limits: five)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"fills\",\"columns\":[\"time\",\"mean\"],\"values\":[[\"2010-01-01T16:00:00Z\",5],[\"2010-01-01T17:00:00Z\",null]]}]}]}");
        await Assert.That(Run("select mean(val) from fills where time < '2010-01-01T17:00:00Z' group by time(1h)", shard, limits: five)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"fills\",\"columns\":[\"time\",\"mean\"],\"values\":[[\"2010-01-01T12:00:00Z\",3],[\"2010-01-01T13:00:00Z\",null],[\"2010-01-01T14:00:00Z\",null],[\"2010-01-01T15:00:00Z\",null],[\"2010-01-01T16:00:00Z\",5]]}]}]}");
    }

    private static MemoryShard Typed() => new MemoryShard()
        .Add("m,host=a", "f", T0, 1.5).Add("m,host=a", "i", T0, 2L).Add("m,host=a", "s", T0, "x").Add("m,host=a", "b", T0, true);

    [Test]
    [Arguments("SELECT f + s FROM m", "type error: f::float + s::string: incompatible types: float and string")]
    [Arguments("SELECT f + b FROM m", "type error: f::float + b::boolean: incompatible types: float and boolean")]
    [Arguments("SELECT s + s FROM m", "type error: s::string + s::string: incompatible types: string and string")]
    [Arguments("SELECT f & f FROM m", "type error: f::float & f::float: incompatible types: float and float")]
    [Arguments("SELECT f + host FROM m", "type error: f::float + host::tag: incompatible types: float and tag")]
    [Arguments("SELECT b + 1 FROM m", "type error: b::boolean + 1: incompatible types: boolean and integer")]
    [Arguments("SELECT first(s) * 2 FROM m", "type error: first(s::string) * 2: incompatible types: string and integer")]
    [Arguments("SELECT f::integer + s FROM m", "type error: f::integer + s::string: incompatible types: integer and string")]
    [Arguments("SELECT (f + s) * 2 FROM m", "type error: f::float + s::string: incompatible types: float and string")]
    [Arguments("SELECT s - 'a' FROM m", "type error: s::string - 'a': incompatible types: string and string")]
    [Arguments("SELECT f, s + 1 FROM m", "type error: s::string + 1: incompatible types: string and integer")]
    [Arguments("SELECT f % b FROM m", "type error: f::float % b::boolean: incompatible types: float and boolean")]
    public async Task Execute_IncompatibleOperandTypes_FailsWithInfluxDbTypeError(string query, string error)
    {
        // Texts from InfluxDB 1.6.7 (query/select.go validateTypes, influxql's TypeValuerEval).
        await Assert.That(Run(query, Typed())).IsEqualTo(Error(error.Replace("&", "\\u0026")));
    }

    [Test]
    [Arguments("SELECT i & i FROM m")]
    [Arguments("SELECT count(s) + 1 FROM m")]
    [Arguments("SELECT f + nothing FROM m")]
    [Arguments("SELECT sin(s) FROM m")]
    [Arguments("SELECT abs(b) FROM m")]
    [Arguments("SELECT f * i FROM m")]
    [Arguments("SELECT * FROM m WHERE f + s > 1")]
    public async Task Execute_CompatibleOrUnknownOperandTypes_RunsWithoutTypeError(string query)
    {
        await Assert.That(Run(query, Typed())).DoesNotContain("type error");
    }

    [Test]
    public async Task Execute_UnsignedAndIntegerFields_NeedACast()
    {
        var shard = new MemoryShard().Add("m", "i", T0, 2L).Add("m", "i2", T0, 3L);
        // Through the literal rule: an unsigned literal with an integer field.
        await Assert.That(Run("SELECT i + 18446744073709551615 FROM m", shard))
            .IsEqualTo(Error("type error: i::integer + 18446744073709551615: cannot use + with an integer and unsigned literal"));
        await Assert.That(Run("SELECT i + i2 FROM m", shard)).DoesNotContain("error");
    }

    private static List<string> Explain(string query, MemoryShard shard, bool analyze = false)
    {
        var stmt = (SelectStatement)InfluxQLParser.ParseStatement(query);
        var result = new QueryResult(0);
        var context = new SelectContext((string db, string rp, out IReadOnlyList<IShardReader> shards, out string? error) =>
        {
            shards = [shard];
            error = null;
            return true;
        }, T0 + 3600 * Second);
        string? failure = SelectEngine.Explain(stmt, context, analyze, result);
        if (failure is not null) return ["error: " + failure];
        return [.. result.Series[0].Values.Select(v => (string)v[0]!)];
    }

    [Test]
    public async Task Explain_RawQuery_OneAuxiliaryIteratorWithItsCosts()
    {
        await Assert.That(string.Join("\n", Explain("SELECT value, host FROM cpu", Cpu()))).IsEqualTo(string.Join("\n",
            "EXPRESSION: <nil>", "AUXILIARY FIELDS: host::tag, value::float", "NUMBER OF SHARDS: 1", "NUMBER OF SERIES: 2",
            "CACHED VALUES: 4", "NUMBER OF FILES: 0", "NUMBER OF BLOCKS: 0", "SIZE OF BLOCKS: 0"));
    }

    [Test]
    public async Task Explain_Calls_OneIteratorEach_ConditionFieldsCostToo()
    {
        var lines = Explain("SELECT count(value), median(load) FROM cpu WHERE host = 'b' AND value > 1", Cpu());
        await Assert.That(string.Join("\n", lines)).IsEqualTo(string.Join("\n",
            // count runs in storage on value; median reads load. host = 'b' leaves one series; value > 1 reads value again.
            "EXPRESSION: count(value::float)", "NUMBER OF SHARDS: 1", "NUMBER OF SERIES: 1", "CACHED VALUES: 4", "NUMBER OF FILES: 0", "NUMBER OF BLOCKS: 0", "SIZE OF BLOCKS: 0",
            "",
            "EXPRESSION: load::integer", "NUMBER OF SHARDS: 1", "NUMBER OF SERIES: 1", "CACHED VALUES: 3", "NUMBER OF FILES: 0", "NUMBER OF BLOCKS: 0", "SIZE OF BLOCKS: 0"));
        // A time range limits what is read.
        await Assert.That(Explain("SELECT value FROM cpu WHERE time >= '2000-01-01T00:00:06Z'", Cpu())).Contains("CACHED VALUES: 2");
        // Nothing typed to read: an empty plan.
        await Assert.That(Explain("SELECT nothing FROM cpu", Cpu())).IsEquivalentTo(new[] { "" });
    }

    [Test]
    public async Task ExplainAnalyze_RunsTheQuery_TreeWithShardReads()
    {
        var lines = Explain("SELECT max(value) FROM cpu WHERE value > 1", Cpu(), analyze: true);
        await Assert.That(lines[0]).IsEqualTo(".");
        await Assert.That(lines[1]).IsEqualTo("└── select");
        await Assert.That(lines[2]).StartsWith("    ├── execution_time: ");
        await Assert.That(lines[3]).StartsWith("    ├── planning_time: ");
        await Assert.That(lines[4]).StartsWith("    ├── total_time: ");
        await Assert.That(lines[2]).DoesNotEndWith(": 0s");
        var tree = string.Join("\n", lines).Replace('\u00a0', ' ');
        await Assert.That(tree).Contains("    └── build_cursor\n        ├── labels\n        │   └── statement: SELECT max(value::float) FROM cpu WHERE value::float > 1\n" +
            "        └── iterator_scanner\n            ├── labels\n            │   └── expr: max(value::float)\n            └── create_iterator\n" +
            "                ├── labels\n                │   ├── cond: value::float > 1\n                │   ├── measurement: cpu\n                │   └── shard_id: 7\n" +
            "                ├── cursors_ref: 2\n                ├── cursors_aux: 0\n                ├── cursors_cond: 2\n");
        await Assert.That(lines[^1]).IsEqualTo("");
        await Assert.That(lines[^2]).StartsWith("                └── planning_time: ");
    }

    [Test]
    public async Task Execute_CancelledStatement_StopsWhileReading()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        var shard = Cpu();
        var context = new SelectContext((string db, string rp, out IReadOnlyList<IShardReader> shards, out string? error) =>
        {
            shards = [shard];
            error = null;
            return true;
        }, T0) { CancellationToken = cancel.Token };
        var stmt = (SelectStatement)InfluxQLParser.ParseStatement("SELECT value FROM cpu");
        await Assert.That(() => SelectEngine.Execute(stmt, context, new QueryResult(0))).Throws<OperationCanceledException>();
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

    [Test]
    public async Task MeanAndSum_ShardLevel_MergesEveryGroupAtOnce()
    {
        // Three weekly shards, group east (one point each) and west (three each). tsdb merges the shards with one heap
        // over all groups' partials: east's pass leaves the shards in the heap so that west's partials arrive shard 3,
        // 2, 1 (alone, 1, 3, 2), which changes the last bit. Expected values are InfluxDB 1.6.7's answers to this data.
        double[][] west = [[6.51, 30.14, 60.31], [0.34, 67.79, 33.79], [31.0, 81.85, 48.07]];
        double[] east = [12.5, 40.25, 7.75];
        var shards = new[] { new MemoryShard(), new MemoryShard(), new MemoryShard() };
        long monday = T0 + 2 * 86400 * Second; // 2000-01-03, a shard group's start
        for (int k = 0; k < shards.Length; k++)
        {
            long start = monday + k * 7 * 86400 * Second;
            shards[k].Add("m,host=a,region=east", "v", start, east[k]);
            for (int i = 0; i < west[k].Length; i++) shards[k].Add("m,host=b,region=west", "v", start + i * 60 * Second, west[k][i]);
        }
        const string range = "time >= '2000-01-03T00:00:00Z' AND time < '2000-01-24T00:00:00Z'";
        static string Row(string region, string column, string value) =>
            "{\"name\":\"m\",\"tags\":{\"region\":\"" + region + "\"},\"columns\":[\"time\",\"" + column + "\"],\"values\":[[\"2000-01-03T00:00:00Z\"," + value + "]]}";
        static string Body(params string[] rows) => "{\"results\":[{\"statement_id\":0,\"series\":[" + string.Join(",", rows) + "]}]}";
        // A point limit sends the statement through the row path; without one the partials path answers.
        foreach (var limits in new SelectLimits?[] { null, new SelectLimits(MaxPoints: int.MaxValue) })
        {
            await Assert.That(Run($"SELECT mean(v) FROM m WHERE {range} GROUP BY region", shards, limits: limits))
                .IsEqualTo(Body(Row("east", "mean", "20.166666666666668"), Row("west", "mean", "39.97777777777779")));
            await Assert.That(Run($"SELECT mean(v) FROM m WHERE {range} AND region = 'west' GROUP BY region", shards, limits: limits))
                .IsEqualTo(Body(Row("west", "mean", "39.97777777777778")));
            await Assert.That(Run($"SELECT sum(v) FROM m WHERE {range} GROUP BY region", shards, limits: limits))
                .IsEqualTo(Body(Row("east", "sum", "60.5"), Row("west", "sum", "359.80000000000007")));
            await Assert.That(Run($"SELECT sum(v) FROM m WHERE {range} AND region = 'west' GROUP BY region", shards, limits: limits))
                .IsEqualTo(Body(Row("west", "sum", "359.8")));
        }
        // ORDER BY time DESC: the heap orders the groups descending too, so west goes first and keeps shards 1, 3, 2.
        await Assert.That(Run($"SELECT mean(v) FROM m WHERE {range} GROUP BY region ORDER BY time DESC", shards))
            .IsEqualTo(Body(Row("west", "mean", "39.97777777777778"), Row("east", "mean", "20.166666666666668")));
    }

    [Test]
    public async Task PartialsPath_AnswersAsTheRowPath_OnGeneratedQueries()
    {
        // Three shards of disjoint times, five series over two tags, float, integer, boolean and string fields, gaps.
        var random = new Random(11);
        var shards = new[] { new MemoryShard(), new MemoryShard(), new MemoryShard() };
        string[] series = ["cpu,host=a,region=east", "cpu,host=b,region=east", "cpu,host=c,region=west", "cpu,host=d,region=west", "cpu,host=e"];
        for (int s = 0; s < shards.Length; s++)
        {
            foreach (var key in series)
            {
                for (int i = 0; i < 40; i++)
                {
                    if (random.Next(5) == 0) continue;
                    long t = T0 + (s * 400 + i * 10 + random.Next(3)) * Second;
                    shards[s].Add(key, "f", t, Math.Round(random.NextDouble() * 100, 2));
                    if (random.Next(3) > 0) shards[s].Add(key, "n", t, (long)random.Next(-50, 50));
                    if (random.Next(2) > 0) shards[s].Add(key, "b", t, random.Next(2) == 0);
                    if (random.Next(2) > 0) shards[s].Add(key, "s", t, "v" + random.Next(4));
                }
            }
        }
        string[] calls = ["count(f)", "sum(f)", "mean(f)", "min(f)", "max(f)", "first(f)", "last(f)", "spread(f)", "sum(n)", "mean(n)",
            "min(n)", "spread(n)", "count(b)", "first(b)", "last(b)", "max(b)", "count(s)", "first(s)", "last(s)", "max(f), min(n)", "mean(f) * 2 + sum(n)"];
        string[] groups = ["", " GROUP BY host", " GROUP BY region", " GROUP BY time(1m)", " GROUP BY time(90s, 20s), region", " GROUP BY time(5m), *"];
        string[] wheres = ["", " AND host = 'a'", " AND (host = 'b' OR host = 'e')", " AND region != 'east'", " AND host =~ /[a-c]/"];
        string[] fills = ["", " fill(none)", " fill(0)", " fill(previous)", " fill(linear)"];
        int compared = 0, nonEmpty = 0;
        for (int q = 0; q < 300; q++)
        {
            string group = groups[random.Next(groups.Length)];
            string query = $"SELECT {calls[random.Next(calls.Length)]} FROM cpu WHERE time >= '2000-01-01T00:01:00Z' AND time < '2000-01-01T00:19:00Z'" +
                wheres[random.Next(wheres.Length)] + group + (group.Contains("time(") ? fills[random.Next(fills.Length)] : "") +
                (random.Next(4) == 0 ? " LIMIT 3 OFFSET 1" : "");
            string partials = Run(query, shards);
            // A point limit sends the statement through the row path (the partials path leaves max-select-point to it).
            string rows = Run(query, shards, limits: new SelectLimits(MaxPoints: int.MaxValue));
            await Assert.That(partials).IsEqualTo(rows).Because(query);
            compared++;
            if (partials.Contains("\"values\"")) nonEmpty++;
        }
        await Assert.That(compared).IsEqualTo(300);
        await Assert.That(nonEmpty).IsGreaterThan(200);
    }
}
