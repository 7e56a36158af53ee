using System.Globalization;
using System.Runtime.CompilerServices;
using Cairn.Query.Ast;

namespace Cairn.Query.Parsing;

internal sealed partial class Parser
{
    /// <summary>
    /// An expression with influxql's precedence climbing: each new operator is inserted by descending the
    /// right spine while the operators there bind less tightly (left-associative among equals).
    /// </summary>
    public Expr ParseExpr()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var root = new PendingBinary { Rhs = ParseUnaryExpr() };
        while (true)
        {
            var opToken = ScanIgnoreWhitespace();
            if (!opToken.Token.IsOperator())
            {
                Unscan();
                return Build(root.Rhs);
            }

            object rhs;
            if (opToken.Token.IsRegexOperator())
            {
                // The right side of =~ and !~ must be a regex literal.
                rhs = ParseRegex() ?? throw Expected(ScanIgnoreWhitespace(), "regex");
            }
            else
            {
                rhs = ParseUnaryExpr();
            }

            var op = opToken.Token.ToBinaryOperator();
            for (var node = root; ;)
            {
                if (node.Rhs is not PendingBinary r || r.Op.Precedence() >= op.Precedence())
                {
                    node.Rhs = new PendingBinary { Op = op, Lhs = node.Rhs, Rhs = rhs };
                    break;
                }
                node = r;
            }
        }
    }

    /// <summary>A binary node still being assembled; its operands are <see cref="Expr"/> or other pending nodes.</summary>
    private sealed class PendingBinary
    {
        public BinaryOperator Op;
        public object Lhs = null!;
        public object Rhs = null!;
    }

    /// <summary>Freezes pending nodes into <see cref="BinaryExpr"/>s; the (possibly very long) left spine in a loop.</summary>
    private static Expr Build(object node)
    {
        if (node is not PendingBinary top) return (Expr)node;
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var spine = new List<PendingBinary>();
        object current = top;
        while (current is PendingBinary p)
        {
            spine.Add(p);
            current = p.Lhs;
        }
        var result = (Expr)current;
        for (int i = spine.Count - 1; i >= 0; i--) result = new BinaryExpr(spine[i].Op, result, Build(spine[i].Rhs));
        return result;
    }

    private Expr ParseUnaryExpr()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        if (ScanIgnoreWhitespace().Token == Token.LParen)
        {
            var inner = ParseExpr();
            var close = ScanIgnoreWhitespace();
            if (close.Token != Token.RParen) throw Expected(close, ")");
            return new ParenExpr(inner);
        }
        Unscan();

        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.Ident:
                // An identifier directly followed by '(' is a call; otherwise a variable reference.
                if (Scan().Token == Token.LParen) return ParseCall(l.Literal);
                Unscan();
                Unscan();
                return ParseVarRef();

            case Token.Distinct:
            {
                var next = Scan();
                if (next.Token == Token.LParen) return ParseCall("distinct");
                if (next.Token == Token.Ws)
                {
                    var ident = ScanIgnoreWhitespace();
                    if (ident.Token != Token.Ident) throw Expected(ident, "identifier");
                    return new Distinct(ident.Literal);
                }
                throw Expected(next, "(", "identifier");
            }

            case Token.String:
                return new StringLiteral(l.Literal);

            case Token.Number:
                if (!GoFormat.TryParseFloat(l.Literal, out double number)) throw At("unable to parse number", l.Pos);
                return new NumberLiteral(number);

            case Token.Integer:
                if (long.TryParse(l.Literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
                {
                    return new IntegerLiteral(integer);
                }
                // Too large for int64: influxql falls back to uint64 (the minus sign is applied later).
                if (ulong.TryParse(l.Literal, NumberStyles.None, CultureInfo.InvariantCulture, out ulong unsigned))
                {
                    return new UnsignedLiteral(unsigned);
                }
                throw At("unable to parse integer", l.Pos);

            case Token.True:
            case Token.False:
                return new BooleanLiteral(l.Token == Token.True);

            case Token.DurationVal:
                if (!InfluxQLText.TryParseDuration(l.Literal, out long duration, out string? durationError)) throw Bare(durationError);
                return new DurationLiteral(duration);

            case Token.Mul:
            {
                var type = WildcardType.All;
                if (Scan().Token == Token.DoubleColon)
                {
                    var t = Scan();
                    type = t.Token switch
                    {
                        Token.Field => WildcardType.Field,
                        Token.Tag => WildcardType.Tag,
                        _ => throw Expected(t, "field", "tag"),
                    };
                }
                else
                {
                    Unscan();
                }
                return new Wildcard(type);
            }

            case Token.Regex:
                if (RegexSyntax.Validate(l.Literal) is { } regexError) throw At(regexError, l.Pos);
                return new RegexLiteral(l.Literal);

            case Token.BoundParam:
            {
                // A parameter still unresolved here is unknown, or its value could not be bound.
                string key = l.Literal.StartsWith('$') ? l.Literal[1..] : l.Literal;
                if (key.Length == 0) throw Bare("empty bound parameter");
                if (_params is null || !_params.TryGetValue(key, out var value)) throw Bare("missing parameter: " + key);
                throw Bare(value.Literal);
            }

            case Token.Add:
            case Token.Sub:
                return ParseSignedExpr(l.Token == Token.Sub ? -1 : 1);

            default:
                throw Expected(l, "identifier", "string", "number", "bool");
        }
    }

    /// <summary>After a unary + or -: negates number and duration literals, and turns <c>-x</c> into <c>-1 * x</c>.</summary>
    private Expr ParseSignedExpr(int sign)
    {
        var next = ScanIgnoreWhitespace();
        if (next.Token is not (Token.Number or Token.Integer or Token.DurationVal or Token.LParen or Token.Ident))
        {
            throw Expected(next, "identifier", "number", "duration", "(");
        }
        Unscan();

        var operand = ParseUnaryExpr();
        return operand switch
        {
            NumberLiteral n => new NumberLiteral(n.Value * sign),
            IntegerLiteral i => new IntegerLiteral(unchecked(i.Value * sign)),
            UnsignedLiteral u when sign < 0 => u.Value == 9_223_372_036_854_775_808UL
                ? new IntegerLiteral(long.MinValue)
                : throw Bare("constant -" + u.Value.ToString(CultureInfo.InvariantCulture) + " underflows int64"),
            UnsignedLiteral u => u,
            DurationLiteral d => new DurationLiteral(unchecked(d.Nanoseconds * sign)),
            VarRef or Call or ParenExpr => new BinaryExpr(BinaryOperator.Mul, new IntegerLiteral(sign), operand),
            _ => throw new InvalidOperationException("unexpected operand after a sign: " + operand.GetType().Name),
        };
    }

    /// <summary>A call whose name and '(' were consumed. Names are lower-cased; regex arguments are allowed.</summary>
    private Call ParseCall(string name)
    {
        name = name.ToLowerInvariant();
        var args = new List<Expr>();

        var regex = ParseRegex();
        if (regex is not null)
        {
            args.Add(regex);
        }
        else
        {
            if (Scan().Token == Token.RParen) return new Call(name, NodeList<Expr>.Empty);
            Unscan();
            args.Add(ParseExpr());
        }

        while (true)
        {
            if (ScanIgnoreWhitespace().Token != Token.Comma)
            {
                Unscan();
                break;
            }
            regex = ParseRegex();
            if (regex is not null)
            {
                args.Add(regex);
                continue;
            }
            args.Add(ParseExpr());
        }

        var close = Scan();
        if (close.Token != Token.RParen) throw Expected(close, ")");
        return new Call(name, NodeList.From(args));
    }

    private VarRef ParseVarRef()
    {
        var segments = ParseSegmentedIdents();
        var type = DataType.Unknown;
        if (Scan().Token == Token.DoubleColon)
        {
            var t = Scan();
            switch (t.Token)
            {
                case Token.Ident:
                    type = t.Literal.ToLowerInvariant() switch
                    {
                        "float" => DataType.Float,
                        "integer" => DataType.Integer,
                        "unsigned" => DataType.Unsigned,
                        "string" => DataType.String,
                        "boolean" => DataType.Boolean,
                        _ => throw Expected(t, "float", "integer", "unsigned", "string", "boolean", "field", "tag"),
                    };
                    break;
                case Token.Field:
                    type = DataType.AnyField;
                    break;
                case Token.Tag:
                    type = DataType.Tag;
                    break;
                default:
                    throw Expected(t, "float", "integer", "string", "boolean", "field", "tag");
            }
        }
        else
        {
            Unscan();
        }
        return new VarRef(string.Join('.', segments), type);
    }

    /// <summary>
    /// <c>a</c>, <c>a.b</c>, <c>a.b.c</c> or <c>a..c</c> (an empty middle segment). Stops before a regex or a
    /// <c>:MEASUREMENT</c> that follows a dot (the dot is consumed).
    /// </summary>
    private List<string> ParseSegmentedIdents()
    {
        var idents = new List<string> { ParseIdent() };
        while (true)
        {
            if (Scan().Token != Token.Dot)
            {
                Unscan();
                break;
            }
            int next = PeekRune();
            if (next == '/' || next == ':') break;
            if (next == '.')
            {
                idents.Add("");
                continue;
            }
            idents.Add(ParseIdent());
        }

        if (idents.Count > 3)
        {
            throw At("too many segments in " + InfluxQLText.QuoteIdent(idents.ToArray()), default);
        }
        return idents;
    }

    /// <summary>A <c>/regex/</c> if one comes next (or a <c>$param</c> bound to a regex), else null.</summary>
    private RegexLiteral? ParseRegex()
    {
        if (Scanner.IsWhitespace(PeekRune())) ConsumeWhitespace();

        int next = PeekRune();
        if (next == '$')
        {
            var t = Scan();
            Unscan();
            if (t.Token != Token.Regex) return null;
        }
        else if (next != '/')
        {
            return null;
        }

        var l = ScanRegexToken();
        if (l.Token == Token.BadEscape) throw At("bad escape: " + l.Literal, l.Pos);
        if (l.Token == Token.BadRegex) throw At("bad regex: " + l.Literal, l.Pos);
        if (l.Token != Token.Regex) throw Expected(l, "regex");
        if (RegexSyntax.Validate(l.Literal) is { } error) throw At(error, l.Pos);
        return new RegexLiteral(l.Literal);
    }
}
