namespace Cairn.Storage.LineProtocol;

/// <summary>
/// Parses InfluxDB 1.x line protocol straight from the request bytes, the way InfluxDB 1.8–1.11's
/// models.ParsePointsWithPrecision does: same accepted syntax, same escaping quirks, same per-line error
/// texts, good lines kept when others fail.
/// </summary>
/// <remarks>
/// <para>
/// One instance owns the scratch buffers that a parsed point's spans point into, so it parses one body at
/// a time on one thread: keep one per connection or per worker. Nothing is allocated per line once the
/// buffers have grown to the largest line seen, except error messages, which are built only when asked for.
/// </para>
/// <para>
/// Hot path: <see cref="Read"/> returns a <see cref="LineProtocolReader"/>; each
/// <see cref="LineProtocolReader.MoveNext"/> yields a <see cref="ParsedPoint"/> (spans, valid until the
/// next call) or a failed line. <see cref="ParseAll"/> builds <see cref="Point"/> objects for tests and cold
/// paths.
/// </para>
/// <para>
/// Deliberate differences from InfluxDB 1.x: a carriage return ending a line is dropped, so CRLF bodies
/// parse (InfluxDB 1.x rejects such lines; 2.x drops the CR too). Unsigned values (<c>123u</c>) are
/// rejected with <c>invalid number</c> unless the parser is built with <c>allowUnsigned</c>, as in an
/// InfluxDB 1.x built without the <c>uint</c> tag. A value that InfluxDB's scanner accepts but its field
/// iterator cannot decode (InfluxDB then fails the whole write with a 500) is a per-line
/// <c>invalid field format</c> error here.
/// </para>
/// </remarks>
public sealed partial class LineProtocolParser
{
    /// <summary>Longest escaped series key, and series key + 4 + field key (InfluxDB's MaxKeyLength).</summary>
    public const int MaxKeyLength = 65535;

    /// <summary>Earliest timestamp a point may have (InfluxDB's MinNanoTime).</summary>
    public const long MinNanoTime = long.MinValue + 2;

    /// <summary>Latest timestamp a point may have (InfluxDB's MaxNanoTime).</summary>
    public const long MaxNanoTime = long.MaxValue - 1;

    /// <summary>Bytes InfluxDB's storage engine puts between a series key and a field key (seriesKeySize).</summary>
    private const int FieldKeySeparatorLength = 4;

    private readonly bool _allowUnsigned;

    // Offsets into the current line (raw, escaped) or, when _unescapedInScratch, into _scratch.
    private TagSlot[] _tags = new TagSlot[16];
    private TagSlot[] _tagsMergeBuffer = [];
    private int _tagCount;
    private FieldSlot[] _fields = new FieldSlot[16];
    private int _fieldCount;

    private int _measurementEnd;
    private Slice _measurement;
    private int _keyLength;
    private bool _keyInBuffer;
    private byte[] _keyBuffer = new byte[256];
    private bool _unescapedInScratch;
    private byte[] _scratch = new byte[256];
    private int _scratchLength;
    private long _timestamp;

    private ParseErrorKind _error;
    private int _errorStart;
    private int _errorLength;
    private long _errorValue;

    /// <summary>Creates a parser with its own scratch buffers.</summary>
    /// <param name="allowUnsigned">
    /// Accept <c>123u</c> unsigned integers. InfluxDB 1.x OSS builds reject them (<c>invalid number</c>);
    /// only builds with the <c>uint</c> tag accept them.
    /// </param>
    public LineProtocolParser(bool allowUnsigned = false)
    {
        _allowUnsigned = allowUnsigned;
    }

    /// <summary>Whether <c>123u</c> is accepted as an unsigned integer.</summary>
    public bool AllowUnsigned => _allowUnsigned;

    /// <summary>Test hook: parse every line with the general (InfluxDB-mirroring) scanner.</summary>
    internal bool ForceGeneralPath { get; set; }

