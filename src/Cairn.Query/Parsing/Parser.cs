using System.Globalization;
using Cairn.Query.Ast;

namespace Cairn.Query.Parsing;

/// <summary>
/// Recursive-descent InfluxQL parser, one instance per query text. It mirrors influxql's parser rule for rule:
/// the same look-ahead, push-backs and direct peeks at the reader, because InfluxDB's error texts and
/// positions (which clients and the conformance suite compare byte for byte) fall out of them.
/// </summary>
/// <remarks>
/// A syntax error unwinds by throwing <see cref="InfluxQLParseException"/>; <see cref="InfluxQLParser"/> turns it
/// into a value at the boundary. The grammar has about a hundred error exits, and unwinding keeps every rule
/// straight-line; the cost is paid once per rejected query, never per point.
/// </remarks>
internal sealed partial class Parser
{
    private readonly TokenBuffer _s;
    private readonly Dictionary<string, BoundValue>? _params;

    public Parser(string text, IReadOnlyDictionary<string, object?>? parameters)
    {
        _s = new TokenBuffer(new Scanner(text));
        if (parameters is { Count: > 0 }) _params = QueryParameters.Bind(parameters);
    }

    /// <summary>Statements separated by semicolons; empty text gives an empty query.</summary>
    public InfluxQuery ParseQuery()
    {
        var statements = new List<Statement>();
        bool semicolon = true;
        while (true)
        {
            var l = ScanIgnoreWhitespace();
            if (l.Token == Token.Eof) return new InfluxQuery(NodeList.From(statements));
            if (l.Token == Token.Semicolon)
            {
                semicolon = true;
                continue;
            }
            if (!semicolon) throw Expected(l, ";");
            Unscan();
            statements.Add(ParseStatement());
            semicolon = false;
        }
    }

