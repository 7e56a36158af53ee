using Cairn.Meta.Store;

namespace Cairn.Meta.Tests.Store;

/// <summary>Shard group durations and time buckets as InfluxDB computes them.</summary>
public class RetentionRulesTests
{
    [Test]
    [Arguments(0L, 7 * Ns.Day)]
    [Arguments(180 * Ns.Day, 7 * Ns.Day)]
    [Arguments(365 * Ns.Day, 7 * Ns.Day)]
    [Arguments(180 * Ns.Day - 1, Ns.Day)]
    [Arguments(2 * Ns.Day, Ns.Day)]
    [Arguments(2 * Ns.Day - 1, Ns.Hour)]
    [Arguments(Ns.Hour, Ns.Hour)]
    public async Task DefaultShardGroupDuration_ByPolicyDuration(long duration, long expected) =>
        await Assert.That(RetentionRules.DefaultShardGroupDuration(duration)).IsEqualTo(expected);

    [Test]
    [Arguments(2026, 5, 13, 10, 37, Ns.Hour, 2026, 5, 13, 10)]
    [Arguments(2026, 5, 13, 10, 37, Ns.Day, 2026, 5, 13, 0)]
    [Arguments(2026, 5, 13, 10, 37, 7 * Ns.Day, 2026, 5, 11, 0)] // a Wednesday: its group starts on Monday
    [Arguments(2026, 5, 11, 0, 0, 7 * Ns.Day, 2026, 5, 11, 0)]
    [Arguments(1970, 1, 1, 0, 0, 7 * Ns.Day, 1969, 12, 29, 0)]  // the epoch is a Thursday
    [Arguments(1969, 7, 20, 20, 17, Ns.Hour, 1969, 7, 20, 20)]
    [Arguments(1969, 7, 20, 20, 17, Ns.Day, 1969, 7, 20, 0)]
    [Arguments(1969, 7, 20, 20, 17, 7 * Ns.Day, 1969, 7, 14, 0)]
    public async Task ShardGroupStart_Buckets(int y, int mo, int d, int h, int mi, long duration, int ey, int emo, int ed, int eh)
    {
        long start = RetentionRules.ShardGroupStart(Ns.At(y, mo, d, h, mi), duration);
        await Assert.That(Ns.ToDate(start)).IsEqualTo(new DateTime(ey, emo, ed, eh, 0, 0, DateTimeKind.Utc));
        await Assert.That(RetentionRules.ShardGroupEnd(start, duration)).IsEqualTo(start + duration);
    }

    [Test]
    public async Task ShardGroupStart_OneNanosecondBeforeEpoch_PreviousBucket()
    {
        await Assert.That(RetentionRules.ShardGroupStart(-1, Ns.Hour)).IsEqualTo(-Ns.Hour);
        await Assert.That(RetentionRules.ShardGroupStart(-1, Ns.Day)).IsEqualTo(-Ns.Day);
        await Assert.That(RetentionRules.ShardGroupStart(-1, 7 * Ns.Day)).IsEqualTo(-3 * Ns.Day);
        await Assert.That(RetentionRules.ShardGroupStart(0, 7 * Ns.Day)).IsEqualTo(-3 * Ns.Day);
    }

    [Test]
    [Arguments(Ns.Hour)]
    [Arguments(Ns.Day)]
    [Arguments(7 * Ns.Day)]
    public async Task ShardGroupEnd_NearMaxTime_ClampedToOpenEnd(long duration)
    {
        long start = RetentionRules.ShardGroupStart(RetentionRules.MaxTime, duration);
        await Assert.That(start <= RetentionRules.MaxTime && start > RetentionRules.MaxTime - duration).IsTrue();
        await Assert.That(RetentionRules.ShardGroupEnd(start, duration)).IsEqualTo(long.MaxValue);
    }

    [Test]
    public async Task ShardGroupStart_NearMinTime_ClampedToMinTime()
    {
        await Assert.That(RetentionRules.ShardGroupStart(RetentionRules.MinTime, 7 * Ns.Day)).IsEqualTo(RetentionRules.MinTime);
    }

    [Test]
    public async Task ShardGroupStart_RandomTimesAndDurations_AlignedToYearOneAndContaining()
    {
        long[] durations = [Ns.Hour, 90 * Ns.Minute, 5 * Ns.Hour, Ns.Day, 3 * Ns.Day, 7 * Ns.Day, 30 * Ns.Day];
        var year1 = (Int128)(DateTime.UnixEpoch.Ticks - DateTime.MinValue.Ticks) * 100;
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            for (int i = 0; i < 500; i++)
            {
                long t = random.NextInt64(RetentionRules.MinTime + 31 * Ns.Day, RetentionRules.MaxTime);
                long d = durations[random.Next(durations.Length)];
                long start = RetentionRules.ShardGroupStart(t, d);
                long end = RetentionRules.ShardGroupEnd(start, d);
                bool ok = start <= t && t < end && (year1 + start) % d == 0 && (end == long.MaxValue || end - start == d);
                await Assert.That(ok).IsTrue().Because($"seed {seed}: t={t} d={d} start={start} end={end}");
            }
        }
    }
}
