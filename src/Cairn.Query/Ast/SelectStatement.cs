using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Ast;

/// <summary>
/// <c>SELECT fields [INTO target] FROM sources [WHERE cond] [GROUP BY dims] [fill(…)] [ORDER BY …]
/// [LIMIT n] [OFFSET n] [SLIMIT n] [SOFFSET n] [tz('…')]</c>. Zero LIMIT/OFFSET/SLIMIT/SOFFSET means none.
/// </summary>
public sealed record SelectStatement : Statement
{
    public required NodeList<Field> Fields { get; init; }

    public Target? Target { get; init; }

    public NodeList<Source> Sources { get; init; } = NodeList<Source>.Empty;

    public Expr? Condition { get; init; }

    public NodeList<Dimension> Dimensions { get; init; } = NodeList<Dimension>.Empty;

    public NodeList<SortField> SortFields { get; init; } = NodeList<SortField>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    public long SLimit { get; init; }

    public long SOffset { get; init; }

    public FillOption Fill { get; init; }

    /// <summary>For <see cref="FillOption.Number"/>: an <see cref="IntegerLiteral"/> or a <see cref="NumberLiteral"/>.</summary>
    public Literal? FillValue { get; init; }

    /// <summary>The time zone name of <c>tz('…')</c> as Go's <c>time.Location</c> names it (<c>tz('')</c> is <c>UTC</c>), or null.</summary>
    public string? Location { get; init; }

    /// <summary>True when no field contains a function call (influxql's IsRawQuery, computed from the fields).</summary>
    public bool IsRawQuery
    {
        get
        {
            foreach (var f in Fields)
            {
                if (ContainsCall(f.Expr)) return false;
            }
            return true;
        }
    }

    /// <summary>True when results are in ascending time order (no ORDER BY, or ORDER BY … ASC).</summary>
    public bool TimeAscending => SortFields.Count == 0 || SortFields[0].Ascending;

    /// <summary>
    /// The GROUP BY time() interval in nanoseconds, 0 when there is none. Fails, with influxql's message,
    /// when time() has other than one or two arguments or its first argument is not a duration.
    /// </summary>
    public bool TryGetGroupByInterval(out long interval, [NotNullWhen(false)] out string? error)
    {
        interval = 0;
        error = null;
        foreach (var dimension in Dimensions)
        {
            if (dimension.Expr is not Call { Name: "time" } call) continue;
            if (call.Args.Count < 1 || call.Args.Count > 2)
            {
                error = "time dimension expected 1 or 2 arguments";
                return false;
            }
            if (call.Args[0] is not DurationLiteral duration)
            {
                error = "time dimension must have duration argument";
                return false;
            }
            interval = duration.Nanoseconds;
            return true;
        }
        return true;
    }

    private static bool ContainsCall(Expr expr)
    {
        if (expr is Call) return true;
        if (expr is not (BinaryExpr or ParenExpr)) return false;
        var pending = new Stack<Expr>();
        pending.Push(expr);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case Call:
                    return true;
                case BinaryExpr b:
                    pending.Push(b.Rhs);
                    pending.Push(b.Lhs);
                    break;
                case ParenExpr p:
                    pending.Push(p.Expr);
                    break;
            }
        }
        return false;
    }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("SELECT ");
        ListWriting.WriteJoined(sb, Fields);
        if (Target is not null)
        {
            sb.Append(' ');
            Target.Write(sb);
        }
        if (Sources.Count > 0)
        {
            sb.Append(" FROM ");
            ListWriting.WriteJoined(sb, Sources);
        }
        if (Condition is not null)
        {
            sb.Append(" WHERE ");
            Condition.Write(sb);
        }
        if (Dimensions.Count > 0)
        {
            sb.Append(" GROUP BY ");
            ListWriting.WriteJoined(sb, Dimensions);
        }
        switch (Fill)
        {
            case FillOption.None:
                sb.Append(" fill(none)");
                break;
            case FillOption.Number:
                // Go prints the value with %v: integers in decimal, floats in %g form (100.0 prints "100").
                sb.Append(" fill(").Append(FillValue switch
                {
                    IntegerLiteral i => i.Value.ToString(CultureInfo.InvariantCulture),
                    NumberLiteral n => GoFormat.FormatFloatG(n.Value),
                    _ => "<nil>",
                }).Append(')');
                break;
            case FillOption.Linear:
                sb.Append(" fill(linear)");
                break;
            case FillOption.Previous:
                sb.Append(" fill(previous)");
                break;
        }
        if (SortFields.Count > 0)
        {
            sb.Append(" ORDER BY ");
            ListWriting.WriteJoined(sb, SortFields);
        }
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
        StatementWriting.AppendCount(sb, " SLIMIT ", SLimit);
        StatementWriting.AppendCount(sb, " SOFFSET ", SOffset);
        if (Location is not null) sb.Append(" TZ('").Append(Location).Append("')");
    }
}

internal static class StatementWriting
{
    public static void AppendCount(StringBuilder sb, string keyword, long value)
    {
        if (value > 0) sb.Append(keyword).Append(value.ToString(CultureInfo.InvariantCulture));
    }

    public static void AppendOn(StringBuilder sb, string database)
    {
        if (database.Length == 0) return;
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, database);
    }

    public static void AppendFrom(StringBuilder sb, NodeList<Source>? sources)
    {
        if (sources is null) return;
        sb.Append(" FROM ");
        ListWriting.WriteJoined(sb, sources);
    }

    public static void AppendWhere(StringBuilder sb, Expr? condition)
    {
        if (condition is null) return;
        sb.Append(" WHERE ");
        condition.Write(sb);
    }

    public static void AppendGroupBy(StringBuilder sb, NodeList<Dimension> dimensions)
    {
        if (dimensions.Count == 0) return;
        sb.Append(" GROUP BY ");
        ListWriting.WriteJoined(sb, dimensions);
    }

    public static void AppendOrderBy(StringBuilder sb, NodeList<SortField> sortFields)
    {
        if (sortFields.Count == 0) return;
        sb.Append(" ORDER BY ");
        ListWriting.WriteJoined(sb, sortFields);
    }

    /// <summary><c> WITH KEY op key</c> of SHOW TAG VALUES: a single key prints as an identifier.</summary>
    public static void AppendWithKey(StringBuilder sb, BinaryOperator op, Literal tagKey)
    {
        sb.Append(" WITH KEY ").Append(op.Text()).Append(' ');
        if (tagKey is StringLiteral s) InfluxQLText.AppendQuotedIdent(sb, s.Value);
        else tagKey.Write(sb);
    }
}
