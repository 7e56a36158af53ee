namespace Cairn.Query.Results;

/// <summary>
/// One series of a result: influxdb's <c>models.Row</c>. Rows are <c>object?[]</c> whose cells are
/// <see cref="string"/>, <see cref="long"/>, <see cref="ulong"/>, <see cref="int"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="ResultTime"/> or null; <see cref="QueryResponseJson"/> writes any other
/// type as an error (it is a bug in the producer).
/// </summary>
public sealed class ResultSeries
{
    private static readonly KeyValuePair<string, string>[] NoTags = [];

    public ResultSeries(string name, IReadOnlyList<string> columns, IReadOnlyList<KeyValuePair<string, string>>? tags = null)
    {
        Name = name;
        Columns = columns;
        Tags = tags ?? NoTags;
    }

    /// <summary>The measurement (or e.g. "databases"); "" writes no <c>name</c> key.</summary>
    public string Name { get; }

    /// <summary>Tags sorted by key (ordinal), as Go writes a map; empty writes no <c>tags</c> key.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; }

    /// <summary>Column names; empty writes no <c>columns</c> key.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows; empty writes no <c>values</c> key.</summary>
    public List<object?[]> Values { get; } = [];

    /// <summary>True when the series continues in the next chunk.</summary>
    public bool Partial { get; set; }

    /// <summary>influxdb's Row.SameSeries: same name and the same tags.</summary>
    public bool SameSeries(ResultSeries other)
    {
        if (Name != other.Name || Tags.Count != other.Tags.Count) return false;
        for (int i = 0; i < Tags.Count; i++)
        {
            if (Tags[i].Key != other.Tags[i].Key || Tags[i].Value != other.Tags[i].Value) return false;
        }
        return true;
    }
}

/// <summary>
/// A timestamp cell, Unix nanoseconds (UTC). Written as RFC3339Nano, or as an integer in the unit of the
/// request's <c>epoch</c> parameter when it is the row's first cell (as InfluxDB converts only column 0).
/// <paramref name="ZoneOffsetSeconds"/> is the offset of the query's <c>tz()</c> zone at that instant: the text
/// then shows local time and the offset (<c>2000-04-02T00:00:00-08:00</c>), as Go formats a zoned time.
/// </summary>
public readonly record struct ResultTime(long UnixNanoseconds, int ZoneOffsetSeconds = 0);
