using System.Buffers;
using System.Text;
using Cairn.Query.Results;

namespace Cairn.Query.Tests.Results;

/// <summary>The /query body, byte for byte as InfluxDB 1.x (Go's encoding/json) writes it.</summary>
public class QueryResponseJsonTests
{
    private static string Json(ResultFormat format, params QueryResult[] results) => Encoding.UTF8.GetString(QueryResponseJson.ToBytes(results, format));

    private static string Json(params QueryResult[] results) => Json(default, results);

    private static QueryResult Databases(params string[] names)
    {
        var result = new QueryResult(0);
        var series = new ResultSeries("databases", ["name"]);
        foreach (var name in names) series.Values.Add([name]);
        result.Series.Add(series);
        return result;
    }

    [Test]
    public async Task Write_ShowDatabases_InfluxDBBytesAndNewline()
    {
        await Assert.That(Json(Databases("db0"))).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"],\"values\":[[\"db0\"]]}]}]}\n");
    }

    [Test]
    public async Task Write_SeriesWithoutValues_OmitsValues()
    {
        await Assert.That(Json(Databases())).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"databases\",\"columns\":[\"name\"]}]}]}\n");
    }

    [Test]
    public async Task Write_ResultWithoutSeries_OnlyStatementId()
    {
        await Assert.That(Json(new QueryResult(0), new QueryResult(1))).IsEqualTo("{\"results\":[{\"statement_id\":0},{\"statement_id\":1}]}\n");
    }

    [Test]
    public async Task Write_StatementError_ErrorAfterStatementId()
    {
        await Assert.That(Json(QueryResult.Failed(0, "database not found: nodb")))
            .IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"database not found: nodb\"}]}\n");
    }

    [Test]
    public async Task Write_NoResults_EmptyObject()
    {
        await Assert.That(Json()).IsEqualTo("{}\n");
    }

    [Test]
    public async Task WriteError_RequestError_ErrorObject()
    {
        var buffer = new ArrayBufferWriter<byte>();
        QueryResponseJson.WriteError(buffer, "missing required parameter \"q\"");
        await Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan)).IsEqualTo("{\"error\":\"missing required parameter \\\"q\\\"\"}\n");
    }

    [Test]
    public async Task Write_Pretty_IndentsAsMarshalIndentWithFourSpaces()
    {
        const string expected = """
            {
                "results": [
                    {
                        "statement_id": 0,
                        "series": [
                            {
                                "name": "databases",
                                "columns": [
                                    "name"
                                ],
                                "values": [
                                    [
                                        "db0"
                                    ]
                                ]
                            }
                        ]
                    },
                    {
                        "statement_id": 1
                    }
                ]
            }

            """;
        await Assert.That(Json(new ResultFormat(Pretty: true), Databases("db0"), new QueryResult(1))).IsEqualTo(expected.Replace("\r\n", "\n"));
    }

    [Test]
    public async Task Write_PrettyError_Indented()
    {
        var buffer = new ArrayBufferWriter<byte>();
        QueryResponseJson.WriteError(buffer, "x", pretty: true);
        await Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan)).IsEqualTo("{\n    \"error\": \"x\"\n}\n");
    }

    [Test]
    public async Task Write_Strings_EscapedAsGo()
    {
        var result = new QueryResult(0);
        var series = new ResultSeries("m<&>", ["k"], [new("a\"b", "c\\d")]);
        series.Values.Add(["<a&b>", "tab\tnl\nret\r", "\u0001\u001f\b\f", "\u2028\u2029", "é😀", "\ud800x"]);
        result.Series.Add(series);
        await Assert.That(Json(result)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\\u003c\\u0026\\u003e\",\"tags\":{\"a\\\"b\":\"c\\\\d\"},\"columns\":[\"k\"],"
            + "\"values\":[[\"\\u003ca\\u0026b\\u003e\",\"tab\\tnl\\nret\\r\",\"\\u0001\\u001f\\b\\f\",\"\\u2028\\u2029\",\"é😀\",\"\\ufffdx\"]]}]}]}\n");
    }

    [Test]
    [Arguments(100.0, "100")]
    [Arguments(0.5, "0.5")]
    [Arguments(-0.0, "-0")]
    [Arguments(1e20, "100000000000000000000")]
    [Arguments(1e21, "1e+21")]
    [Arguments(1.5e300, "1.5e+300")]
    [Arguments(0.000001, "0.000001")]
    [Arguments(1e-7, "1e-7")]
    [Arguments(1.25e-10, "1.25e-10")]
    [Arguments(123456789.125, "123456789.125")]
    [Arguments(0.1 + 0.2, "0.30000000000000004")]
    public async Task Write_Float_FormattedAsEncodingJson(double value, string expected)
    {
        var result = new QueryResult(0);
        var series = new ResultSeries("", ["v"]);
        series.Values.Add([value]);
        result.Series.Add(series);
        await Assert.That(Json(result)).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"v\"],\"values\":[[" + expected + "]]}]}]}\n");
    }

    [Test]
    public async Task Write_Cells_IntegersBooleansNullsAndArrays()
    {
        var result = new QueryResult(0);
        var series = new ResultSeries("", ["a", "b", "c", "d", "e", "f"]);
        series.Values.Add([long.MinValue, ulong.MaxValue, 7, true, null, new[] { "x", "y" }]);
        result.Series.Add(series);
        await Assert.That(Json(result)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"],\"values\":[[-9223372036854775808,18446744073709551615,7,true,null,[\"x\",\"y\"]]]}]}]}\n");
    }

    [Test]
    public async Task Write_NaN_WrittenAsNull()
    {
        var result = new QueryResult(0);
        var series = new ResultSeries("", ["v"]);
        series.Values.Add([double.NaN]);
        result.Series.Add(series);
        await Assert.That(Json(result)).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"columns\":[\"v\"],\"values\":[[null]]}]}]}\n");
    }

    private static QueryResult Times(params long[] nanos)
    {
        var result = new QueryResult(0);
        var series = new ResultSeries("cpu", ["time", "value"]);
        foreach (long t in nanos) series.Values.Add([new ResultTime(t), new ResultTime(t)]);
        result.Series.Add(series);
        return result;
    }

    [Test]
    public async Task Write_Times_Rfc3339NanoTrimmed()
    {
        await Assert.That(Json(Times(1257894000000000000, 1257894000123000000, -1))).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"value\"],\"values\":["
            + "[\"2009-11-10T23:00:00Z\",\"2009-11-10T23:00:00Z\"],[\"2009-11-10T23:00:00.123Z\",\"2009-11-10T23:00:00.123Z\"],"
            + "[\"1969-12-31T23:59:59.999999999Z\",\"1969-12-31T23:59:59.999999999Z\"]]}]}]}\n");
    }

    [Test]
    [Arguments("ns", "1257894000123456789")]
    [Arguments("u", "1257894000123456")]
    [Arguments("ms", "1257894000123")]
    [Arguments("s", "1257894000")]
    [Arguments("m", "20964900")]
    [Arguments("h", "349415")]
    [Arguments("bogus", "1257894000123456789")]
    public async Task Write_Epoch_FirstColumnAsIntegerInUnit(string epoch, string expected)
    {
        string json = Json(new ResultFormat(EpochDivisor: ResultFormat.EpochDivisorOf(epoch)), Times(1257894000123456789));
        await Assert.That(json).IsEqualTo("{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"value\"],\"values\":[["
            + expected + ",\"2009-11-10T23:00:00.123456789Z\"]]}]}]}\n");
    }

    [Test]
    public async Task Write_EpochOfNegativeTime_TruncatesTowardZeroAsGo()
    {
        string json = Json(new ResultFormat(EpochDivisor: ResultFormat.EpochDivisorOf("s")), Times(-1_500_000_000));
        await Assert.That(json).Contains("\"values\":[[-1,");
    }

    [Test]
    public async Task Write_MessagesAndPartial_InGoFieldOrder()
    {
        var result = new QueryResult(0) { Partial = true };
        var series = new ResultSeries("cpu", ["time"], [new("host", "a")]) { Partial = true };
        result.Series.Add(series);
        result.Messages.Add(new ResultMessage(ResultMessage.WarningLevel, "careful"));
        await Assert.That(Json(result)).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\"],\"partial\":true}],"
            + "\"messages\":[{\"level\":\"warning\",\"text\":\"careful\"}],\"partial\":true}]}\n");
    }

    [Test]
    public async Task WriteChunk_OneResult_OneObjectPerLine()
    {
        var buffer = new ArrayBufferWriter<byte>();
        QueryResponseJson.WriteChunk(buffer, new QueryResult(0), default);
        QueryResponseJson.WriteChunk(buffer, QueryResult.Failed(1, "boom"), default);
        await Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan))
            .IsEqualTo("{\"results\":[{\"statement_id\":0}]}\n{\"results\":[{\"statement_id\":1,\"error\":\"boom\"}]}\n");
    }

    [Test]
    public async Task Buffer_SameStatementSameSeries_MergesRowsAndAppendsOthers()
    {
        var first = new QueryResult(0);
        var a = new ResultSeries("cpu", ["v"]);
        a.Values.Add([1L]);
        first.Series.Add(a);
        var second = new QueryResult(0);
        var a2 = new ResultSeries("cpu", ["v"]);
        a2.Values.Add([2L]);
        var b = new ResultSeries("mem", ["v"]);
        b.Values.Add([3L]);
        second.Series.Add(a2);
        second.Series.Add(b);

        var buffer = new QueryResponseBuffer();
        buffer.Add(first);
        buffer.Add(second);
        buffer.Add(new QueryResult(1));
        await Assert.That(Json(buffer.Results.ToArray())).IsEqualTo(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"v\"],\"values\":[[1],[2]]},{\"name\":\"mem\",\"columns\":[\"v\"],\"values\":[[3]]}]},{\"statement_id\":1}]}\n");
    }

    [Test]
    public async Task Buffer_ErrorForSameStatement_ReplacesIt()
    {
        var buffer = new QueryResponseBuffer();
        buffer.Add(Databases("db0"));
        buffer.Add(QueryResult.Failed(0, "boom"));
        await Assert.That(Json(buffer.Results.ToArray())).IsEqualTo("{\"results\":[{\"statement_id\":0,\"error\":\"boom\"}]}\n");
    }

    [Test]
    [Arguments(0L, "1970-01-01T00:00:00Z")]
    [Arguments(946857600000000000L, "2000-01-03T00:00:00Z")]
    [Arguments(946857600999999999L, "2000-01-03T00:00:00Z")]
    [Arguments(-1L, "1969-12-31T23:59:59Z")]
    [Arguments(long.MaxValue, "2262-04-11T23:47:16Z")]
    [Arguments(long.MinValue + 2, "1677-09-21T00:12:43Z")]
    public async Task Rfc3339_WholeSecondsRoundedDown(long nanos, string expected)
    {
        await Assert.That(ResultText.Rfc3339(nanos)).IsEqualTo(expected);
    }

    [Test]
    public async Task Duration_GoDurationString()
    {
        await Assert.That(ResultText.Duration(0)).IsEqualTo("0s");
        await Assert.That(ResultText.Duration(168L * 3_600_000_000_000)).IsEqualTo("168h0m0s");
        await Assert.That(ResultText.Duration(90L * 60_000_000_000)).IsEqualTo("1h30m0s");
    }
}
