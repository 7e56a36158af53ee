using Cairn.Storage.Encoding;
using Cairn.Storage.Shards;

namespace Cairn.Storage.Tests.Shards;

/// <summary>One key's points as written; Values is a double[], long[], ulong[], bool[] or string[].</summary>
internal sealed record SeriesData(byte[] Key, FieldType Type, long[] Timestamps, Array Values)
{
    public string KeyString => System.Text.Encoding.UTF8.GetString(Key);
}

internal static class ShardTestData
{
    public static readonly int[] PointCounts = [1, 999, 1000, 1001, 5000];

    private static readonly string[] Measurements = ["cpu", "disk", "mem", "net"];
    private static readonly string[] Fields = ["usage_user", "usage_idle", "free", "message", "up", "bytes_recv"];

    /// <summary>Random keys in sorted order, every field type, point counts on the block edges and between.</summary>
    public static List<SeriesData> RandomSeries(int seed, int maxKeys = 24)
    {
        var random = new Random(seed);
        var keys = new SortedDictionary<byte[], FieldType>(ByteComparer.Instance);
        int wanted = random.Next(1, maxKeys + 1);
        while (keys.Count < wanted)
        {
            string series = $"{Measurements[random.Next(Measurements.Length)]},host=h{random.Next(50)}";
            byte[] key = ShardKey.Compose(System.Text.Encoding.UTF8.GetBytes(series), System.Text.Encoding.UTF8.GetBytes(Fields[random.Next(Fields.Length)]));
            keys.TryAdd(key, (FieldType)random.Next(1, 6));
        }
        var result = new List<SeriesData>();
        foreach (var (key, type) in keys)
        {
            int n = random.Next(3) == 0 ? random.Next(1, 3000) : PointCounts[random.Next(PointCounts.Length)];
            result.Add(new SeriesData(key, type, Timestamps(random, n), Values(random, type, n)));
        }
        return result;
    }

    public static long[] Timestamps(Random random, int n)
    {
        var timestamps = new long[n];
        long t = random.Next(2) == 0 ? 1_451_606_400_000_000_000L : random.NextInt64(long.MinValue / 2, long.MaxValue / 2);
        long interval = random.Next(3) switch { 0 => 1, 1 => 10_000_000_000L, _ => random.NextInt64(1, 1L << 32) };
        for (int i = 0; i < n; i++)
        {
            t += random.Next(4) == 0 ? random.NextInt64(1, 2 * interval + 1) : interval;
            timestamps[i] = t;
        }
        return timestamps;
    }

    public static Array Values(Random random, FieldType type, int n)
    {
        switch (type)
        {
            case FieldType.Float:
                var floats = new double[n];
                for (int i = 0; i < n; i++)
                    floats[i] = random.Next(10) == 0 ? BitConverter.Int64BitsToDouble(random.NextInt64()) : Math.Round(random.NextDouble() * 100, 2);
                return floats;
            case FieldType.Integer:
                var ints = new long[n];
                long v = random.NextInt64(-1000, 1000);
                for (int i = 0; i < n; i++)
                    ints[i] = random.Next(20) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : v += random.Next(-5, 6);
                return ints;
            case FieldType.Unsigned:
                var uints = new ulong[n];
                for (int i = 0; i < n; i++)
                    uints[i] = random.Next(2) == 0 ? (ulong)random.NextInt64() * 2 : (ulong)random.Next(100);
                return uints;
            case FieldType.Boolean:
                var bools = new bool[n];
                for (int i = 0; i < n; i++)
                    bools[i] = random.Next(3) == 0;
                return bools;
            default:
                var strings = new string[n];
                for (int i = 0; i < n; i++)
                    strings[i] = random.Next(4) switch { 0 => "", 1 => "ok", 2 => $"request {random.Next(1000)} took {random.Next(100)}ms", _ => "héllo ✓ " + random.Next(10) };
                return strings;
        }
    }

    public static ShardFileSummary Write(string path, IReadOnlyList<SeriesData> series, EncodingWorkspace workspace, int maxPointsPerBlock = ShardFileWriter.DefaultMaxPointsPerBlock)
    {
        using var writer = new ShardFileWriter(path, workspace, maxPointsPerBlock);
        foreach (SeriesData s in series)
        {
            // By declared type: the runtime lets a ulong[] match a long[] pattern.
            switch (s.Type)
            {
                case FieldType.Float: writer.WriteSeries(s.Key, s.Timestamps, (double[])s.Values); break;
                case FieldType.Integer: writer.WriteSeries(s.Key, s.Timestamps, (long[])s.Values); break;
                case FieldType.Unsigned: writer.WriteSeries(s.Key, s.Timestamps, (ulong[])s.Values); break;
                case FieldType.Boolean: writer.WriteSeries(s.Key, s.Timestamps, (bool[])s.Values); break;
                default: writer.WriteSeries(s.Key, s.Timestamps, (string[])s.Values); break;
            }
        }
        return writer.Complete();
    }

    /// <summary>Decodes one block into fresh arrays: (timestamps, values of the entry's type).</summary>
    public static (long[] Timestamps, Array Values) ReadBlock(ShardFileReader reader, in ShardIndexEntry entry, int block, EncodingWorkspace workspace)
    {
        int count = entry.GetBlock(block).Count;
        var timestamps = new long[count];
        Array values;
        switch (entry.FieldType)
        {
            case FieldType.Float: { var v = new double[count]; reader.ReadBlock(entry, block, timestamps, v, workspace); values = v; break; }
            case FieldType.Integer: { var v = new long[count]; reader.ReadBlock(entry, block, timestamps, v, workspace); values = v; break; }
            case FieldType.Unsigned: { var v = new ulong[count]; reader.ReadBlock(entry, block, timestamps, v, workspace); values = v; break; }
            case FieldType.Boolean: { var v = new bool[count]; reader.ReadBlock(entry, block, timestamps, v, workspace); values = v; break; }
            default: { var v = new List<string>(); reader.ReadBlock(entry, block, timestamps, v, workspace); values = v.ToArray(); break; }
        }
        return (timestamps, values);
    }

    /// <summary>Null when <paramref name="actual"/> holds the same points as <paramref name="expected"/> (floats by bits), else what differs.</summary>
    public static string? Difference(SeriesData expected, long[] timestamps, Array values, int offset)
    {
        for (int i = 0; i < timestamps.Length; i++)
        {
            if (offset + i >= expected.Timestamps.Length)
                return $"{expected.KeyString}: more points than written";
            if (timestamps[i] != expected.Timestamps[offset + i])
                return $"{expected.KeyString}: timestamp {offset + i}: {timestamps[i]} != {expected.Timestamps[offset + i]}";
            bool same = (expected.Values, values) switch
            {
                (double[] e, double[] a) => BitConverter.DoubleToInt64Bits(e[offset + i]) == BitConverter.DoubleToInt64Bits(a[i]),
                (long[] e, long[] a) => e[offset + i] == a[i],
                (ulong[] e, ulong[] a) => e[offset + i] == a[i],
                (bool[] e, bool[] a) => e[offset + i] == a[i],
                (string[] e, string[] a) => e[offset + i] == a[i],
                _ => false,
            };
            if (!same)
                return $"{expected.KeyString}: value {offset + i} differs ({expected.Type})";
        }
        return null;
    }

    internal sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
