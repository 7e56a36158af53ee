using System.Text;

namespace Cairn.Query.Ast;

/// <summary>
/// A node of the InfluxQL syntax tree. Nodes are immutable records with structural equality;
/// <see cref="ToString"/> prints the canonical InfluxQL text exactly as influxql's <c>String()</c> does.
/// </summary>
public abstract record Node
{
    /// <summary>Appends the canonical InfluxQL text of this node.</summary>
    internal abstract void Write(StringBuilder sb);

    /// <summary>The canonical InfluxQL text, as InfluxDB prints it.</summary>
    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb);
        return sb.ToString();
    }
}

/// <summary>An expression that evaluates to a value.</summary>
public abstract record Expr : Node;

/// <summary>A constant: number, string, duration, regex, list, …</summary>
public abstract record Literal : Expr;

/// <summary>Where a statement reads from: a measurement (or regex of measurements) or a subquery.</summary>
public abstract record Source : Node;

/// <summary>One InfluxQL command.</summary>
public abstract record Statement : Node;

/// <summary>A parsed query: statements in order, printed joined by ";\n".</summary>
public sealed record InfluxQuery(NodeList<Statement> Statements) : Node
{
    internal override void Write(StringBuilder sb)
    {
        for (int i = 0; i < Statements.Count; i++)
        {
            if (i > 0) sb.Append(";\n");
            Statements[i].Write(sb);
        }
    }
}
