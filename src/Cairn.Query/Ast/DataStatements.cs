using System.Globalization;
using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Ast;

/// <summary><c>DELETE [FROM …] [WHERE …]</c> (at least one of the two). Sources never carry a database.</summary>
public sealed record DeleteSeriesStatement(NodeList<Source>? Sources, Expr? Condition) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DELETE");
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendWhere(sb, Condition);
    }
}

/// <summary><c>DROP SERIES [FROM …] [WHERE …]</c> (at least one of the two). Sources carry neither database nor policy.</summary>
public sealed record DropSeriesStatement(NodeList<Source>? Sources, Expr? Condition) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DROP SERIES");
        StatementWriting.AppendFrom(sb, Sources);
        StatementWriting.AppendWhere(sb, Condition);
    }
}

/// <summary><c>DROP MEASUREMENT name</c>.</summary>
public sealed record DropMeasurementStatement(string Name) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DROP MEASUREMENT ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
    }
}

/// <summary><c>DROP SHARD id</c>.</summary>
public sealed record DropShardStatement(ulong Id) : Statement
{
    internal override void Write(StringBuilder sb) => sb.Append("DROP SHARD ").Append(Id.ToString(CultureInfo.InvariantCulture));
}

/// <summary><c>KILL QUERY id [ON "host"]</c>; <see cref="Host"/> is "" when not given.</summary>
public sealed record KillQueryStatement(ulong QueryId, string Host = "") : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("KILL QUERY ").Append(QueryId.ToString(CultureInfo.InvariantCulture));
        if (Host.Length == 0) return;
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Host);
    }
}

/// <summary><c>EXPLAIN [ANALYZE] [VERBOSE] SELECT …</c>.</summary>
public sealed record ExplainStatement(SelectStatement Statement, bool Analyze = false, bool Verbose = false) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("EXPLAIN ");
        if (Analyze) sb.Append("ANALYZE ");
        if (Verbose) sb.Append("VERBOSE ");
        Statement.Write(sb);
    }
}

/// <summary>
/// <c>CREATE CONTINUOUS QUERY name ON db [RESAMPLE [EVERY d] [FOR d]] BEGIN select END</c>.
/// Zero <see cref="ResampleEvery"/>/<see cref="ResampleFor"/> mean not given.
/// </summary>
public sealed record CreateContinuousQueryStatement(
    string Name, string Database, SelectStatement Source, long ResampleEvery = 0, long ResampleFor = 0) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("CREATE CONTINUOUS QUERY ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Database);
        sb.Append(' ');
        if (ResampleEvery > 0 || ResampleFor > 0)
        {
            sb.Append("RESAMPLE ");
            if (ResampleEvery > 0) sb.Append("EVERY ").Append(InfluxQLText.FormatDuration(ResampleEvery)).Append(' ');
            if (ResampleFor > 0) sb.Append("FOR ").Append(InfluxQLText.FormatDuration(ResampleFor)).Append(' ');
        }
        sb.Append("BEGIN ");
        Source.Write(sb);
        sb.Append(" END");
    }
}

/// <summary><c>DROP CONTINUOUS QUERY name ON db</c>.</summary>
public sealed record DropContinuousQueryStatement(string Name, string Database) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DROP CONTINUOUS QUERY ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Database);
    }
}
