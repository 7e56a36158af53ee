using System.Runtime.InteropServices;

namespace Cairn.Common.Platform;

/// <summary>
/// Linux processor affinity for the whole process. sched_setaffinity acts on one thread, so every
/// thread in /proc/self/task is pinned, and threads started later inherit the mask of their parent.
/// </summary>
public static partial class CpuAffinity
{
    private const int MaskBytes = 128; // 1024 CPUs, glibc's cpu_set_t

    /// <summary>CPUs the process may run on now, ascending.</summary>
    public static IReadOnlyList<int> GetAllowed()
    {
        if (!OperatingSystem.IsLinux()) return Enumerable.Range(0, Environment.ProcessorCount).ToArray();
        Span<byte> mask = stackalloc byte[MaskBytes];
        mask.Clear();
        if (sched_getaffinity(0, (nuint)MaskBytes, ref MemoryMarshal.GetReference(mask)) != 0)
            return Enumerable.Range(0, Environment.ProcessorCount).ToArray();
        var cpus = new List<int>();
        for (int i = 0; i < MaskBytes * 8; i++)
            if ((mask[i / 8] & (1 << (i % 8))) != 0) cpus.Add(i);
        return cpus;
    }

    /// <summary>Pins every thread of the process to <paramref name="cpus"/>. Returns false where that is impossible.</summary>
    public static bool SetForProcess(IReadOnlyList<int> cpus, out string? error)
    {
        error = null;
        if (!OperatingSystem.IsLinux()) { error = "processor affinity is only set on Linux"; return false; }
        Span<byte> mask = stackalloc byte[MaskBytes];
        mask.Clear();
        foreach (var cpu in cpus)
        {
            if (cpu < 0 || cpu >= MaskBytes * 8) { error = $"cpu {cpu} out of range"; return false; }
            mask[cpu / 8] |= (byte)(1 << (cpu % 8));
        }
        bool any = false;
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var tid)) continue;
            if (sched_setaffinity(tid, (nuint)MaskBytes, ref MemoryMarshal.GetReference(mask)) == 0) any = true;
            else if (tid == Environment.ProcessId) { error = $"sched_setaffinity failed: errno {Marshal.GetLastPInvokeError()}"; return false; }
        }
        if (!any) error = "no thread could be pinned";
        return any;
    }

    /// <summary>"0-3,6" style, as /proc/self/status prints Cpus_allowed_list.</summary>
    public static string FormatList(IReadOnlyList<int> cpus)
    {
        var parts = new List<string>();
        for (int i = 0; i < cpus.Count;)
        {
            int j = i;
            while (j + 1 < cpus.Count && cpus[j + 1] == cpus[j] + 1) j++;
            parts.Add(i == j ? cpus[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{cpus[i]}-{cpus[j]}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nuint size, ref byte mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint size, ref byte mask);
}
