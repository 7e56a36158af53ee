using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Tests.LineProtocol;

/// <summary>
/// Prints parse throughput; asserts only that every line parsed. Timings belong in bench/. Besides wall
/// time it prints the rate per second of this thread's CPU time, which a busy machine does not distort.
/// </summary>
[NotInParallel("Perf")]
public partial class LineProtocolThroughputTests
{
    [Test]
    [Category("Perf")]
    public async Task Parse_TsbsCpuLines_PrintsLinesPerSecond()
    {
        int parsed = Measure("TSBS cpu lines (fast path)", i =>
            $"cpu,hostname=host_{i % 4000},region=eu-west-1,datacenter=eu-west-1a,rack=6,os=Ubuntu16.10,arch=x86,team=SF,"
            + "service=19,service_version=1,service_environment=test usage_user=58i,usage_system=2i,usage_idle=24i,"
            + "usage_nice=61i,usage_iowait=22i,usage_irq=63i,usage_softirq=6i,usage_steal=44i,usage_guest=80i,"
            + $"usage_guest_nice=38i {1451606400000000000L + i * 10_000_000_000L}\n");

        await Assert.That(parsed).IsEqualTo(Lines);
    }

    [Test]
    [Category("Perf")]
    public async Task Parse_LinesWithStringsAndEscapes_PrintsLinesPerSecond()
    {
        int parsed = Measure("syslog lines with quoted strings and escapes (general path)", i =>
            $"syslog,appname=my\\ app,facility=daemon,host=host_{i % 4000},severity=info facility_code=3i,"
            + "message=\"connection from 10.0.0.1 closed, \\\"idle\\\"\",procid=\"1234\",severity_code=6i,"
            + $"timestamp={1451606400000000000L + i}i,version=1i {1451606400000000000L + i * 10_000_000_000L}\n");

        await Assert.That(parsed).IsEqualTo(Lines);
    }

    [Test]
    [Category("Perf")]
    public async Task Parse_LinesWithPlainStrings_PrintsLinesPerSecond()
    {
        int parsed = Measure("syslog lines with quoted strings, no escapes (fast path)", i =>
            $"syslog,appname=myapp,facility=daemon,host=host_{i % 4000},severity=info facility_code=3i,"
            + "message=\"connection from 10.0.0.1 closed, idle\",procid=\"1234\",severity_code=6i,"
            + $"timestamp={1451606400000000000L + i}i,version=1i {1451606400000000000L + i * 10_000_000_000L}\n");

        await Assert.That(parsed).IsEqualTo(Lines);
    }

    private const int Lines = 100_000;

    private static int Measure(string what, Func<int, string> line)
    {
        var text = new StringBuilder();
        for (int i = 0; i < Lines; i++)
        {
            text.Append(line(i));
        }

        byte[] body = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        var parser = new LineProtocolParser();
        double bestWall = 0;
        double bestCpu = 0;
        int parsed = 0;
        for (int round = 0; round < 8; round++)
        {
            long cpuStart = ThreadCpuNanos();
            var clock = Stopwatch.StartNew();
            parsed = Consume(parser, body);
            double wallSeconds = clock.Elapsed.TotalSeconds;
            double cpuSeconds = (ThreadCpuNanos() - cpuStart) / 1e9;
            bestWall = Math.Max(bestWall, parsed / wallSeconds);
            bestCpu = cpuSeconds > 0 ? Math.Max(bestCpu, parsed / cpuSeconds) : bestCpu;
        }

        Console.WriteLine($"line protocol, {what}: {bestWall / 1e6:F2} M lines/s wall, {bestCpu / 1e6:F2} M lines/s per CPU-second "
                          + $"({bestCpu * body.Length / Lines / 1e6:F0} MB/s), one core");
        return parsed;
    }

    private static long ThreadCpuNanos()
    {
        const int ClockThreadCpuTime = 3;
        return OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out TimeSpec now) == 0
            ? now.Seconds * 1_000_000_000L + now.Nanoseconds
            : 0;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static int Consume(LineProtocolParser parser, byte[] body)
    {
        int points = 0;
        long sink = 0;
        var reader = parser.Read(body, 0);
        while (reader.MoveNext())
        {
            if (reader.IsError)
            {
                continue;
            }

            ParsedPoint point = reader.Current;
            sink += point.SeriesKey.Length + point.GetField(point.FieldCount - 1).Integer;
            points++;
        }

        return sink == 0 ? -1 : points;
    }
}
