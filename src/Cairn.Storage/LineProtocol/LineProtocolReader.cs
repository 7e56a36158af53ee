namespace Cairn.Storage.LineProtocol;

/// <summary>
/// Walks a write body line by line. Each <see cref="MoveNext"/> stops on a point
/// (<see cref="Current"/>) or on a line that failed (<see cref="Error"/>); blank lines and <c>#</c> comment
/// lines are skipped. Made by <see cref="LineProtocolParser.Read"/>.
/// </summary>
/// <example>
/// <code>
/// var reader = parser.Read(body, nowNanos, precision);
/// while (reader.MoveNext())
/// {
///     if (reader.IsError) { errors.Add(reader.Error.Message); continue; }
///     ParsedPoint point = reader.Current;   // spans valid until the next MoveNext
/// }
/// </code>
/// </example>
public ref struct LineProtocolReader
{
    private readonly LineProtocolParser _parser;
    private readonly ReadOnlySpan<byte> _body;
    private readonly long _defaultTimestamp;
    private readonly Precision _precision;
    private int _position;
    private ReadOnlySpan<byte> _line;
    private bool _isError;
    private int _pointCount;
    private int _errorCount;

    internal LineProtocolReader(LineProtocolParser parser, ReadOnlySpan<byte> body, long defaultTimestamp, Precision precision)
    {
        _parser = parser;
        _body = body;
        _defaultTimestamp = defaultTimestamp;
        _precision = precision;
    }

    /// <summary>True when the current line failed to parse: read <see cref="Error"/>, not <see cref="Current"/>.</summary>
    public readonly bool IsError => _isError;

    /// <summary>
    /// The point on the current line, when <see cref="IsError"/> is false. Its spans are valid until the
    /// next <see cref="MoveNext"/>.
    /// </summary>
    public readonly ParsedPoint Current
    {
        get
        {
            if (_isError || _line.IsEmpty)
            {
                ThrowNotOn("a point");
            }

            return new ParsedPoint(_parser, _line);
        }
    }

    /// <summary>Why the current line failed, with InfluxDB's message for it, when <see cref="IsError"/> is true.</summary>
    public readonly LineError Error
    {
        get
        {
            if (!_isError)
            {
                ThrowNotOn("a failed line");
            }

            return new LineError(_parser, _line);
        }
    }

    /// <summary>Points read so far.</summary>
    public readonly int PointCount => _pointCount;

    /// <summary>Lines that failed so far.</summary>
    public readonly int ErrorCount => _errorCount;

    /// <summary>Advances to the next point or failed line; false at the end of the body.</summary>
    public bool MoveNext()
    {
        while (_position < _body.Length)
        {
            int start = _position;
            int end;
            bool plain;
            ReadOnlySpan<byte> rest = _body[start..];
            int special = rest.IndexOfAny((byte)'\n', (byte)'\\', (byte)'"');
            if (special < 0)
            {
                end = _body.Length;
                plain = true;
            }
            else if (rest[special] == '\n')
            {
                end = start + special;
                plain = true;
            }
            else
            {
                // A quote can keep a newline inside the line, so the line needs InfluxDB's scan; it can still
                // take the fast path if it has no backslash.
                end = ScanLine(_body, start);
                plain = rest[special] == '"' && _body[start..end].IndexOf((byte)'\\') < 0;
            }

            _position = end + 1;

            // A line can end in a newline that a quote or a backslash kept inside it: InfluxDB drops one.
            // Then a carriage return, which InfluxDB 1.x would keep (and reject), is dropped too.
            ReadOnlySpan<byte> block = _body[start..end];
            if (!block.IsEmpty && block[^1] == '\n')
            {
                block = block[..^1];
            }

            if (!block.IsEmpty && block[^1] == '\r')
            {
                block = block[..^1];
            }

            int first = 0;
            while (first < block.Length && (block[first] == ' ' || block[first] == '\t' || block[first] == 0))
            {
                first++;
            }

            if (first == block.Length || block[first] == '#')
            {
                continue;
            }

            _line = block[first..];
            _isError = !_parser.ParseLine(_line, plain, _defaultTimestamp, _precision);
            if (_isError)
            {
                _errorCount++;
            }
            else
            {
                _pointCount++;
            }

            return true;
        }

        _line = default;
        _isError = false;
        return false;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNotOn(string what)
        => throw new InvalidOperationException($"The reader is not on {what}: check MoveNext and IsError first.");

    /// <summary>
    /// InfluxDB's scanLine: a line ends at a newline outside a quoted field value. A backslash skips the
    /// byte after it, unless it is within the last two bytes of the body; a quote toggles only in the fields
    /// section, when more '=' than ',' have been seen — so a newline inside a string value does not end it.
    /// </summary>
    internal static int ScanLine(ReadOnlySpan<byte> body, int i)
    {
        bool quoted = false;
        bool inFields = false;
        int equals = 0;
        int commas = 0;
        while (i < body.Length)
        {
            byte c = body[i];
            if (c == '\\' && i + 2 < body.Length)
            {
                i += 2;
                continue;
            }

            if (c == ' ')
            {
                inFields = true;
            }

            if (inFields)
            {
                if (!quoted && c == '=')
                {
                    equals++;
                    i++;
                    continue;
                }

                if (!quoted && c == ',')
                {
                    commas++;
                    i++;
                    continue;
                }

                if (c == '"' && equals > commas)
                {
                    quoted = !quoted;
                    i++;
                    continue;
                }
            }

            if (c == '\n' && !quoted)
            {
                break;
            }

            i++;
        }

        return i;
    }
}
