using System.Diagnostics.CodeAnalysis;
using Cairn.Query.Ast;
using Cairn.Query.Engine;

namespace Cairn.Http.Statements;

/// <summary>
/// The <c>value</c> comparisons of a SHOW TAG VALUES condition (<c>WHERE value = 'server03'</c>), which
/// InfluxDB applies to the tag values themselves rather than to series. A comparison with anything but a
/// string or regex is false either way, as influxql's evaluation of mismatched types is.
/// </summary>
internal static class ValueFilter
{
    public const string ValueName = "value";

    public static bool TryCompile(Expr? expr, [NotNullWhen(true)] out Func<string, bool>? filter, [NotNullWhen(false)] out string? error)
    {
        error = null;
        filter = null;
        switch (expr)
        {
            case null:
                filter = static _ => true;
                return true;
            case ParenExpr p:
                return TryCompile(p.Expr, out filter, out error);
            case BinaryExpr { Op: BinaryOperator.And or BinaryOperator.Or } b:
                if (!TryCompile(b.Lhs, out var lhs, out error) || !TryCompile(b.Rhs, out var rhs, out error)) return false;
                filter = b.Op == BinaryOperator.And ? v => lhs(v) && rhs(v) : v => lhs(v) || rhs(v);
                return true;
            case BinaryExpr b:
                var operand = b.Lhs is VarRef ? b.Rhs : b.Lhs;
                switch (b.Op, operand)
                {
                    case (BinaryOperator.Eq, StringLiteral s):
                        filter = v => v == s.Value;
                        return true;
                    case (BinaryOperator.Neq, StringLiteral s):
                        filter = v => v != s.Value;
                        return true;
                    case (BinaryOperator.EqRegex or BinaryOperator.NeqRegex, RegexLiteral r):
                        if (!GoRegex.TryCompile(r.Pattern, out var regex, out error)) return false;
                        bool negated = b.Op == BinaryOperator.NeqRegex;
                        filter = v => regex.IsMatch(v) != negated;
                        return true;
                }
                filter = static _ => false;
                return true;
            default:
                filter = static _ => false;
                return true;
        }
    }
}
