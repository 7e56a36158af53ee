using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class HuffmanTests
{
    private static byte[] Encode(ulong[] values)
    {
        var lengths = new byte[Huffman.SymbolCount];
        int planned = Huffman.Plan(values, lengths);
        var destination = new byte[planned + 8];
        int written = Huffman.Encode(values, lengths, destination);
        Require(written == planned, $"wrote {written} bytes, planned {planned}");
        return destination[..written];
    }

    private static CorruptBlockReason Decode(byte[] encoded, ulong[] destination) =>
        Huffman.Decode(encoded, destination, new ushort[Huffman.TableLength]);

    [Test]
    public void EncodeDecode_AnyValues_RoundTrip()
    {
        // Skewed small values with rare wide ones, and values of every bit length up to 64.
        Gen<ulong> skewed = Gen.Frequency(
            (20, Gen.ULong[0, 3]),
            (5, Gen.ULong[0, 40]),
            (1, Gen.Int[0, 64].SelectMany(bits => Gen.ULong.Select(v => bits == 0 ? 0 : v >> (64 - bits)))));
        Gen.OneOf(skewed.Array[1, 1100], Gen.ULong.Array[1, 300]).Sample(values =>
        {
            byte[] encoded = Encode(values);
            var decoded = new ulong[values.Length];
            Require(Decode(encoded, decoded) == CorruptBlockReason.None, "decodes");
            RequireSame<ulong>(values, decoded, "huffman");
        }, iter: 2000);
    }

    [Test]
    public async Task Encode_SingleDistinctValue_TakesOneBitEach()
    {
        ulong[] values = Enumerable.Repeat(5UL, 800).ToArray();

        byte[] encoded = Encode(values);
        var decoded = new ulong[values.Length];

        await Assert.That(encoded.Length).IsEqualTo(1 + 3 + 100);
        await Assert.That(Decode(encoded, decoded)).IsEqualTo(CorruptBlockReason.None);
        await Assert.That(decoded.SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_FibonacciFrequencies_LimitsCodesTo11Bits()
    {
        // Fibonacci frequencies make the deepest possible Huffman tree (~20 levels here).
        var values = new List<ulong>();
        long a = 1, b = 1;
        for (ulong symbol = 0; symbol < 20; symbol++)
        {
            for (long k = 0; k < a; k++)
                values.Add(symbol);
            (a, b) = (b, a + b);
        }
        ulong[] input = values.ToArray();
        var lengths = new byte[Huffman.SymbolCount];
        Huffman.Plan(input, lengths);

        byte[] encoded = Encode(input);
        var decoded = new ulong[input.Length];

        await Assert.That(lengths.Max()).IsLessThanOrEqualTo((byte)Huffman.MaxCodeLength);
        await Assert.That(Decode(encoded, decoded)).IsEqualTo(CorruptBlockReason.None);
        await Assert.That(decoded.SequenceEqual(input)).IsTrue();
    }

    [Test]
    public async Task Decode_OverSubscribedLengths_IsInvalid()
    {
        // Three symbols of length 1: more codes than one bit can tell apart.
        byte[] encoded = [3, 0x11, 0x01, 0x00];
        await Assert.That(Decode(encoded, new ulong[4])).IsEqualTo(CorruptBlockReason.InvalidPayload);
    }

    [Test]
    public async Task Decode_UnassignedCode_IsInvalid()
    {
        // One symbol of length 1 (code '0'); the stream holds a '1'.
        byte[] encoded = [1, 0x01, 0b1000_0000];
        await Assert.That(Decode(encoded, new ulong[1])).IsEqualTo(CorruptBlockReason.InvalidPayload);
    }

    [Test]
    public async Task Decode_LengthAboveLimit_IsInvalid()
    {
        byte[] encoded = [1, 0x0C, 0x00, 0x00];
        await Assert.That(Decode(encoded, new ulong[1])).IsEqualTo(CorruptBlockReason.InvalidPayload);
    }

    [Test]
    public void Decode_RandomBytes_NeverThrows()
    {
        Gen.Select(Gen.Byte.Array[0, 100], Gen.Int[0, 500]).Sample((bytes, count) =>
        {
            CorruptBlockReason reason = Decode(bytes, new ulong[count]);
            Require(Enum.IsDefined(reason), "a known reason");
        }, iter: 10_000);
    }
}
