using System.Buffers;
using System.Text;
using Cairn.Query.Results;

namespace Cairn.Query.Tests.Results;

/// <summary>The CSV and MessagePack encodings of /query answers, as InfluxDB's formatters write them.</summary>
public class QueryResponseFormatsTests
{
    private static QueryResult Databases(int id, params string[] names)
    {
        var result = new QueryResult(id);
        var series = new ResultSeries("databases", ["name"]);
        foreach (var n in names) series.Values.Add([n]);
        result.Series.Add(series);
        return result;
    }

    private static string Csv(IReadOnlyList<QueryResult> results, ResultFormat format = default)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new QueryResponseCsv(format).Write(buffer, results);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Test]
    public async Task Csv_ShowDatabases_AsInfluxDBDocumentsIt()
    {
        await Assert.That(Csv([Databases(0, "_internal", "mydb")])).IsEqualTo("name,tags,name\ndatabases,,_internal\ndatabases,,mydb\n");
    }

    [Test]
    public async Task Csv_TagsTimesNullsAndQuoting()
    {
        var result = new QueryResult(0);
        var series = new ResultSeries("cpu", ["time", "value", "note"], [new("region", "us,west"), new("host", "a")]);
        series.Values.Add([new ResultTime(1_000_000_000), 1.5, "say \"hi\""]);
        series.Values.Add([new ResultTime(2_000_000_000), null, " lead"]);
        result.Series.Add(series);
        await Assert.That(Csv([result])).IsEqualTo(
            "name,tags,time,value,note\n" +
            "cpu,\"host=a,region=us,west\",1000000000,1.5,\"say \"\"hi\"\"\"\n" +
            "cpu,\"host=a,region=us,west\",2000000000,,\" lead\"\n");
        await Assert.That(Csv([result], new ResultFormat(EpochDivisor: 1_000_000_000))).Contains("cpu,\"host=a,region=us,west\",1,1.5,");
    }

    [Test]
    public async Task Csv_SkipsStatementsWithoutSeries_AndSeparatesStatementsByABlankLine()
    {
        var text = Csv([new QueryResult(0), Databases(1, "a"), Databases(2, "b")]);
        await Assert.That(text).IsEqualTo("name,tags,name\ndatabases,,a\n\nname,tags,name\ndatabases,,b\n");
    }

    [Test]
    public async Task Msgpack_EncodesAsTinylibMsgp()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var result = new QueryResult(0);
        var series = new ResultSeries("m", ["time", "v"]);
        series.Values.Add([new ResultTime(1_500_000_000), 200L]);
        result.Series.Add(series);
        QueryResponseMsgpack.Write(buffer, [result], default);
        var expected = new List<byte> { 0x81, 0xa7 };
        expected.AddRange("results"u8.ToArray());
        expected.AddRange([0x91, 0x82, 0xac]);
        expected.AddRange("statement_id"u8.ToArray());
        expected.Add(0x00);
        expected.Add(0xa6);
        expected.AddRange("series"u8.ToArray());
        expected.AddRange([0x91, 0x83, 0xa4]);
        expected.AddRange("name"u8.ToArray());
        expected.AddRange([0xa1, (byte)'m', 0xa7]);
        expected.AddRange("columns"u8.ToArray());
        expected.AddRange([0x92, 0xa4]);
        expected.AddRange("time"u8.ToArray());
        expected.AddRange([0xa1, (byte)'v', 0xa6]);
        expected.AddRange("values"u8.ToArray());
        // one row: [time ext(5) 1 s + 500000000 ns, int16 200]
        expected.AddRange([0x91, 0x92, 0xc7, 12, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0x1d, 0xcd, 0x65, 0x00, 0xd1, 0x00, 0xc8]);
        await Assert.That(Convert.ToHexString(buffer.WrittenSpan)).IsEqualTo(Convert.ToHexString(expected.ToArray()));
    }
}
