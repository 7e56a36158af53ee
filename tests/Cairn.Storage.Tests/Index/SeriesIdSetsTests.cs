using Cairn.Storage.Index;
using CsCheck;

namespace Cairn.Storage.Tests.Index;

public class SeriesIdSetsTests
{
    private static readonly Gen<uint[]> Sets = Gen.UInt[0, 200].Array[0, 60].Select(a => a.Distinct().Order().ToArray());

    [Test]
    public async Task IntersectUnionExcept_RandomSets_MatchLinq()
    {
        Gen.Select(Sets, Sets).Sample((a, b) =>
            SeriesIdSets.Intersect(a, b).SequenceEqual(a.Intersect(b).Order())
            && SeriesIdSets.Union(a, b).SequenceEqual(a.Union(b).Order())
            && SeriesIdSets.Except(a, b).SequenceEqual(a.Except(b).Order()), iter: 2000);
        await Assert.That(SeriesIdSets.Union([1u, 3], [2u, 3])).IsEquivalentTo(new uint[] { 1, 2, 3 });
    }
}
