using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Storage;

namespace Cairn.Query.Tests.Engine;

/// <summary>
/// The typed partials answer exactly as the row path's reducers: random values of every type, fed as several series
/// cut into random runs, against <see cref="Aggregates.Reduce"/> over the same values in the same order.
/// </summary>
public class FieldPartialTests
{
    private static readonly string[] Calls = ["count", "sum", "mean", "min", "max", "first", "last", "spread"];

    [Test]
    [Arguments(FieldType.Float)]
    [Arguments(FieldType.Integer)]
    [Arguments(FieldType.Unsigned)]
    [Arguments(FieldType.Boolean)]
    [Arguments(FieldType.String)]
    public async Task EveryCall_MatchesTheRowReducer(FieldType type)
    {
        var random = new Random(7 + (int)type);
        int checkedCalls = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            // Up to 4 series; times may repeat across series (ties), values repeat often (tie rules for min/max).
            var series = new List<(long[] Times, long[] Bits, string[] Texts)>();
            int seriesCount = random.Next(1, 5);
            for (int s = 0; s < seriesCount; s++)
            {
                int n = random.Next(1, 40);
                var times = new SortedSet<long>();
                while (times.Count < n) times.Add(random.Next(0, 60));
                var bits = new long[n];
                var texts = new string[n];
                for (int i = 0; i < n; i++)
                {
                    bits[i] = type switch
                    {
                        FieldType.Float => BitConverter.DoubleToInt64Bits(random.Next(-5, 5) * 0.1 + random.Next(0, 3) * 1e-17),
                        FieldType.Integer => random.Next(-5, 5),
                        FieldType.Unsigned => random.Next(0, 5),
                        FieldType.Boolean => random.Next(0, 2),
                        _ => 0,
                    };
                    texts[i] = type == FieldType.String ? ((char)('a' + random.Next(0, 4))).ToString() : "";
                }
                series.Add(([.. times], type == FieldType.String ? [] : bits, type == FieldType.String ? texts : []));
            }

            foreach (var name in Calls)
            {
                if (!FieldPartial.Supports(name, type)) continue;
                var partial = new FieldPartial();
                var samples = new List<Sample>();
                foreach (var (times, bits, texts) in series)
                {
                    // Fed in random runs, as windows and shards cut a series.
                    for (int i = 0; i < times.Length;)
                    {
                        int end = Math.Min(times.Length, i + random.Next(1, 8));
                        partial.AddRange(FieldPartial.Needs(name), type, times.AsSpan(i, end - i),
                            type == FieldType.String ? default : bits.AsSpan(i, end - i),
                            type == FieldType.String ? texts.AsSpan(i, end - i) : default);
                        i = end;
                    }
                    for (int i = 0; i < times.Length; i++) samples.Add(new Sample(times[i], Box(type, bits, texts, i), -1));
                }
                var expected = new List<Sample>();
                Aggregates.Reduce(new Call(name, new NodeList<Expr>([new VarRef("v")])), samples, 0, expected);
                var actual = partial.Finish(name, type, 0);
                await Assert.That(actual.Time).IsEqualTo(expected[0].Time).Because($"{name} time, trial {trial}");
                await Assert.That(actual.Value).IsEqualTo(expected[0].Value).Because($"{name} value, trial {trial}: {actual.Value?.GetType()} vs {expected[0].Value?.GetType()}");
                checkedCalls++;
            }
        }
        await Assert.That(checkedCalls).IsGreaterThanOrEqualTo(200 * 3);
    }

    private static object Box(FieldType type, long[] bits, string[] texts, int i) => type switch
    {
        FieldType.Float => BitConverter.Int64BitsToDouble(bits[i]),
        FieldType.Integer => bits[i],
        FieldType.Unsigned => (ulong)bits[i],
        FieldType.Boolean => bits[i] != 0,
        _ => texts[i],
    };
}
