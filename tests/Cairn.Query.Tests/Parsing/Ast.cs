using Cairn.Query.Ast;
using Cairn.Query.Parsing;

namespace Cairn.Query.Tests.Parsing;

/// <summary>Short constructors for expected syntax trees.</summary>
internal static class A
{
    public const long Second = 1_000_000_000;
    public const long Minute = 60 * Second;
    public const long Hour = 60 * Minute;
    public const long Day = 24 * Hour;

    public static VarRef V(string name, DataType type = DataType.Unknown) => new(name, type);

    public static StringLiteral S(string value) => new(value);

    public static IntegerLiteral I(long value) => new(value);

    public static NumberLiteral N(double value) => new(value);

    public static BooleanLiteral B(bool value) => new(value);

    public static RegexLiteral Re(string pattern) => new(pattern);

    public static DurationLiteral D(long nanoseconds) => new(nanoseconds);

    public static Call Fn(string name, params Expr[] args) => new(name, NodeList.Create<Expr>(args));

    public static BinaryExpr Bin(BinaryOperator op, Expr lhs, Expr rhs) => new(op, lhs, rhs);

    public static BinaryExpr Eq(Expr lhs, Expr rhs) => new(BinaryOperator.Eq, lhs, rhs);

    public static ParenExpr P(Expr inner) => new(inner);

    public static Measurement M(string name) => new() { Name = name };

    public static Measurement MRe(string pattern) => new() { Regex = Re(pattern) };

    public static NodeList<Source> From(params Source[] sources) => NodeList.Create<Source>(sources);

    public static NodeList<Field> Fields(params Expr[] exprs)
    {
        var fields = new Field[exprs.Length];
        for (int i = 0; i < exprs.Length; i++) fields[i] = new Field(exprs[i]);
        return NodeList.Create<Field>(fields);
    }

    public static NodeList<Dimension> GroupBy(params Expr[] exprs)
    {
        var dims = new Dimension[exprs.Length];
        for (int i = 0; i < exprs.Length; i++) dims[i] = new Dimension(exprs[i]);
        return NodeList.Create<Dimension>(dims);
    }

    public static NodeList<SortField> OrderBy(string name, bool ascending) => [new SortField(name, ascending)];

    public static SelectStatement Select(NodeList<Field> fields, params Source[] sources) =>
        new() { Fields = fields, Sources = From(sources) };

    public static Call Time(long interval) => Fn("time", D(interval));
}
