using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Ast;

// The SHOW family. In every statement here an empty Database means "not given" (the request's db applies),
// a null Sources means no FROM clause, and a zero Limit/Offset means none.

/// <summary><c>SHOW DATABASES</c>.</summary>
public sealed record ShowDatabasesStatement : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("SHOW DATABASES");
}

/// <summary><c>SHOW RETENTION POLICIES [ON db]</c>.</summary>
public sealed record ShowRetentionPoliciesStatement(string Database = "") : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW RETENTION POLICIES");
        StatementWriting.AppendOn(sb, Database);
    }
}

/// <summary><c>SHOW SERIES [ON db] [FROM …] [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]</c>.</summary>
public sealed record ShowSeriesStatement : Statement
{
    public string Database { get; init; } = "";

    public NodeList<Source>? Sources { get; init; }

    public Expr? Condition { get; init; }

    public NodeList<SortField> SortFields { get; init; } = NodeList<SortField>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW SERIES");
        StatementWriting.AppendOn(sb, Database);
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendWhere(sb, Condition);
        StatementWriting.AppendOrderBy(sb, SortFields);
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
    }
}

/// <summary>What a SHOW … CARDINALITY statement counts.</summary>
public enum CardinalityKind
{
    Series,
    Measurement,
    TagKey,
    FieldKey,
}

/// <summary>
/// <c>SHOW SERIES|MEASUREMENT|TAG KEY|FIELD KEY [EXACT] CARDINALITY [ON db] [FROM …] [WHERE …] [GROUP BY …] [LIMIT n] [OFFSET n]</c>.
/// (Tag values have their own statement, <see cref="ShowTagValuesCardinalityStatement"/>, because of WITH KEY.)
/// </summary>
public sealed record ShowCardinalityStatement : Statement
{
    public required CardinalityKind Kind { get; init; }

    /// <summary>EXACT counts instead of estimating from sketches.</summary>
    public bool Exact { get; init; }

    public string Database { get; init; } = "";

    public NodeList<Source>? Sources { get; init; }

    public Expr? Condition { get; init; }

    public NodeList<Dimension> Dimensions { get; init; } = NodeList<Dimension>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    internal override void Write(StringBuilder sb)
    {
        // influxql spaces these two pairs of statements differently; the output is the same.
        sb.Append(Kind switch
        {
            CardinalityKind.Series => "SHOW SERIES",
            CardinalityKind.Measurement => "SHOW MEASUREMENT",
            CardinalityKind.TagKey => "SHOW TAG KEY",
            _ => "SHOW FIELD KEY",
        });
        if (Exact) sb.Append(" EXACT");
        sb.Append(" CARDINALITY");
        StatementWriting.AppendOn(sb, Database);
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendWhere(sb, Condition);
        StatementWriting.AppendGroupBy(sb, Dimensions);
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
    }
}

/// <summary>
/// <c>SHOW MEASUREMENTS [ON db[.rp] | ON * | ON *.* | ON db.* | ON *.rp] [WITH MEASUREMENT =|=~ m] [WHERE …]
/// [ORDER BY …] [LIMIT n] [OFFSET n]</c>. influxql prints the ON database and policy without quoting.
/// </summary>
public sealed record ShowMeasurementsStatement : Statement
{
    public string Database { get; init; } = "";

    public string RetentionPolicy { get; init; } = "";

    /// <summary><c>ON *</c>: every database.</summary>
    public bool WildcardDatabase { get; init; }

    /// <summary><c>ON db.*</c>: every retention policy.</summary>
    public bool WildcardRetentionPolicy { get; init; }

    /// <summary>The WITH MEASUREMENT source: a <see cref="Measurement"/> with a name (<c>=</c>) or a regex (<c>=~</c>).</summary>
    public Source? Source { get; init; }

    public Expr? Condition { get; init; }

    public NodeList<SortField> SortFields { get; init; } = NodeList<SortField>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW MEASUREMENTS");
        if (Database.Length != 0 || WildcardDatabase)
        {
            sb.Append(" ON ").Append(WildcardDatabase ? "*" : Database);
            if (WildcardRetentionPolicy) sb.Append(".*");
            else if (RetentionPolicy.Length != 0) sb.Append('.').Append(RetentionPolicy);
        }
        if (Source is not null)
        {
            sb.Append(" WITH MEASUREMENT ");
            sb.Append(Source is Measurement { Regex: not null } ? "=~ " : "= ");
            Source.Write(sb);
        }
        StatementWriting.AppendWhere(sb, Condition);
        StatementWriting.AppendOrderBy(sb, SortFields);
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
    }
}

/// <summary>
/// <c>SHOW TAG KEYS [ON db] [FROM …] [WITH KEY …] [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n] [SLIMIT n] [SOFFSET n]</c>.
/// influxql does not print the WITH KEY clause; neither does <see cref="Node.ToString"/>.
/// </summary>
public sealed record ShowTagKeysStatement : Statement
{
    public string Database { get; init; } = "";

    public NodeList<Source>? Sources { get; init; }

    /// <summary>The WITH KEY operator (=, !=, =~, !~, IN), or null without WITH KEY.</summary>
    public BinaryOperator? TagKeyOp { get; init; }

