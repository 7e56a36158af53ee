using Cairn.Query.Ast;
using Cairn.Query.Parsing;
using static Cairn.Query.Tests.Parsing.A;

namespace Cairn.Query.Tests.Parsing;

/// <summary>Literals, unary signs and operator precedence (after influxql's TestParser_ParseExpr).</summary>
public class ExpressionTests
{
    public static IEnumerable<Func<(string Text, Expr Expected)>> Expressions()
    {
        yield return () => ("100.0", N(100));
        yield return () => ("100", I(100));
        yield return () => ("9223372036854775807", I(long.MaxValue));
        yield return () => ("9223372036854775808", new UnsignedLiteral(9223372036854775808UL));
        yield return () => ("18446744073709551615", new UnsignedLiteral(ulong.MaxValue));
        yield return () => ("-9223372036854775808", I(long.MinValue));
        yield return () => ("+9223372036854775808", new UnsignedLiteral(9223372036854775808UL));
        yield return () => ("-100.0", N(-100));
        yield return () => ("-100", I(-100));
        yield return () => ("- 100", I(-100));
        yield return () => ("+100", I(100));
        yield return () => ("100.", N(100));
        yield return () => ("-100.", N(-100));
        yield return () => (".23", N(0.23));
        yield return () => ("-.23", N(-0.23));
        yield return () => ("1s", D(Second));
        yield return () => ("-1s", D(-Second));
        yield return () => ("1h30m", D(90 * Minute));
        yield return () => ("10u", D(10_000));
        yield return () => ("10µ", D(10_000));
        yield return () => ("'foo bar'", S("foo bar"));
        yield return () => ("true", B(true));
        yield return () => ("false", B(false));
        yield return () => ("my_ident", V("my_ident"));
        yield return () => ("'2000-01-01 00:00:00'", S("2000-01-01 00:00:00"));
        yield return () => ("\"db\".\"rp\".m", V("db.rp.m"));
        yield return () => ("1 + 2", Bin(BinaryOperator.Add, I(1), I(2)));
        yield return () => ("1 * 2 + 3", Bin(BinaryOperator.Add, Bin(BinaryOperator.Mul, I(1), I(2)), I(3)));
        yield return () => ("1 + 2 * 3", Bin(BinaryOperator.Add, I(1), Bin(BinaryOperator.Mul, I(2), I(3))));
        yield return () => ("1 / 2 + 3", Bin(BinaryOperator.Add, Bin(BinaryOperator.Div, I(1), I(2)), I(3)));
        yield return () => ("1 + 2 / 3", Bin(BinaryOperator.Add, I(1), Bin(BinaryOperator.Div, I(2), I(3))));
        yield return () => ("1 % 2 + 3", Bin(BinaryOperator.Add, Bin(BinaryOperator.Mod, I(1), I(2)), I(3)));
        yield return () => ("1 + 2 % 3", Bin(BinaryOperator.Add, I(1), Bin(BinaryOperator.Mod, I(2), I(3))));
        yield return () => ("1 & 2 | 3", Bin(BinaryOperator.BitwiseOr, Bin(BinaryOperator.BitwiseAnd, I(1), I(2)), I(3)));
        yield return () => ("1 | 2 & 3", Bin(BinaryOperator.BitwiseOr, I(1), Bin(BinaryOperator.BitwiseAnd, I(2), I(3))));
        yield return () => ("1 ^ 2 - 3", Bin(BinaryOperator.Sub, Bin(BinaryOperator.BitwiseXor, I(1), I(2)), I(3)));
        yield return () => ("(1 + 2) * 3", Bin(BinaryOperator.Mul, P(Bin(BinaryOperator.Add, I(1), I(2))), I(3)));
        yield return () => ("1 * 2 * 3", Bin(BinaryOperator.Mul, Bin(BinaryOperator.Mul, I(1), I(2)), I(3)));
        yield return () => ("1 - 2 - 3", Bin(BinaryOperator.Sub, Bin(BinaryOperator.Sub, I(1), I(2)), I(3)));
        yield return () => ("1+2-3", Bin(BinaryOperator.Sub, Bin(BinaryOperator.Add, I(1), I(2)), I(3)));
        yield return () => ("time>now()-5m", Bin(BinaryOperator.Gt, V("time"), Bin(BinaryOperator.Sub, Fn("now"), D(5 * Minute))));
        yield return () => ("-value", Bin(BinaryOperator.Mul, I(-1), V("value")));
        yield return () => ("+value", Bin(BinaryOperator.Mul, I(1), V("value")));
        yield return () => ("-mean(value)", Bin(BinaryOperator.Mul, I(-1), Fn("mean", V("value"))));
        yield return () => ("-(-4)", Bin(BinaryOperator.Mul, I(-1), P(I(-4))));
        yield return () => ("-2 * 3", Bin(BinaryOperator.Mul, I(-2), I(3)));
        yield return () => ("2 * -3", Bin(BinaryOperator.Mul, I(2), I(-3)));
        yield return () => ("a + -b * c", Bin(BinaryOperator.Add, V("a"), Bin(BinaryOperator.Mul, Bin(BinaryOperator.Mul, I(-1), V("b")), V("c"))));
        yield return () => ("region =~ /us.*/", Bin(BinaryOperator.EqRegex, V("region"), Re("us.*")));
        yield return () => ("url =~ /http\\:\\/\\/www\\.example\\.com/", Bin(BinaryOperator.EqRegex, V("url"), Re("http\\://www\\.example\\.com")));
        yield return () => ("url=~/http\\:\\/\\/www\\.example\\.com/", Bin(BinaryOperator.EqRegex, V("url"), Re("http\\://www\\.example\\.com")));
        yield return () => ("value + 3 < 30 AND 1 + 2 OR true",
            Bin(BinaryOperator.Or,
                Bin(BinaryOperator.And,
                    Bin(BinaryOperator.Lt, Bin(BinaryOperator.Add, V("value"), I(3)), I(30)),
                    Bin(BinaryOperator.Add, I(1), I(2))),
                B(true)));
        yield return () => ("a OR b AND c", Bin(BinaryOperator.Or, V("a"), Bin(BinaryOperator.And, V("b"), V("c"))));
        yield return () => ("a = 1 AND b = 2 AND c = 3",
            Bin(BinaryOperator.And, Bin(BinaryOperator.And, Eq(V("a"), I(1)), Eq(V("b"), I(2))), Eq(V("c"), I(3))));
        yield return () => ("a < b = c", Bin(BinaryOperator.Eq, Bin(BinaryOperator.Lt, V("a"), V("b")), V("c")));
        yield return () => ("time > now() - 1d AND time < now() + 1d",
            Bin(BinaryOperator.And,
                Bin(BinaryOperator.Gt, V("time"), Bin(BinaryOperator.Sub, Fn("now"), D(Day))),
                Bin(BinaryOperator.Lt, V("time"), Bin(BinaryOperator.Add, Fn("now"), D(Day)))));
        yield return () => ("my_func()", Fn("my_func"));
        yield return () => ("My_Func(1, 2 + 3)", Fn("my_func", I(1), Bin(BinaryOperator.Add, I(2), I(3))));
        yield return () => ("f(/a/, *, b, /c/)", Fn("f", Re("a"), new Wildcard(), V("b"), Re("c")));
        yield return () => ("f(a)::float", Fn("f", V("a")));
    }

