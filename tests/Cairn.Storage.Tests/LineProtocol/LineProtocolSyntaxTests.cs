using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Tests.LineProtocol;

public class LineProtocolSyntaxTests
{
    private const string TsbsLine =
        "cpu,hostname=host_1,region=eu-west-1,datacenter=eu-west-1a,rack=6,os=Ubuntu16.10,arch=x86,team=SF,service=19,"
        + "service_version=1,service_environment=test usage_user=58i,usage_system=2i,usage_idle=24i,usage_nice=61i,"
        + "usage_iowait=22i,usage_irq=63i,usage_softirq=6i,usage_steal=44i,usage_guest=80i,usage_guest_nice=38i "
        + "1451606400000000000";

    [Test]
    public async Task Parse_TsbsLine_SortsTagsIntoSeriesKey()
    {
        Point point = Lp.Single(TsbsLine);

        await Assert.That(point.SeriesKey).IsEqualTo(
            "cpu,arch=x86,datacenter=eu-west-1a,hostname=host_1,os=Ubuntu16.10,rack=6,region=eu-west-1,service=19,"
            + "service_environment=test,service_version=1,team=SF");
        await Assert.That(point.Measurement).IsEqualTo("cpu");
        await Assert.That(point.Tags.Count).IsEqualTo(10);
        await Assert.That(point.Tags[0]).IsEqualTo(new KeyValuePair<string, string>("arch", "x86"));
        await Assert.That(point.Fields.Count).IsEqualTo(10);
        await Assert.That(point.Fields[0]).IsEqualTo(new Field("usage_user", FieldType.Integer, 58L));
        await Assert.That(point.Fields[9]).IsEqualTo(new Field("usage_guest_nice", FieldType.Integer, 38L));
        await Assert.That(point.Timestamp).IsEqualTo(1451606400000000000L);
    }

    [Test]
    public async Task Parse_NoTimestamp_UsesNow()
    {
        Point point = Lp.Single("cpu value=1");

        await Assert.That(point.Timestamp).IsEqualTo(Lp.Now);
        await Assert.That(point.Fields[0]).IsEqualTo(new Field("value", FieldType.Float, 1.0));
        await Assert.That(point.SeriesKey).IsEqualTo("cpu");
        await Assert.That(point.Tags.Count).IsEqualTo(0);
    }

    [Test]
    [Arguments("cpu v=1", 1.0)]
    [Arguments("cpu v=1.5", 1.5)]
    [Arguments("cpu v=-1e10", -1e10)]
    [Arguments("cpu v=.5", 0.5)]
    [Arguments("cpu v=1.", 1.0)]
    [Arguments("cpu v=-.5", -0.5)]
    [Arguments("cpu v=1.0e4", 1e4)]
    [Arguments("cpu v=1E4", 1e4)]
    [Arguments("cpu v=1.0e-4", 1e-4)]
    [Arguments("cpu v=-1.0E-4", -1e-4)]
    [Arguments("cpu v=6.632243e+06", 6632243.0)]
    [Arguments("cpu v=1.e5", 1e5)]
    [Arguments("cpu v=0.1", 0.1)]
    [Arguments("cpu v=123456789012345.6", 123456789012345.6)]
    [Arguments("cpu v=3.141592653589793238462643383279", 3.141592653589793)]
    [Arguments("cpu v=1e-400", 0.0)]
    [Arguments("cpu v=4.9e-324", 4.9e-324)]
    public async Task Parse_FloatForms_GiveCorrectlyRoundedDouble(string line, double expected)
    {
        Field field = Lp.Single(line).Fields[0];

        await Assert.That(field.Type).IsEqualTo(FieldType.Float);
        await Assert.That((double)field.Value).IsEqualTo(expected);
    }

    [Test]
    public async Task Parse_NegativeZero_KeepsItsSign()
    {
        double value = (double)Lp.Single("cpu v=-0").Fields[0].Value;

        await Assert.That(BitConverter.DoubleToInt64Bits(value)).IsEqualTo(BitConverter.DoubleToInt64Bits(-0.0));
    }

