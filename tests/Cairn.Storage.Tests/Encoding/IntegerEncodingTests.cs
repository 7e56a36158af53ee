using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class IntegerEncodingTests
{
    [Test]
    public void EncodeDecode_AnySeries_RoundTrips()
    {
        Generators.AnyLongs.Sample(values =>
        {
            byte[] column = Integers(values);
            RequireSame<long>(values, DecodeIntegers(column), EncodingOf(column).ToString());
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
    public void EncodeDecode_ExtremesAtEverySize_RoundTrip(int n)
    {
        Gen.OneOf(long.MinValue, long.MaxValue, 0L, -1L, 1L).Array[n].Sample(values =>
            RequireSame<long>(values, DecodeIntegers(Integers(values)), "extremes"), iter: 50);
    }

    [Test]
    public async Task Encode_Empty_IsHeaderOnly()
    {
        byte[] column = Integers([]);
        await Assert.That(column).IsEquivalentTo(new byte[] { (byte)ColumnEncoding.IntegerRaw, 0 });
        await Assert.That(DecodeIntegers(column).Length).IsEqualTo(0);
    }

    [Test]
    [Arguments(42L, 0L)]
    [Arguments(long.MinValue, 0L)]
    [Arguments(0L, 7L)]
    [Arguments(long.MaxValue, 1_000_000_007L)]
    public async Task Encode_ConstantStep_IsRunLength(long first, long step)
    {
        long[] values = Enumerable.Range(0, 1000).Select(i => unchecked(first + step * i)).ToArray();

        byte[] column = Integers(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.IntegerRunLength);
        await Assert.That(column.Length).IsLessThanOrEqualTo(3 + 20);
        await Assert.That(DecodeIntegers(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_SmallRandomWalk_PacksBelowOneBytePerValue()
    {
        var random = new Random(7);
        long v = 50;
        long[] values = new long[1000];
        for (int i = 0; i < values.Length; i++)
            values[i] = v += random.Next(-3, 4);

        byte[] column = Integers(values);

        await Assert.That(EncodingOf(column)).IsNotEqualTo(ColumnEncoding.IntegerRaw);
        await Assert.That(column.Length).IsLessThan(values.Length);
        await Assert.That(DecodeIntegers(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_UniformRandom_FallsBackToRaw()
    {
        var random = new Random(3);
        long[] values = new long[1000];
        for (int i = 0; i < values.Length; i++)
            values[i] = random.NextInt64(long.MinValue, long.MaxValue);

        byte[] column = Integers(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.IntegerRaw);
        await Assert.That(column.Length).IsEqualTo(3 + 8000);
    }
}
