using System.Runtime.InteropServices;
using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class FloatEncodingTests
{
    /// <summary>Bit-exact: NaN payloads and -0.0 must survive, and NaN != NaN under ==.</summary>
    private static void RequireSameBits(double[] expected, double[] actual, string what) =>
        RequireSame<long>(MemoryMarshal.Cast<double, long>(expected), MemoryMarshal.Cast<double, long>(actual), what);

    [Test]
    public void EncodeDecode_AnySeries_RoundTripsBitExact()
    {
        Generators.Doubles.Sample(values =>
        {
            byte[] column = Floats(values);
            RequireSameBits(values, DecodeFloats(column), EncodingOf(column).ToString());
            Require(column.Length <= 4 + 8 * values.Length, "never much larger than raw");
        }, iter: 2000);
    }

    [Test]
    [Arguments(0)]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(239)]
    [Arguments(240)]
    [Arguments(241)]
    [Arguments(1000)]
    public void EncodeDecode_SpecialValuesAtEverySize_RoundTrip(int n)
    {
        Generators.SpecialDoubles.Array[n].Sample(values =>
            RequireSameBits(values, DecodeFloats(Floats(values)), "special values"), iter: 50);
    }

    [Test]
    public async Task Encode_TwoDecimalRandomWalk_IsDecimalAndSmall()
    {
        var random = new Random(11);
        double v = 50;
        double[] values = new double[1000];
        for (int i = 0; i < values.Length; i++)
            values[i] = Math.Round(v = Math.Clamp(v + random.NextDouble() * 2 - 1, 0, 100), 2);

        byte[] column = Floats(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.FloatDecimal);
        await Assert.That(column[3]).IsEqualTo((byte)2); // scale 10^2
        await Assert.That(column.Length).IsLessThan(2 * values.Length);
        RequireSameBits(values, DecodeFloats(column), "decimal");
    }

    [Test]
    public async Task Encode_IntegerValuedFloats_IsDecimalWithScaleZero()
    {
        double[] values = Enumerable.Range(0, 1000).Select(i => (double)(i % 17)).ToArray();

        byte[] column = Floats(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.FloatDecimal);
        await Assert.That(column[3]).IsEqualTo((byte)0);
        RequireSameBits(values, DecodeFloats(column), "integers");
    }

    [Test]
    public async Task Encode_NegativeZeroAmongDecimals_StaysNegativeZero()
    {
        double[] values = [1.5, -0.0, 2.25, 0.0];

        double[] decoded = DecodeFloats(Floats(values));

        await Assert.That(BitConverter.DoubleToInt64Bits(decoded[1])).IsEqualTo(BitConverter.DoubleToInt64Bits(-0.0));
        await Assert.That(BitConverter.DoubleToInt64Bits(decoded[3])).IsEqualTo(0L);
    }

    [Test]
    public async Task Encode_FullPrecisionRandomWalk_IsGorilla()
    {
        var random = new Random(5);
        double v = 50;
        double[] values = new double[1000];
        for (int i = 0; i < values.Length; i++)
            values[i] = v += random.NextDouble() - 0.5;

        byte[] column = Floats(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.FloatGorilla);
        await Assert.That(column.Length).IsLessThan(8 * values.Length);
        RequireSameBits(values, DecodeFloats(column), "gorilla");
    }

    [Test]
    public async Task Encode_ConstantFloat_TakesAboutOneBitPerValue()
    {
        double[] values = Enumerable.Repeat(Math.PI, 1000).ToArray();

        byte[] column = Floats(values);

        await Assert.That(column.Length).IsLessThanOrEqualTo(3 + 8 + 125);
        RequireSameBits(values, DecodeFloats(column), "constant");
    }

    [Test]
    public async Task Encode_RandomBits_FallsBackToRaw()
    {
        var random = new Random(9);
        double[] values = new double[1000];
        for (int i = 0; i < values.Length; i++)
            values[i] = BitConverter.Int64BitsToDouble(random.NextInt64());

        byte[] column = Floats(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.FloatRaw);
        RequireSameBits(values, DecodeFloats(column), "raw");
    }
}
