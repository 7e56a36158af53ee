namespace Cairn.Storage.LineProtocol;

/// <summary>
/// A parsed point as plain objects, from <see cref="LineProtocolParser.ParseAll"/>: for tests and cold
/// paths. The hot path reads <see cref="ParsedPoint"/> instead.
/// </summary>
public sealed class Point
{
    /// <summary>The unescaped measurement name.</summary>
    public required string Measurement { get; init; }

    /// <summary>The canonical, escaped series key (<see cref="ParsedPoint.SeriesKey"/>).</summary>
    public required string SeriesKey { get; init; }

    /// <summary>Unescaped tags, sorted as in the series key.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; }

    /// <summary>Fields in line order.</summary>
    public required IReadOnlyList<Field> Fields { get; init; }

    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public required long Timestamp { get; init; }

    /// <summary>Copies a parsed point out of the parser's buffers.</summary>
    public static Point From(ParsedPoint point)
    {
        var tags = new KeyValuePair<string, string>[point.TagCount];
        for (int i = 0; i < tags.Length; i++)
        {
            PointTag tag = point.GetTag(i);
            tags[i] = new(System.Text.Encoding.UTF8.GetString(tag.Key), System.Text.Encoding.UTF8.GetString(tag.Value));
        }

        var fields = new Field[point.FieldCount];
        for (int i = 0; i < fields.Length; i++)
        {
            ParsedField field = point.GetField(i);
            object value = field.Type switch
            {
                FieldType.Float => field.Float,
                FieldType.Integer => field.Integer,
                FieldType.Unsigned => field.Unsigned,
                FieldType.Boolean => field.Boolean,
                _ => field.StringValue(),
            };
            fields[i] = new Field(System.Text.Encoding.UTF8.GetString(field.Key), field.Type, value);
        }

        return new Point
        {
            Measurement = System.Text.Encoding.UTF8.GetString(point.Measurement),
            SeriesKey = point.SeriesKeyToString(),
            Tags = tags,
            Fields = fields,
            Timestamp = point.Timestamp,
        };
    }
}