    /// <summary>
    /// Starts reading points from <paramref name="body"/>. The reader, and every span it hands out, is
    /// valid until this parser is used again.
    /// </summary>
    /// <param name="body">A write body: lines separated by <c>\n</c>.</param>
    /// <param name="nowUnixNanos">
    /// The server time in nanoseconds since the Unix epoch; lines without a timestamp get it, truncated to
    /// <paramref name="precision"/> as InfluxDB does.
    /// </param>
    /// <param name="precision">The unit of the timestamps in the body.</param>
    public LineProtocolReader Read(ReadOnlySpan<byte> body, long nowUnixNanos, Precision precision = Precision.Nanosecond)
        => new(this, body, precision.Truncate(nowUnixNanos), precision);

    /// <summary>
    /// Parses a whole body into objects: for tests and cold paths. Lines that fail add their InfluxDB
    /// error text (<c>unable to parse '…': …</c>) to <paramref name="errors"/> when it is given.
    /// </summary>
    public List<Point> ParseAll(ReadOnlySpan<byte> body, long nowUnixNanos, Precision precision = Precision.Nanosecond,
        List<string>? errors = null)
    {
        var points = new List<Point>();
        var reader = Read(body, nowUnixNanos, precision);
        while (reader.MoveNext())
        {
            if (reader.IsError)
            {
                errors?.Add(reader.Error.Message);
                continue;
            }

            points.Add(Point.From(reader.Current));
        }

        return points;
    }

    /// <summary>Parses one line (no newline, no leading whitespace); false leaves the error set.</summary>
    internal bool ParseLine(ReadOnlySpan<byte> line, bool plain, long defaultTimestamp, Precision precision)
    {
        if (plain && !ForceGeneralPath)
        {
            Reset();
            if (TryParsePlain(line, defaultTimestamp, precision))
            {
                return true;
            }
        }

        Reset();
        return ParseGeneral(line, defaultTimestamp, precision);
    }

    private void Reset()
    {
        _tagCount = 0;
        _fieldCount = 0;
        _keyInBuffer = false;
        _unescapedInScratch = false;
        _scratchLength = 0;
        _error = ParseErrorKind.None;
        _errorLength = 0;
    }

    // ---- accessors behind ParsedPoint and LineError

    internal ReadOnlySpan<byte> SeriesKey(ReadOnlySpan<byte> line)
        => _keyInBuffer ? _keyBuffer.AsSpan(0, _keyLength) : line[.._keyLength];

    internal int MeasurementEnd => _measurementEnd;

    internal ReadOnlySpan<byte> Measurement(ReadOnlySpan<byte> line) => Resolve(line, _measurement);

    internal int TagCount => _tagCount;

    internal PointTag Tag(ReadOnlySpan<byte> line, int index)
    {
        ref readonly TagSlot tag = ref _tags[ValidIndex(index, _tagCount)];
        return new PointTag(Resolve(line, tag.Key), Resolve(line, tag.Value));
    }

    internal int FieldCount => _fieldCount;

    internal ParsedField Field(ReadOnlySpan<byte> line, int index)
    {
        ref readonly FieldSlot field = ref _fields[ValidIndex(index, _fieldCount)];
        ReadOnlySpan<byte> text = field.Type == FieldType.String ? Resolve(line, field.Text) : default;
        return new ParsedField(Resolve(line, field.Key), field.Type, field.Bits, text);
    }

    internal long Timestamp => _timestamp;

    internal ParseErrorKind ErrorKind => _error;

    private ReadOnlySpan<byte> Resolve(ReadOnlySpan<byte> line, Slice slice)
        => _unescapedInScratch ? _scratch.AsSpan(slice.Start, slice.Length) : line.Slice(slice.Start, slice.Length);

