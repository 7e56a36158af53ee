using System.Diagnostics.CodeAnalysis;
using Cairn.Query.Ast;

namespace Cairn.Query.Parsing;

/// <summary>
/// Entry points of the InfluxQL parser. The <c>TryParse…</c> forms return a <see cref="ParseError"/> as a value
/// (a malformed query is an expected outcome); the <c>Parse…</c> forms throw <see cref="InfluxQLParseException"/>.
/// </summary>
/// <example>
/// <code>
/// if (!InfluxQLParser.TryParse(q, parameters, out var query, out var error))
///     return BadRequest(error.ResponseMessage); // "error parsing query: found …, expected … at line 1, char 8"
/// </code>
/// </example>
public static class InfluxQLParser
{
    /// <summary>
    /// Parses a query: statements separated by <c>;</c> (empty text is an empty query). <paramref name="parameters"/>
    /// binds <c>$name</c> placeholders (see <see cref="QueryParameters"/> for the accepted values).
    /// </summary>
    public static bool TryParse(
        string text,
        IReadOnlyDictionary<string, object?>? parameters,
        [NotNullWhen(true)] out InfluxQuery? query,
        [NotNullWhen(false)] out ParseError? error) =>
        Run(text, parameters, static p => p.ParseQuery(), out query, out error);

    public static bool TryParse(string text, [NotNullWhen(true)] out InfluxQuery? query, [NotNullWhen(false)] out ParseError? error) =>
        TryParse(text, null, out query, out error);

    /// <summary>Parses a query or throws <see cref="InfluxQLParseException"/>.</summary>
    public static InfluxQuery Parse(string text, IReadOnlyDictionary<string, object?>? parameters = null) =>
        TryParse(text, parameters, out var query, out var error) ? query : throw new InfluxQLParseException(error);

    /// <summary>
    /// Parses one statement, as influxql's ParseStatement: text after a complete statement is not examined,
    /// and empty text is an error.
    /// </summary>
    public static bool TryParseStatement(
        string text,
        IReadOnlyDictionary<string, object?>? parameters,
        [NotNullWhen(true)] out Statement? statement,
        [NotNullWhen(false)] out ParseError? error) =>
        Run(text, parameters, static p => p.ParseStatement(), out statement, out error);

    public static Statement ParseStatement(string text, IReadOnlyDictionary<string, object?>? parameters = null) =>
        TryParseStatement(text, parameters, out var statement, out var error) ? statement : throw new InfluxQLParseException(error);

    /// <summary>Parses one expression, as influxql's ParseExpr: text after a complete expression is not examined.</summary>
    public static bool TryParseExpr(
        string text,
        IReadOnlyDictionary<string, object?>? parameters,
        [NotNullWhen(true)] out Expr? expr,
        [NotNullWhen(false)] out ParseError? error) =>
        Run(text, parameters, static p => p.ParseExpr(), out expr, out error);

    public static Expr ParseExpr(string text, IReadOnlyDictionary<string, object?>? parameters = null) =>
        TryParseExpr(text, parameters, out var expr, out var error) ? expr : throw new InfluxQLParseException(error);

    private static bool Run<T>(
        string text,
        IReadOnlyDictionary<string, object?>? parameters,
        Func<Parser, T> parse,
        [NotNullWhen(true)] out T? result,
        [NotNullWhen(false)] out ParseError? error) where T : class
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            result = parse(new Parser(text, parameters));
            error = null;
            return true;
        }
        catch (InfluxQLParseException e)
        {
            result = null;
            error = e.Error;
            return false;
        }
        catch (InsufficientExecutionStackException)
        {
            // InfluxDB has no nesting limit; Cairn refuses expressions nested deeper than the stack allows
            // rather than crash the process.
            result = null;
            error = ParseError.Bare("expression nests too deeply");
            return false;
        }
    }
}
