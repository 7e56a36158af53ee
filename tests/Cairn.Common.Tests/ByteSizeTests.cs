using Cairn.Common.Config;

namespace Cairn.Common.Tests;

public class ByteSizeTests
{
    [Test]
    [Arguments("1024", 1024L)]
    [Arguments("0", 0L)]
    [Arguments("25m", 26_214_400L)]
    [Arguments("1g", 1_073_741_824L)]
    [Arguments("1k", 1024L)]
    [Arguments("1K", 1024L)]
    [Arguments("1kb", 1024L)]
    [Arguments("1KiB", 1024L)]
    [Arguments("48MB", 50_331_648L)]
    [Arguments("2mib", 2_097_152L)]
    [Arguments("10GB", 10_737_418_240L)]
    [Arguments("1t", 1_099_511_627_776L)]
    [Arguments("100b", 100L)]
    [Arguments(" 10m ", 10_485_760L)]
    [Arguments("10 m", 10_485_760L)]
    public async Task TryParse_ValidSize_GivesBytes(string text, long expected)
    {
        await Assert.That(ByteSize.TryParse(text, out var value)).IsTrue();
        await Assert.That(value).IsEqualTo(expected);
    }

    [Test]
    [Arguments("")]
    [Arguments("  ")]
    [Arguments("m")]
    [Arguments("1x")]
    [Arguments("1p")]
    [Arguments("1.5g")]
    [Arguments("-1")]
    [Arguments("+1")]
    [Arguments("1g1")]
    [Arguments("abc")]
    [Arguments("1 gigabyte")]
    [Arguments("99999999999999999999")]
    [Arguments("9999999999999g")]
    public async Task TryParse_InvalidSize_ReturnsFalse(string text)
    {
        await Assert.That(ByteSize.TryParse(text, out _)).IsFalse();
    }

    [Test]
    public async Task TryParse_LargestSizeThatFits_Succeeds()
    {
        await Assert.That(ByteSize.TryParse("8388607t", out var value)).IsTrue();
        await Assert.That(value).IsEqualTo(8_388_607L << 40);
    }
}
