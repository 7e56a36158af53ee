using System.Text;

namespace Cairn.Query.Parsing;

/// <summary>A scanned token, its position and its literal text ("" for keywords and most operators).</summary>
internal readonly record struct Lexeme(Token Token, Pos Pos, string Literal);

/// <summary>
/// The InfluxQL lexer. It follows influxql's scanner step for step (including which code points it reads
/// ahead and pushes back) so that token literals and error positions match InfluxDB's. Literals are
/// collected in one reusable buffer; keywords are recognised from the buffer without allocating.
/// </summary>
internal sealed class Scanner
{
    private readonly RuneReader _r;
    private char[] _buf = new char[64];
    private int _len;

    public Scanner(string text) => _r = new RuneReader(text);

    /// <summary>The underlying reader; the parser peeks at it directly, as influxql's parser does.</summary>
    public RuneReader Reader => _r;

    public Lexeme Scan()
    {
        int ch0 = _r.Read(out var pos);

        if (IsWhitespace(ch0)) return ScanWhitespace();
        if (InfluxQLText.IsLetter(ch0) || ch0 == '_')
        {
            _r.Unread();
            return ScanIdent(lookup: true);
        }
        if (InfluxQLText.IsDigit(ch0)) return ScanNumber();

        switch (ch0)
        {
            case RuneReader.Eof:
                return new Lexeme(Token.Eof, pos, "");
            case '"':
                _r.Unread();
                return ScanIdent(lookup: true);
            case '\'':
                return ScanString();
            case '.':
            {
                int ch1 = _r.Read();
                _r.Unread();
                if (InfluxQLText.IsDigit(ch1)) return ScanNumber();
                return new Lexeme(Token.Dot, pos, "");
            }
            case '$':
            {
                var ident = ScanIdent(lookup: false);
                return new Lexeme(ident.Token == Token.Ident ? Token.BoundParam : ident.Token, pos, "$" + ident.Literal);
            }
            case '+':
                return new Lexeme(Token.Add, pos, "");
            case '-':
                if (_r.Read() == '-')
                {
                    SkipUntilNewline();
                    return new Lexeme(Token.Comment, pos, "");
                }
                _r.Unread();
                return new Lexeme(Token.Sub, pos, "");
            case '*':
                return new Lexeme(Token.Mul, pos, "");
            case '/':
                if (_r.Read() == '*')
                {
                    return SkipUntilEndComment()
                        ? new Lexeme(Token.Comment, pos, "")
                        : new Lexeme(Token.Illegal, pos, "");
                }
                _r.Unread();
                return new Lexeme(Token.Div, pos, "");
            case '%':
                return new Lexeme(Token.Mod, pos, "");
            case '&':
                return new Lexeme(Token.BitwiseAnd, pos, "");
            case '|':
                return new Lexeme(Token.BitwiseOr, pos, "");
            case '^':
                return new Lexeme(Token.BitwiseXor, pos, "");
            case '=':
                if (_r.Read() == '~') return new Lexeme(Token.EqRegex, pos, "");
                _r.Unread();
                return new Lexeme(Token.Eq, pos, "");
            case '!':
            {
                int ch1 = _r.Read();
                if (ch1 == '=') return new Lexeme(Token.Neq, pos, "");
                if (ch1 == '~') return new Lexeme(Token.NeqRegex, pos, "");
                _r.Unread();
                break;
            }
            case '>':
                if (_r.Read() == '=') return new Lexeme(Token.Gte, pos, "");
                _r.Unread();
                return new Lexeme(Token.Gt, pos, "");
            case '<':
            {
                int ch1 = _r.Read();
                if (ch1 == '=') return new Lexeme(Token.Lte, pos, "");
                if (ch1 == '>') return new Lexeme(Token.Neq, pos, "");
                _r.Unread();
                return new Lexeme(Token.Lt, pos, "");
            }
            case '(':
                return new Lexeme(Token.LParen, pos, "");
            case ')':
                return new Lexeme(Token.RParen, pos, "");
            case ',':
                return new Lexeme(Token.Comma, pos, "");
            case ';':
                return new Lexeme(Token.Semicolon, pos, "");
            case ':':
                if (_r.Read() == ':') return new Lexeme(Token.DoubleColon, pos, "");
                _r.Unread();
                return new Lexeme(Token.Colon, pos, "");
        }

        return new Lexeme(Token.Illegal, pos, RuneText(ch0));
    }

