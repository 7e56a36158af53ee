using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class UnsignedEncodingTests
{
    [Test]
    public void EncodeDecode_AnySeries_RoundTrips()
    {
        Generators.AnyLongs.Select(a => Array.ConvertAll(a, v => unchecked((ulong)v))).Sample(values =>
        {
            byte[] column = Unsigned(values);
            Require(ColumnHeader.Read(column).Type == ColumnType.Unsigned, "type");
            RequireSame<ulong>(values, DecodeUnsigned(column), EncodingOf(column).ToString());
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
        Gen.OneOf(ulong.MaxValue, 0UL, 1UL, ulong.MaxValue - 1, 1UL << 63).Array[n].Sample(values =>
            RequireSame<ulong>(values, DecodeUnsigned(Unsigned(values)), "extremes"), iter: 50);
    }

    [Test]
    public async Task Encode_CounterNearMaxValue_PacksLikeOneNearZero()
    {
        ulong[] nearZero = Enumerable.Range(0, 1000).Select(i => (ulong)(i * 3 + i % 5)).ToArray();
        ulong[] nearMax = Array.ConvertAll(nearZero, v => ulong.MaxValue - 3000 + v);

        byte[] low = Unsigned(nearZero);
        byte[] high = Unsigned(nearMax);

        await Assert.That(high.Length - low.Length).IsLessThanOrEqualTo(9); // only the first value's varint differs
        await Assert.That(DecodeUnsigned(high).SequenceEqual(nearMax)).IsTrue();
    }

    [Test]
    public async Task Decode_IntegerColumn_IsWrongColumnType()
    {
        byte[] column = Integers([1, 2, 3]);
        await Assert.That(UnsignedEncoding.TryDecode(column, new ulong[3], Workspace, out _)).IsFalse();
    }
}
