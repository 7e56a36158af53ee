using Cairn.Query.Parsing;

namespace Cairn.Query.Tests.Parsing;

public class InfluxQLTextTests
{
    private const long Us = 1_000, Ms = 1_000_000, S = 1_000_000_000, M = 60 * S, H = 60 * M, D = 24 * H, W = 7 * D;

    [Test]
    [Arguments("10ns", 10L)]
    [Arguments("10u", 10 * Us)]
    [Arguments("10µ", 10 * Us)]
    [Arguments("15ms", 15 * Ms)]
    [Arguments("100s", 100 * S)]
    [Arguments("2m", 2 * M)]
    [Arguments("2h", 2 * H)]
    [Arguments("2d", 2 * D)]
    [Arguments("2w", 2 * W)]
    [Arguments("1h30m", H + 30 * M)]
    [Arguments("1h0m0s", H)]
    [Arguments("30ms3000u", 30 * Ms + 3000 * Us)]
    [Arguments("-5s", -5 * S)]
    [Arguments("-5m30s", -5 * M - 30 * S)]
    [Arguments("15250w", 15250 * W)]
    [Arguments("9223372036854775807ns", long.MaxValue)]
    public async Task TryParseDuration_Valid_GivesNanoseconds(string text, long expected)
    {
        await Assert.That(InfluxQLText.TryParseDuration(text, out long d, out var error)).IsTrue();
        await Assert.That(error).IsNull();
        await Assert.That(d).IsEqualTo(expected);
    }

    [Test]
    [Arguments("", "invalid duration")]
    [Arguments("3", "invalid duration")]
    [Arguments("1000", "invalid duration")]
    [Arguments("w", "invalid duration")]
    [Arguments("ms", "invalid duration")]
    [Arguments("1.2w", "invalid duration")]
    [Arguments("10x", "invalid duration")]
    [Arguments("10n", "invalid duration")]
    [Arguments("1h30", "invalid duration")]
    [Arguments("1y", "invalid duration")]
    [Arguments("99999999999999999999s", "invalid duration")]
    [Arguments("15251w", "overflowed duration 15251w: choose a smaller duration or INF")]
    [Arguments("1w9223372036854775807ns", "overflowed duration 9223372036854775807ns: choose a smaller duration or INF")]
    public async Task TryParseDuration_Invalid_GivesInfluxMessage(string text, string message)
    {
        await Assert.That(InfluxQLText.TryParseDuration(text, out _, out var error)).IsFalse();
        await Assert.That(error).IsEqualTo(message);
    }

    [Test]
    [Arguments(0L, "0s")]
    [Arguments(3 * Us, "3u")]
    [Arguments(1001 * Us, "1001u")]
    [Arguments(15 * Ms, "15ms")]
    [Arguments(100 * S, "100s")]
    [Arguments(2 * M, "2m")]
    [Arguments(90 * M, "90m")]
    [Arguments(2 * H, "2h")]
    [Arguments(2 * D, "2d")]
    [Arguments(2 * W, "2w")]
    [Arguments(7, "7ns")]
    [Arguments(-90 * S, "-90s")]
    [Arguments(-2 * W, "-2w")]
    [Arguments(long.MaxValue, "9223372036854775807ns")]
    public async Task FormatDuration_Nanoseconds_GivesLargestExactUnit(long nanoseconds, string text)
    {
        await Assert.That(InfluxQLText.FormatDuration(nanoseconds)).IsEqualTo(text);
    }

    [Test]
    [Arguments(0L, "0s")]
    [Arguments(1L, "1ns")]
    [Arguments(1500L, "1.5µs")]
    [Arguments(1500 * Us, "1.5ms")]
    [Arguments(500 * Ms, "500ms")]
    [Arguments(1500 * Ms, "1.5s")]
    [Arguments(60 * S, "1m0s")]
    [Arguments(90 * S, "1m30s")]
    [Arguments(H, "1h0m0s")]
    [Arguments(D, "24h0m0s")]
    [Arguments(H + S + 1, "1h0m1.000000001s")]
    [Arguments(-90 * S, "-1m30s")]
    [Arguments(long.MinValue, "-2562047h47m16.854775808s")]
    public async Task DurationString_Nanoseconds_FormatsAsGo(long nanoseconds, string text)
    {
        await Assert.That(GoFormat.DurationString(nanoseconds)).IsEqualTo(text);
    }

