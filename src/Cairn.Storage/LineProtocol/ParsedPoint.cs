namespace Cairn.Storage.LineProtocol;

/// <summary>
/// One parsed point, as spans over the request body and the parser's scratch buffers: valid until the
/// reader moves on. Copy out what must outlive it (intern the series key, copy string values).
/// </summary>
public readonly ref struct ParsedPoint
{
    private readonly LineProtocolParser _parser;
    private readonly ReadOnlySpan<byte> _line;

    internal ParsedPoint(LineProtocolParser parser, ReadOnlySpan<byte> line)
    {
        _parser = parser;
        _line = line;
    }

    /// <summary>The line as written, without leading whitespace or line ending.</summary>
    public ReadOnlySpan<byte> Line => _line;

    /// <summary>
    /// The canonical series key, InfluxDB's point.Key(): <c>measurement,k1=v1,k2=v2</c> with the
    /// measurement, keys and values still escaped as written and the tags sorted by escaped key.
    /// </summary>
    public ReadOnlySpan<byte> SeriesKey => _parser.SeriesKey(_line);

    /// <summary>The measurement as written (escaped): the series key up to its first unescaped comma.</summary>
    public ReadOnlySpan<byte> EscapedMeasurement => _line[.._parser.MeasurementEnd];

    /// <summary>
    /// The measurement name, InfluxDB's point.Name(): <c>\,</c> <c>\ </c> <c>\=</c> <c>\"</c> unescaped,
    /// any other backslash kept.
    /// </summary>
    public ReadOnlySpan<byte> Measurement => _parser.Measurement(_line);

    /// <summary>Number of tags.</summary>
    public int TagCount => _parser.TagCount;

    /// <summary>
    /// Tag <paramref name="index"/> in series-key order (sorted by escaped key), unescaped as InfluxDB's
    /// point.Tags(): <c>\,</c> <c>\ </c> <c>\=</c>.
    /// </summary>
    public PointTag GetTag(int index) => _parser.Tag(_line, index);

    /// <summary>
    /// Number of fields, in line order. A key written twice appears twice: InfluxDB accepts it and the last
    /// value wins when stored.
    /// </summary>
    public int FieldCount => _parser.FieldCount;

    /// <summary>Field <paramref name="index"/>, in line order.</summary>
    public ParsedField GetField(int index) => _parser.Field(_line, index);

    /// <summary>Nanoseconds since the Unix epoch, already multiplied by the precision.</summary>
    public long Timestamp => _parser.Timestamp;

    /// <summary>The series key as a string: the one allocation a caller interning keys needs.</summary>
    public string SeriesKeyToString() => System.Text.Encoding.UTF8.GetString(SeriesKey);
}
