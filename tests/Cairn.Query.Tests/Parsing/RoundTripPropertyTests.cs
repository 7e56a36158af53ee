using Cairn.Query.Ast;
using Cairn.Query.Parsing;
using CsCheck;

namespace Cairn.Query.Tests.Parsing;

/// <summary>
/// parse(print(ast)) == ast for generated trees. Generated trees are canonical: a child that binds less tightly
/// than its parent operator is parenthesized, as the parser would have required.
/// </summary>
public class RoundTripPropertyTests
{
    // Names that exercise quoting: keywords, spaces, dots, quotes, backslashes, newlines, digits first, non-ASCII.
    private static readonly Gen<string> TrickyName = Gen.OneOf(
        "value", "select", "SELECT", "true", "time", "my field", "a.b", "db..m", "", "quote\"d", "back\\slash",
        "new\nline", "123abc", "_x", "µs", "héllo", "😀", "in", "key", "Field", "past", "FUTURE", "'single'", "a,b", "$x");

    private static readonly Gen<string> AnyName = Gen.Frequency(
        (3, TrickyName),
        (2, Gen.String[Gen.Char["abcxyzABC_09 .\"'\\\n\t-/*éß"], 0, 8]));

    private static readonly Gen<string> BareName = Gen.OneOf("a", "b", "host", "value", "x_1", "cpu", "m0");

    private static readonly Gen<string> CallName = Gen.OneOf("mean", "count", "f", "g_2", "now", "distinct", "max", "top");

    private static readonly Gen<string> Pattern = Gen.OneOf("", "a", "cpu.*", "^a/b$", "[cg]pu", "x\\d+", "(a|b)", "a\\/b", "é");

    private static readonly Gen<DataType> VarType = Gen.OneOf(
        DataType.Unknown, DataType.Unknown, DataType.Float, DataType.Integer, DataType.Unsigned, DataType.String,
        DataType.Boolean, DataType.Tag, DataType.AnyField);

    private static readonly Gen<Expr> Leaf = Gen.OneOf<Expr>(
        Gen.Select(AnyName, VarType, (name, type) => (Expr)new VarRef(name, type)),
        Gen.Long.Select(v => (Expr)new IntegerLiteral(v)),
        Gen.ULong[(ulong)long.MaxValue + 1, ulong.MaxValue].Select(v => (Expr)new UnsignedLiteral(v)),
        Gen.Double.Where(double.IsFinite).Select(v => (Expr)new NumberLiteral(v)),
        Gen.Double[-1e6, 1e6].Select(v => (Expr)new NumberLiteral(v)),
        AnyName.Select(v => (Expr)new StringLiteral(v)),
        Gen.Bool.Select(v => (Expr)new BooleanLiteral(v)),
        Gen.Long[long.MinValue + 1, long.MaxValue].Select(v => (Expr)new DurationLiteral(v)),
        Gen.Long[-1000, 1000].Select(v => (Expr)new DurationLiteral(v * 60_000_000_000)));

    private static readonly Gen<BinaryOperator> Operator = Gen.OneOf(Enum.GetValues<BinaryOperator>());

    private static readonly Gen<Expr> Expression = Gen.Recursive<Expr>((depth, self) => depth >= 4
        ? Leaf
        : Gen.Frequency<Expr>(
            (4, Leaf),
            (4, Gen.Select(Operator, self, self, Pattern, MakeBinary)),
            (1, self.Select(e => (Expr)new ParenExpr(e))),
            (2, Gen.Select(CallName, CallArgument(self).List[0, 3], (name, args) => (Expr)new Call(name, NodeList.Create<Expr>(args.ToArray()))))));

    private static Gen<Expr> CallArgument(Gen<Expr> self) => Gen.Frequency<Expr>(
        (6, self),
        (1, Pattern.Select(p => (Expr)new RegexLiteral(p))),
        (1, Gen.OneOf(WildcardType.All, WildcardType.Field, WildcardType.Tag).Select(t => (Expr)new Wildcard(t))),
        (1, BareName.Select(n => (Expr)new Distinct(n))));

