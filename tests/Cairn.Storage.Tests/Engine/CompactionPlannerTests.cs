using Cairn.Storage.Engine;
using TUnit.Assertions.Enums;

namespace Cairn.Storage.Tests.Engine;

public class CompactionPlannerTests
{
    private static List<(string Path, long Generation, int Level, long Length)> Files(params (long Generation, int Level)[] files) =>
        files.Select(f => ("/data/" + CompactionPlanner.FileName(f.Generation, f.Level), f.Generation, f.Level, 100L)).ToList();

    private static string Name(long generation, int level) => "/data/" + CompactionPlanner.FileName(generation, level);

    [Test]
    public async Task FileName_RoundTrips()
    {
        await Assert.That(CompactionPlanner.FileName(42, 1)).IsEqualTo("000000042-01.csf");
        foreach (var (generation, level) in new[] { (0L, 1), (1L, 4), (999_999_999L, 99), (1_000_000_000L, 2), (long.MaxValue, 3) })
        {
            await Assert.That(CompactionPlanner.TryParseFileName(CompactionPlanner.FileName(generation, level), out long g, out int l)).IsTrue();
            await Assert.That((g, l)).IsEqualTo((generation, level));
        }
    }

    [Test]
    [Arguments("000000042-01.csf.tmp")]
    [Arguments("00000042-01.csf")]
    [Arguments("000000042-1.csf")]
    [Arguments("000000042-001.csf")]
    [Arguments("000000042-00.csf")]
    [Arguments("000000042_01.csf")]
    [Arguments("00000004a-01.csf")]
    [Arguments("+00000042-01.csf")]
    [Arguments("000000042-01.tsm")]
    [Arguments("99999999999999999999-01.csf")]
    [Arguments("tombstones.log")]
    [Arguments("")]
    public async Task TryParseFileName_Malformed_False(string name)
    {
        await Assert.That(CompactionPlanner.TryParseFileName(name, out _, out _)).IsFalse();
    }

    [Test]
    public async Task Plan_FourAdjacentLevel1_OneMergeToLevel2NamedByNewest()
    {
        var plans = CompactionPlanner.Plan(Files((3, 1), (1, 1), (4, 1), (2, 1)), fullCompaction: false);
        await Assert.That(plans.Count).IsEqualTo(1);
        await Assert.That(plans[0].Inputs).IsEquivalentTo(new[] { Name(1, 1), Name(2, 1), Name(3, 1), Name(4, 1) }, CollectionOrdering.Matching);
        await Assert.That(plans[0].Inputs[0]).IsEqualTo(Name(1, 1)); // oldest first
        await Assert.That(plans[0].OutputName).IsEqualTo("000000004-02.csf");
        await Assert.That((plans[0].Generation, plans[0].OutputLevel, plans[0].IsFull, plans[0].InputBytes)).IsEqualTo((4L, 2, false, 400L));
    }

    [Test]
    public async Task Plan_TooFewOrNotAdjacent_Nothing()
    {
        await Assert.That(CompactionPlanner.Plan(Files((1, 1), (2, 1), (3, 1)), fullCompaction: false).Count).IsEqualTo(0);
        // A level-2 file between them: merging around it would reorder data.
        await Assert.That(CompactionPlanner.Plan(Files((1, 1), (2, 1), (3, 2), (4, 1), (5, 1)), fullCompaction: false).Count).IsEqualTo(0);
        await Assert.That(CompactionPlanner.Plan(Files(), fullCompaction: false).Count).IsEqualTo(0);
        await Assert.That(CompactionPlanner.Plan(Files(), fullCompaction: true, hasTombstones: true).Count).IsEqualTo(0);
    }

    [Test]
    public async Task Plan_LongRunAndSeveralLevels_DisjointGroupsOldestFirst()
    {
        var files = Files((4, 2), (8, 2), (12, 2), (16, 2), (17, 1), (18, 1), (19, 1), (20, 1), (21, 1), (22, 1), (23, 1), (24, 1), (25, 1));
        var plans = CompactionPlanner.Plan(files, fullCompaction: false);
        await Assert.That(plans.Select(p => p.OutputName).ToArray()).IsEquivalentTo(new[] { "000000016-03.csf", "000000020-02.csf", "000000024-02.csf" }, CollectionOrdering.Matching);
        var used = plans.SelectMany(p => p.Inputs).ToList();
        await Assert.That(used.Distinct().Count()).IsEqualTo(used.Count);
        await Assert.That(used.Contains(Name(25, 1))).IsFalse();
    }

