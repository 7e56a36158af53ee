using System.Text;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Query.Parsing;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Tests.Engine;

/// <summary>
/// The technical-analysis transformations against values InfluxDB 1.6.7 printed for the same input (the
/// series 1, 3, 2, 5, 5, 4, 7, 6 at 10 s steps unless said otherwise), their warmup and hold rules, and the
/// compile errors.
/// </summary>
public class TechnicalAnalysisTests
{
    private const long Second = 1_000_000_000L;

    private static readonly double[] Prices = [1, 3, 2, 5, 5, 4, 7, 6];

    private static List<(long Time, object Value)> Series(params double[] values)
    {
        var input = new List<(long, object)>();
        for (int i = 0; i < values.Length; i++) input.Add(((i + 1) * 10 * Second, values[i]));
        return input;
    }

    private static Call Parse(string call) =>
        (Call)((SelectStatement)InfluxQLParser.ParseStatement($"SELECT {call} FROM m")).Fields[0].Expr;

    private static List<(long Time, object Value)> Apply(string call, List<(long Time, object Value)> input, long interval = 10 * Second) =>
        TechnicalAnalysis.Apply(Parse(call), input, interval);

    private static string Format(List<(long Time, object Value)> points)
    {
        var text = new StringBuilder();
        foreach (var (t, v) in points)
            text.Append(t / Second).Append('=').Append(GoFormat.FormatFloatG((double)v)).Append(' ');
        return text.ToString().TrimEnd();
    }

    [Test]
    public async Task Apply_ExponentialMovingAverage_MatchesInfluxDb()
    {
        await Assert.That(Format(Apply("exponential_moving_average(v, 2)", Series(Prices)))).IsEqualTo(
            "20=2.333333333333333 30=2.111111111111111 40=4.037037037037037 50=4.679012345679013 60=4.226337448559671 70=6.075445816186557 80=6.025148605395519");
    }

    [Test]
    public async Task Apply_DoubleAndTripleExponential_MatchInfluxDb()
    {
        await Assert.That(Format(Apply("double_exponential_moving_average(v, 2)", Series(Prices)))).IsEqualTo(
            "20=2.7777777777777777 30=2.185185185185185 40=4.703703703703704 50=5.1152263374485605 60=4.22085048010974 70=6.689986282578875 80=6.213229690595946");
        await Assert.That(Format(Apply("triple_exponential_moving_average(v, 2)", Series(Prices)))).IsEqualTo(
            "20=2.9259259259259256 30=2.111111111111111 40=4.876543209876543 50=5.0960219478738 60=4.067215363511659 70=6.845450388660264 80=6.122897932225778");
    }

    [Test]
    public async Task Apply_OscillatorsAndKaufmans_MatchInfluxDb()
    {
        await Assert.That(Format(Apply("relative_strength_index(v, 2)", Series(Prices)))).IsEqualTo(
            "30=62.5 40=88.46153846153847 50=88.46153846153847 60=46 70=86.08247422680412 80=57.58620689655173");
        await Assert.That(Format(Apply("triple_exponential_derivative(v, 2)", Series(Prices)))).IsEqualTo(
            "30=18.60465116279071 40=52.2875816993464 50=31.664282308059132 60=7.823252444766404 70=22.483484492218086 80=11.132441519131353");
        await Assert.That(Format(Apply("kaufmans_efficiency_ratio(v, 2)", Series(Prices)))).IsEqualTo(
            "30=0.3333333333333333 40=0.5 50=1 60=1 70=0.5 80=0.5");
        await Assert.That(Format(Apply("kaufmans_adaptive_moving_average(v, 2)", Series(Prices)))).IsEqualTo(
            "30=2.929651469020182 40=3.2063681879255665 50=4.00353788218087 60=4.001965490100483 70=4.402673998996753 80=4.616167912415617");
        await Assert.That(Format(Apply("chande_momentum_oscillator(v, 2)", Series(Prices)))).IsEqualTo(
            "20=100 30=33.33333333333333 40=50 50=100 60=-100 70=50 80=50");
    }

