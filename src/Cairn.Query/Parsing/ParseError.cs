using System.Globalization;

namespace Cairn.Query.Parsing;

/// <summary>
/// Why a query did not parse, with the exact text influxql's error gives (<see cref="Text"/>). InfluxDB answers
/// HTTP clients with <c>"error parsing query: " + Text</c> (<see cref="ResponseMessage"/>).
/// </summary>
/// <remarks>
/// influxql has three shapes of error, all kept: "found X, expected A, B at line L, char C" (<see cref="Found"/>
/// and <see cref="Expected"/> set), a specific message with a position ("invalid duration INF for shard duration
/// at line 1, char 84"), and a bare message without one ("invalid duration", "fill must be a function call").
/// Line and Char are 1-based and count Unicode code points, as influxql's do.
/// </remarks>
public sealed class ParseError
{
    /// <summary>The prefix InfluxDB's HTTP handler puts before <see cref="Text"/>.</summary>
    public const string ResponsePrefix = "error parsing query: ";

    private ParseError(string message, string? found, IReadOnlyList<string>? expected, int? line, int? @char, string text)
    {
        Message = message;
        Found = found;
        Expected = expected;
        Line = line;
        Char = @char;
        Text = text;
    }

    /// <summary>The message without the position: "found X, expected Y" or the specific text.</summary>
    public string Message { get; }

    /// <summary>The offending token as influxql names it (its literal, or e.g. <c>EOF</c>), for "found … expected" errors.</summary>
    public string? Found { get; }

    /// <summary>What the grammar accepted there, for "found … expected" errors.</summary>
    public IReadOnlyList<string>? Expected { get; }

    /// <summary>1-based line, or null when influxql reports no position.</summary>
    public int? Line { get; }

    /// <summary>1-based character (code point) in the line, or null when influxql reports no position.</summary>
    public int? Char { get; }

    /// <summary>The full error text exactly as influxql's <c>Error()</c> returns it.</summary>
    public string Text { get; }

    /// <summary>The body text of InfluxDB's HTTP 400 answer.</summary>
    public string ResponseMessage => ResponsePrefix + Text;

    public override string ToString() => Text;

    internal static ParseError Unexpected(string found, string[] expected, Pos pos)
    {
        string message = "found " + found + ", expected " + string.Join(", ", expected);
        return new ParseError(message, found, expected, pos.Line + 1, pos.Char + 1, message + At(pos));
    }

    internal static ParseError WithPosition(string message, Pos pos) =>
        new(message, null, null, pos.Line + 1, pos.Char + 1, message + At(pos));

    internal static ParseError Bare(string message) => new(message, null, null, null, null, message);

    /// <summary>An error whose text embeds the position mid-sentence (the SELECT-clause operator check).</summary>
    internal static ParseError Custom(string message, Pos pos, string text) =>
        new(message, null, null, pos.Line + 1, pos.Char + 1, text);

    private static string At(Pos pos) => string.Create(
        CultureInfo.InvariantCulture, $" at line {pos.Line + 1}, char {pos.Char + 1}");
}

/// <summary>Thrown by the throwing parse entry points; carries the <see cref="ParseError"/>.</summary>
public sealed class InfluxQLParseException : Exception
{
    public InfluxQLParseException(ParseError error) : base(error.Text) => Error = error;

    public ParseError Error { get; }
}
