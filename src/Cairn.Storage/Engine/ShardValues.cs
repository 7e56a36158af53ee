using System.Runtime.InteropServices;

namespace Cairn.Storage.Engine;

/// <summary>
/// The values of one series field read from a shard: sorted by time, one per timestamp, tombstones
/// applied. Fixed-width values are raw bits (float bits, int64, uint64, 0/1); strings are separate.
/// </summary>
public sealed class ShardValues(FieldType type, long[] times, long[] bits, string[] strings)
{
    public FieldType Type { get; } = type;

    public long[] Times { get; } = times;

    public long[] Bits { get; } = bits;

    public string[] Strings { get; } = strings;

    public int Count => Times.Length;

    public double Float(int i) => BitConverter.Int64BitsToDouble(Bits[i]);

    public ReadOnlySpan<double> Floats => MemoryMarshal.Cast<long, double>(Bits);

    /// <summary>Merges runs read oldest first: for equal timestamps the later run's value wins.</summary>
    internal static ShardValues? Merge(FieldType type, List<(long[] Times, long[] Bits, string[] Strings)> runs)
    {
        if (runs.Count == 0) return null;
        if (runs.Count == 1) return new ShardValues(type, runs[0].Times, runs[0].Bits, runs[0].Strings);
        int total = 0;
        foreach (var run in runs) total += run.Times.Length;
        var times = new long[total];
        var order = new int[total];
        var source = new (int Run, int Index)[total];
        int n = 0;
        for (int r = 0; r < runs.Count; r++)
            for (int i = 0; i < runs[r].Times.Length; i++)
            {
                times[n] = runs[r].Times[i];
                source[n] = (r, i);
                order[n] = n;
                n++;
            }
        Array.Sort(order, (a, b) => times[a] != times[b] ? times[a].CompareTo(times[b]) : a.CompareTo(b));
        var outTimes = new List<long>(total);
        var outBits = new List<long>(type == FieldType.String ? 0 : total);
        var outStrings = new List<string>(type == FieldType.String ? total : 0);
        for (int k = 0; k < total; k++)
        {
            int j = order[k];
            if (k + 1 < total && times[order[k + 1]] == times[j]) continue;
            var (run, index) = source[j];
            outTimes.Add(times[j]);
            if (type == FieldType.String) outStrings.Add(runs[run].Strings[index]);
            else outBits.Add(runs[run].Bits[index]);
        }
        return new ShardValues(type, [.. outTimes], [.. outBits], [.. outStrings]);
    }
}

/// <summary>Receives a run of values of one series field: ascending times with their bits, or their strings for a string field.</summary>
public delegate void ShardValueSink(FieldType type, ReadOnlySpan<long> times, ReadOnlySpan<long> bits, ReadOnlySpan<string> strings);

/// <summary>
/// Offered, during a scan, a stored block of one series field that lies wholly inside the scan's range, as its
/// statistics only: its first and last time and its point count (its timestamps sorted and distinct, nothing hiding or
/// overwriting any of them). True takes the block as counted, and its values are not decoded; false has them decoded and
/// passed to the scan's <see cref="ShardValueSink"/> as any other run.
/// </summary>
public delegate bool ShardBlockCountSink(FieldType type, long minTime, long maxTime, int count);
