using System.Globalization;
using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Ast;

// Databases, retention policies, subscriptions, users and privileges. Durations are nanoseconds;
// a duration of 0 is INF where the grammar allows INF.

/// <summary>
/// <c>CREATE DATABASE name [WITH [DURATION d] [REPLICATION n] [SHARD DURATION d] [FUTURE LIMIT d] [PAST LIMIT d] [NAME rp]]</c>.
/// influxql prints DURATION and SHARD DURATION with Go's duration format (<c>1h0m0s</c>).
/// </summary>
public sealed record CreateDatabaseStatement : Statement
{
    public required string Name { get; init; }

    /// <summary>True when a WITH clause was given (a retention policy is created with the options).</summary>
    public bool RetentionPolicyCreate { get; init; }

    public long? RetentionPolicyDuration { get; init; }

    public int? RetentionPolicyReplication { get; init; }

    public string RetentionPolicyName { get; init; } = "";

    /// <summary>0 when not given.</summary>
    public long RetentionPolicyShardGroupDuration { get; init; }

    public long? FutureWriteLimit { get; init; }

    public long? PastWriteLimit { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("CREATE DATABASE ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        if (!RetentionPolicyCreate) return;
        sb.Append(" WITH");
        if (RetentionPolicyDuration is { } duration) sb.Append(" DURATION ").Append(GoFormat.DurationString(duration));
        if (RetentionPolicyReplication is { } replication) sb.Append(" REPLICATION ").Append(replication.ToString(CultureInfo.InvariantCulture));
        if (RetentionPolicyShardGroupDuration > 0) sb.Append(" SHARD DURATION ").Append(GoFormat.DurationString(RetentionPolicyShardGroupDuration));
        if (FutureWriteLimit is > 0) sb.Append(" FUTURE LIMIT ").Append(InfluxQLText.FormatDuration(FutureWriteLimit.Value));
        if (PastWriteLimit is > 0) sb.Append(" PAST LIMIT ").Append(InfluxQLText.FormatDuration(PastWriteLimit.Value));
        if (RetentionPolicyName.Length != 0)
        {
            sb.Append(" NAME ");
            InfluxQLText.AppendQuotedIdent(sb, RetentionPolicyName);
        }
    }
}

/// <summary><c>DROP DATABASE name</c>.</summary>
public sealed record DropDatabaseStatement(string Name) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DROP DATABASE ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
    }
}

/// <summary>
/// <c>CREATE RETENTION POLICY name ON db DURATION d REPLICATION n [SHARD DURATION d] [DEFAULT] [FUTURE LIMIT d] [PAST LIMIT d]</c>.
/// Zero shard duration and write limits mean not given.
/// </summary>
public sealed record CreateRetentionPolicyStatement : Statement
{
    public required string Name { get; init; }

    public required string Database { get; init; }

    public long Duration { get; init; }

    public int Replication { get; init; }

    public bool Default { get; init; }

    public long ShardGroupDuration { get; init; }

    public long FutureWriteLimit { get; init; }

    public long PastWriteLimit { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("CREATE RETENTION POLICY ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Database);
        sb.Append(" DURATION ").Append(InfluxQLText.FormatDuration(Duration));
        sb.Append(" REPLICATION ").Append(Replication.ToString(CultureInfo.InvariantCulture));
        if (ShardGroupDuration > 0) sb.Append(" SHARD DURATION ").Append(InfluxQLText.FormatDuration(ShardGroupDuration));
        if (Default) sb.Append(" DEFAULT");
        if (FutureWriteLimit != 0) sb.Append(" FUTURE LIMIT ").Append(InfluxQLText.FormatDuration(FutureWriteLimit));
        if (PastWriteLimit != 0) sb.Append(" PAST LIMIT ").Append(InfluxQLText.FormatDuration(PastWriteLimit));
    }
}

/// <summary>
/// <c>ALTER RETENTION POLICY name ON db [DURATION d] [REPLICATION n] [SHARD DURATION d] [DEFAULT] [FUTURE LIMIT d] [PAST LIMIT d]</c>,
/// options in any order, each at most once. Null means the option was not given.
/// </summary>
public sealed record AlterRetentionPolicyStatement : Statement
{
    public required string Name { get; init; }

    public required string Database { get; init; }

    public long? Duration { get; init; }

    public int? Replication { get; init; }

    public bool Default { get; init; }

    public long? ShardGroupDuration { get; init; }

    public long? FutureWriteLimit { get; init; }

    public long? PastWriteLimit { get; init; }