    /// <summary>The WITH KEY operand: <see cref="StringLiteral"/>, <see cref="RegexLiteral"/> or <see cref="ListLiteral"/>.</summary>
    public Literal? TagKeyExpr { get; init; }

    public Expr? Condition { get; init; }

    public NodeList<SortField> SortFields { get; init; } = NodeList<SortField>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    public long SLimit { get; init; }

    public long SOffset { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW TAG KEYS");
        StatementWriting.AppendOn(sb, Database);
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendWhere(sb, Condition);
        StatementWriting.AppendOrderBy(sb, SortFields);
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
        StatementWriting.AppendCount(sb, " SLIMIT ", SLimit);
        StatementWriting.AppendCount(sb, " SOFFSET ", SOffset);
    }
}

/// <summary><c>SHOW TAG VALUES [ON db] [FROM …] WITH KEY op key [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]</c>.</summary>
public sealed record ShowTagValuesStatement : Statement
{
    public string Database { get; init; } = "";

    public NodeList<Source>? Sources { get; init; }

    /// <summary>=, !=, =~, !~ or IN.</summary>
    public required BinaryOperator Op { get; init; }

    /// <summary><see cref="StringLiteral"/> (for = and !=), <see cref="RegexLiteral"/> or <see cref="ListLiteral"/> (IN).</summary>
    public required Literal TagKeyExpr { get; init; }

    public Expr? Condition { get; init; }

    public NodeList<SortField> SortFields { get; init; } = NodeList<SortField>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW TAG VALUES");
        StatementWriting.AppendOn(sb, Database);
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendWithKey(sb, Op, TagKeyExpr);
        StatementWriting.AppendWhere(sb, Condition);
        StatementWriting.AppendOrderBy(sb, SortFields);
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
    }
}

/// <summary><c>SHOW TAG VALUES [EXACT] CARDINALITY [ON db] [FROM …] WITH KEY op key [WHERE …] [GROUP BY …] [LIMIT n] [OFFSET n]</c>.</summary>
public sealed record ShowTagValuesCardinalityStatement : Statement
{
    public bool Exact { get; init; }

    public string Database { get; init; } = "";

    public NodeList<Source>? Sources { get; init; }

    public required BinaryOperator Op { get; init; }

    public required Literal TagKeyExpr { get; init; }

    public Expr? Condition { get; init; }

    public NodeList<Dimension> Dimensions { get; init; } = NodeList<Dimension>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW TAG VALUES ");
        if (Exact) sb.Append("EXACT ");
        sb.Append("CARDINALITY");
        StatementWriting.AppendOn(sb, Database);
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendWithKey(sb, Op, TagKeyExpr);
        StatementWriting.AppendWhere(sb, Condition);
        StatementWriting.AppendGroupBy(sb, Dimensions);
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
    }
}

/// <summary><c>SHOW FIELD KEYS [ON db] [FROM …] [ORDER BY …] [LIMIT n] [OFFSET n]</c>.</summary>
public sealed record ShowFieldKeysStatement : Statement
{
    public string Database { get; init; } = "";

    public NodeList<Source>? Sources { get; init; }

    public NodeList<SortField> SortFields { get; init; } = NodeList<SortField>.Empty;

    public long Limit { get; init; }

    public long Offset { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW FIELD KEYS");
        StatementWriting.AppendOn(sb, Database);
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendOrderBy(sb, SortFields);
        StatementWriting.AppendCount(sb, " LIMIT ", Limit);
        StatementWriting.AppendCount(sb, " OFFSET ", Offset);
    }
}

/// <summary><c>SHOW SHARDS</c>.</summary>
public sealed record ShowShardsStatement : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("SHOW SHARDS");
}

/// <summary><c>SHOW SHARD GROUPS</c>.</summary>
public sealed record ShowShardGroupsStatement : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("SHOW SHARD GROUPS");
}

/// <summary><c>SHOW STATS [FOR 'module']</c>.</summary>
public sealed record ShowStatsStatement(string Module = "") : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW STATS");
        if (Module.Length == 0) return;
        sb.Append(" FOR ");
        InfluxQLText.AppendQuotedString(sb, Module);
    }
}

/// <summary><c>SHOW DIAGNOSTICS [FOR 'module']</c>.</summary>
public sealed record ShowDiagnosticsStatement(string Module = "") : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW DIAGNOSTICS");
        if (Module.Length == 0) return;
        sb.Append(" FOR ");
        InfluxQLText.AppendQuotedString(sb, Module);
    }
}

/// <summary><c>SHOW QUERIES</c>.</summary>
public sealed record ShowQueriesStatement : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("SHOW QUERIES");
}

/// <summary><c>SHOW SUBSCRIPTIONS</c>.</summary>
public sealed record ShowSubscriptionsStatement : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("SHOW SUBSCRIPTIONS");
}

/// <summary><c>SHOW CONTINUOUS QUERIES</c>.</summary>
public sealed record ShowContinuousQueriesStatement : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("SHOW CONTINUOUS QUERIES");
}

/// <summary><c>SHOW USERS</c>.</summary>
public sealed record ShowUsersStatement : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("SHOW USERS");
}

/// <summary><c>SHOW GRANTS FOR user</c>.</summary>
public sealed record ShowGrantsForUserStatement(string Name) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("SHOW GRANTS FOR ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
    }
}
