using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Ast;

/// <summary><c>lhs op rhs</c>. Printed without parentheses; the parser keeps <see cref="ParenExpr"/> nodes for those.</summary>
/// <remarks>
/// Operators associate to the left, so a long condition (<c>host = 'a' OR host = 'b' OR …</c>, as dashboards
/// generate) is a deep left spine. Printing, equality and hashing walk that spine in a loop, not by recursion,
/// so such a tree cannot exhaust the stack.
/// </remarks>
public sealed record BinaryExpr(BinaryOperator Op, Expr Lhs, Expr Rhs) : Expr
{
    internal override void Write(StringBuilder sb)
    {
        if (Lhs is not BinaryExpr)
        {
            Lhs.Write(sb);
            sb.Append(' ').Append(Op.Text()).Append(' ');
            Rhs.Write(sb);
            return;
        }

        var spine = LeftSpine(out var leftmost);
        leftmost.Write(sb);
        for (int i = spine.Count - 1; i >= 0; i--)
        {
            sb.Append(' ').Append(spine[i].Op.Text()).Append(' ');
            spine[i].Rhs.Write(sb);
        }
    }

    public bool Equals(BinaryExpr? other)
    {
        var a = this;
        var b = other;
        while (true)
        {
            if (ReferenceEquals(a, b)) return true;
            if (b is null || a.Op != b.Op || !EqualityComparer<Expr>.Default.Equals(a.Rhs, b.Rhs)) return false;
            if (a.Lhs is BinaryExpr la && b.Lhs is BinaryExpr lb)
            {
                a = la;
                b = lb;
                continue;
            }
            return EqualityComparer<Expr>.Default.Equals(a.Lhs, b.Lhs);
        }
    }

    public override int GetHashCode()
    {
        var hash = new HashCode();
        Expr e = this;
        while (e is BinaryExpr b)
        {
            hash.Add(b.Op);
            hash.Add(b.Rhs);
            e = b.Lhs;
        }
        hash.Add(e);
        return hash.ToHashCode();
    }

    /// <summary>This node and its left descendants that are binary expressions, top first; and the leaf below them.</summary>
    private List<BinaryExpr> LeftSpine(out Expr leftmost)
    {
        var spine = new List<BinaryExpr>();
        Expr e = this;
        while (e is BinaryExpr b)
        {
            spine.Add(b);
            e = b.Lhs;
        }
        leftmost = e;
        return spine;
    }
}

/// <summary><c>(expr)</c>.</summary>
public sealed record ParenExpr(Expr Expr) : Expr
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append('(');
        Expr.Write(sb);
        sb.Append(')');
    }
}

/// <summary>A function call. <see cref="Name"/> is lower-cased by the parser; a call without arguments has an empty list.</summary>
public sealed record Call(string Name, NodeList<Expr> Args) : Expr
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append(Name).Append('(');
        for (int i = 0; i < Args.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            Args[i].Write(sb);
        }
        sb.Append(')');
    }
}

/// <summary>
/// A reference to a field, tag or (inside GROUP BY / ORDER BY / WHERE) <c>time</c>, with an optional
/// <c>::type</c>. Dotted segments (<c>a.b</c>) are joined into one <see cref="Name"/>.
/// </summary>
public sealed record VarRef(string Name, DataType Type = DataType.Unknown) : Expr
{
    internal override void Write(StringBuilder sb)
    {
        InfluxQLText.AppendQuotedIdent(sb, Name);
        if (Type != DataType.Unknown) sb.Append("::").Append(Type.Text());
    }
}

/// <summary><c>*</c>, <c>*::field</c> or <c>*::tag</c>.</summary>
public sealed record Wildcard(WildcardType Type = WildcardType.All) : Expr
{
    internal override void Write(StringBuilder sb) => sb.Append(Type switch
    {
        WildcardType.Field => "*::field",
        WildcardType.Tag => "*::tag",
        _ => "*",
    });
}

/// <summary><c>DISTINCT name</c> without parentheses (the parenthesized form is a <see cref="Call"/> to distinct).</summary>
public sealed record Distinct(string Name) : Expr
{
    internal override void Write(StringBuilder sb) => sb.Append("DISTINCT ").Append(Name);
}
