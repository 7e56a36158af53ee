using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Ast;

/// <summary>
/// A measurement as a source or target: <c>m</c>, <c>rp.m</c>, <c>db.rp.m</c>, <c>db..m</c>, or a regex
/// (<c>/cpu.*/</c>, <c>db.rp./re/</c>). Empty strings mean "not given".
/// </summary>
public sealed record Measurement : Source
{
    public string Database { get; init; } = "";

    public string RetentionPolicy { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>Set instead of <see cref="Name"/> for <c>FROM /regex/</c>.</summary>
    public RegexLiteral? Regex { get; init; }

    /// <summary>True for the measurement of an INTO clause.</summary>
    public bool IsTarget { get; init; }

    /// <summary>A system iterator to read instead of data (set by later stages, never parsed).</summary>
    public string SystemIterator { get; init; } = "";

    internal override void Write(StringBuilder sb)
    {
        if (Database.Length != 0)
        {
            InfluxQLText.AppendQuotedIdent(sb, Database);
            sb.Append('.');
        }
        if (RetentionPolicy.Length != 0) InfluxQLText.AppendQuotedIdent(sb, RetentionPolicy);
        if (Database.Length != 0 || RetentionPolicy.Length != 0) sb.Append('.');

        if (Name.Length != 0 && SystemIterator.Length == 0) InfluxQLText.AppendQuotedIdent(sb, Name);
        else if (SystemIterator.Length != 0) InfluxQLText.AppendQuotedIdent(sb, SystemIterator);
        else Regex?.Write(sb);
    }
}

/// <summary><c>(SELECT …)</c> used as a source.</summary>
public sealed record SubQuery(SelectStatement Statement) : Source
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append('(');
        Statement.Write(sb);
        sb.Append(')');
    }
}

/// <summary>The INTO clause. An empty measurement name means <c>:MEASUREMENT</c> (write to the source's name).</summary>
public sealed record Target(Measurement Measurement) : Node
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("INTO ");
        Measurement.Write(sb);
        if (Measurement.Name.Length == 0) sb.Append(":MEASUREMENT");
    }
}

/// <summary>One SELECT field: an expression and its optional <c>AS</c> alias ("" when none).</summary>
public sealed record Field(Expr Expr, string Alias = "") : Node
{
    internal override void Write(StringBuilder sb)
    {
        Expr.Write(sb);
        if (Alias.Length == 0) return;
        sb.Append(" AS ");
        InfluxQLText.AppendQuotedIdent(sb, Alias);
    }
}

/// <summary>One GROUP BY term: <c>time(10m[, offset])</c>, a tag, <c>*</c> or a regex.</summary>
public sealed record Dimension(Expr Expr) : Node
{
    internal override void Write(StringBuilder sb) => Expr.Write(sb);
}

/// <summary>One ORDER BY term. <see cref="Name"/> is "" for a bare <c>ORDER BY DESC</c>; only <c>time</c> is accepted otherwise.</summary>
public sealed record SortField(string Name, bool Ascending) : Node
{
    internal override void Write(StringBuilder sb)
    {
        if (Name.Length != 0) sb.Append(Name).Append(' ');
        sb.Append(Ascending ? "ASC" : "DESC");
    }
}

internal static class ListWriting
{
    public static void WriteJoined<T>(StringBuilder sb, NodeList<T> items) where T : Node
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            items[i].Write(sb);
        }
    }
}