    [Test]
    public async Task Apply_WarmupTypes_SimpleAveragesUntilWarmExponentialScalesAlpha()
    {
        // Simple: 1, (1+3)/2, (2·2+2)/3, then alpha 2/(3+1): (5-2)·0.5+2.
        await Assert.That(Format(Apply("exponential_moving_average(v, 3, 0, 'simple')", Series(1, 3, 2, 5)))).IsEqualTo("10=1 20=2 30=2 40=3.5");
        // Exponential: alpha 2/(count+2) while warming; InfluxDB printed these for EMA(mean, 3, 0).
        await Assert.That(Format(Apply("exponential_moving_average(v, 3, 0, 'exponential')", Series(1, 3, 2, 5)))).IsEqualTo(
            "10=1 20=2.333333333333333 30=2.1666666666666665 40=3.583333333333333");
        // The simple warmup of a double average waits for both averages (2·(3-1) inputs held by default).
        await Assert.That(Apply("double_exponential_moving_average(v, 3, -1, 'simple')", Series(Prices)).Count).IsEqualTo(Prices.Length - 4);
        // The smoothed oscillator (a warmup type given) differs from the plain one.
        await Assert.That(Format(Apply("chande_momentum_oscillator(v, 2, 0, 'exponential')", Series(2, 2, 2, 2)))).IsEqualTo("10=100 20=100 30=100 40=100");
        await Assert.That(Format(Apply("chande_momentum_oscillator(v, 2, 0)", Series(2, 2, 2, 2)))).IsEqualTo("10=0 20=0 30=0 40=0");
    }

    [Test]
    public async Task Apply_TooFewPoints_NothingReported()
    {
        await Assert.That(Apply("exponential_moving_average(v, 5)", Series(1, 2, 3, 4))).IsEmpty();
        await Assert.That(Apply("kaufmans_efficiency_ratio(v, 4)", Series(1, 2, 3, 4))).IsEmpty();
        await Assert.That(Apply("triple_exponential_derivative(v, 4)", Series(1, 2, 3, 4))).IsEmpty();
        await Assert.That(Apply("holt_winters(mean(v), 3, 0)", Series(5))).IsEmpty();
        await Assert.That(Apply("holt_winters(mean(v), 3, 4)", Series(1, 2, 3))).IsEmpty();
        await Assert.That(Apply("exponential_moving_average(v, 2, 0)", [])).IsEmpty();
        // A huge period holds everything back without allocating a ring of that size.
        await Assert.That(Apply("kaufmans_efficiency_ratio(v, 1000000000000)", Series(Prices))).IsEmpty();
        await Assert.That(Apply("chande_momentum_oscillator(v, 1000000000000)", Series(Prices))).IsEmpty();
    }

    [Test]
    public async Task Apply_PeriodLongerThanInput_SameAsWithAFullSizedRing()
    {
        // With hold period 0 the partial results are reported; a period beyond the input must not change them.
        await Assert.That(Format(Apply("kaufmans_adaptive_moving_average(v, 1000000000000, 0)", Series(Prices))))
            .IsEqualTo(Format(Apply("kaufmans_adaptive_moving_average(v, 9, 0)", Series(Prices))));
        await Assert.That(Format(Apply("chande_momentum_oscillator(v, 1000000000000, 0)", Series(Prices))))
            .IsEqualTo(Format(Apply("chande_momentum_oscillator(v, 10, 0)", Series(Prices))));
    }

    [Test]
    public async Task Apply_ZeroChanges_NaNReportedInfiniteRatiosDropped()
    {
        // RSI and the smoothed CMO of a flat zero series divide 0 by 0: InfluxDB reports the point (null).
        var rsi = Apply("relative_strength_index(v, 2, 0)", Series(0, 0, 0, 1));
        await Assert.That(rsi.Count).IsEqualTo(4);
        await Assert.That(double.IsNaN((double)rsi[0].Value)).IsTrue();
        await Assert.That((double)rsi[3].Value).IsEqualTo(100);
        // TRIX's change from a zero average is infinite and dropped; 0/0 is NaN and kept.
        var trix = Apply("triple_exponential_derivative(v, 2, 1)", Series(0, 0, 0, 1));
        await Assert.That(trix.Count).IsEqualTo(2);
        await Assert.That(trix[^1].Time).IsEqualTo(30 * Second);
    }

