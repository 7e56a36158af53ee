using Cairn.Common.Platform;

namespace Cairn.Common.Tests;

public class CpuAffinityTests
{
    [Test]
    [Arguments("0,1,2,5", "0-2,5")]
    [Arguments("", "")]
    [Arguments("3", "3")]
    [Arguments("0,1", "0-1")]
    [Arguments("0,2,4", "0,2,4")]
    [Arguments("0,1,2,3,6", "0-3,6")]
    [Arguments("1,3,4,5,7,8", "1,3-5,7-8")]
    [Arguments("64,65,66,127", "64-66,127")]
    public async Task FormatList_AscendingCpus_FormatsLikeCpusAllowedList(string cpus, string expected)
    {
        var list = cpus.Length == 0 ? [] : cpus.Split(',').Select(int.Parse).ToArray();
        await Assert.That(CpuAffinity.FormatList(list)).IsEqualTo(expected);
    }

    [Test]
    public async Task GetAllowed_CurrentProcess_IsNonEmptyAscendingAndDistinct()
    {
        var cpus = CpuAffinity.GetAllowed();
        await Assert.That(cpus.Count).IsGreaterThan(0);
        await Assert.That(cpus.SequenceEqual(cpus.Distinct().Order())).IsTrue();
        await Assert.That(cpus[0]).IsGreaterThanOrEqualTo(0);
    }

    [Test]
    public async Task SetForProcess_CpuOutOfRange_FailsWithoutPinning()
    {
        var ok = CpuAffinity.SetForProcess([4096], out var error);
        await Assert.That(ok).IsFalse();
        await Assert.That(error).IsNotNull();
    }
}
