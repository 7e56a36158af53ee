using System.Globalization;
using Cairn.Query.Ast;

namespace Cairn.Query.Parsing;

internal sealed partial class Parser
{
    /// <summary>A SELECT whose keyword was consumed.</summary>
    private SelectStatement ParseSelectStatement(TargetRequirement requirement)
    {
        var fields = ParseFields();
        var target = ParseTarget(requirement);

        var from = ScanIgnoreWhitespace();
        if (from.Token != Token.From) throw Expected(from, "FROM");
        var sources = ParseSources(subqueries: true);

        var condition = ParseCondition();
        var dimensions = ParseDimensions();
        var (fill, fillValue) = ParseFill();
        var sortFields = ParseOrderBy();
        long limit = ParseOptionalTokenAndInt(Token.Limit);
        long offset = ParseOptionalTokenAndInt(Token.Offset);
        long slimit = ParseOptionalTokenAndInt(Token.SLimit);
        long soffset = ParseOptionalTokenAndInt(Token.SOffset);
        string? location = ParseLocation();

        return new SelectStatement
        {
            Fields = fields,
            Target = target,
            Sources = sources,
            Condition = condition,
            Dimensions = dimensions,
            Fill = fill,
            FillValue = fillValue,
            SortFields = sortFields,
            Limit = limit,
            Offset = offset,
            SLimit = slimit,
            SOffset = soffset,
            Location = location,
        };
    }

    private NodeList<Field> ParseFields()
    {
        var fields = new List<Field>();
        while (true)
        {
            fields.Add(ParseField());
            if (Scan().Token != Token.Comma)
            {
                Unscan();
                break;
            }
        }
        return NodeList.From(fields);
    }

    private Field ParseField()
    {
        Expr expr;
        var regex = ParseRegex();
        if (regex is not null)
        {
            expr = regex;
        }
        else
        {
            var first = ScanIgnoreWhitespace();
            Unscan();
            expr = ParseExpr();
            // Comparisons and AND/OR yield booleans, which a SELECT field cannot be.
            if (LastBooleanOperator(expr) is { } op)
            {
                string message = "invalid operator " + op.Text() + " in SELECT clause";
                string text = string.Create(CultureInfo.InvariantCulture,
                    $"{message} at line {first.Pos.Line + 1}, char {first.Pos.Char + 1}; operator is intended for WHERE clause");
                throw new InfluxQLParseException(ParseError.Custom(message, first.Pos, text));
            }
        }

        string alias = ParseAlias();
        ConsumeWhitespace();
        return new Field(expr, alias);
    }

