using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class TimestampEncodingTests
{
    [Test]
    public void EncodeDecode_AnySeries_RoundTrips()
    {
        Generators.TimestampSeries.Sample(values =>
        {
            byte[] column = Timestamps(values);
            RequireSame<long>(values, DecodeTimestamps(column), EncodingOf(column).ToString());
            Require(column.Length <= 4 + 8 * values.Length, "never much larger than raw");
        }, iter: 1000);
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
        Gen.OneOf(long.MinValue, long.MaxValue, 0L, -1L).Array[n].Sample(values =>
            RequireSame<long>(values, DecodeTimestamps(Timestamps(values)), "extremes"), iter: 50);
    }

    [Test]
    public async Task Encode_RegularInterval_IsRunLengthAndTiny()
    {
        long[] values = Enumerable.Range(0, 1000).Select(i => 1_700_000_000_000_000_000L + i * 10_000_000_000L).ToArray();

        byte[] column = Timestamps(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.TimestampRunLength);
        await Assert.That(column.Length).IsLessThanOrEqualTo(16);
        await Assert.That(DecodeTimestamps(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_RegularWithGaps_IsScaledDeltaOfDeltaHuffman()
    {
        long[] values = Samples.RegularWithGaps(1000);

        byte[] column = Timestamps(values);

        // Mostly zero changes of interval, so ~1 bit a point; scale 10: intervals are multiples of 10^10.
        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.TimestampDeltaOfDeltaHuffman);
        await Assert.That(column[1 + 2 + 8]).IsEqualTo((byte)10);
        // InfluxDB's delta + divisor packing needs 2 bits a point here (~264 bytes).
        await Assert.That(column.Length).IsLessThan(150);
        await Assert.That(DecodeTimestamps(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_ShortJitteredBlock_IsDeltaOfDeltaSimple8b()
    {
        long[] values = Samples.Jittered(60);

        byte[] column = Timestamps(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.TimestampDeltaOfDelta);
        await Assert.That(DecodeTimestamps(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_NanosecondJitter_IsDeltaOfDeltaHuffman()
    {
        long[] values = Samples.Jittered(1000);

        byte[] column = Timestamps(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.TimestampDeltaOfDeltaHuffman);
        // ±5 ms in ns is ~23 bits of jitter, 24 of delta-of-delta; Simple-8b would spend 30.
        await Assert.That(column.Length).IsLessThan(1000 * 27 / 8);
        await Assert.That(DecodeTimestamps(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_IrregularEvents_IsDelta()
    {
        var random = new Random(42);
        long t = 1_700_000_000_000_000_000L;
        long[] values = new long[1000];
        for (int i = 0; i < values.Length; i++)
            values[i] = t += random.NextInt64(1, 1 << 20) * 1_000_000; // millisecond precision, irregular

        byte[] column = Timestamps(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.TimestampDelta);
        await Assert.That(DecodeTimestamps(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_HugeJumps_FallsBackToRaw()
    {
        long[] values = [long.MinValue, long.MaxValue, long.MinValue, 0, long.MaxValue];

        byte[] column = Timestamps(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.TimestampRaw);
        await Assert.That(DecodeTimestamps(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_TooManyValues_Throws()
    {
        await Assert.That(() => Timestamps(new long[ColumnHeader.MaxCount + 1])).Throws<ArgumentOutOfRangeException>();
    }

    [Test]
    public async Task Decode_DestinationShorterThanCount_ThrowsArgumentException()
    {
        byte[] column = Timestamps([1, 2, 3]);
        await Assert.That(() => TimestampEncoding.Decode(column, new long[2], Workspace)).Throws<ArgumentException>();
    }

    [Test]
    public async Task Decode_ColumnOfAnotherType_IsWrongColumnType()
    {
        byte[] column = Integers([1, 2, 3]);
        CorruptBlockException? thrown = await Assert.That(() => TimestampEncoding.Decode(column, new long[3], Workspace))
            .Throws<CorruptBlockException>();
        await Assert.That(thrown!.Reason).IsEqualTo(CorruptBlockReason.WrongColumnType);
    }
}