    [Test]
    public async Task Apply_HoltWinters_MatchesInfluxDbNelderMeadFit()
    {
        await Assert.That(Format(Apply("holt_winters(mean(v), 3, 0)", Series(Prices)))).IsEqualTo(
            "90=6.75927250531422 100=7.0944964182094505 110=7.370669039583398");
        await Assert.That(Format(Apply("holt_winters_with_fit(mean(v), 3, 2)", Series(Prices)))).IsEqualTo(
            "10=1 20=2.3184596879089807 30=2.7838926895974763 40=4.316965360206231 50=4.681208720755388 60=5.285124097739347 "
            + "70=6.782716425809348 80=5.744749338194593 90=8.582444483766999 100=5.955991715058919 110=9.858451614999815");
    }

    [Test]
    public async Task Apply_HoltWintersGapsAndDescendingInput_GapSkippedDescendingEmpty()
    {
        // A missing interval is a NaN in the fit: the forecast still starts after the last value.
        var gapped = new List<(long Time, object Value)> { (10 * Second, 1.0), (20 * Second, 2.0), (40 * Second, 4.0), (50 * Second, 5.0) };
        var forecast = Apply("holt_winters(mean(v), 2, 0)", gapped);
        await Assert.That(forecast.Select(p => p.Time / Second)).IsEquivalentTo(new long[] { 60, 70 });
        var descending = Series(Prices);
        descending.Reverse();
        await Assert.That(Apply("holt_winters(mean(v), 2, 0)", descending)).IsEmpty();
    }

    [Test]
    [Arguments("exponential_moving_average(v)", "invalid number of arguments for exponential_moving_average, expected at least 2 but no more than 4, got 1")]
    [Arguments("exponential_moving_average(v, 1.5)", "exponential_moving_average period must be an integer")]
    [Arguments("relative_strength_index(v, 0)", "relative_strength_index period must be greater than or equal to 1")]
    [Arguments("exponential_moving_average(v, 2, -2)", "exponential_moving_average hold period must be greater than or equal to 0")]
    [Arguments("triple_exponential_derivative(v, 2, 0)", "triple_exponential_derivative hold period must be greater than or equal to 1")]
    [Arguments("exponential_moving_average(v, 2, -1, 'none')", "exponential_moving_average warmup type must be one of: 'exponential' 'simple'")]
    [Arguments("exponential_moving_average(v, 2, -1, 3)", "exponential_moving_average warmup type must be a string")]
    [Arguments("kaufmans_efficiency_ratio(v, 2, 1, 1)", "invalid number of arguments for kaufmans_efficiency_ratio, expected at least 2 but no more than 3, got 4")]
    [Arguments("kaufmans_adaptive_moving_average(v, 2, 1.0)", "kaufmans_adaptive_moving_average hold period must be an integer")]
    [Arguments("chande_momentum_oscillator(v, 2, 0, 'bogus')", "chande_momentum_oscillator warmup type must be one of: 'none' 'exponential' 'simple'")]
    [Arguments("exponential_moving_average(mean(v), 2)", "exponential_moving_average aggregate requires a GROUP BY interval")]
    [Arguments("holt_winters(v, 2, 1)", "must use aggregate function with holt_winters")]
    [Arguments("holt_winters(mean(v), 2)", "invalid number of arguments for holt_winters, expected 3, got 2")]
    [Arguments("holt_winters(mean(v), 0, 1)", "second arg to holt_winters must be greater than 0, got 0")]
    [Arguments("holt_winters_with_fit(mean(v), 2, -1)", "third arg to holt_winters_with_fit cannot be negative, got -1")]
    [Arguments("holt_winters(mean(v), 2, 1)", "holt_winters aggregate requires a GROUP BY interval")]
    [Arguments("exponential_moving_average(v, 2), v", "mixing aggregate and non-aggregate queries is not supported")]
    public async Task Compile_BadArguments_InfluxDbErrorText(string fields, string expected)
    {
        var stmt = (SelectStatement)InfluxQLParser.ParseStatement($"SELECT {fields} FROM m");
        await Assert.That(SelectCompiler.Compile(stmt, 0, out _)).IsEqualTo(expected);
    }

