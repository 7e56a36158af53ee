using Cairn.Storage.Encoding;
using CsCheck;
using static Cairn.Storage.Tests.Encoding.ColumnCodec;

namespace Cairn.Storage.Tests.Encoding;

public class StringEncodingTests
{
    [Test]
    public void EncodeDecode_AnyStrings_RoundTrip()
    {
        Generators.Strings.Sample(values =>
        {
            byte[] column = Strings(values);
            List<string> decoded = DecodeStrings(column);
            Require(decoded.Count == values.Length, "count");
            for (int i = 0; i < values.Length; i++)
                Require(string.Equals(values[i], decoded[i], StringComparison.Ordinal), $"value {i}");
        }, iter: 500);
    }

    [Test]
    public void DecodeUtf8_AnyStrings_GivesTheUtf8BytesAndEnds()
    {
        Generators.Strings.Sample(values =>
        {
            byte[] column = Strings(values);
            var ends = new int[values.Length];
            byte[] bytes = StringEncoding.DecodeUtf8(column, ends, Workspace).ToArray();
            int start = 0;
            for (int i = 0; i < values.Length; i++)
            {
                Require(System.Text.Encoding.UTF8.GetString(bytes, start, ends[i] - start) == values[i], $"value {i}");
                start = ends[i];
            }
            Require(start == bytes.Length, "no bytes left over");
        }, iter: 300);
    }

    [Test]
    [Arguments(0)]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(239)]
    [Arguments(240)]
    [Arguments(241)]
    [Arguments(1000)]
    public void EncodeDecode_EverySize_RoundTrips(int n)
    {
        Generators.Text.Array[n].Sample(values =>
            Require(DecodeStrings(Strings(values)).SequenceEqual(values), "strings"), iter: 20);
    }

    [Test]
    public async Task Encode_TinyBlock_StaysRaw()
    {
        byte[] column = Strings(["ok"]);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.StringRaw);
        await Assert.That(column).IsEquivalentTo(new byte[] { 0x50, 1, 2, (byte)'o', (byte)'k' });
    }

    [Test]
    public async Task Encode_RepetitiveStatuses_IsZstdAndSmall()
    {
        string[] statuses = ["running", "stopped", "degraded: disk 93% full"];
        string[] values = Enumerable.Range(0, 1000).Select(i => statuses[i * 7 % 3]).ToArray();

        byte[] column = Strings(values);

        await Assert.That(EncodingOf(column)).IsEqualTo(ColumnEncoding.StringZstd);
        await Assert.That(column.Length).IsLessThan(values.Length);
        await Assert.That(DecodeStrings(column).SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task EncodeDecode_HugeStrings_RoundTrip()
    {
        var random = new Random(1);
        string[] values = new string[20];
        for (int i = 0; i < values.Length; i++)
        {
            var chars = new char[random.Next(60_000, 200_000)];
            for (int j = 0; j < chars.Length; j++)
                chars[j] = (char)random.Next(0x20, 0x3000);
            values[i] = new string(chars);
        }

        List<string> decoded = DecodeStrings(Strings(values));

        await Assert.That(decoded.SequenceEqual(values)).IsTrue();
    }

    [Test]
    public async Task Encode_UnpairedSurrogate_BecomesReplacementCharacter()
    {
        List<string> decoded = DecodeStrings(Strings(["a\uD800b"]));
        await Assert.That(decoded[0]).IsEqualTo("a\uFFFDb");
    }

    [Test]
    public async Task TryDecode_CorruptColumn_AppendsNothing()
    {
        byte[] column = Strings(["alpha", "beta", "gamma"]);
        column[^1] ^= 0xFF;
        column = column[..^1];
        var destination = new List<string> { "kept" };

        bool decoded = StringEncoding.TryDecode(column, destination, Workspace, out int count);

        await Assert.That(decoded).IsFalse();
        await Assert.That(count).IsEqualTo(0);
        await Assert.That(destination).IsEquivalentTo(new[] { "kept" });
    }
}
