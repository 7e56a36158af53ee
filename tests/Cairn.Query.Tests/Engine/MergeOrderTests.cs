using Cairn.Query.Engine;

namespace Cairn.Query.Tests.Engine;

/// <summary>
/// The merge orders of influxql's heap iterators. Expected orders are worked by hand from Go's container/heap
/// (Init sifts down from n/2-1; Pop swaps the root with the last element, sifts down, removes the last; Push
/// appends and sifts up), which keeps equal keys in a deterministic order that is not input order.
/// </summary>
public class MergeOrderTests
{
    private static List<(string Name, long Time)> Stream(string name, params long[] times) => [.. times.Select(t => (name, t))];

    [Test]
    public async Task Windowed_TwoInputsOneWindow_DrainsFirstInputThenSecond()
    {
        var order = MergeOrder.Windowed([Stream("a", 1, 2), Stream("b", 3, 4)], static _ => 0L, ascending: true);
        await Assert.That(string.Join(",", order.Select(p => p.Name + p.Time))).IsEqualTo("a1,a2,b3,b4");
    }

    [Test]
    public async Task Windowed_ThreeInputsTied_PopsRootThenLastInput()
    {
        // Heap [a,b,c] all equal: Pop returns a and moves c to the root, so c comes before b.
        var order = MergeOrder.Windowed([Stream("a", 1), Stream("b", 1), Stream("c", 1)], static _ => 0L, ascending: true);
        await Assert.That(string.Join(",", order.Select(p => p.Name))).IsEqualTo("a,c,b");
    }

    [Test]
    public async Task Sorted_EqualTimes_FollowHeapOrderThenTime()
    {
        var order = MergeOrder.Sorted([Stream("a", 1, 2), Stream("b", 1, 2), Stream("c", 1, 2)], static p => p.Time, ascending: true);
        // a1 popped (c to root); c1 popped (b1 sifts up past a2); b1; then c2 sits at the root, b2 under it, a2 last.
        await Assert.That(string.Join(",", order.Select(p => p.Name + p.Time))).IsEqualTo("a1,c1,b1,c2,b2,a2");
    }

    [Test]
    public async Task Windowed_Descending_PopsLatestWindowFirst()
    {
        var order = MergeOrder.Windowed([Stream("a", 20, 10), Stream("b", 25, 15)], static p => p.Time / 10 * 10, ascending: false);
        await Assert.That(string.Join(",", order.Select(p => p.Name + p.Time))).IsEqualTo("a20,b25,a10,b15");
    }
}
