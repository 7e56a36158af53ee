using Cairn.Query.Ast;

namespace Cairn.Http.Statements;

/// <summary>
/// Removes comparisons from a condition the way influxql.RewriteExpr does when its callback answers nil: a
/// removed side of AND or OR leaves the other side, a removed parenthesis leaves nothing.
/// </summary>
internal static class ExprPruning
{
    /// <summary>Keeps the comparisons (non AND/OR binary expressions) for which <paramref name="keep"/> is true.</summary>
    public static Expr? Keep(Expr? expr, Func<BinaryExpr, bool> keep) => expr switch
    {
        null => null,
        BinaryExpr { Op: BinaryOperator.And or BinaryOperator.Or } b => Join(b, Keep(b.Lhs, keep), Keep(b.Rhs, keep)),
        BinaryExpr b => keep(b) ? b : null,
        ParenExpr p => Keep(p.Expr, keep) is { } inner ? p with { Expr = inner } : null,
        _ => expr,
    };

    private static Expr? Join(BinaryExpr b, Expr? lhs, Expr? rhs) =>
        lhs is null ? rhs : rhs is null ? lhs : b with { Lhs = lhs, Rhs = rhs };

    /// <summary>The name a comparison tests when one side is a variable, else null.</summary>
    public static string? ComparedName(BinaryExpr b) => b.Lhs is VarRef l ? l.Name : b.Rhs is VarRef r ? r.Name : null;
}