    [Test]
    public async Task Plan_TopLevelFiles_NeverLeveled()
    {
        var plans = CompactionPlanner.Plan(Files((4, 4), (8, 4), (12, 4), (16, 5), (20, 4)), fullCompaction: false);
        await Assert.That(plans.Count).IsEqualTo(0);
        plans = CompactionPlanner.Plan(Files((4, 3), (8, 3), (12, 3), (16, 3)), fullCompaction: false);
        await Assert.That(plans.Single().OutputName).IsEqualTo("000000016-04.csf");
    }

    [Test]
    public async Task Plan_GroupWhoseOutputExists_Skipped()
    {
        // 000000004-02.csf exists: a merge of 1..4 finished but a crash kept its inputs.
        var plans = CompactionPlanner.Plan(Files((1, 1), (2, 1), (3, 1), (4, 1), (4, 2)), fullCompaction: false, filesPerLevel: 4);
        await Assert.That(plans.Count).IsEqualTo(0);
    }

    [Test]
    public async Task Plan_Full_AllFilesToTopLevel()
    {
        var plans = CompactionPlanner.Plan(Files((8, 2), (9, 1), (10, 1)), fullCompaction: true);
        await Assert.That(plans.Count).IsEqualTo(1);
        await Assert.That(plans[0].Inputs).IsEquivalentTo(new[] { Name(8, 2), Name(9, 1), Name(10, 1) }, CollectionOrdering.Matching);
        await Assert.That(plans[0].OutputName).IsEqualTo("000000010-04.csf");
        await Assert.That(plans[0].IsFull).IsTrue();
    }

    [Test]
    public async Task Plan_FullSingleFile_OnlyWhenThereIsSomethingToDo()
    {
        await Assert.That(CompactionPlanner.Plan(Files((7, 4)), fullCompaction: true).Count).IsEqualTo(0);
        await Assert.That(CompactionPlanner.Plan(Files((7, 5)), fullCompaction: true).Count).IsEqualTo(0);

        var plans = CompactionPlanner.Plan(Files((7, 1)), fullCompaction: true);
        await Assert.That(plans.Single().OutputName).IsEqualTo("000000007-04.csf");

        // A rewrite to apply deletes needs a new name: the replaced file is deleted by name.
        plans = CompactionPlanner.Plan(Files((7, 4)), fullCompaction: true, hasTombstones: true);
        await Assert.That(plans.Single().OutputName).IsEqualTo("000000007-05.csf");
        plans = CompactionPlanner.Plan(Files((7, 5)), fullCompaction: true, hasTombstones: true);
        await Assert.That(plans.Single().OutputName).IsEqualTo("000000007-04.csf");
    }

    [Test]
    public async Task Plan_Random_PlansAreDisjointAndAdjacent()
    {
        var random = new Random(17);
        for (int round = 0; round < 500; round++)
        {
            var files = new List<(string, long, int, long)>();
            long generation = 0;
            for (int i = random.Next(0, 30); i > 0; i--)
            {
                generation += random.Next(1, 4);
                int level = random.Next(1, 6);
                files.Add(("/d/" + CompactionPlanner.FileName(generation, level), generation, level, random.Next(1, 1000)));
            }
            bool full = random.Next(4) == 0;
            int perLevel = random.Next(2, 6);
            var plans = CompactionPlanner.Plan(files, full, random.Next(2) == 0, perLevel);
            var used = plans.SelectMany(p => p.Inputs).ToList();
            await Assert.That(used.Distinct().Count()).IsEqualTo(used.Count);
            if (full)
            {
                await Assert.That(plans.Count).IsLessThanOrEqualTo(1);
                if (files.Count > 1) await Assert.That(plans.Single().Inputs.Count).IsEqualTo(files.Count);
                continue;
            }
            var order = files.Select(f => f.Item1).ToList();
            foreach (var plan in plans)
            {
                await Assert.That(plan.Inputs.Count).IsEqualTo(perLevel);
                int first = order.IndexOf(plan.Inputs[0]);
                for (int i = 0; i < plan.Inputs.Count; i++)
                    await Assert.That(order.IndexOf(plan.Inputs[i])).IsEqualTo(first + i);
                await Assert.That(order.Contains("/d/" + plan.OutputName)).IsFalse();
            }
        }
    }
}