    /// <summary>Scans <c>/…/</c> where the grammar expects a regex; <c>\/</c> unescapes to <c>/</c>, other escapes pass through.</summary>
    public Lexeme ScanRegex()
    {
        _r.Current(out var pos);
        _len = 0;
        if (!ScanDelimited('/', '/')) return new Lexeme(Token.BadRegex, pos, "");
        return new Lexeme(Token.Regex, pos, new string(_buf, 0, _len));
    }

    private Lexeme ScanWhitespace()
    {
        int ch = _r.Current(out var pos);
        _len = 0;
        Append(ch);
        while (true)
        {
            ch = _r.Read();
            if (ch == RuneReader.Eof) break;
            if (!IsWhitespace(ch))
            {
                _r.Unread();
                break;
            }
            Append(ch);
        }
        string lit = _len == 1 && _buf[0] == ' ' ? " " : new string(_buf, 0, _len);
        return new Lexeme(Token.Ws, pos, lit);
    }

    private void SkipUntilNewline()
    {
        while (true)
        {
            int ch = _r.Read();
            if (ch == '\n' || ch == RuneReader.Eof) return;
        }
    }

    private bool SkipUntilEndComment()
    {
        while (true)
        {
            int ch1 = _r.Read();
            if (ch1 == '*')
            {
                while (true)
                {
                    int ch2 = _r.Read();
                    if (ch2 == '/') return true;
                    if (ch2 == '*') continue;
                    if (ch2 == RuneReader.Eof) return false;
                    break;
                }
            }
            else if (ch1 == RuneReader.Eof)
            {
                return false;
            }
        }
    }

    private Lexeme ScanIdent(bool lookup)
    {
        _r.Read(out var pos);
        _r.Unread();

        _len = 0;
        while (true)
        {
            int ch = _r.Read();
            if (ch == RuneReader.Eof) break;
            if (ch == '"')
            {
                var quoted = ScanString();
                if (quoted.Token is Token.BadString or Token.BadEscape) return quoted;
                return new Lexeme(Token.Ident, pos, quoted.Literal);
            }
            if (InfluxQLText.IsIdentChar(ch))
            {
                _r.Unread();
                ScanBareIdent();
            }
            else
            {
                _r.Unread();
                break;
            }
        }

        if (lookup)
        {
            var token = Tokens.Lookup(_buf.AsSpan(0, _len));
            if (token != Token.Ident) return new Lexeme(token, pos, "");
        }
        return new Lexeme(Token.Ident, pos, new string(_buf, 0, _len));
    }

    /// <summary>Appends identifier characters to the buffer. At end of text it does not push back, as influxql's doesn't.</summary>
    private void ScanBareIdent()
    {
        while (true)
        {
            if (!_r.TryReadRune(out int ch)) break;
            if (!InfluxQLText.IsIdentChar(ch))
            {
                _r.Unread();
                break;
            }
            Append(ch);
        }
    }

    /// <summary>Scans a string (or quoted identifier) whose opening quote was just read.</summary>
    private Lexeme ScanString()
    {
        _r.Unread();
        // influxql takes the position after the push-back: the code point before the quote.
        _r.Current(out var pos);

        _len = 0;
        var outcome = ScanQuoted(out string lit);
        if (outcome == QuotedOutcome.BadString) return new Lexeme(Token.BadString, pos, lit);
        if (outcome == QuotedOutcome.BadEscape)
        {
            _r.Current(out pos);
            return new Lexeme(Token.BadEscape, pos, lit);
        }
        return new Lexeme(Token.String, pos, lit);
    }

    private enum QuotedOutcome
    {
        Ok,
        BadString,
        BadEscape,
    }

