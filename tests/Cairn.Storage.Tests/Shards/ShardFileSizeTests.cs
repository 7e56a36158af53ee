using System.Diagnostics;
using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Shards;

/// <summary>Bytes per value on TSBS-like data, index and footer included. Sizes, not timings, are asserted.</summary>
[NotInParallel("Perf")]
public class ShardFileSizeTests
{
    private static readonly string[] CpuFields =
        ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"];

    private static readonly string[] Regions = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"];

    /// <summary>InfluxDB 1.x TSM on the same data (TSBS cpu-only, 10 s interval): about 1.06 bytes per value.</summary>
    private const double TsmBytesPerValue = 1.06;

    [Test]
    public async Task Write_TsbsCpu1000Series10IntFields400Points_AtMostSevenTenthsOfTsm()
    {
        var (summary, _) = WriteTsbsCpu(hosts: 1000, points: 400);
        double perValue = (double)summary.Length / summary.PointCount;
        await Assert.That(summary.PointCount).IsEqualTo(1000L * CpuFields.Length * 400);
        await Assert.That(perValue).IsLessThanOrEqualTo(0.7 * TsmBytesPerValue);
    }

    [Test]
    [Category("Perf")]
    public async Task Write_TsbsCpu1000Series10IntFields1000Points_PrintsBytesPerValue()
    {
        var (summary, keys) = WriteTsbsCpu(hosts: 1000, points: 1000);
        await Assert.That(summary.PointCount).IsEqualTo(1000L * CpuFields.Length * 1000);
        await Assert.That(summary.KeyCount).IsEqualTo(keys);
    }

    /// <summary>
    /// TSBS cpu-only: one <c>cpu</c> series per host with TSBS's ten tags (~15 bytes each, ~170-byte series
    /// keys), ten integer fields each a random walk clamped to 0 … 100, a point every 10 s.
    /// </summary>
    private static (ShardFileSummary Summary, int Keys) WriteTsbsCpu(int hosts, int points)
    {
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        var random = new Random(42);
        var keys = new List<byte[]>();
        for (int h = 0; h < hosts; h++)
        {
            string region = Regions[random.Next(Regions.Length)];
            byte[] series = System.Text.Encoding.UTF8.GetBytes(
                $"cpu,arch={(random.Next(2) == 0 ? "x64" : "x86")},datacenter={region}{(char)('a' + random.Next(3))},hostname=host_{h},"
                + $"os=Ubuntu{(random.Next(2) == 0 ? "16.04LTS" : "16.10")},rack={random.Next(100)},region={region},service={random.Next(20)},"
                + $"service_environment={(random.Next(2) == 0 ? "production" : "staging")},service_version={random.Next(2)},team={(random.Next(2) == 0 ? "SF" : "NYC")}");
            foreach (string field in CpuFields)
                keys.Add(ShardKey.Compose(series, System.Text.Encoding.UTF8.GetBytes(field)));
        }
        keys.Sort(ShardTestData.ByteComparer.Instance);

        long[] timestamps = Enumerable.Range(0, points).Select(i => 1_451_606_400_000_000_000L + i * 10_000_000_000L).ToArray();
        var values = new long[points];
        string path = dir.File("tsbs.shard");
        var stopwatch = Stopwatch.StartNew();
        ShardFileSummary summary;
        using (var writer = new ShardFileWriter(path, workspace))
        {
            foreach (byte[] key in keys)
            {
                long v = random.Next(0, 101);
                for (int i = 0; i < points; i++)
                    values[i] = v = Math.Clamp(v + random.Next(-1, 2), 0, 100);
                writer.WriteSeries(key, timestamps, values);
            }
            summary = writer.Complete();
        }
        stopwatch.Stop();

        using var reader = ShardFileReader.Open(path);
        long blockBytes = 0;
        for (int i = 0; i < reader.KeyCount; i++)
        {
            ShardIndexEntry entry = reader.GetEntry(i);
            for (int b = 0; b < entry.BlockCount; b++)
                blockBytes += entry.GetBlock(b).Size;
        }
        long indexBytes = summary.Length - blockBytes;
        Console.WriteLine($"TSBS cpu, {hosts} series x {CpuFields.Length} int fields x {points} points = {summary.PointCount:N0} values: "
            + $"{summary.Length:N0} bytes, {(double)summary.Length / summary.PointCount:F3} bytes/value "
            + $"({(double)indexBytes / summary.PointCount:F3} of it header+index+footer, {indexBytes:N0} bytes); "
            + $"written in {stopwatch.Elapsed.TotalSeconds:F1} s");
        return (summary, keys.Count);
    }
}
