using System.Text;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

/// <summary>
/// The series a subquery answered, read by the enclosing query as if they were a shard: each result series is a
/// series of its measurement with the result's tags, and each column a field. Null cells stay null (the row is
/// still there, as influxql's subquery iterators keep it).
/// </summary>
internal sealed class SubqueryShard : IShardReader
{
    private readonly SortedDictionary<string, List<(SeriesEntry Entry, ResultSeries Series)>> _byName = new(StringComparer.Ordinal);

    public SubqueryShard(List<ResultSeries> series, long slimit, long soffset)
    {
        int skip = (int)Math.Min(soffset, int.MaxValue);
        long take = slimit > 0 ? slimit : long.MaxValue;
        for (int i = skip; i < series.Count && take > 0; i++, take--)
        {
            var s = series[i];
            var key = new StringBuilder(s.Name);
            foreach (var (k, v) in s.Tags) key.Append(',').Append(k).Append('=').Append(v);
            if (!_byName.TryGetValue(s.Name, out var list)) _byName[s.Name] = list = [];
            list.Add((new SeriesEntry(Encoding.UTF8.GetBytes(key.ToString()), [.. s.Tags]), s));
        }
    }

    public IReadOnlyList<string> Measurements() => [.. _byName.Keys];

    public IReadOnlyList<(string Key, FieldType Type)> Fields(string measurement)
    {
        var fields = new SortedDictionary<string, FieldType>(StringComparer.Ordinal);
        if (!_byName.TryGetValue(measurement, out var list)) return [];
        foreach (var (_, s) in list)
        {
            for (int c = 1; c < s.Columns.Count; c++)
            {
                FieldType? type = null;
                foreach (var row in s.Values)
                {
                    type = row[c] switch
                    {
                        double => FieldType.Float,
                        long => FieldType.Integer,
                        ulong => FieldType.Unsigned,
                        bool => FieldType.Boolean,
                        string => FieldType.String,
                        _ => null,
                    };
                    if (type is not null) break;
                }
                if (type is { } t) fields[s.Columns[c]] = t;
                else fields.TryAdd(s.Columns[c], FieldType.Float);
            }
        }
        return [.. fields.Select(p => (p.Key, p.Value))];
    }

    public IReadOnlyList<string> TagKeys(string measurement)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        if (_byName.TryGetValue(measurement, out var list))
        {
            foreach (var (entry, _) in list)
                foreach (var t in entry.Tags) keys.Add(t.Key);
        }
        return [.. keys];
    }

    public IReadOnlyList<SeriesEntry> Series(string measurement) =>
        _byName.TryGetValue(measurement, out var list) ? [.. list.Select(p => p.Entry)] : [];

    public ShardValues? Read(byte[] seriesKey, string field, long minTime, long maxTime) => null;

    /// <summary>Rows held in memory touch no storage.</summary>
    public ReadCost Cost(byte[] seriesKey, string field, long minTime, long maxTime) => default;

    public ulong ShardId => 0;

    /// <summary>The rows of one series with the given fields, nulls kept, in [min, max].</summary>
    public List<(long Time, object?[] Values)> Rows(SeriesEntry entry, string[] fields, long min, long max)
    {
        var rows = new List<(long, object?[])>();
        if (!_byName.TryGetValue(Encoding.UTF8.GetString(entry.Key).Split(',')[0], out var list)) return rows;
        foreach (var (e, s) in list)
        {
            if (!ReferenceEquals(e, entry)) continue;
            var index = new int[fields.Length];
            for (int f = 0; f < fields.Length; f++)
            {
                index[f] = -1;
                for (int c = 1; c < s.Columns.Count; c++)
                {
                    if (s.Columns[c] == fields[f])
                    {
                        index[f] = c;
                        break;
                    }
                }
            }
            foreach (var row in s.Values)
            {
                long t = ((ResultTime)row[0]!).UnixNanoseconds;
                if (t < min || t > max) continue;
                var values = new object?[fields.Length];
                for (int f = 0; f < fields.Length; f++) values[f] = index[f] >= 0 ? row[index[f]] : null;
                rows.Add((t, values));
            }
        }
        return rows;
    }
}