    /// <summary>One statement, chosen by its leading keywords (influxql's parse tree).</summary>
    public Statement ParseStatement()
    {
        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.Select:
                return ParseSelectStatement(TargetRequirement.NotRequired);
            case Token.Delete:
                return ParseDeleteStatement();
            case Token.Show:
                return ParseShowStatement();
            case Token.Create:
                return ParseCreateStatement();
            case Token.Drop:
                return ParseDropStatement();
            case Token.Explain:
                return ParseExplainStatement();
            case Token.Grant:
                return ParseGrantStatement();
            case Token.Revoke:
                return ParseRevokeStatement();
            case Token.Alter:
                ExpectKeywords(Token.Retention, Token.Policy);
                return ParseAlterRetentionPolicyStatement();
            case Token.Set:
                ExpectKeywords(Token.Password, Token.For);
                return ParseSetPasswordUserStatement();
            case Token.Kill:
                ExpectKeywords(Token.Query);
                return ParseKillQueryStatement();
            default:
                throw Expected(l, "SELECT", "DELETE", "SHOW", "CREATE", "DROP", "EXPLAIN", "GRANT", "REVOKE", "ALTER", "SET", "KILL");
        }
    }

    // ---- Scanning -------------------------------------------------------------------------------------------

    private Lexeme Scan() => ScanWith(regex: false);

    private Lexeme ScanRegexToken() => ScanWith(regex: true);

    /// <summary>Scans a token, replacing a bound <c>$name</c> with the token its value stands for.</summary>
    private Lexeme ScanWith(bool regex)
    {
        var l = _s.Scan(regex);
        if (l.Token == Token.BoundParam && _params is not null)
        {
            string key = l.Literal.StartsWith('$') ? l.Literal[1..] : l.Literal;
            if (key.Length != 0 && _params.TryGetValue(key, out var value)) return new Lexeme(value.Token, l.Pos, value.Literal);
        }
        return l;
    }

    private Lexeme ScanIgnoreWhitespace()
    {
        while (true)
        {
            var l = Scan();
            if (l.Token is Token.Ws or Token.Comment) continue;
            return l;
        }
    }

    private void ConsumeWhitespace()
    {
        if (Scan().Token != Token.Ws) Unscan();
    }

    private void Unscan() => _s.Unscan();

    /// <summary>The next code point of the text, bypassing pushed-back tokens, as influxql's peekRune (which does not push EOF back).</summary>
    private int PeekRune()
    {
        var reader = _s.Reader;
        int rune = reader.Read();
        if (rune != RuneReader.Eof) reader.Unread();
        return rune;
    }

    /// <summary>influxql's parseTokens: each keyword in turn, or "found X, expected KEYWORD".</summary>
    private void ExpectKeywords(params ReadOnlySpan<Token> tokens)
    {
        foreach (var token in tokens)
        {
            var l = ScanIgnoreWhitespace();
            if (l.Token != token) throw Expected(l, token.Text());
        }
    }

    private string ParseIdent()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Ident) throw Expected(l, "identifier");
        return l.Literal;
    }

    private List<string> ParseIdentList()
    {
        var idents = new List<string> { ParseIdent() };
        while (true)
        {
            if (ScanIgnoreWhitespace().Token != Token.Comma)
            {
                Unscan();
                return idents;
            }
            idents.Add(ParseIdent());
        }
    }

    private string ParseString()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.String) throw Expected(l, "string");
        return l.Literal;
    }

    private List<string> ParseStringList()
    {
        var strings = new List<string> { ParseString() };
        while (true)
        {
            if (ScanIgnoreWhitespace().Token != Token.Comma)
            {
                Unscan();
                return strings;
            }
            strings.Add(ParseString());
        }
    }

    /// <summary>An integer in [min, max] (influxql's ParseInt, which uses Go's Atoi).</summary>
    private int ParseInt(int min, int max)
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Integer) throw Expected(l, "integer");
        if (!long.TryParse(l.Literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
        {
            throw At(StrconvError("Atoi", l.Literal), l.Pos);
        }
        if (n < min || n > max)
        {
            throw At(string.Create(CultureInfo.InvariantCulture, $"invalid value {n}: must be {min} <= n <= {max}"), l.Pos);
        }
        return (int)n;
    }

    private ulong ParseUInt64()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Integer) throw Expected(l, "integer");
        if (!ulong.TryParse(l.Literal, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
        {
            throw At(StrconvError("ParseUint", l.Literal), l.Pos);
        }
        return n;
    }

    /// <summary>A duration or INF (0), as influxql's Parser.ParseDuration.</summary>
    private long ParseDurationValue()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.DurationVal && l.Token != Token.Inf) throw Expected(l, "duration");
        if (l.Token == Token.Inf) return 0;
        if (!InfluxQLText.TryParseDuration(l.Literal, out long d, out string? error)) throw At(error, l.Pos);
        return d;
    }

    /// <summary><c>KEYWORD n</c> if present, else 0. Negative values (possible through parameters) are rejected.</summary>
    private long ParseOptionalTokenAndInt(Token keyword)
    {
        if (ScanIgnoreWhitespace().Token != keyword)
        {
            Unscan();
            return 0;
        }
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Integer) throw Expected(l, "integer");
        long n = GoParseIntSaturating(l.Literal);
        if (n < 0) throw At(keyword.Text() + " must be >= 0", l.Pos);
        return n;
    }

    /// <summary>Go's <c>strconv.ParseInt(s, 10, 64)</c> with the error ignored: out-of-range values saturate.</summary>
    private static long GoParseIntSaturating(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)) return n;
        if (IsSignedDigits(text)) return text[0] == '-' ? long.MinValue : long.MaxValue;
        return 0;
    }

    private static bool IsSignedDigits(string text)
    {
        int start = text.Length > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
        if (start == text.Length) return false;
        for (int i = start; i < text.Length; i++)
        {
            if (!InfluxQLText.IsDigit(text[i])) return false;
        }
        return true;
    }

    /// <summary>The text of Go's <c>*strconv.NumError</c> for an integer that did not parse.</summary>
    private static string StrconvError(string function, string text)
    {
        bool range = function == "ParseUint" ? text.Length > 0 && text.All(char.IsAsciiDigit) : IsSignedDigits(text);
        return "strconv." + function + ": parsing " + QueryParameters.GoQuote(text) + (range ? ": value out of range" : ": invalid syntax");
    }

    // ---- Errors ----------------------------------------------------------------------------------------------

    private static InfluxQLParseException Expected(Lexeme found, params string[] expected) =>
        new(ParseError.Unexpected(Tokens.Describe(found.Token, found.Literal), expected, found.Pos));

    private static InfluxQLParseException At(string message, Pos pos) => new(ParseError.WithPosition(message, pos));

    private static InfluxQLParseException Bare(string message) => new(ParseError.Bare(message));
}

internal enum TargetRequirement
{
    Required,
    NotRequired,
    Subquery,
}
