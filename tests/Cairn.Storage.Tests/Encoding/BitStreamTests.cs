using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class BitStreamTests
{
    [Test]
    public void WriteRead_RandomFields_RoundTrip()
    {
        Gen.Select(Gen.ULong, Gen.Int[0, 64]).Array[0, 300].Sample(fields =>
        {
            long bits = 0;
            foreach (var (_, width) in fields)
                bits += width;
            var buffer = new byte[BitWriter.BufferLength(bits)];
            var writer = new BitWriter(buffer);
            foreach (var (value, width) in fields)
                writer.Write(value, width);
            int length = writer.Finish();
            Require(length == (bits + 7) / 8, "length");

            var reader = new BitReader(buffer.AsSpan(0, length));
            foreach (var (value, width) in fields)
            {
                ulong expected = width == 64 ? value : value & ((1UL << width) - 1);
                Require(reader.ReadLong(width) == expected, "field");
            }
            Require(!reader.Overrun, "no overrun");
            Require(reader.Consumed == bits, "consumed");
        }, iter: 2000);
    }

    [Test]
    public async Task Read_PastTheEnd_ReturnsZerosAndFlagsOverrun()
    {
        var (first, overrunAfterAllBits, beyond, overrunBeyond) = ReadPastEnd();

        await Assert.That(first).IsEqualTo(0xFFUL);
        await Assert.That(overrunAfterAllBits).IsFalse();
        await Assert.That(beyond).IsEqualTo(0UL);
        await Assert.That(overrunBeyond).IsTrue();
    }

    private static (ulong, bool, ulong, bool) ReadPastEnd()
    {
        var reader = new BitReader([0xFF]);
        ulong first = reader.Read(8);
        bool overrunAfterAllBits = reader.Overrun;
        ulong beyond = reader.ReadLong(64);
        return (first, overrunAfterAllBits, beyond, reader.Overrun);
    }
}
