using System.Diagnostics;
using Cairn.Storage.Index;
using Cairn.Storage.Tests.Wal;

namespace Cairn.Storage.Tests.Index;

/// <summary>Figures for one million series, printed, not asserted (timings belong in bench/).</summary>
public class SeriesIndexScaleTests
{
    [Test]
    [Category("Perf")]
    public async Task MillionSeries_PrintOpenTimeAndBytesPerSeries()
    {
        const int count = 1_000_000;
        using var dir = new TempDir();
        var key = new byte[128];
        var tags = new (byte[], byte[])[3];
        var clock = Stopwatch.StartNew();
        using (var index = SeriesIndex.Open(dir.Path, new SeriesIndexOptions { MaxValuesPerTag = 0 }))
        {
            for (int i = 0; i < count; i++)
            {
                string host = "host" + (i % 100_000), region = "region" + (i % 10), rack = "rack" + (i / 100_000);
                tags[0] = ("host"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(host));
                tags[1] = ("rack"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(rack));
                tags[2] = ("region"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(region));
                int length = System.Text.Encoding.UTF8.GetBytes($"cpu,host={host},rack={rack},region={region}", key);
                index.TryGetOrAdd(key.AsSpan(0, length), "cpu"u8, new SeriesTagList(tags), out _, out _);
            }
            await index.FlushAsync();
            Console.WriteLine($"series index: {count} adds + log flush {clock.ElapsedMilliseconds} ms, log {new FileInfo(IndexTesting.LogPath(dir.Path)).Length / (double)count:F1} B/series");
            clock.Restart();
            index.Merge();
            Console.WriteLine($"series index: merge {clock.ElapsedMilliseconds} ms");
        }

        long fileBytes = new FileInfo(IndexTesting.FilePath(dir.Path)).Length;
        clock.Restart();
        using (var index = SeriesIndex.Open(dir.Path))
        {
            long verified = clock.ElapsedMilliseconds;
            Console.WriteLine($"series index: open (CRC verified) {verified} ms, file {fileBytes} B = {fileBytes / (double)count:F1} B/series (keys ~{"cpu,host=host12345,rack=rack1,region=region1".Length} B)");
            await Assert.That(index.SeriesCount).IsEqualTo(count);
            clock.Restart();
            var probe = "cpu,host=host12345,rack=rack1,region=region5"u8.ToArray();
            int found = 0;
            for (int i = 0; i < 1_000_000; i++) found += index.TryGetId(probe, out _) ? 1 : 0;
            Console.WriteLine($"series index: existing-series lookup {clock.Elapsed.TotalNanoseconds / 1_000_000:F0} ns");
        }
        clock.Restart();
        using (var index = SeriesIndex.Open(dir.Path, new SeriesIndexOptions { VerifyFileOnOpen = false }))
        {
            Console.WriteLine($"series index: open (no CRC pass) {clock.Elapsed.TotalMilliseconds:F2} ms");
        }
    }
}