    [Test]
    public async Task Parse_FloatExtremes_AreKept()
    {
        string max = double.MaxValue.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        await Assert.That((double)Lp.Single($"cpu v={max}").Fields[0].Value).IsEqualTo(double.MaxValue);
        await Assert.That((double)Lp.Single($"cpu v=-{max}").Fields[0].Value).IsEqualTo(-double.MaxValue);
        await Assert.That((double)Lp.Single($"cpu v=0000{max}").Fields[0].Value).IsEqualTo(double.MaxValue);
        await Assert.That(Lp.Reason($"cpu v=1{max}")).IsEqualTo("invalid float");
        await Assert.That(Lp.Reason($"cpu v=-1{max}")).IsEqualTo("invalid float");
    }

    [Test]
    [Arguments("cpu v=123i", 123L)]
    [Arguments("cpu v=-1i", -1L)]
    [Arguments("cpu v=9223372036854775807i", long.MaxValue)]
    [Arguments("cpu v=-9223372036854775808i", long.MinValue)]
    [Arguments("cpu v=0009223372036854775807i", long.MaxValue)]
    [Arguments("cpu v=-0009223372036854775808i", long.MinValue)]
    [Arguments("cpu v=6632243i", 6632243L)]
    public async Task Parse_Integer_GivesInt64(string line, long expected)
    {
        await Assert.That(Lp.Single(line).Fields[0]).IsEqualTo(new Field("v", FieldType.Integer, expected));
    }

    [Test]
    [Arguments("cpu v=0u", 0UL)]
    [Arguments("cpu v=0000u", 0UL)]
    [Arguments("cpu v=123u", 123UL)]
    [Arguments("cpu v=18446744073709551615u", ulong.MaxValue)]
    [Arguments("cpu v=00018446744073709551615u", ulong.MaxValue)]
    public async Task Parse_UnsignedWhenAllowed_GivesUInt64(string line, ulong expected)
    {
        await Assert.That(Lp.Single(line, allowUnsigned: true).Fields[0]).IsEqualTo(new Field("v", FieldType.Unsigned, expected));
    }

    [Test]
    public async Task Parse_EveryBooleanSpelling_IsBoolean()
    {
        Point point = Lp.Single("cpu true=true,t=t,T=T,TRUE=TRUE,True=True,false=false,f=f,F=F,FALSE=FALSE,False=False 1000000000");

        foreach (Field field in point.Fields)
        {
            await Assert.That(field.Type).IsEqualTo(FieldType.Boolean);
            await Assert.That((bool)field.Value).IsEqualTo(field.Key.StartsWith('t') || field.Key.StartsWith('T'));
        }

        await Assert.That(point.Fields.Count).IsEqualTo(10);
    }

    [Test]
    [Arguments("cpu v=\"foo\"", "foo")]
    [Arguments("cpu v=\"foo \\\" bar\"", "foo \" bar")]
    [Arguments("cpu v=\"foo bar\"", "foo bar")]
    [Arguments("cpu v=\"foo\\,bar\"", "foo\\,bar")]
    [Arguments("cpu v=\"foo,bar\"", "foo,bar")]
    [Arguments("cpu v=\"foo=bar\"", "foo=bar")]
    [Arguments("cpu v=\"test\\\\\\\"\"", "test\\\"")]
    [Arguments("cpu v=\"test\\\\\"", "test\\")]
    [Arguments("cpu v=\"test\\\"\"", "test\"")]
    [Arguments("cpu v=\"a\\b\\\\c\\d\"", "a\\b\\c\\d")]
    [Arguments("cpu v=\"wè\"", "wè")]
    [Arguments("cpu v=\"\"", "")]
    [Arguments("cpu v=\"{Hello\\\"{,}\\\" World}\"", "{Hello\"{,}\" World}")]
    [Arguments("cpu v=\"{Hello\\\"{\\,}\\\" World}\"", "{Hello\"{\\,}\" World}")]
    public async Task Parse_StringField_UnescapesQuoteAndBackslashOnly(string line, string expected)
    {
        await Assert.That(Lp.Single(line).Fields[0]).IsEqualTo(new Field("v", FieldType.String, expected));
    }