    [Test]
    public async Task Compile_InnerDistinctOrFieldUnderGroupBy_InfluxDbErrorText()
    {
        var distinct = (SelectStatement)InfluxQLParser.ParseStatement("SELECT exponential_moving_average(distinct(v), 2) FROM m WHERE time < 100s GROUP BY time(10s)");
        await Assert.That(SelectCompiler.Compile(distinct, 0, out _)).IsEqualTo("aggregate function distinct() cannot be combined with other functions or fields");
        var field = (SelectStatement)InfluxQLParser.ParseStatement("SELECT exponential_moving_average(v, 2) FROM m GROUP BY time(10s)");
        await Assert.That(SelectCompiler.Compile(field, 0, out _)).IsEqualTo("aggregate function required inside the call to exponential_moving_average");
    }

    /// <summary>One series m with field v; an absent value in <paramref name="values"/> (NaN) is no point.</summary>
    private sealed class OneSeries(params double[] values) : IShardReader
    {
        private static readonly byte[] Key = "m"u8.ToArray();

        public IReadOnlyList<string> Measurements() => ["m"];

        public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement) => [("v", FieldType.Float)];

        public IReadOnlyList<string> TagKeys(string measurement) => [];

        public IReadOnlyList<SeriesEntry> Series(string measurement) => [new SeriesEntry(Key, [])];

