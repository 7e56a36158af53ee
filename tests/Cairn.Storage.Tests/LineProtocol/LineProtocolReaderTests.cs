using System.Text;
using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Tests.LineProtocol;

public class LineProtocolReaderTests
{
    [Test]
    public async Task MoveNext_PartialBody_KeepsGoodLinesAndReportsEachBadOne()
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes("cpu v=1 1\ncpu v=x 2\n\ncpu v=3 3\n  mem free= 4\ncpu v=5 5");

        (List<long> timestamps, List<string> errors, int pointCount, int errorCount) = ReadTimestampsAndErrors(body);

        await Assert.That(string.Join(",", timestamps)).IsEqualTo("1,3,5");
        await Assert.That(errors.Count).IsEqualTo(2);
        await Assert.That(errors[0]).IsEqualTo("unable to parse 'cpu v=x 2': invalid boolean");
        await Assert.That(errors[1]).IsEqualTo("unable to parse 'mem free= 4': missing field value");
        await Assert.That(pointCount).IsEqualTo(3);
        await Assert.That(errorCount).IsEqualTo(2);
        await Assert.That(WriteErrorText.ForParseErrors(errors, pointCount)).IsEqualTo(
            "partial write: unable to parse 'cpu v=x 2': invalid boolean\nunable to parse 'mem free= 4': missing field value dropped=0");
    }

    [Test]
    public async Task Current_Spans_ExposeEscapedKeyAndUnescapedParts()
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes(@"my\ cpu,z=1,host=a\,b up\ time=5i,msg=""say \""hi\"""",ok=T 42");

        string[] seen = DescribeFirstPoint(body);

        await Assert.That(string.Join(" | ", seen)).IsEqualTo(
            @"my\ cpu,host=a\,b,z=1 | my\ cpu | my cpu | host=a,b | up time | Integer 5 | say ""hi"" | True | 42 | 2 tags 3 fields");
    }

    [Test]
    public async Task Current_SortedTags_SeriesKeyIsTheLineItself()
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes("cpu,a=1,b=2 v=1");

        await Assert.That(SeriesKeyOverlapsBody(body)).IsTrue();
    }

    [Test]
    public async Task GetTag_OutOfRange_Throws()
    {
        var parser = new LineProtocolParser();
        await Assert.That(() =>
        {
            var reader = parser.Read("cpu,a=1 v=1"u8, Lp.Now);
            reader.MoveNext();
            reader.Current.GetTag(1);
        }).Throws<ArgumentOutOfRangeException>();
    }

    [Test]
    public async Task Parser_ReusedAcrossBodies_ForgetsThePreviousLine()
    {
        var parser = new LineProtocolParser();
        List<Point> first = parser.ParseAll(System.Text.Encoding.UTF8.GetBytes(@"a\ b,z=1,y=2 s=""x\""y"",v=1i 1"), Lp.Now);
        List<Point> second = parser.ParseAll("c v=2 2"u8, Lp.Now);

        await Assert.That(Lp.Render(first[0])).IsEqualTo(@"a\ b,y=2,z=1 | a b | y=2 z=1 | s=""x""y"":String v=1:Integer | 1");
        await Assert.That(Lp.Render(second[0])).IsEqualTo("c | c | | v=2#4000000000000000:Float | 2");
    }

    [Test]
    public async Task Parse_TsbsBody_AllocatesNothingOnceWarm()
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i =>
            $"cpu,hostname=host_{i},region=eu-west-1,datacenter=eu-west-1a,rack=6,os=Ubuntu16.10,arch=x86,team=SF,service=19,"
            + "service_version=1,service_environment=test usage_user=58i,usage_system=2i,usage_idle=24i,usage_nice=61i,"
            + $"usage_iowait=22i,usage_irq=63i,usage_softirq=6i,usage_steal=44i,usage_guest=80.5,usage_guest_nice=true {i}\n")));
        var parser = new LineProtocolParser();
        long checksum = ReadAll(parser, body);

        // The least of a few warm measurements: a one-off runtime allocation on this thread must not
        // fail the test; a per-line allocation shows in every one.
        long allocated = long.MaxValue;
        for (int attempt = 0; attempt < 5 && allocated != 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            checksum += ReadAll(parser, body);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        await Assert.That(allocated).IsEqualTo(0L);
        await Assert.That(checksum).IsNotEqualTo(0L);
    }

    private static (List<long> Timestamps, List<string> Errors, int PointCount, int ErrorCount) ReadTimestampsAndErrors(byte[] body)
    {
        var timestamps = new List<long>();
        var errors = new List<string>();
        var reader = new LineProtocolParser().Read(body, Lp.Now);
        while (reader.MoveNext())
        {
            if (reader.IsError)
            {
                errors.Add(reader.Error.Message);
                continue;
            }

            timestamps.Add(reader.Current.Timestamp);
        }

        return (timestamps, errors, reader.PointCount, reader.ErrorCount);
    }

    private static string[] DescribeFirstPoint(byte[] body)
    {
        var reader = new LineProtocolParser().Read(body, Lp.Now);
        reader.MoveNext();
        ParsedPoint point = reader.Current;
        PointTag tag = point.GetTag(0);
        ParsedField uptime = point.GetField(0);
        return
        [
            System.Text.Encoding.UTF8.GetString(point.SeriesKey),
            System.Text.Encoding.UTF8.GetString(point.EscapedMeasurement),
            System.Text.Encoding.UTF8.GetString(point.Measurement),
            System.Text.Encoding.UTF8.GetString(tag.Key) + "=" + System.Text.Encoding.UTF8.GetString(tag.Value),
            System.Text.Encoding.UTF8.GetString(uptime.Key),
            $"{uptime.Type} {uptime.Integer}",
            point.GetField(1).StringValue(),
            point.GetField(2).Boolean.ToString(),
            point.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{point.TagCount} tags {point.FieldCount} fields",
        ];
    }

    private static bool SeriesKeyOverlapsBody(byte[] body)
    {
        var reader = new LineProtocolParser().Read(body, Lp.Now);
        reader.MoveNext();
        return reader.Current.SeriesKey.Overlaps(body);
    }

    private static long ReadAll(LineProtocolParser parser, byte[] body)
    {
        long checksum = 0;
        var reader = parser.Read(body, Lp.Now);
        while (reader.MoveNext())
        {
            ParsedPoint point = reader.Current;
            checksum += point.SeriesKey.Length + point.Measurement.Length + point.Timestamp;
            for (int t = 0; t < point.TagCount; t++)
            {
                checksum += point.GetTag(t).Value.Length;
            }

            for (int f = 0; f < point.FieldCount; f++)
            {
                ParsedField field = point.GetField(f);
                checksum += field.Key.Length + (field.Type == FieldType.Integer ? field.Integer : 1);
            }
        }

        return checksum;
    }
}
