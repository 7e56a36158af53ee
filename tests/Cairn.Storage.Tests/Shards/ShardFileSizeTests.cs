using System.Diagnostics;
using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Shards;

/// <summary>Prints bytes per value on TSBS-like data, index and footer included. Sizes, not timings, are asserted.</summary>
[NotInParallel("Perf")]
public class ShardFileSizeTests
{
    private static readonly string[] CpuFields =
        ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"];

    [Test]
    [Category("Perf")]
    public async Task Write_TsbsCpu1000Series10IntFields1000Points_PrintsBytesPerValue()
    {
        const int Hosts = 1000, Points = 1000;
        using var dir = new TempDir();
        using var workspace = new EncodingWorkspace();
        var random = new Random(42);
        var keys = new List<byte[]>();
        for (int h = 0; h < Hosts; h++)
        {
            byte[] series = System.Text.Encoding.UTF8.GetBytes(
                $"cpu,arch=x86,datacenter=eu-west-1a,hostname=host_{h},os=Ubuntu16.10,rack={h % 100},region=eu-west-1,"
                + $"service={h % 20},service_environment=test,service_version={h % 2},team=SF");
            foreach (string field in CpuFields)
                keys.Add(ShardKey.Compose(series, System.Text.Encoding.UTF8.GetBytes(field)));
        }
        keys.Sort(ShardTestData.ByteComparer.Instance);

        // TSBS cpu-only: 10 s interval; each usage_* a random walk clamped to 0..100.
        long[] timestamps = Enumerable.Range(0, Points).Select(i => 1_451_606_400_000_000_000L + i * 10_000_000_000L).ToArray();
        var values = new long[Points];
        string path = dir.File("tsbs.shard");
        var stopwatch = Stopwatch.StartNew();
        ShardFileSummary summary;
        using (var writer = new ShardFileWriter(path, workspace))
        {
            foreach (byte[] key in keys)
            {
                long v = random.Next(0, 101);
                for (int i = 0; i < Points; i++)
                    values[i] = v = Math.Clamp(v + random.Next(-1, 2), 0, 100);
                writer.WriteSeries(key, timestamps, values);
            }
            summary = writer.Complete();
        }
        stopwatch.Stop();

        using var reader = ShardFileReader.Open(path);
        long indexBytes = summary.Length - reader.GetEntry(0).GetBlock(0).Offset;
        for (int i = 0; i < reader.KeyCount; i++)
        {
            ShardIndexEntry entry = reader.GetEntry(i);
            for (int b = 0; b < entry.BlockCount; b++)
                indexBytes -= entry.GetBlock(b).Size;
        }
        double perValue = (double)summary.Length / summary.PointCount;
        Console.WriteLine($"TSBS cpu, {Hosts} series x {CpuFields.Length} int fields x {Points} points = {summary.PointCount:N0} values: "
            + $"{summary.Length:N0} bytes, {perValue:F3} bytes/value ({(double)indexBytes / summary.PointCount:F3} of it header+index+footer, {indexBytes:N0} bytes); "
            + $"written in {stopwatch.Elapsed.TotalSeconds:F1} s");

        await Assert.That(summary.PointCount).IsEqualTo((long)Hosts * CpuFields.Length * Points);
        await Assert.That(reader.KeyCount).IsEqualTo(keys.Count);
    }
}