    internal override void Write(StringBuilder sb)
    {
        sb.Append("ALTER RETENTION POLICY ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Database);
        if (Duration is { } duration) sb.Append(" DURATION ").Append(InfluxQLText.FormatDuration(duration));
        if (Replication is { } replication) sb.Append(" REPLICATION ").Append(replication.ToString(CultureInfo.InvariantCulture));
        if (ShardGroupDuration is { } shard) sb.Append(" SHARD DURATION ").Append(InfluxQLText.FormatDuration(shard));
        if (Default) sb.Append(" DEFAULT");
        if (FutureWriteLimit is { } future && future != 0) sb.Append(" FUTURE LIMIT ").Append(InfluxQLText.FormatDuration(future));
        if (PastWriteLimit is { } past && past != 0) sb.Append(" PAST LIMIT ").Append(InfluxQLText.FormatDuration(past));
    }
}

/// <summary><c>DROP RETENTION POLICY name ON db</c>.</summary>
public sealed record DropRetentionPolicyStatement(string Name, string Database) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DROP RETENTION POLICY ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Database);
    }
}

/// <summary><c>CREATE SUBSCRIPTION name ON db.rp DESTINATIONS ALL|ANY 'url'[, …]</c>; <see cref="Mode"/> is "ALL" or "ANY".</summary>
public sealed record CreateSubscriptionStatement(
    string Name, string Database, string RetentionPolicy, NodeList<string> Destinations, string Mode) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("CREATE SUBSCRIPTION ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Database);
        sb.Append('.');
        InfluxQLText.AppendQuotedIdent(sb, RetentionPolicy);
        sb.Append(" DESTINATIONS ").Append(Mode).Append(' ');
        for (int i = 0; i < Destinations.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            InfluxQLText.AppendQuotedString(sb, Destinations[i]);
        }
    }
}

/// <summary><c>DROP SUBSCRIPTION name ON db.rp</c>.</summary>
public sealed record DropSubscriptionStatement(string Name, string Database, string RetentionPolicy) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DROP SUBSCRIPTION ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, Database);
        sb.Append('.');
        InfluxQLText.AppendQuotedIdent(sb, RetentionPolicy);
    }
}

/// <summary><c>CREATE USER name WITH PASSWORD 'pw' [WITH ALL PRIVILEGES]</c>. Prints the password as <c>[REDACTED]</c>.</summary>
public sealed record CreateUserStatement(string Name, string Password, bool Admin = false) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("CREATE USER ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" WITH PASSWORD [REDACTED]");
        if (Admin) sb.Append(" WITH ALL PRIVILEGES");
    }
}

/// <summary><c>DROP USER name</c>.</summary>
public sealed record DropUserStatement(string Name) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("DROP USER ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
    }
}

/// <summary><c>SET PASSWORD FOR name = 'pw'</c>. Prints the password as <c>[REDACTED]</c>.</summary>
public sealed record SetPasswordUserStatement(string Name, string Password) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("SET PASSWORD FOR ");
        InfluxQLText.AppendQuotedIdent(sb, Name);
        sb.Append(" = [REDACTED]");
    }
}

/// <summary><c>GRANT READ|WRITE|ALL [PRIVILEGES] ON db TO user</c>.</summary>
public sealed record GrantStatement(Privilege Privilege, string On, string User) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("GRANT ").Append(Privilege.Text()).Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, On);
        sb.Append(" TO ");
        InfluxQLText.AppendQuotedIdent(sb, User);
    }
}

/// <summary><c>GRANT ALL [PRIVILEGES] TO user</c>: make the user an admin.</summary>
public sealed record GrantAdminStatement(string User) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("GRANT ALL PRIVILEGES TO ");
        InfluxQLText.AppendQuotedIdent(sb, User);
    }
}

/// <summary><c>REVOKE READ|WRITE|ALL [PRIVILEGES] ON db FROM user</c>.</summary>
public sealed record RevokeStatement(Privilege Privilege, string On, string User) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("REVOKE ").Append(Privilege.Text()).Append(" ON ");
        InfluxQLText.AppendQuotedIdent(sb, On);
        sb.Append(" FROM ");
        InfluxQLText.AppendQuotedIdent(sb, User);
    }
}

/// <summary><c>REVOKE ALL [PRIVILEGES] FROM user</c>: remove admin.</summary>
public sealed record RevokeAdminStatement(string User) : Statement
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append("REVOKE ALL PRIVILEGES FROM ");
        InfluxQLText.AppendQuotedIdent(sb, User);
    }
}