        public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) => default;

        public ulong ShardId => 1;

        public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime)
        {
            var times = new List<long>();
            var bits = new List<long>();
            for (int i = 0; i < values.Length; i++)
            {
                long t = (i + 1) * 10 * Second;
                if (double.IsNaN(values[i]) || t < minTime || t > maxTime) continue;
                times.Add(t);
                bits.Add(BitConverter.DoubleToInt64Bits(values[i]));
            }
            return times.Count == 0 ? null : new ShardValues(FieldType.Float, [.. times], [.. bits], []);
        }
    }

    private static string Run(string query, IShardReader shard) => SelectRunner.Run(query, [shard], 3600 * Second);

    [Test]
    public async Task Execute_NullWindowsSkippedExtraWindowReported_AsInfluxDb()
    {
        // Windows 30s..90s are read (one before the range); 30s's average is reported although before it, the
        // empty 90s window is skipped by the average but keeps its row for mean(v). Bytes from InfluxDB 1.6.7.
        var shard = new OneSeries(Prices);
        await Assert.That(Run("SELECT mean(v), exponential_moving_average(mean(v), 3, 0) FROM m WHERE time >= 40s AND time < 100s GROUP BY time(10s)", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"mean\",\"exponential_moving_average\"],\"values\":["
            + "[\"1970-01-01T00:00:30Z\",null,2],[\"1970-01-01T00:00:40Z\",5,4],[\"1970-01-01T00:00:50Z\",5,4.5],[\"1970-01-01T00:01:00Z\",4,4.25],"
            + "[\"1970-01-01T00:01:10Z\",7,5.625],[\"1970-01-01T00:01:20Z\",6,5.8125],[\"1970-01-01T00:01:30Z\",null,null]]}]}]}");
    }

    [Test]
    public async Task Execute_RangeStartsMidWindow_AggregateOfItsOwnReadsOnlyTheRange()
    {
        // From 35s: mean(v)'s 30s window has no point at or after 35s (null); the average's input read from 25s has 30s.
        var shard = new OneSeries(Prices);
        await Assert.That(Run("SELECT mean(v), exponential_moving_average(mean(v), 2, 0) FROM m WHERE time >= 35s AND time < 70s GROUP BY time(10s) fill(previous)", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"mean\",\"exponential_moving_average\"],\"values\":["
            + "[\"1970-01-01T00:00:30Z\",null,2],[\"1970-01-01T00:00:40Z\",5,4],[\"1970-01-01T00:00:50Z\",5,4.666666666666667],[\"1970-01-01T00:01:00Z\",4,4.222222222222222]]}]}]}");
    }

    [Test]
    public async Task Execute_NoLowerTimeBound_EmptyAscendingAnsweredDescending()
    {
        // InfluxDB 1.6.7: the input's start, one interval before the minimum time, wraps around when ascending.
        var shard = new OneSeries(Prices);
        await Assert.That(Run("SELECT exponential_moving_average(mean(v), 2, 0) FROM m WHERE time < 60s GROUP BY time(10s)", shard))
            .IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
        await Assert.That(Run("SELECT exponential_moving_average(mean(v), 2, 0) FROM m WHERE time < 60s GROUP BY time(10s) ORDER BY time DESC", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"exponential_moving_average\"],\"values\":["
            + "[\"1970-01-01T00:01:00Z\",4],[\"1970-01-01T00:00:50Z\",4.666666666666667],[\"1970-01-01T00:00:40Z\",4.888888888888889],"
            + "[\"1970-01-01T00:00:30Z\",2.9629629629629632],[\"1970-01-01T00:00:20Z\",2.9876543209876543],[\"1970-01-01T00:00:10Z\",1.662551440329218]]}]}]}");
    }

    [Test]
    public async Task Execute_OrderByTimeDesc_ExtraWindowAfterTheRange()
    {
        var shard = new OneSeries(Prices);
        await Assert.That(Run("SELECT mean(v), exponential_moving_average(mean(v), 2, 0) FROM m WHERE time >= 20s AND time < 60s GROUP BY time(10s) ORDER BY time DESC", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"mean\",\"exponential_moving_average\"],\"values\":["
            + "[\"1970-01-01T00:01:00Z\",null,4],[\"1970-01-01T00:00:50Z\",5,4.666666666666667],[\"1970-01-01T00:00:40Z\",5,4.888888888888889],"
            + "[\"1970-01-01T00:00:30Z\",2,2.9629629629629632],[\"1970-01-01T00:00:20Z\",3,2.9876543209876543]]}]}]}");
    }

    [Test]
    public async Task Execute_HoltWinters_ForecastsPastTheWindowsAndSkipsNullWindows()
    {
        var shard = new OneSeries(Prices);
        await Assert.That(Run("SELECT holt_winters(mean(v), 3, 0) FROM m WHERE time >= 0s AND time < 100s GROUP BY time(10s)", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"holt_winters\"],\"values\":["
            + "[\"1970-01-01T00:01:30Z\",6.75927250531422],[\"1970-01-01T00:01:40Z\",7.0944964182094505],[\"1970-01-01T00:01:50Z\",7.370669039583398]]}]}]}");
        await Assert.That(Run("SELECT holt_winters(mean(v), 3, 0) FROM m WHERE time >= 0s AND time < 100s GROUP BY time(10s) ORDER BY time DESC", shard))
            .IsEqualTo("{\"results\":[{\"statement_id\":0}]}");
    }

    [Test]
    public async Task Execute_MovingAverageAndCumulativeSum_ReadOneAndNoWindowBeforeTheRange()
    {
        // InfluxDB 1.6.7: moving_average(mean, 3) from 40s starts at 50s (windows 30, 40, 50); cumulative_sum starts at 40s.
        var shard = new OneSeries(Prices);
        await Assert.That(Run("SELECT moving_average(mean(v), 3) FROM m WHERE time >= 40s AND time < 100s GROUP BY time(10s)", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"moving_average\"],\"values\":["
            + "[\"1970-01-01T00:00:50Z\",4],[\"1970-01-01T00:01:00Z\",4.666666666666667],[\"1970-01-01T00:01:10Z\",5.333333333333333],[\"1970-01-01T00:01:20Z\",5.666666666666667]]}]}]}");
        await Assert.That(Run("SELECT cumulative_sum(mean(v)) FROM m WHERE time >= 40s AND time < 100s GROUP BY time(10s)", shard)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"cumulative_sum\"],\"values\":["
            + "[\"1970-01-01T00:00:40Z\",5],[\"1970-01-01T00:00:50Z\",10],[\"1970-01-01T00:01:00Z\",14],[\"1970-01-01T00:01:10Z\",21],[\"1970-01-01T00:01:20Z\",27]]}]}]}");
    }
}