    [Test]
    public async Task Parse_StringWithNewline_StaysOneLine()
    {
        Point point = Lp.Single("cpu,host=serverA value=1.0,str=\"foo\nbar\" 1000000000");

        await Assert.That(point.Fields[1]).IsEqualTo(new Field("str", FieldType.String, "foo\nbar"));
        await Assert.That(point.Timestamp).IsEqualTo(1000000000L);
    }

    [Test]
    public async Task Parse_StringWithTrailingBackslash_EndsAtItsQuote()
    {
        Point point = Lp.Single("cpu,host=serverA,region=us-east str=\"foo\\\\\",str2=\"bar\" 1000000000");

        await Assert.That(point.Fields[0]).IsEqualTo(new Field("str", FieldType.String, "foo\\"));
        await Assert.That(point.Fields[1]).IsEqualTo(new Field("str2", FieldType.String, "bar"));
    }

    [Test]
    public async Task Parse_TextAfterClosingQuote_IsKeptAsInfluxDoes()
    {
        // InfluxDB's scanner accepts it and its field iterator drops the first and last byte of the value.
        Point point = Lp.Single("cpu value=\"a\"b");

        await Assert.That(point.Fields[0]).IsEqualTo(new Field("value", FieldType.String, "a\""));
    }

    [Test]
    [Arguments(@"foo\,bar value=1i", "foo,bar", @"foo\,bar")]
    [Arguments(@"cpu\ load,region=east value=1.0", "cpu load", @"cpu\ load,region=east")]
    [Arguments(@"cpu\=load,region=east value=1.0", "cpu=load", @"cpu\=load,region=east")]
    [Arguments("cpu=load,region=east value=1.0", "cpu=load", "cpu=load,region=east")]
    [Arguments("\"cpu\",host=serverA value=1.0", "\"cpu\"", "\"cpu\",host=serverA")]
    [Arguments("g\\\"h v=1", "g\"h", "g\\\"h")]
    [Arguments(@"cpu\tload v=1", @"cpu\tload", @"cpu\tload")]
    [Arguments(@"a\\b v=1", @"a\\b", @"a\\b")]
    [Arguments(@"a\\,b v=1", @"a\,b", @"a\\,b")]
    public async Task Parse_MeasurementEscapes_AreUnescapedAsPointName(string line, string measurement, string seriesKey)
    {
        Point point = Lp.Single(line);

        await Assert.That(point.Measurement).IsEqualTo(measurement);
        await Assert.That(point.SeriesKey).IsEqualTo(seriesKey);
    }

    [Test]
    [Arguments(@"cpu,region\,zone=east value=1.0", "region,zone", "east")]
    [Arguments(@"cpu,region\ zone=east value=1.0", "region zone", "east")]
    [Arguments(@"cpu,reg\\=ion=east value=1.0", @"reg\=ion", "east")]
    [Arguments(@"cpu,\ =east value=1.0", " ", "east")]
    [Arguments(@"cpu,regions=east\,west value=1.0", "regions", "east,west")]
    [Arguments(@"cpu,regions=\\ east value=1.0", "regions", @"\ east")]
    [Arguments(@"cpu,regions=eas\\ t value=1.0", "regions", @"eas\ t")]
    [Arguments(@"cpu,regions=east\\  value=1.0", "regions", @"east\ ")]
    [Arguments(@"cpu,regions=east\ west value=1.0", "regions", "east west")]
    [Arguments(@"cpu,regions=eas\t value=1.0", "regions", @"eas\t")]
    [Arguments(@"cpu,regions=\\,\,\=east value=1.0", "regions", @"\,,=east")]
    [Arguments(@"cpu,equals\=foo=tag\=value value=1i", "equals=foo", "tag=value")]
    [Arguments("cpu,\"host\"=\"serverA\" value=1.0", "\"host\"", "\"serverA\"")]
    [Arguments("cpu,t=1\\\"\\\" value=1", "t", "1\\\"\\\"")]
    [Arguments("cpu,a==b v=1", "a", "=b")]
    [Arguments(@"cpu,a=\=b v=1", "a", "=b")]
    [Arguments(@"cpu,a=b\\c v=1", "a", @"b\\c")]
    public async Task Parse_TagEscapes_AreUnescapedAsPointTags(string line, string key, string value)
    {
        Point point = Lp.Single(line);

        await Assert.That(point.Tags.Count).IsEqualTo(1);
        await Assert.That(point.Tags[0]).IsEqualTo(new KeyValuePair<string, string>(key, value));
    }