    [Test]
    [MethodDataSource(nameof(Expressions))]
    public async Task ParseExpr_Text_GivesExpectedTree(string text, Expr expected)
    {
        var ok = InfluxQLParser.TryParseExpr(text, null, out var expr, out var error);
        await Assert.That(error?.Text).IsNull();
        await Assert.That(ok).IsTrue();
        await Assert.That(expr).IsEqualTo(expected);
        // And the printed form parses back to the same tree.
        await Assert.That(InfluxQLParser.ParseExpr(expr!.ToString())).IsEqualTo(expected);
    }

    [Test]
    [Arguments("-9223372036854775809", "constant -9223372036854775809 underflows int64")]
    [Arguments("-+1", "found +, expected identifier, number, duration, ( at line 1, char 2")]
    [Arguments("time > now() - 1y", "invalid duration")]
    [Arguments("1 +", "found EOF, expected identifier, string, number, bool at line 1, char 4")]
    [Arguments("(1 + 2", "found EOF, expected ) at line 1, char 7")]
    [Arguments("a =~ b", "found b, expected regex at line 1, char 6")]
    [Arguments("a =~ /(/", "error parsing regexp: missing closing ): `(` at line 1, char 5")]
    [Arguments("a =~ /unterminated", "bad regex:  at line 1, char 5")]
    public async Task ParseExpr_Malformed_FailsWithInfluxError(string text, string error)
    {
        await Assert.That(InfluxQLParser.TryParseExpr(text, null, out _, out var parseError)).IsFalse();
        await Assert.That(parseError!.Text).IsEqualTo(error);
    }

    [Test]
    public async Task Precedence_Operators_FollowInfluxql()
    {
        await Assert.That(BinaryOperator.Or.Precedence()).IsEqualTo(1);
        await Assert.That(BinaryOperator.And.Precedence()).IsEqualTo(2);
        foreach (var op in new[] { BinaryOperator.Eq, BinaryOperator.Neq, BinaryOperator.EqRegex, BinaryOperator.NeqRegex, BinaryOperator.Lt, BinaryOperator.Lte, BinaryOperator.Gt, BinaryOperator.Gte, BinaryOperator.In })
        {
            await Assert.That(op.Precedence()).IsEqualTo(3);
        }
        foreach (var op in new[] { BinaryOperator.Add, BinaryOperator.Sub, BinaryOperator.BitwiseOr, BinaryOperator.BitwiseXor })
        {
            await Assert.That(op.Precedence()).IsEqualTo(4);
        }
        foreach (var op in new[] { BinaryOperator.Mul, BinaryOperator.Div, BinaryOperator.Mod, BinaryOperator.BitwiseAnd })
        {
            await Assert.That(op.Precedence()).IsEqualTo(5);
        }
    }
}