    /// <summary>Builds op(lhs, rhs), parenthesizing operands the way the printed text would need.</summary>
    private static Expr MakeBinary(BinaryOperator op, Expr lhs, Expr rhs, string pattern)
    {
        if (lhs is BinaryExpr l && l.Op.Precedence() < op.Precedence()) lhs = new ParenExpr(lhs);
        if (op is BinaryOperator.EqRegex or BinaryOperator.NeqRegex) return new BinaryExpr(op, lhs, new RegexLiteral(pattern));
        if (rhs is BinaryExpr r && r.Op.Precedence() <= op.Precedence()) rhs = new ParenExpr(rhs);
        return new BinaryExpr(op, lhs, rhs);
    }

    /// <summary>Arithmetic only: SELECT fields may not contain comparisons or AND/OR.</summary>
    private static readonly Gen<Expr> FieldExpression = Expression.Where(e => !HasBooleanOperator(e));

    private static bool HasBooleanOperator(Expr e) => e switch
    {
        BinaryExpr b => b.Op.IsBooleanOperator() || HasBooleanOperator(b.Lhs) || HasBooleanOperator(b.Rhs),
        ParenExpr p => HasBooleanOperator(p.Expr),
        Call c => c.Args.Any(HasBooleanOperator),
        _ => false,
    };

    private static readonly Gen<string> NonEmptyName = AnyName.Where(n => n.Length > 0);

    private static readonly Gen<Measurement> NamedMeasurement = Gen.Select(
        Gen.Frequency((3, Gen.Const("")), (1, NonEmptyName)),
        Gen.Frequency((3, Gen.Const("")), (1, NonEmptyName)),
        NonEmptyName,
        (db, rp, name) => new Measurement { Database = db, RetentionPolicy = rp, Name = name });

    private static readonly Gen<Measurement> RegexMeasurement = Gen.Select(
        Gen.Frequency((3, Gen.Const("")), (1, NonEmptyName)),
        Gen.Frequency((3, Gen.Const("")), (1, NonEmptyName)),
        Pattern,
        (db, rp, pattern) => new Measurement { Database = db, RetentionPolicy = rp, Regex = new RegexLiteral(pattern) });

    private static readonly Gen<Dimension> DimensionGen = Gen.OneOf(
        Gen.Select(Gen.Long[1, 100_000], v => new Dimension(new Call("time", [new DurationLiteral(v * 1_000_000_000)]))),
        Gen.Select(Gen.Long[1, 1000], Gen.Long[-1000, 1000],
            (v, o) => new Dimension(new Call("time", [new DurationLiteral(v * 60_000_000_000), new DurationLiteral(o * 1_000_000_000)]))),
        Gen.Select(AnyName, VarType, (n, t) => new Dimension(new VarRef(n, t))),
        Gen.Const(() => new Dimension(new Wildcard())),
        Pattern.Select(p => new Dimension(new RegexLiteral(p))));

    private static readonly Gen<(FillOption, Literal?)> FillGen = Gen.OneOf(
        Gen.Const<(FillOption, Literal?)>((FillOption.Null, null)),
        Gen.Const<(FillOption, Literal?)>((FillOption.None, null)),
        Gen.Const<(FillOption, Literal?)>((FillOption.Previous, null)),
        Gen.Const<(FillOption, Literal?)>((FillOption.Linear, null)),
        Gen.Long.Select(v => (FillOption.Number, (Literal?)new IntegerLiteral(v))),
        // Floats whose %v form keeps a decimal point and no exponent (others print as integers or 1e+06).
        Gen.Int[-99999, 99999].Select(v => (FillOption.Number, (Literal?)new NumberLiteral(v + 0.25))));