    /// <summary>
    /// The boolean operator influxql's field check reports: it walks the tree depth-first, does not descend
    /// below an offending node, and keeps the last one it met.
    /// </summary>
    private static BinaryOperator? LastBooleanOperator(Expr expr)
    {
        BinaryOperator? found = null;
        // Pre-order with an explicit stack (children pushed right to left), so long chains cannot overflow.
        var pending = new Stack<Expr>();
        pending.Push(expr);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case BinaryExpr b when b.Op.IsBooleanOperator():
                    found = b.Op;
                    break;
                case BinaryExpr b:
                    pending.Push(b.Rhs);
                    pending.Push(b.Lhs);
                    break;
                case Call c:
                    for (int i = c.Args.Count - 1; i >= 0; i--) pending.Push(c.Args[i]);
                    break;
                case ParenExpr p:
                    pending.Push(p.Expr);
                    break;
            }
        }
        return found;
    }

    private string ParseAlias()
    {
        if (ScanIgnoreWhitespace().Token != Token.As)
        {
            Unscan();
            return "";
        }
        return ParseIdent();
    }

    private Target? ParseTarget(TargetRequirement requirement)
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Into)
        {
            if (requirement == TargetRequirement.Required) throw Expected(l, "INTO");
            Unscan();
            return null;
        }

        var idents = ParseSegmentedIdents();
        if (idents.Count < 3 && PeekRune() == ':')
        {
            ExpectKeywords(Token.Colon, Token.Measurement);
            idents.Add("");
        }

        var m = idents.Count switch
        {
            1 => new Measurement { IsTarget = true, Name = idents[0] },
            2 => new Measurement { IsTarget = true, RetentionPolicy = idents[0], Name = idents[1] },
            _ => new Measurement { IsTarget = true, Database = idents[0], RetentionPolicy = idents[1], Name = idents[2] },
        };
        return new Target(m);
    }

    private NodeList<Source> ParseSources(bool subqueries)
    {
        var sources = new List<Source>();
        while (true)
        {
            sources.Add(ParseSource(subqueries));
            if (ScanIgnoreWhitespace().Token != Token.Comma)
            {
                Unscan();
                break;
            }
        }
        return NodeList.From(sources);
    }

    private Source ParseSource(bool subqueries)
    {
        var regex = ParseRegex();
        if (regex is not null) return new Measurement { Regex = regex };

        if (subqueries)
        {
            if (ScanIgnoreWhitespace().Token == Token.LParen)
            {
                ExpectKeywords(Token.Select);
                var statement = ParseSelectStatement(TargetRequirement.Subquery);
                ExpectKeywords(Token.RParen);
                return new SubQuery(statement);
            }
            Unscan();
        }

        var idents = ParseSegmentedIdents();
        if (idents.Count == 3) return new Measurement { Database = idents[0], RetentionPolicy = idents[1], Name = idents[2] };

        // A regex may follow "db.rp." or "rp.".
        regex = ParseRegex();
        if (idents.Count == 1)
        {
            return regex is not null
                ? new Measurement { RetentionPolicy = idents[0], Regex = regex }
                : new Measurement { Name = idents[0] };
        }
        return regex is not null
            ? new Measurement { Database = idents[0], RetentionPolicy = idents[1], Regex = regex }
            : new Measurement { RetentionPolicy = idents[0], Name = idents[1] };
    }

    private Expr? ParseCondition()
    {
        if (ScanIgnoreWhitespace().Token != Token.Where)
        {
            Unscan();
            return null;
        }
        return ParseExpr();
    }

    private NodeList<Dimension> ParseDimensions()
    {
        if (ScanIgnoreWhitespace().Token != Token.Group)
        {
            Unscan();
            return NodeList<Dimension>.Empty;
        }
        var by = ScanIgnoreWhitespace();
        if (by.Token != Token.By) throw Expected(by, "BY");

        var dimensions = new List<Dimension>();
        while (true)
        {
            dimensions.Add(ParseDimension());
            if (Scan().Token != Token.Comma)
            {
                Unscan();
                break;
            }
        }
        return NodeList.From(dimensions);
    }

    private Dimension ParseDimension()
    {
        var regex = ParseRegex();
        if (regex is not null) return new Dimension(regex);
        var expr = ParseExpr();
        ConsumeWhitespace();
        return new Dimension(expr);
    }

    private (FillOption, Literal?) ParseFill()
    {
        var l = ScanIgnoreWhitespace();
        Unscan();
        if (l.Token != Token.Ident || !l.Literal.Equals("fill", StringComparison.OrdinalIgnoreCase)) return (FillOption.Null, null);

        if (ParseExpr() is not Call fill) throw Bare("fill must be a function call");
        if (fill.Args.Count != 1) throw Bare("fill requires an argument, e.g.: 0, null, none, previous, linear");

        // influxql compares the argument's printed form, so fill("none") works too.
        var arg = fill.Args[0];
        return arg.ToString() switch
        {
            "null" => (FillOption.Null, null),
            "none" => (FillOption.None, null),
            "previous" => (FillOption.Previous, null),
            "linear" => (FillOption.Linear, null),
            _ => arg switch
            {
                IntegerLiteral i => (FillOption.Number, i),
                NumberLiteral n => (FillOption.Number, n),
                _ => throw Bare("expected number argument in fill()"),
            },
        };
    }

    private string? ParseLocation()
    {
        var l = ScanIgnoreWhitespace();
        Unscan();
        if (l.Token != Token.Ident || !l.Literal.Equals("tz", StringComparison.OrdinalIgnoreCase)) return null;

        if (ParseExpr() is not Call tz) throw Bare("tz must be a function call");
        if (tz.Args.Count != 1) throw Bare("tz requires exactly one argument");
        if (tz.Args[0] is not StringLiteral name) throw Bare("expected string argument in tz()");
        return TimeZones.Resolve(name.Value) ?? throw Bare("unable to find time zone " + name.Value);
    }

    private NodeList<SortField> ParseOrderBy()
    {
        if (ScanIgnoreWhitespace().Token != Token.Order)
        {
            Unscan();
            return NodeList<SortField>.Empty;
        }
        var by = ScanIgnoreWhitespace();
        if (by.Token != Token.By) throw Expected(by, "BY");
        return ParseSortFields();
    }

    private NodeList<SortField> ParseSortFields()
    {
        var fields = new List<SortField>();
        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.Asc:
            case Token.Desc:
                // ORDER BY ASC / ORDER BY DESC: no field name.
                fields.Add(new SortField("", l.Token == Token.Asc));
                break;
            case Token.Ident:
                Unscan();
                var field = ParseSortField();
                if (l.Literal != "time") throw Bare("only ORDER BY time supported at this time");
                fields.Add(field);
                break;
            default:
                throw Expected(l, "identifier", "ASC", "DESC");
        }

        while (true)
        {
            if (ScanIgnoreWhitespace().Token != Token.Comma)
            {
                Unscan();
                break;
            }
            fields.Add(ParseSortField());
        }

        if (fields.Count > 1) throw Bare("only ORDER BY time supported at this time");
        return NodeList.From(fields);
    }

    private SortField ParseSortField()
    {
        string name = ParseIdent();
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Asc && l.Token != Token.Desc)
        {
            Unscan();
            return new SortField(name, true);
        }
        return new SortField(name, l.Token == Token.Asc);
    }
}
