using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

/// <summary>InfluxDB's ValidName for database and retention policy names, with the 1.12 trimming.</summary>
public class MetaNamesTests
{
    [Test]
    [Arguments("foo", "foo")]
    [Arguments("  foo  ", "foo")]
    [Arguments("\t foo \n", "foo")]
    [Arguments(" foo bar ", "foo bar")]
    [Arguments("  méäsûré  ", "méäsûré")]
    [Arguments("my-db_1.x", "my-db_1.x")]
    [Arguments("😀", "😀")]
    public async Task TryNormalize_Valid_Trimmed(string input, string expected)
    {
        await Assert.That(MetaNames.TryNormalize(input, out var name)).IsTrue();
        await Assert.That(name).IsEqualTo(expected);
    }

    [Test]
    [Arguments("")]
    [Arguments("   ")]
    [Arguments(".")]
    [Arguments("..")]
    [Arguments("  .  ")]
    [Arguments("foo/bar")]
    [Arguments("foo\\bar")]
    [Arguments("foo\u0000bar")]
    [Arguments("foo\u00A0bar")] // a non-breaking space is not printable to Go
    [Arguments("foo\u200Bbar")] // nor is a zero-width space (a format character)
    [Arguments("foo\uD800bar")] // an unpaired surrogate cannot be stored as UTF-8
    public async Task TryNormalize_Invalid_Refused(string input) =>
        await Assert.That(MetaNames.TryNormalize(input, out _)).IsFalse();

    [Test]
    public async Task TryNormalize_Null_Refused() =>
        await Assert.That(MetaNames.TryNormalize(null, out _)).IsFalse();
}
