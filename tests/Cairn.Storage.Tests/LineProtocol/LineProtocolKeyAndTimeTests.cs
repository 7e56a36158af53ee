using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Tests.LineProtocol;

public class LineProtocolKeyAndTimeTests
{
    // 2000-01-01T12:34:56.789012345Z
    private const long Y2K = 946730096789012345;

    [Test]
    public async Task SeriesKey_UnsortedTags_AreSortedByEscapedKey()
    {
        await Assert.That(Lp.Single("cpu,last=1,first=2 value=1i").SeriesKey).IsEqualTo("cpu,first=2,last=1");
        await Assert.That(Lp.Single("cpu,b=1,B=2,a\\ b=3,a=4 v=1").SeriesKey).IsEqualTo("cpu,B=2,a=4,a\\ b=3,b=1");
    }

    [Test]
    public async Task SeriesKey_KeysSharingLongPrefix_AreSortedByWholeKey()
    {
        Point point = Lp.Single("m,prefix_long_key_b=2,prefix_long_key_a=1,prefix_long_key=0,prefix_lon=9 v=1");

        await Assert.That(point.SeriesKey).IsEqualTo("m,prefix_lon=9,prefix_long_key=0,prefix_long_key_a=1,prefix_long_key_b=2");
    }

    [Test]
    public async Task SeriesKey_KeysThatAreEqualAfterUnescaping_AreNotDuplicates()
    {
        // InfluxDB compares escaped keys: "a\b" and "a\\b" differ as written.
        Point point = Lp.Single(@"cpu,a\b=1,a\\b=2 v=1");

        await Assert.That(point.Tags.Count).IsEqualTo(2);
    }

    [Test]
    public async Task SeriesKey_ManyTagsWithOneDuplicate_IsDuplicateTags()
    {
        var line = new System.Text.StringBuilder("cpu");
        for (int i = 99; i >= 0; i--)
        {
            line.Append(",k").Append(i).Append("=v");
        }

        line.Append(",k42=again v=1");

        await Assert.That(Lp.Reason(line.ToString())).IsEqualTo("duplicate tags");
    }

    [Test]
    public async Task SeriesKey_AtMaxLengthWithFields_IsAccepted()
    {
        // tsm field key is series key + 4-byte separator + field key.
        string key = new('a', LineProtocolParser.MaxKeyLength - "value".Length - 4);

        Point point = Lp.Single($"{key} value=1,ok=2.0");

        await Assert.That(point.SeriesKey.Length).IsEqualTo(key.Length);
    }

    [Test]
    public async Task SeriesKey_OneByteOverWithField_IsMaxKeyLengthExceeded()
    {
        string key = new('a', LineProtocolParser.MaxKeyLength - "value".Length - 4 + 1);

        await Assert.That(Lp.Reason($"{key} value=1,ok=2.0")).IsEqualTo("max key length exceeded: 65536 > 65535");
    }

    [Test]
    public async Task SeriesKey_ItselfOverMax_IsMaxKeyLengthExceeded()
    {
        string key = "cpu,t=" + new string('v', LineProtocolParser.MaxKeyLength - 6 + 1);

        await Assert.That(Lp.Reason($"{key} value=1")).IsEqualTo("max key length exceeded: 65536 > 65535");
    }

    [Test]
    [Arguments("", 946730096789012345L)]
    [Arguments("n", 946730096789012345L)]
    [Arguments("ns", 946730096789012345L)]
    [Arguments("u", 946730096789012000L)]
    [Arguments("ms", 946730096789000000L)]
    [Arguments("s", 946730096000000000L)]
    [Arguments("m", 946730040000000000L)]
    [Arguments("h", 946728000000000000L)]
    [Arguments("us", 946730096789012345L)]
    [Arguments("garbage", 946730096789012345L)]
    public async Task Timestamp_Missing_IsNowTruncatedToPrecision(string precision, long expected)
    {
        Point point = Lp.Single("cpu,host=serverA,region=us-east value=1.0", PrecisionExtensions.ParsePrecision(precision), now: Y2K);

        await Assert.That(point.Timestamp).IsEqualTo(expected);
    }