    private static Gen<SelectStatement> SelectGen(int depth) => Gen.Select(
        Gen.Select(FieldExpression, Gen.Frequency((3, Gen.Const("")), (1, NonEmptyName)), (e, alias) => new Field(e, alias)).List[1, 3],
        Gen.Frequency(
            (4, Gen.Const<Target?>((Target?)null)),
            (1, NamedMeasurement.Select(m => (Target?)new Target(m with { IsTarget = true }))),
            (1, Gen.Select(NonEmptyName, Gen.Bool, (n, db) => (Target?)new Target(db
                ? new Measurement { Database = n, IsTarget = true }
                : new Measurement { RetentionPolicy = n, IsTarget = true })))),
        SourcesGen(depth),
        Gen.Frequency((1, Gen.Const<Expr?>((Expr?)null)), (2, Expression.Select(e => (Expr?)e))),
        DimensionGen.List[0, 3],
        FillGen,
        Gen.Select(Gen.Int[0, 2], Gen.Bool, (kind, asc) => kind switch
        {
            0 => NodeList<SortField>.Empty,
            1 => NodeList.Create<SortField>([new SortField("time", asc)]),
            _ => NodeList.Create<SortField>([new SortField("", asc)]),
        }),
        Gen.Long[0, long.MaxValue].Array[4],
        Gen.OneOf<string?>(null, "UTC", "America/Chicago", "Europe/Paris"),
        (fields, target, sources, condition, dims, fill, sort, limits, tz) => new SelectStatement
        {
            Fields = NodeList.Create<Field>(fields.ToArray()),
            Target = target,
            Sources = sources,
            Condition = condition,
            Dimensions = NodeList.Create<Dimension>(dims.ToArray()),
            Fill = fill.Item1,
            FillValue = fill.Item2,
            SortFields = sort,
            Limit = limits[0] % 3 == 0 ? 0 : limits[0],
            Offset = limits[1] % 3 == 0 ? 0 : limits[1],
            SLimit = limits[2] % 3 == 0 ? 0 : limits[2],
            SOffset = limits[3] % 3 == 0 ? 0 : limits[3],
            Location = tz,
        });

    private static Gen<NodeList<Source>> SourcesGen(int depth) =>
        (depth >= 1
            ? Gen.Frequency<Source>((3, NamedMeasurement.Select(m => (Source)m)), (1, RegexMeasurement.Select(m => (Source)m)))
            : Gen.Frequency<Source>(
                (3, NamedMeasurement.Select(m => (Source)m)),
                (1, RegexMeasurement.Select(m => (Source)m)),
                (1, SelectGen(depth + 1).Select(s => (Source)new SubQuery(s)))))
        .List[1, 3].Select(list => NodeList.Create<Source>(list.ToArray()));

    [Test]
    public void ParseExpr_GeneratedExpression_RoundTrips()
    {
        Expression.Sample(expr =>
        {
            string text = expr.ToString();
            if (!InfluxQLParser.TryParseExpr(text, null, out var parsed, out var error))
            {
                throw new InvalidOperationException($"Property failed: {text} did not parse: {error.Text}");
            }
            if (!parsed.Equals(expr)) throw new InvalidOperationException($"Property failed: {text} parsed as {parsed}");
        }, iter: 3000, print: e => e.ToString());
    }

    [Test]
    public void ParseStatement_GeneratedSelect_RoundTrips()
    {
        SelectGen(0).Sample(statement =>
        {
            string text = statement.ToString();
            if (!InfluxQLParser.TryParseStatement(text, null, out var parsed, out var error))
            {
                throw new InvalidOperationException($"Property failed: {text} did not parse: {error.Text}");
            }
            if (!parsed.Equals(statement)) throw new InvalidOperationException($"Property failed: {text} parsed as {parsed}");
        }, iter: 1000, print: s => s.ToString());
    }

    [Test]
    public void Parse_ArbitraryText_NeverThrowsUnexpectedly()
    {
        var text = Gen.Frequency(
            (1, Gen.String[0, 40]),
            (3, Gen.String[Gen.Char["SELECT FROM WHERE GROUP BY ()*,;.:=~!<>'\"/\\$-+ 0123456789abcxyz\n\t"], 0, 60]));
        text.Sample(input =>
        {
            // Any outcome is fine as long as it is a value: a query or a ParseError.
            bool ok = InfluxQLParser.TryParse(input, null, out var query, out var error);
            if (ok == (query is null) || ok == (error is not null)) throw new InvalidOperationException("Property failed: inconsistent result");
            if (ok) _ = query!.ToString();
        }, iter: 5000);
    }

    [Test]
    public void Parse_PrintedCorpusLikeQueries_AreStableUnderReprinting()
    {
        // print(parse(print(x))) == print(x): the canonical text is a fixed point.
        SelectGen(0).Sample(statement =>
        {
            string once = statement.ToString();
            string twice = InfluxQLParser.ParseStatement(once).ToString();
            if (once != twice) throw new InvalidOperationException($"Property failed: {once} reprinted as {twice}");
        }, iter: 300);
    }
}
