namespace Cairn.Storage.LineProtocol;

/// <summary>A line that failed to parse: the code to branch on, and InfluxDB's texts for it.</summary>
public readonly ref struct LineError
{
    private readonly LineProtocolParser _parser;

    internal LineError(LineProtocolParser parser, ReadOnlySpan<byte> line)
    {
        _parser = parser;
        Line = line;
    }

    /// <summary>Why the line failed.</summary>
    public ParseErrorKind Kind => _parser.ErrorKind;

    /// <summary>The line as InfluxDB quotes it: without leading whitespace or line ending.</summary>
    public ReadOnlySpan<byte> Line { get; }

    /// <summary>InfluxDB's reason, e.g. <c>invalid boolean</c>.</summary>
    public string Reason => _parser.ErrorReason(Line);

    /// <summary>InfluxDB's message for the line: <c>unable to parse '&lt;line&gt;': &lt;reason&gt;</c>.</summary>
    public string Message => WriteErrorText.LineFailed(Line, Reason);

    /// <inheritdoc cref="Message"/>
    public override string ToString() => Message;
}
