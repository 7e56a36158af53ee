using Cairn.Query.Parsing;

namespace Cairn.Query.Tests.Parsing;

public class ScannerTests
{
    private static Lexeme First(string text) => new Scanner(text).Scan();

    [Test]
    [Arguments("", "Eof", "")]
    [Arguments("#", "Illegal", "#")]
    [Arguments("! ", "Illegal", "!")]
    [Arguments("é", "Illegal", "é")]
    [Arguments("😀", "Illegal", "😀")]
    [Arguments(" ", "Ws", " ")]
    [Arguments("\t", "Ws", "\t")]
    [Arguments("\n", "Ws", "\n")]
    [Arguments("\r", "Ws", "\n")]
    [Arguments("\r\n", "Ws", "\n")]
    [Arguments("\rX", "Ws", "\n")]
    [Arguments("\n\r", "Ws", "\n\n")]
    [Arguments(" \n\t \r\n\t", "Ws", " \n\t \n\t")]
    [Arguments(" foo", "Ws", " ")]
    [Arguments("+", "Add", "")]
    [Arguments("-", "Sub", "")]
    [Arguments("*", "Mul", "")]
    [Arguments("/", "Div", "")]
    [Arguments("%", "Mod", "")]
    [Arguments("&", "BitwiseAnd", "")]
    [Arguments("|", "BitwiseOr", "")]
    [Arguments("^", "BitwiseXor", "")]
    [Arguments("AND", "And", "")]
    [Arguments("and", "And", "")]
    [Arguments("OR", "Or", "")]
    [Arguments("or", "Or", "")]
    [Arguments("in", "In", "")]
    [Arguments("=", "Eq", "")]
    [Arguments("!=", "Neq", "")]
    [Arguments("<>", "Neq", "")]
    [Arguments("<", "Lt", "")]
    [Arguments("<=", "Lte", "")]
    [Arguments(">", "Gt", "")]
    [Arguments(">=", "Gte", "")]
    [Arguments("=~", "EqRegex", "")]
    [Arguments("!~", "NeqRegex", "")]
    [Arguments("(", "LParen", "")]
    [Arguments(")", "RParen", "")]
    [Arguments(",", "Comma", "")]
    [Arguments(";", "Semicolon", "")]
    [Arguments(".", "Dot", "")]
    [Arguments(":", "Colon", "")]
    [Arguments("::", "DoubleColon", "")]
    [Arguments("foo", "Ident", "foo")]
    [Arguments("_foo", "Ident", "_foo")]
    [Arguments("Zx12_3U_-", "Ident", "Zx12_3U_")]
    [Arguments("\"foo\"", "Ident", "foo")]
    [Arguments("\"foo\\\\bar\"", "Ident", "foo\\bar")]
    [Arguments("\"foo\\\"bar\\\"\"", "Ident", "foo\"bar\"")]
    [Arguments("\"select\"", "Ident", "select")]
    [Arguments("\"a b.c\\nd\"", "Ident", "a b.c\nd")]
    [Arguments("\"test", "BadString", "test")]
    [Arguments("$host", "BoundParam", "$host")]
    [Arguments("$\"host param\"", "BoundParam", "$host param")]
    [Arguments("$", "BoundParam", "$")]
    [Arguments("true", "True", "")]
    [Arguments("FALSE", "False", "")]
    [Arguments("'testing 123!'", "String", "testing 123!")]
    [Arguments("'foo\\nbar'", "String", "foo\nbar")]
    [Arguments("'foo\\\\bar'", "String", "foo\\bar")]
    [Arguments("'it\\'s'", "String", "it's")]
    [Arguments("'say \\\"hi\\\"'", "String", "say \"hi\"")]
    [Arguments("'test", "BadString", "test")]
    [Arguments("'test\nfoo", "BadString", "test")]
    [Arguments("100", "Integer", "100")]
    [Arguments("100.23", "Number", "100.23")]
    [Arguments(".23", "Number", ".23")]
    [Arguments("100.", "Number", "100")]
    [Arguments("10.3s", "Number", "10.3")]
    [Arguments("10u", "DurationVal", "10u")]
    [Arguments("10µ", "DurationVal", "10µ")]
    [Arguments("10ms", "DurationVal", "10ms")]
    [Arguments("1s", "DurationVal", "1s")]
    [Arguments("10m", "DurationVal", "10m")]
    [Arguments("10h", "DurationVal", "10h")]
    [Arguments("10d", "DurationVal", "10d")]
    [Arguments("10w", "DurationVal", "10w")]
    [Arguments("10ns", "DurationVal", "10ns")]
    [Arguments("1h30m", "DurationVal", "1h30m")]
    [Arguments("10x", "DurationVal", "10x")]
    [Arguments("0xdb0", "DurationVal", "0xdb0")]
    [Arguments("-- comment\nSELECT", "Comment", "")]
    [Arguments("/* block */", "Comment", "")]
    [Arguments("/* never closed", "Illegal", "")]
    [Arguments("ALL", "All", "")]
    [Arguments("explain", "Explain", "")]
    [Arguments("seLECT", "Select", "")]
    [Arguments("Future", "Future", "")]
    [Arguments("past", "Past", "")]
    [Arguments("verbose", "Verbose", "")]
    [Arguments("SLIMIT", "SLimit", "")]
    [Arguments("soffset", "SOffset", "")]
    public async Task Scan_SingleToken_GivesTokenAndLiteral(string text, string token, string literal)
    {
        var l = First(text);
        await Assert.That(l.Token).IsEqualTo(Enum.Parse<Token>(token));
        await Assert.That(l.Literal).IsEqualTo(literal);
    }