    /// <summary>influxql's <c>ScanString</c>: the quote read first is the terminator; escapes \n \\ \" \' only.</summary>
    private QuotedOutcome ScanQuoted(out string lit)
    {
        if (!_r.TryReadRune(out int ending))
        {
            lit = "";
            return QuotedOutcome.BadString;
        }
        while (true)
        {
            bool ok = _r.TryReadRune(out int ch0);
            if (ch0 == ending)
            {
                lit = new string(_buf, 0, _len);
                return QuotedOutcome.Ok;
            }
            if (!ok || ch0 == '\n')
            {
                lit = new string(_buf, 0, _len);
                return QuotedOutcome.BadString;
            }
            if (ch0 == '\\')
            {
                _r.TryReadRune(out int ch1);
                switch (ch1)
                {
                    case 'n': Append('\n'); break;
                    case '\\': Append('\\'); break;
                    case '"': Append('"'); break;
                    case '\'': Append('\''); break;
                    default:
                        lit = "\\" + RuneText(ch1);
                        return QuotedOutcome.BadEscape;
                }
            }
            else
            {
                Append(ch0);
            }
        }
    }

    /// <summary>influxql's <c>ScanDelimited</c> with <c>\/</c> as the only escape and other escapes passed through.</summary>
    private bool ScanDelimited(int start, int end)
    {
        if (!_r.TryReadRune(out int first) || first != start) return false;
        while (true)
        {
            bool ok = _r.TryReadRune(out int ch0);
            if (ch0 == end) return true;
            if (!ok || ch0 == '\n') return false;
            if (ch0 == '\\')
            {
                if (!_r.TryReadRune(out int ch1)) return false;
                if (ch1 == '/')
                {
                    Append('/');
                }
                else
                {
                    _r.Unread();
                    Append('\\');
                }
            }
            else
            {
                Append(ch0);
            }
        }
    }

    /// <summary>Scans an integer, a float, or a duration (digits followed by letters, e.g. <c>10m</c>, <c>1h30m</c>, <c>0xdb0</c>).</summary>
    private Lexeme ScanNumber()
    {
        int ch = _r.Current(out var pos);
        if (ch == '.')
        {
            int ch1 = _r.Read();
            _r.Unread();
            if (!InfluxQLText.IsDigit(ch1)) return new Lexeme(Token.Illegal, pos, ".");
            _r.Unread();
        }
        else
        {
            _r.Unread();
        }

        _len = 0;
        ScanDigits();

        bool isDecimal = false;
        int c0 = _r.Read();
        if (c0 == '.')
        {
            isDecimal = true;
            int c1 = _r.Read();
            if (InfluxQLText.IsDigit(c1))
            {
                Append('.');
                Append(c1);
                ScanDigits();
            }
            else
            {
                _r.Unread();
            }
        }
        else
        {
            _r.Unread();
        }

        if (isDecimal) return new Lexeme(Token.Number, pos, new string(_buf, 0, _len));

        c0 = _r.Read();
        if (InfluxQLText.IsLetter(c0) || c0 == 'µ')
        {
            Append(c0);
            while (true)
            {
                int c1 = _r.Read();
                if (!InfluxQLText.IsLetter(c1) && c1 != 'µ')
                {
                    _r.Unread();
                    break;
                }
                Append(c1);
            }
            while (true)
            {
                int c2 = _r.Read();
                if (InfluxQLText.IsLetter(c2) || c2 == 'µ' || InfluxQLText.IsDigit(c2))
                {
                    Append(c2);
                }
                else
                {
                    _r.Unread();
                    break;
                }
            }
            return new Lexeme(Token.DurationVal, pos, new string(_buf, 0, _len));
        }
        _r.Unread();
        return new Lexeme(Token.Integer, pos, new string(_buf, 0, _len));
    }

    private void ScanDigits()
    {
        while (true)
        {
            int ch = _r.Read();
            if (!InfluxQLText.IsDigit(ch))
            {
                _r.Unread();
                break;
            }
            Append(ch);
        }
    }

    private void Append(int rune)
    {
        if (_len + 2 > _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
        if (rune < 0x10000)
        {
            _buf[_len++] = (char)rune;
        }
        else
        {
            var text = new Rune(rune).ToString();
            _buf[_len++] = text[0];
            _buf[_len++] = text[1];
        }
    }

    /// <summary>The code point as a string (Go's <c>string(rune)</c>); lone surrogates stay as they were.</summary>
    internal static string RuneText(int rune) => rune <= 0xFFFF ? ((char)rune).ToString() : char.ConvertFromUtf32(rune);

    internal static bool IsWhitespace(int ch) => ch == ' ' || ch == '\t' || ch == '\n';
}