    [Test]
    [Arguments(@"cpu,regions=east value\,ms=1.0", "value,ms")]
    [Arguments(@"cpu,regions=east value\ ms=1.0", "value ms")]
    [Arguments(@"cpu \a=1i", @"\a")]
    [Arguments(@"cpu z\=w=1", "z=w")]
    [Arguments("cpu q\"=1", "q\"")]
    [Arguments("cpu q\\\"=1", "q\"")]
    [Arguments(@"cpu x\\y=1", @"x\\y")]
    [Arguments("cpu \"a=1", "\"a")]
    [Arguments("cpu \t=1", "")]
    public async Task Parse_FieldKeyEscapes_AreUnescaped(string line, string key)
    {
        await Assert.That(Lp.Single(line).Fields[0].Key).IsEqualTo(key);
    }

    [Test]
    public async Task Parse_FieldKeyWithEscapedEqualsAfterBackslash_MergesAsInfluxDoes()
    {
        // scanFields sees two fields; walkFields, whose escape rule differs, sees one.
        Point point = Lp.Single(@"cpu a\\=1,b=2");

        await Assert.That(point.Fields.Count).IsEqualTo(1);
        await Assert.That(point.Fields[0]).IsEqualTo(new Field(@"a\=1,b", FieldType.Float, 2.0));
    }

    [Test]
    public async Task Parse_DuplicateFieldKeys_AreAllReportedInOrder()
    {
        Point point = Lp.Single("cpu v=1,v=2i,v=\"x\" 5");

        await Assert.That(point.Fields.Count).IsEqualTo(3);
        await Assert.That(point.Fields[0]).IsEqualTo(new Field("v", FieldType.Float, 1.0));
        await Assert.That(point.Fields[1]).IsEqualTo(new Field("v", FieldType.Integer, 2L));
        await Assert.That(point.Fields[2]).IsEqualTo(new Field("v", FieldType.String, "x"));
    }

    [Test]
    [Arguments("cpu    value=1.0 1257894000000000000")]
    [Arguments("cpu value=1.0     1257894000000000000")]
    [Arguments("cpu      value=1.0     1257894000000000000")]
    [Arguments("cpu value=1.0 1257894000000000000   ")]
    [Arguments("cpu value=1.0 1257894000000000000\n")]
    [Arguments("cpu   value=1.0 1257894000000000000\n")]
    [Arguments("  \t cpu value=1.0 1257894000000000000")]
    [Arguments("cpu \t value=1.0 \t 1257894000000000000")]
    [Arguments("cpu value=1.0 1257894000000000000\r\n")]
    public async Task Parse_ExtraWhitespace_IsAccepted(string line)
    {
        Point point = Lp.Single(line);

        await Assert.That(point.Measurement).IsEqualTo("cpu");
        await Assert.That(point.Fields[0]).IsEqualTo(new Field("value", FieldType.Float, 1.0));
        await Assert.That(point.Timestamp).IsEqualTo(1257894000000000000L);
    }

    [Test]
    [Arguments("")]
    [Arguments(" ")]
    [Arguments("\n\n\n")]
    [Arguments(" \t \n\t\n")]
    [Arguments("\r\n\r\n")]
    [Arguments("# comment only")]
    [Arguments("\t# indented comment\n#another")]
    public async Task Parse_NothingButBlanksAndComments_GivesNothing(string body)
    {
        Lp.Result result = Lp.Parse(body);

        await Assert.That(result.Points.Count).IsEqualTo(0);
        await Assert.That(result.Errors.Count).IsEqualTo(0);
    }

