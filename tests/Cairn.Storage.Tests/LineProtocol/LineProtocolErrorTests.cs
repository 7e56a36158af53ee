using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Tests.LineProtocol;

// The reasons are InfluxDB's own: each row was also written to a real influxd, which answered
// "unable to parse '<line>': <reason>" with the same reason (cases adapted from models/points_test.go).
public class LineProtocolErrorTests
{
    [Test]
    [Arguments("cpu_load_short,host=server01,region=us-west", "missing fields")]
    [Arguments("cpu", "missing fields")]
    [Arguments("cpu,host==", "missing fields")]
    [Arguments("=", "missing fields")]
    [Arguments("cpu\tv=1", "missing fields")]
    [Arguments(",cpu value=1", "missing measurement")]
    [Arguments("cpu, value=1", "missing tag key")]
    [Arguments("cpu,", "missing tag key")]
    [Arguments("cpu,,,", "missing tag key")]
    [Arguments("cpu,host=serverA,=us-east value=1i", "missing tag key")]
    [Arguments(@"cpu,host=serverAa\,,=us-east value=1i", "missing tag key")]
    [Arguments(@"cpu,host=serverA\,,=us-east value=1i", "missing tag key")]
    [Arguments("cpu, =serverA value=1i", "missing tag key")]
    [Arguments("cpu,host", "missing tag value")]
    [Arguments("cpu,host,", "missing tag value")]
    [Arguments("cpu,host=", "missing tag value")]
    [Arguments("cpu,host value=1i", "missing tag value")]
    [Arguments("cpu,host=serverA,region value=1i", "missing tag value")]
    [Arguments("cpu,host=serverA,region= value=1i", "missing tag value")]
    [Arguments("cpu,host=serverA,region=,zone=us-west value=1i", "missing tag value")]
    [Arguments("cpu,host=f=o,", "invalid tag format")]
    [Arguments(@"cpu,host=f\==o,", "invalid tag format")]
    [Arguments("cpu,host=serverA,host=serverB value=1i 1000000000", "duplicate tags")]
    [Arguments("cpu,b=2,b=1,c=3 value=1i 1000000000", "duplicate tags")]
    [Arguments("cpu,b=2,c=3,b=1 value=1i 1000000000", "duplicate tags")]
    public async Task Key_Malformed_GivesInfluxReason(string line, string reason)
    {
        await Assert.That(Lp.Reason(line)).IsEqualTo(reason);
    }

    [Test]
    [Arguments("cpu,host=serverA,region=us-west =", "missing field key")]
    [Arguments("cpu,host=serverA,region=us-west =123i", "missing field key")]
    [Arguments("cpu,host=serverA,region=us-west value=123i,=456i", "missing field key")]
    [Arguments("cpu,host=serverA,region=us-west value=", "missing field value")]
    [Arguments("cpu,host=serverA,region=us-west value= 1000000000i", "missing field value")]
    [Arguments("cpu,host=serverA,region=us-west value=,value2=1i", "missing field value")]
    [Arguments("cpu v= ", "missing field value")]
    [Arguments("cpu,host=serverA value=\"test", "unbalanced quotes")]
    [Arguments("cpu,host=serverA value=\"test\"\"", "unbalanced quotes")]
    [Arguments("cpu,host=server01,region=us-west 1434055562000000000i", "invalid field format")]
    [Arguments("cpu,host=server01,region=us-west value=1i,b", "invalid field format")]
    [Arguments("cpu v=1,", "invalid field format")]
    [Arguments("cpu ", "invalid field format")]
    [Arguments("m f=\"blah\"=123,r 1531703600000000000", "invalid value: field-key=r")]
    [Arguments(@"cpu a\\=1", @"invalid value: field-key=a\\=1")]
    [Arguments(@"cpu s=""abc""\,d", "invalid value: field-key=d")]
    public async Task Fields_Malformed_GivesInfluxReason(string line, string reason)
    {
        await Assert.That(Lp.Reason(line)).IsEqualTo(reason);
    }

    [Test]
    [Arguments("cpu v=- ", "invalid number")]
    [Arguments("cpu v=-i ", "invalid number")]
    [Arguments("cpu v=-. ", "invalid number")]
    [Arguments("cpu v=. ", "invalid number")]
    [Arguments("cpu v=1.0i ", "invalid number")]
    [Arguments("cpu v=1ii ", "invalid number")]
    [Arguments("cpu v=1i2", "invalid number")]
    [Arguments("cpu v=1a ", "invalid number")]
    [Arguments("cpu v=42+3 ", "invalid number")]
    [Arguments("cpu v=.1a", "invalid number")]
    [Arguments("cpu v=0.-1", "invalid number")]
    [Arguments("cpu v=-", "invalid number")]
    [Arguments("cpu v=1.1.1", "invalid number")]
    [Arguments("cpu v=9ie10", "invalid number")]
    [Arguments("cpu v=9e10i", "invalid number")]
    [Arguments("cpu v=0x10", "invalid number")]
    [Arguments("cpu v=1_000", "invalid number")]
    [Arguments("cpu v=-e-e-e ", "invalid float")]
    [Arguments("cpu v=1e", "invalid float")]
    [Arguments("cpu v=1e5e5", "invalid float")]
    [Arguments("cpu v=1e400", "invalid float")]
    [Arguments("cpu v=-1e400", "invalid float")]
    [Arguments("cpu v=a", "invalid boolean")]
    [Arguments("cpu v=tru", "invalid boolean")]
    [Arguments("cpu v=tRUE", "invalid boolean")]
    [Arguments("cpu v=Tru", "invalid boolean")]
    [Arguments("cpu v=falsE", "invalid boolean")]
    [Arguments("cpu v=t,w=yes", "invalid boolean")]
    public async Task Value_Malformed_GivesInfluxReason(string line, string reason)
    {
        await Assert.That(Lp.Reason(line)).IsEqualTo(reason);
    }