    [Test]
    [Arguments("946730096789012345", "n", 946730096789012345L)]
    [Arguments("946730096789012", "u", 946730096789012000L)]
    [Arguments("946730096789", "ms", 946730096789000000L)]
    [Arguments("946730096", "s", 946730096000000000L)]
    [Arguments("15778834", "m", 946730040000000000L)]
    [Arguments("262980", "h", 946728000000000000L)]
    [Arguments("-1", "s", -1_000_000_000L)]
    [Arguments("0", "h", 0L)]
    [Arguments("1", "h", 3_600_000_000_000L)]
    public async Task Timestamp_Given_IsMultipliedByPrecision(string timestamp, string precision, long expected)
    {
        Point point = Lp.Single($"cpu value=1.0 {timestamp}", PrecisionExtensions.ParsePrecision(precision));

        await Assert.That(point.Timestamp).IsEqualTo(expected);
    }

    [Test]
    [Arguments("9223372036854775806", "n")]
    [Arguments("-9223372036854775806", "n")]
    [Arguments("9223372036854775", "u")]
    [Arguments("-9223372036854775", "u")]
    [Arguments("9223372036854", "ms")]
    [Arguments("9223372036", "s")]
    [Arguments("-9223372036", "s")]
    [Arguments("153722867", "m")]
    [Arguments("2562047", "h")]
    [Arguments("-2562047", "h")]
    public async Task Timestamp_AtRangeLimit_IsAccepted(string timestamp, string precision)
    {
        Precision unit = PrecisionExtensions.ParsePrecision(precision);

        Point point = Lp.Single($"cpu value=1 {timestamp}", unit);

        await Assert.That(point.Timestamp).IsEqualTo(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture) * unit.Multiplier());
    }

    [Test]
    [Arguments("9223372036854775807", "n")]
    [Arguments("-9223372036854775807", "n")]
    [Arguments("9223372036854776", "u")]
    [Arguments("-9223372036854776", "u")]
    [Arguments("9223372036855", "ms")]
    [Arguments("9223372037", "s")]
    [Arguments("-9223372037", "s")]
    [Arguments("153722868", "m")]
    [Arguments("2562048", "h")]
    [Arguments("-2562048", "h")]
    [Arguments("-9223372036854775806", "u")]
    public async Task Timestamp_PastRangeLimit_IsTimeOutsideRange(string timestamp, string precision)
    {
        await Assert.That(Lp.Reason($"cpu value=1 {timestamp}", PrecisionExtensions.ParsePrecision(precision)))
            .IsEqualTo("time outside range -9223372036854775806 - 9223372036854775806");
    }

    [Test]
    [Arguments("-1", -1L)]
    [Arguments("-0", 0L)]
    [Arguments("0000000000000000000000001", 1L)]
    public async Task Timestamp_SignsAndLeadingZeros_AreAccepted(string timestamp, long expected)
    {
        await Assert.That(Lp.Single($"cpu value=1 {timestamp}").Timestamp).IsEqualTo(expected);
    }

    [Test]
    [Arguments("u", 1_000L)]
    [Arguments("ms", 1_000_000L)]
    [Arguments("s", 1_000_000_000L)]
    [Arguments("m", 60_000_000_000L)]
    [Arguments("h", 3_600_000_000_000L)]
    [Arguments("n", 1L)]
    public async Task Precision_Multiplier_IsNanosecondsPerUnit(string precision, long expected)
    {
        await Assert.That(PrecisionExtensions.ParsePrecision(precision).Multiplier()).IsEqualTo(expected);
    }

    [Test]
    public async Task Precision_TruncateBeforeEpoch_RoundsDown()
    {
        await Assert.That(Precision.Second.Truncate(-1)).IsEqualTo(-1_000_000_000L);
        await Assert.That(Precision.Second.Truncate(-1_000_000_000)).IsEqualTo(-1_000_000_000L);
        await Assert.That(Precision.Second.Truncate(1_999_999_999)).IsEqualTo(1_000_000_000L);
        await Assert.That(Precision.Nanosecond.Truncate(-7)).IsEqualTo(-7L);
    }
}