    [Test]
    [Arguments("\"foo\\bar\"", "BadEscape", "\\b", 5)]
    [Arguments("'test\\g'", "BadEscape", "\\g", 6)]
    [Arguments("test\"", "BadString", "", 3)]
    public async Task Scan_BadEscapeOrString_ReportsInfluxPosition(string text, string token, string literal, int @char)
    {
        var l = First(text);
        await Assert.That(l.Token).IsEqualTo(Enum.Parse<Token>(token));
        await Assert.That(l.Literal).IsEqualTo(literal);
        await Assert.That(l.Pos).IsEqualTo(new Pos(0, @char));
    }

    [Test]
    public async Task Scan_Statement_GivesTokensWithPositions()
    {
        var scanner = new Scanner("SELECT value from myseries WHERE a = 'b'");
        var tokens = new List<Lexeme>();
        while (true)
        {
            var l = scanner.Scan();
            tokens.Add(l);
            if (l.Token == Token.Eof) break;
        }

        Lexeme[] expected =
        [
            new(Token.Select, new Pos(0, 0), ""),
            new(Token.Ws, new Pos(0, 6), " "),
            new(Token.Ident, new Pos(0, 7), "value"),
            new(Token.Ws, new Pos(0, 12), " "),
            new(Token.From, new Pos(0, 13), ""),
            new(Token.Ws, new Pos(0, 17), " "),
            new(Token.Ident, new Pos(0, 18), "myseries"),
            new(Token.Ws, new Pos(0, 26), " "),
            new(Token.Where, new Pos(0, 27), ""),
            new(Token.Ws, new Pos(0, 32), " "),
            new(Token.Ident, new Pos(0, 33), "a"),
            new(Token.Ws, new Pos(0, 34), " "),
            new(Token.Eq, new Pos(0, 35), ""),
            new(Token.Ws, new Pos(0, 36), " "),
            // influxql positions a string at the code point before its opening quote.
            new(Token.String, new Pos(0, 36), "b"),
            new(Token.Eof, new Pos(0, 40), ""),
        ];
        await Assert.That(string.Join(" | ", tokens)).IsEqualTo(string.Join(" | ", expected));
    }

    [Test]
    public async Task Scan_MultiLine_CountsLinesAndCodePoints()
    {
        var scanner = new Scanner("a\r\n😀 b\n  c");
        var positions = new List<(Token, Pos)>();
        while (true)
        {
            var l = scanner.Scan();
            positions.Add((l.Token, l.Pos));
            if (l.Token == Token.Eof) break;
        }
        (Token, Pos)[] expected =
        [
            (Token.Ident, new Pos(0, 0)),
            (Token.Ws, new Pos(0, 1)),
            (Token.Illegal, new Pos(1, 0)),
            (Token.Ws, new Pos(1, 1)),
            (Token.Ident, new Pos(1, 2)),
            (Token.Ws, new Pos(1, 3)),
            (Token.Ident, new Pos(2, 2)),
            // An identifier at the end reads EOF twice; influxql's reader advances once more on the second read.
            (Token.Eof, new Pos(2, 4)),
        ];
        await Assert.That(string.Join(" | ", positions)).IsEqualTo(string.Join(" | ", expected));
    }

    [Test]
    [Arguments("/^payments\\./", "^payments\\.")]
    [Arguments("/foo\\/bar/", "foo/bar")]
    [Arguments("/foo\\\\/bar/", "foo\\/bar")]
    [Arguments("/foo\\\\bar/", "foo\\\\bar")]
    [Arguments("/http\\:\\/\\/www\\.example\\.com/", "http\\://www\\.example\\.com")]
    [Arguments("/a b*/", "a b*")]
    public async Task ScanRegex_Delimited_UnescapesSlashOnly(string text, string pattern)
    {
        var l = new Scanner(text).ScanRegex();
        await Assert.That(l.Token).IsEqualTo(Token.Regex);
        await Assert.That(l.Literal).IsEqualTo(pattern);
    }

    [Test]
    [Arguments("/unterminated")]
    [Arguments("/new\nline/")]
    [Arguments("/ends with escape\\")]
    public async Task ScanRegex_Unterminated_IsBadRegex(string text)
    {
        await Assert.That(new Scanner(text).ScanRegex().Token).IsEqualTo(Token.BadRegex);
    }

    [Test]
    public async Task Lookup_Keywords_AreCaseInsensitive()
    {
        await Assert.That(Tokens.Lookup("sElEcT")).IsEqualTo(Token.Select);
        await Assert.That(Tokens.Lookup("measurement")).IsEqualTo(Token.Measurement);
        await Assert.That(Tokens.Lookup("value")).IsEqualTo(Token.Ident);
        await Assert.That(Tokens.Lookup("")).IsEqualTo(Token.Ident);
    }

    [Test]
    public async Task Text_Tokens_NameAsInfluxql()
    {
        await Assert.That(Token.Eof.Text()).IsEqualTo("EOF");
        await Assert.That(Token.Neq.Text()).IsEqualTo("!=");
        await Assert.That(Token.SLimit.Text()).IsEqualTo("SLIMIT");
        await Assert.That(Token.Measurements.Text()).IsEqualTo("MEASUREMENTS");
        await Assert.That(Token.Integer.Text()).IsEqualTo("");
        await Assert.That(Token.Comment.Text()).IsEqualTo("");
    }
}