    private static int ValidIndex(int index, int count)
    {
        if ((uint)index >= (uint)count)
        {
            ThrowIndexOutOfRange();
        }

        return index;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowIndexOutOfRange() => throw new ArgumentOutOfRangeException("index");

    // ---- error recording

    private bool Fail(ParseErrorKind kind)
    {
        _error = kind;
        return false;
    }

    private bool Fail(ParseErrorKind kind, long value)
    {
        _error = kind;
        _errorValue = value;
        return false;
    }

    private bool FailToken(ParseErrorKind kind, int start, int length)
    {
        _error = kind;
        _errorStart = start;
        _errorLength = length;
        return false;
    }

    /// <summary>The reason InfluxDB gives for the current error, without the line.</summary>
    internal string ErrorReason(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> token = _errorLength > 0 ? line.Slice(_errorStart, _errorLength) : default;
        return _error switch
        {
            ParseErrorKind.MissingMeasurement => "missing measurement",
            ParseErrorKind.MissingFields => "missing fields",
            ParseErrorKind.MissingTagKey => "missing tag key",
            ParseErrorKind.MissingTagValue => "missing tag value",
            ParseErrorKind.InvalidTagFormat => "invalid tag format",
            ParseErrorKind.DuplicateTags => "duplicate tags",
            ParseErrorKind.MaxKeyLengthExceeded => $"max key length exceeded: {_errorValue} > {MaxKeyLength}",
            ParseErrorKind.MissingFieldKey => "missing field key",
            ParseErrorKind.MissingFieldValue => "missing field value",
            ParseErrorKind.UnbalancedQuotes => "unbalanced quotes",
            ParseErrorKind.InvalidFieldFormat => "invalid field format",
            ParseErrorKind.InvalidFieldValue => "invalid value: field-key=" + System.Text.Encoding.UTF8.GetString(token),
            ParseErrorKind.InvalidNumber => "invalid number",
            ParseErrorKind.InvalidBoolean => "invalid boolean",
            ParseErrorKind.InvalidFloat => "invalid float",
            ParseErrorKind.IntegerOutOfRange => OutOfRange("unable to parse integer ", "strconv.ParseInt", token),
            ParseErrorKind.UnsignedOutOfRange => OutOfRange("unable to parse unsigned ", "strconv.ParseUint", token),
            ParseErrorKind.BadTimestamp => "bad timestamp",
            ParseErrorKind.TimestampSyntax => $"strconv.ParseInt: parsing \"{System.Text.Encoding.UTF8.GetString(token)}\": invalid syntax",
            ParseErrorKind.TimestampOverflow => $"strconv.ParseInt: parsing \"{System.Text.Encoding.UTF8.GetString(token)}\": value out of range",
            ParseErrorKind.TimeOutOfRange => $"time outside range {MinNanoTime} - {MaxNanoTime}",
            ParseErrorKind.InvalidPoint => "point is invalid",
            _ => "",
        };

        static string OutOfRange(string prefix, string function, ReadOnlySpan<byte> digits)
        {
            string text = System.Text.Encoding.UTF8.GetString(digits);
            return $"{prefix}{text}: {function}: parsing \"{text}\": value out of range";
        }
    }

    // ---- slots

    /// <summary>A run of bytes in the line, or in <see cref="_scratch"/>.</summary>
    private readonly record struct Slice(int Start, int Length);

    /// <summary>One tag: raw (escaped) positions in the line, and the unescaped key and value.</summary>
    private struct TagSlot
    {
        public int RawKeyStart;
        public int RawKeyLength;
        public int RawValueLength;

        /// <summary>The first 8 bytes of the raw key, big-endian, zero-padded: orders most keys alone.</summary>
        public ulong KeyPrefix;

        public Slice Key;
        public Slice Value;

        /// <summary>Raw <c>key=value</c> as it appears in the line and in the series key.</summary>
        public readonly int RawPairLength => RawKeyLength + 1 + RawValueLength;
    }

    /// <summary>One field: the unescaped key, the type, the value bits, and the unescaped string value.</summary>
    private struct FieldSlot
    {
        public Slice Key;
        public FieldType Type;
        public long Bits;
        public Slice Text;
    }
}
