using System.Buffers.Binary;
using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class Simple8bTests
{
    // selector → (bits per value, values per word) for the packing selectors 2..15
    private static readonly (int Selector, int Width, int Count)[] Packing =
    [
        (2, 1, 60), (3, 2, 30), (4, 3, 20), (5, 4, 15), (6, 5, 12), (7, 6, 10), (8, 7, 8),
        (9, 8, 7), (10, 10, 6), (11, 12, 5), (12, 15, 4), (13, 20, 3), (14, 30, 2), (15, 60, 1),
    ];

    public static IEnumerable<(int Selector, int Width, int Count)> PackingSelectors() => Packing;

    private static ulong[] RoundTrip(ulong[] values, out byte[] words)
    {
        words = new byte[Simple8b.MaxEncodedLength(values.Length)];
        int length = Simple8b.Encode(values, words);
        Require(length >= 0, "encodable");
        words = words[..length];
        var decoded = new ulong[values.Length];
        Require(Simple8b.Decode(words, decoded) == CorruptBlockReason.None, "decodes");
        return decoded;
    }

    private static int SelectorOfWord(byte[] words, int index) =>
        (int)(BinaryPrimitives.ReadUInt64LittleEndian(words.AsSpan(index * 8, 8)) >> 60);

    [Test]
    public void EncodeDecode_AnyValuesBelow2To60_RoundTrip()
    {
        Gen<ulong[]> widths = Generators.Sizes.SelectMany(n => Gen.Int[0, 60].SelectMany(maxWidth =>
            Gen.ULong.Select(v => maxWidth == 0 ? 0 : v >> (64 - maxWidth)).Array[n]));
        widths.Sample(values =>
        {
            ulong[] decoded = RoundTrip(values, out byte[] words);
            RequireSame<ulong>(values, decoded, "simple8b");
            Require(words.Length <= 8 * Math.Max(values.Length, 0), "never more than a word per value");
        }, iter: 2000);
    }

    [Test]
    [MethodDataSource(nameof(PackingSelectors))]
    public async Task Encode_ExactlyOneWordOfWidestValues_UsesThatSelector((int Selector, int Width, int Count) s)
    {
        ulong widest = s.Width == 64 ? ulong.MaxValue : (1UL << s.Width) - 1;
        // Alternate widest and zero so the run selectors do not apply.
        var values = new ulong[s.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = i % 2 == 0 ? widest : 0;

        ulong[] decoded = RoundTrip(values, out byte[] words);

        await Assert.That(words.Length).IsEqualTo(8);
        await Assert.That(SelectorOfWord(words, 0)).IsEqualTo(s.Selector);
        await Assert.That(decoded.SequenceEqual(values)).IsTrue();
    }

    [Test]
    [MethodDataSource(nameof(PackingSelectors))]
    public async Task Encode_OneValueMoreThanAWordHolds_SpillsIntoASecondWord((int Selector, int Width, int Count) s)
    {
        ulong widest = (1UL << s.Width) - 1;
        var values = new ulong[s.Count + 1];
        for (int i = 0; i < values.Length; i++)
            values[i] = i % 2 == 0 ? widest : 1;

        ulong[] decoded = RoundTrip(values, out byte[] words);

        await Assert.That(words.Length).IsEqualTo(16);
        await Assert.That(SelectorOfWord(words, 0)).IsEqualTo(s.Selector);
        await Assert.That(decoded.SequenceEqual(values)).IsTrue();
    }

    [Test]
    [MethodDataSource(nameof(PackingSelectors))]
    public async Task Encode_OneBitWiderThanTheSelector_UsesTheNextSelector((int Selector, int Width, int Count) s)
    {
        if (s.Width == 60)
            return; // nothing is wider; covered by Encode_ValueOf2To60_Fails
        var values = new ulong[s.Count];
        values[^1] = 1UL << s.Width; // one bit too wide, last in the word

        ulong[] decoded = RoundTrip(values, out byte[] words);

        await Assert.That(SelectorOfWord(words, 0)).IsGreaterThan(s.Selector);
        await Assert.That(decoded.SequenceEqual(values)).IsTrue();
    }

    [Test]
    [Arguments(240, 0UL, 0)]
    [Arguments(240, 1UL, 0)]
    [Arguments(240, Simple8b.MaxValue, 0)]
    [Arguments(241, 7UL, 0)]
    [Arguments(480, 0UL, 0)]
    [Arguments(120, 0UL, 1)]
    [Arguments(121, 1UL, 1)]
    [Arguments(239, 0UL, 1)]
    [Arguments(239, 123_456_789UL, 1)]
    [Arguments(119, 0UL, 2)]
    [Arguments(119, 5UL, 4)]
    public async Task Encode_RunOfEqualValues_UsesRunSelector(int length, ulong value, int firstSelector)
    {
        ulong[] values = Enumerable.Repeat(value, length).ToArray();

        ulong[] decoded = RoundTrip(values, out byte[] words);

        await Assert.That(SelectorOfWord(words, 0)).IsEqualTo(firstSelector);
        await Assert.That(decoded.SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_240Zeros_TakeOneWord()
    {
        RoundTrip(new ulong[240], out byte[] words);
        await Assert.That(words.Length).IsEqualTo(8);
    }

    [Test]
    [Arguments(1UL << 60)]
    [Arguments(ulong.MaxValue)]
    public async Task Encode_ValueOf2To60OrMore_Fails(ulong tooWide)
    {
        var destination = new byte[Simple8b.MaxEncodedLength(3)];
        await Assert.That(Simple8b.Encode([1, tooWide, 2], destination)).IsEqualTo(-1);
        await Assert.That(Simple8b.Encode(Enumerable.Repeat(tooWide, 240).ToArray(), new byte[240 * 8])).IsEqualTo(-1);
    }

    [Test]
    public async Task Decode_FewerValuesThanExpected_IsTruncated()
    {
        RoundTrip([1, 2, 3], out byte[] words);
        await Assert.That(Simple8b.Decode(words, new ulong[4])).IsEqualTo(CorruptBlockReason.Truncated);
        await Assert.That(Simple8b.Decode(words.AsSpan(0, 7), new ulong[3])).IsEqualTo(CorruptBlockReason.Truncated);
    }

    [Test]
    public async Task Decode_MoreValuesThanExpected_IsRejected()
    {
        RoundTrip(new ulong[240], out byte[] words);
        await Assert.That(Simple8b.Decode(words, new ulong[239])).IsEqualTo(CorruptBlockReason.CountOutOfRange);
    }

    [Test]
    [Arguments(8)]
    [Arguments(9)]
    public async Task Decode_SpareBitsSetIn56BitSelectors_IsInvalid(int selector)
    {
        ulong word = ((ulong)selector << 60) | (1UL << 57);
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, word);
        int count = selector == 8 ? 8 : 7;
        await Assert.That(Simple8b.Decode(bytes, new ulong[count])).IsEqualTo(CorruptBlockReason.InvalidPayload);
    }

    [Test]
    public void Decode_RandomWords_NeverThrows()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Int[0, 2000]).Sample((bytes, count) =>
        {
            var destination = new ulong[count];
            CorruptBlockReason reason = Simple8b.Decode(bytes, destination);
            Require(Enum.IsDefined(reason), "a known reason");
        }, iter: 5000);
    }
}
