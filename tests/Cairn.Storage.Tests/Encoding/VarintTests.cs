using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class VarintTests
{
    [Test]
    public void WriteTryRead_AnyValue_RoundTripsInSizeBytes()
    {
        Gen.Int[0, 64].SelectMany(bits => Gen.ULong.Select(v => bits == 0 ? 0 : v >> (64 - bits))).Sample(value =>
        {
            var buffer = new byte[Varint.MaxLength];
            int written = Varint.Write(buffer, value);
            Require(written == Varint.Size(value), "size");
            int position = 0;
            Require(Varint.TryRead(buffer.AsSpan(0, written), ref position, out ulong read), "reads");
            Require(read == value && position == written, "round trip");
        }, iter: 5000);
    }

    [Test]
    [Arguments(0UL, 1)]
    [Arguments(127UL, 1)]
    [Arguments(128UL, 2)]
    [Arguments(16_383UL, 2)]
    [Arguments(16_384UL, 3)]
    [Arguments((1UL << 63) - 1, 9)]
    [Arguments(1UL << 63, 10)]
    [Arguments(ulong.MaxValue, 10)]
    public async Task Size_BoundaryValues_MatchesLeb128(ulong value, int size)
    {
        await Assert.That(Varint.Size(value)).IsEqualTo(size);
        var buffer = new byte[Varint.MaxLength];
        await Assert.That(Varint.Write(buffer, value)).IsEqualTo(size);
    }

    [Test]
    [Arguments(new byte[] { 0x80, 0x00 })] // zero in two bytes
    [Arguments(new byte[] { 0xFF, 0x80, 0x00 })] // 127 padded
    [Arguments(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 })] // bit 64
    [Arguments(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // 11 bytes
    [Arguments(new byte[] { 0x80 })] // truncated
    [Arguments(new byte[0])]
    public async Task TryRead_MalformedOrTruncated_Fails(byte[] bytes)
    {
        int position = 0;
        await Assert.That(Varint.TryRead(bytes, ref position, out _)).IsFalse();
        await Assert.That(position).IsEqualTo(0);
    }
}