    [Test]
    [Arguments("", "''")]
    [Arguments("foo", "'foo'")]
    [Arguments("foo\nbar", "'foo\\nbar'")]
    [Arguments("foo bar\\\\", "'foo bar\\\\\\\\'")]
    [Arguments("'foo'", "'\\'foo\\''")]
    [Arguments("say \"hi\"", "'say \"hi\"'")]
    public async Task QuoteString_Text_EscapesAsInfluxql(string value, string quoted)
    {
        await Assert.That(InfluxQLText.QuoteString(value)).IsEqualTo(quoted);
    }

    [Test]
    [Arguments(new[] { "" }, "\"\"")]
    [Arguments(new[] { "select" }, "\"select\"")]
    [Arguments(new[] { "SELECT" }, "\"SELECT\"")]
    [Arguments(new[] { "true" }, "\"true\"")]
    [Arguments(new[] { "past" }, "\"past\"")]
    [Arguments(new[] { "in-bytes" }, "\"in-bytes\"")]
    [Arguments(new[] { "1abc" }, "\"1abc\"")]
    [Arguments(new[] { "_abc1" }, "_abc1")]
    [Arguments(new[] { "héllo" }, "\"héllo\"")]
    [Arguments(new[] { "a\"b\\c\nd" }, "\"a\\\"b\\\\c\\nd\"")]
    [Arguments(new[] { "foo", "bar" }, "\"foo\".bar")]
    [Arguments(new[] { "foo", "", "bar" }, "\"foo\"..bar")]
    [Arguments(new[] { "foo bar", "baz" }, "\"foo bar\".baz")]
    [Arguments(new[] { "foo.bar", "baz" }, "\"foo.bar\".baz")]
    [Arguments(new[] { "foo.bar", "rp", "baz" }, "\"foo.bar\".\"rp\".baz")]
    [Arguments(new[] { "foo.bar", "rp", "1baz" }, "\"foo.bar\".\"rp\".\"1baz\"")]
    public async Task QuoteIdent_Segments_QuoteAsInfluxql(string[] segments, string quoted)
    {
        await Assert.That(InfluxQLText.QuoteIdent(segments)).IsEqualTo(quoted);
    }

    [Test]
    [Arguments(0.0, "0")]
    [Arguments(-0.0, "-0")]
    [Arguments(1.5, "1.5")]
    [Arguments(100.0, "100")]
    [Arguments(0.1, "0.1")]
    [Arguments(1e21, "1000000000000000000000")]
    [Arguments(1e-7, "0.0000001")]
    [Arguments(123456789.125, "123456789.125")]
    [Arguments(double.MaxValue, "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    [Arguments(double.NaN, "NaN")]
    [Arguments(double.PositiveInfinity, "+Inf")]
    public async Task FormatFloatF_Double_MatchesGoStrconv(double value, string text)
    {
        await Assert.That(GoFormat.FormatFloatF(value)).IsEqualTo(text);
    }

    [Test]
    [Arguments(0.0, "0")]
    [Arguments(1.5, "1.5")]
    [Arguments(100.0, "100")]
    [Arguments(123456.0, "123456")]
    [Arguments(1234567.0, "1.234567e+06")]
    [Arguments(1e6, "1e+06")]
    [Arguments(1e21, "1e+21")]
    [Arguments(1e100, "1e+100")]
    [Arguments(0.0001, "0.0001")]
    [Arguments(0.00001, "1e-05")]
    [Arguments(-2.5e-10, "-2.5e-10")]
    public async Task FormatFloatG_Double_MatchesGoPercentV(double value, string text)
    {
        await Assert.That(GoFormat.FormatFloatG(value)).IsEqualTo(text);
    }

    [Test]
    [Arguments(0L, "1970-01-01T00:00:00Z")]
    [Arguments(1L, "1970-01-01T00:00:00.000000001Z")]
    [Arguments(946684800_100000000L, "2000-01-01T00:00:00.1Z")]
    [Arguments(-1L, "1969-12-31T23:59:59.999999999Z")]
    public async Task Rfc3339Nano_Instant_TrimsFraction(long nanoseconds, string text)
    {
        await Assert.That(GoFormat.Rfc3339Nano(nanoseconds)).IsEqualTo(text);
    }
}
