using System.Diagnostics;
using System.Text.Json;

namespace Cairn.Common.Web;

/// <summary>
/// The runtime part of /debug/vars, shaped like Go's expvar output that InfluxDB tools read:
/// "cmdline" and "memstats" (Go's field names where one fits), plus "runtime" with uptime and threads.
/// </summary>
public static class RuntimeStats
{
    private static readonly DateTimeOffset ProcessStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static void WriteCommon(Utf8JsonWriter json)
    {
        json.WriteStartArray("cmdline");
        foreach (var arg in Environment.GetCommandLineArgs()) json.WriteStringValue(arg);
        json.WriteEndArray();

        var gc = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        json.WriteStartObject("memstats");
        json.WriteNumber("Alloc", GC.GetTotalMemory(false));
        json.WriteNumber("TotalAlloc", GC.GetTotalAllocatedBytes());
        json.WriteNumber("Sys", process.WorkingSet64);
        json.WriteNumber("HeapAlloc", gc.HeapSizeBytes - gc.FragmentedBytes);
        json.WriteNumber("HeapSys", gc.HeapSizeBytes);
        json.WriteNumber("HeapCommitted", gc.TotalCommittedBytes);
        json.WriteNumber("NumGC", GC.CollectionCount(0));
        json.WriteNumber("PauseTotalNs", (long)GC.GetTotalPauseDuration().TotalNanoseconds);
        json.WriteEndObject();

        json.WriteStartObject("runtime");
        json.WriteString("version", BuildInfo.Runtime);
        json.WriteNumber("uptimeSeconds", Math.Round((DateTimeOffset.UtcNow - ProcessStart).TotalSeconds, 3));
        json.WriteNumber("threads", process.Threads.Count);
        json.WriteNumber("threadPoolThreads", ThreadPool.ThreadCount);
        json.WriteNumber("gen0Collections", GC.CollectionCount(0));
        json.WriteNumber("gen1Collections", GC.CollectionCount(1));
        json.WriteNumber("gen2Collections", GC.CollectionCount(2));
        json.WriteNumber("rssBytes", process.WorkingSet64);
        json.WriteNumber("processorCount", Environment.ProcessorCount);
        json.WriteEndObject();
    }
}
