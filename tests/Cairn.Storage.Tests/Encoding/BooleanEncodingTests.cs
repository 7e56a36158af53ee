using System.Runtime.CompilerServices;
using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class BooleanEncodingTests
{
    [Test]
    public void EncodeDecode_AnySeries_RoundTrips()
    {
        Generators.Booleans.Sample(values =>
        {
            byte[] column = Booleans(values);
            RequireSame<bool>(values, DecodeBooleans(column), EncodingOf(column).ToString());
            Require(column.Length <= 4 + (values.Length + 7) / 8, "one bit per value");
        }, iter: 2000);
    }

    [Test]
    [Arguments(0)]
    [Arguments(1)]
    [Arguments(7)]
    [Arguments(8)]
    [Arguments(9)]
    [Arguments(239)]
    [Arguments(240)]
    [Arguments(241)]
    [Arguments(1000)]
    public void EncodeDecode_EverySize_RoundTrips(int n)
    {
        Gen.Bool.Array[n].Sample(values =>
            RequireSame<bool>(values, DecodeBooleans(Booleans(values)), "booleans"), iter: 100);
    }

    [Test]
    public async Task Encode_AllTrue_IsConstant()
    {
        bool[] values = Enumerable.Repeat(true, 1000).ToArray();

        byte[] column = Booleans(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.BooleanConstant);
        await Assert.That(column.Length).IsEqualTo(4);
        await Assert.That(DecodeBooleans(column).All(b => b)).IsTrue();
    }

    [Test]
    public async Task Encode_Alternating_IsOneBitPerValue()
    {
        bool[] values = Enumerable.Range(0, 1000).Select(i => i % 2 == 1).ToArray();

        byte[] column = Booleans(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.BooleanBitPacked);
        await Assert.That(column.Length).IsEqualTo(3 + 125);
        await Assert.That(column[3]).IsEqualTo((byte)0b1010_1010);
    }

    [Test]
    public async Task Encode_BoolHoldingNonOneByte_ReadsAsTrue()
    {
        byte two = 2;
        bool odd = Unsafe.As<byte, bool>(ref two);
        bool[] values = [odd, false, odd, odd, false, false, false, false, odd];

        bool[] decoded = DecodeBooleans(Booleans(values));

        await Assert.That(decoded).IsEquivalentTo(new[] { true, false, true, true, false, false, false, false, true });
    }
}