    [Test]
    [Arguments("cpu value=NaN 1000000000", "invalid number")]
    [Arguments("cpu value=nAn 1000000000", "invalid number")]
    [Arguments("cpu value=NaN", "invalid number")]
    [Arguments("cpu value=nan", "invalid number")]
    [Arguments("cpu value=-Inf", "invalid number")]
    [Arguments("cpu value=Inf", "invalid boolean")]
    [Arguments("cpu value=inf", "invalid boolean")]
    [Arguments("cpu value=+Inf", "invalid boolean")]
    [Arguments("cpu value=+1", "invalid boolean")]
    public async Task Value_NaNOrInfinity_IsRejected(string line, string reason)
    {
        await Assert.That(Lp.Reason(line)).IsEqualTo(reason);
    }

    [Test]
    public async Task Integer_OnePastMax_GivesStrconvRangeError()
    {
        await Assert.That(Lp.Error("cpu,host=serverA,region=us-west value=9223372036854775808i")).IsEqualTo(
            "unable to parse 'cpu,host=serverA,region=us-west value=9223372036854775808i': unable to parse integer "
            + "9223372036854775808: strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
    }

    [Test]
    public async Task Integer_OnePastMin_GivesStrconvRangeError()
    {
        await Assert.That(Lp.Reason("cpu value=-9223372036854775809i")).IsEqualTo(
            "unable to parse integer -9223372036854775809: strconv.ParseInt: parsing \"-9223372036854775809\": value out of range");
    }

    [Test]
    public async Task Unsigned_OnePastMax_GivesStrconvRangeError()
    {
        await Assert.That(Lp.Reason("cpu value=18446744073709551616u", allowUnsigned: true)).IsEqualTo(
            "unable to parse unsigned 18446744073709551616: strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
    }

    [Test]
    [Arguments("cpu v=123u")]
    [Arguments("cpu v=18446744073709551616u")]
    public async Task Unsigned_SupportOff_IsInvalidNumberAsInfluxOss(string line)
    {
        await Assert.That(Lp.Reason(line)).IsEqualTo("invalid number");
    }

    [Test]
    [Arguments("cpu v=-123u")]
    [Arguments("cpu v=--1u")]
    [Arguments("cpu v=1.5u")]
    [Arguments("cpu v=1u2")]
    public async Task Unsigned_Malformed_IsInvalidNumber(string line)
    {
        await Assert.That(Lp.Reason(line, allowUnsigned: true)).IsEqualTo("invalid number");
    }

    [Test]
    [Arguments(@"a v=1 0\", "bad timestamp")]
    [Arguments("cpu value=1 -/", "bad timestamp")]
    [Arguments("cpu value=1 -1?", "bad timestamp")]
    [Arguments("cpu value=1 1-", "bad timestamp")]
    [Arguments("cpu value=1 +1", "bad timestamp")]
    [Arguments("cpu value=1 1.5", "bad timestamp")]
    [Arguments("cpu value=1 123\t", "bad timestamp")]
    [Arguments("cpu v=1 ,", "bad timestamp")]
    [Arguments("cpu value=1 -", "strconv.ParseInt: parsing \"-\": invalid syntax")]
    [Arguments("cpu value=1 9223372036854775808", "strconv.ParseInt: parsing \"9223372036854775808\": value out of range")]
    [Arguments("cpu value=1 -92233720368547758078", "strconv.ParseInt: parsing \"-92233720368547758078\": value out of range")]
    [Arguments("cpu value=1 9223372036854775807", "time outside range -9223372036854775806 - 9223372036854775806")]
    [Arguments("cpu value=1 -9223372036854775807", "time outside range -9223372036854775806 - 9223372036854775806")]
    [Arguments("cpu value=1 -9223372036854775808", "time outside range -9223372036854775806 - 9223372036854775806")]
    [Arguments("cpu value=1 9223372036854775807 12", "time outside range -9223372036854775806 - 9223372036854775806")]
    [Arguments("cpu value=1 123 456", "point is invalid")]
    [Arguments("cpu value=1 123 \t", "point is invalid")]
    public async Task Timestamp_Malformed_GivesInfluxReason(string line, string reason)
    {
        await Assert.That(Lp.Reason(line)).IsEqualTo(reason);
    }

    [Test]
    public async Task Error_LeadingWhitespace_IsNotQuotedButTrailingIs()
    {
        await Assert.That(Lp.Error(" \t cpu v=x  ")).IsEqualTo("unable to parse 'cpu v=x  ': invalid boolean");
    }

    [Test]
    public async Task Error_Kind_IsTheNumberToBranchOn()
    {
        var parser = new LineProtocolParser();
        var reader = parser.Read("cpu v=1 1\ncpu v=1,v2 2\ncpu,a=1,a=2 v=1"u8, Lp.Now);
        var kinds = new List<ParseErrorKind>();
        while (reader.MoveNext())
        {
            kinds.Add(reader.IsError ? reader.Error.Kind : ParseErrorKind.None);
        }

        await Assert.That(string.Join(",", kinds)).IsEqualTo("None,InvalidFieldFormat,DuplicateTags");
    }
}