    [Test]
    public async Task Parse_CommentsAndBlankLinesBetweenPoints_AreSkipped()
    {
        Lp.Result result = Lp.Parse("# a point is below\ncpu value=1i 1000000000\n\n  \ncpu value=2i 2000000000\n# end of points");

        await Assert.That(result.Errors.Count).IsEqualTo(0);
        await Assert.That(result.Points.Count).IsEqualTo(2);
        await Assert.That(result.Points[1].Fields[0].Value).IsEqualTo(2L);
    }

    [Test]
    public async Task Parse_CrLfLines_ParseAsLfLines()
    {
        Lp.Result result = Lp.Parse("cpu v=1 1\r\n\r\ncpu v=2i\r\nmem,host=a free=3u 3\r\n", allowUnsigned: true);

        await Assert.That(result.Errors.Count).IsEqualTo(0);
        await Assert.That(result.Points.Count).IsEqualTo(3);
        await Assert.That(result.Points[0].Timestamp).IsEqualTo(1L);
        await Assert.That(result.Points[1].Fields[0]).IsEqualTo(new Field("v", FieldType.Integer, 2L));
        await Assert.That(result.Points[2].Fields[0]).IsEqualTo(new Field("free", FieldType.Unsigned, 3UL));
    }

    [Test]
    public async Task Parse_UnbalancedQuoteInTag_DoesNotSwallowTheNextLine()
    {
        Lp.Result result = Lp.Parse("baz,mytag=\"a x=1 1441103862125\nbaz,mytag=a z=1 1441103862126");

        await Assert.That(result.Points.Count).IsEqualTo(2);
        await Assert.That(result.Points[0].Tags[0].Value).IsEqualTo("\"a");
        await Assert.That(result.Points[1].Timestamp).IsEqualTo(1441103862126L);
    }

    [Test]
    public async Task Parse_QuotesInTagsAndFieldKeys_AreLiteral()
    {
        Lp.Result result = Lp.Parse("t159,label=hey\\ \"ya a=1i,value=0i\nt159,label=another a=2i,value=1i 1\ncpu \"a=1\ncpu value=2 1");

        await Assert.That(result.Errors.Count).IsEqualTo(0);
        await Assert.That(result.Points.Count).IsEqualTo(4);
        await Assert.That(result.Points[0].Tags[0].Value).IsEqualTo("hey \"ya");
        await Assert.That(result.Points[2].Fields[0].Key).IsEqualTo("\"a");
    }

    [Test]
    public async Task Parse_QuoteInComment_SwallowsLinesUntilItCloses()
    {
        // InfluxDB splits lines before it knows a line is a comment: a quoted value runs on.
        Lp.Result result = Lp.Parse("# note x=\"open\ncpu v=1 1\nclose\"\ncpu v=2 2");

        await Assert.That(result.Errors.Count).IsEqualTo(0);
        await Assert.That(result.Points.Count).IsEqualTo(1);
        await Assert.That(result.Points[0].Timestamp).IsEqualTo(2L);
    }

    [Test]
    public async Task Parse_ManyTags_AreSortedAndKept()
    {
        var tags = new System.Text.StringBuilder();
        for (int i = 254; i >= 0; i--)
        {
            tags.Append(",tag").Append(i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Append("=value").Append(i);
        }

        Point point = Lp.Single($"cpu{tags} value=1");

        await Assert.That(point.Tags.Count).IsEqualTo(255);
        await Assert.That(point.Tags[0].Key).IsEqualTo("tag000");
        await Assert.That(point.Tags[254]).IsEqualTo(new KeyValuePair<string, string>("tag254", "value254"));
        await Assert.That(point.SeriesKey).StartsWith("cpu,tag000=value0,tag001=value1,");
    }

    [Test]
    public async Task Parse_TimeFieldAndTag_AreLeftToStorage()
    {
        // InfluxDB drops these at write time ("invalid field name", "invalid tag key"), not while parsing.
        Point point = Lp.Single("cpu,time=x time=1");

        await Assert.That(point.Tags[0].Key).IsEqualTo("time");
        await Assert.That(point.Fields[0].Key).IsEqualTo("time");
    }
}
