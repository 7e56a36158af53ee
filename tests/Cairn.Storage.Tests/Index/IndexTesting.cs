using Cairn.Storage.Index;

namespace Cairn.Storage.Tests.Index;

/// <summary>A series as the tests write it: a measurement and tags over a plain alphabet (no escaping needed).</summary>
internal sealed record TestSeries(string Measurement, (string Key, string Value)[] Tags)
{
    public static TestSeries Of(string measurement, params (string, string)[] tags)
        => new(measurement, tags.DistinctBy(t => t.Item1).OrderBy(t => t.Item1, StringComparer.Ordinal).ToArray());

    /// <summary>The canonical key: <c>m,k1=v1,k2=v2</c>, tags sorted.</summary>
    public string Key => Tags.Length == 0 ? Measurement : Measurement + "," + string.Join(",", Tags.Select(t => t.Key + "=" + t.Value));

    public SeriesTagList TagList => new(Tags.Select(t => (System.Text.Encoding.UTF8.GetBytes(t.Key), System.Text.Encoding.UTF8.GetBytes(t.Value))).ToArray());
}

internal static class IndexTesting
{
    public static uint Add(this SeriesIndex index, TestSeries series)
    {
        if (!index.TryGetOrAdd(System.Text.Encoding.UTF8.GetBytes(series.Key), System.Text.Encoding.UTF8.GetBytes(series.Measurement), series.TagList, out uint id, out _, out var rejected))
            throw new InvalidOperationException(rejected!.Reason);
        return id;
    }

    public static FieldTypeResult Field(this SeriesIndex index, string measurement, string field, FieldType type, out FieldType existing)
        => index.TryRegisterField(System.Text.Encoding.UTF8.GetBytes(measurement), System.Text.Encoding.UTF8.GetBytes(field), type, out existing);

    public static string Key(this SeriesIndex index, uint id) => index.SeriesKey(id) is { } key ? System.Text.Encoding.UTF8.GetString(key) : "<none>";

    public static string LogPath(string dir) => Path.Combine(dir, SeriesIndex.LogName);

    public static string FilePath(string dir) => Path.Combine(dir, SeriesIndex.FileName);
}
