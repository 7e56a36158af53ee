using Cairn.Common.Hashing;
using CsCheck;

namespace Cairn.Common.Tests;

public class Crc32CTests
{
    [Test]
    [Arguments("", 0x00000000u)]
    [Arguments("a", 0xC1D04330u)]
    [Arguments("abc", 0x364B3FB7u)]
    [Arguments("123456789", 0xE3069283u)]
    [Arguments("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public async Task Compute_KnownVector_MatchesPublishedValue(string text, uint expected)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await Assert.That(Crc32C.Compute(bytes)).IsEqualTo(expected);
        await Assert.That(Crc32C.ComputeSoftware(bytes)).IsEqualTo(expected);
    }

    [Test]
    public async Task Compute_Rfc3720Vectors_MatchIscsiTestData()
    {
        // RFC 3720 appendix B.4: 32 bytes of zeros, of 0xFF, and ascending 0..31.
        var zeros = new byte[32];
        var ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        var ascending = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        await Assert.That(Crc32C.Compute(zeros)).IsEqualTo(0x8A9136AAu);
        await Assert.That(Crc32C.Compute(ones)).IsEqualTo(0x62A8AB43u);
        await Assert.That(Crc32C.Compute(ascending)).IsEqualTo(0x46DD794Eu);
        await Assert.That(Crc32C.ComputeSoftware(ascending)).IsEqualTo(0x46DD794Eu);
    }

    [Test]
    public void Compute_RandomData_HardwareEqualsSoftware()
    {
        Gen.Byte.Array[0, 5000].Sample(bytes =>
            Crc32C.Compute(bytes) == Crc32C.ComputeSoftware(bytes), iter: 2000);
    }

    [Test]
    public void Append_SplitAnywhere_EqualsWholeComputation()
    {
        Gen.Select(Gen.Byte.Array[0, 600], Gen.Int[0, 600]).Sample((bytes, split) =>
        {
            int at = Math.Min(split, bytes.Length);
            return Crc32C.Append(Crc32C.Compute(bytes.AsSpan(0, at)), bytes.AsSpan(at)) == Crc32C.Compute(bytes);
        }, iter: 2000);
    }

    [Test]
    public void Compute_UnalignedSlices_HardwareEqualsSoftware()
    {
        var random = new Random(7);
        var bytes = new byte[300];
        random.NextBytes(bytes);
        for (int start = 0; start < 16; start++)
        {
            for (int length = 0; length < bytes.Length - start; length += 7)
            {
                var slice = bytes.AsSpan(start, length);
                if (Crc32C.Compute(slice) != Crc32C.ComputeSoftware(slice))
                    throw new InvalidOperationException($"mismatch at start {start} length {length}");
            }
        }
    }

    [Test]
    public async Task IsHardwareAccelerated_OnX64WithSse42_IsTrue()
    {
        if (!System.Runtime.Intrinsics.X86.Sse42.IsSupported) return;
        await Assert.That(Crc32C.IsHardwareAccelerated).IsTrue();
    }
}
