using Cairn.Query.Ast;

namespace Cairn.Query.Parsing;

internal sealed partial class Parser
{
    private Statement ParseCreateStatement()
    {
        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.Continuous:
                ExpectKeywords(Token.Query);
                return ParseCreateContinuousQueryStatement();
            case Token.Database:
                return ParseCreateDatabaseStatement();
            case Token.User:
                return ParseCreateUserStatement();
            case Token.Retention:
                ExpectKeywords(Token.Policy);
                return ParseCreateRetentionPolicyStatement();
            case Token.Subscription:
                return ParseCreateSubscriptionStatement();
            default:
                throw Expected(l, "CONTINUOUS", "DATABASE", "USER", "RETENTION", "SUBSCRIPTION");
        }
    }

    private Statement ParseDropStatement()
    {
        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.Continuous:
            {
                ExpectKeywords(Token.Query);
                string name = ParseIdent();
                ExpectOn();
                return new DropContinuousQueryStatement(name, ParseIdent());
            }
            case Token.Database:
                return new DropDatabaseStatement(ParseIdent());
            case Token.Measurement:
                return new DropMeasurementStatement(ParseIdent());
            case Token.Retention:
            {
                ExpectKeywords(Token.Policy);
                string name = ParseIdent();
                ExpectOn();
                return new DropRetentionPolicyStatement(name, ParseIdent());
            }
            case Token.Series:
                return ParseDropSeriesStatement();
            case Token.Shard:
                return new DropShardStatement(ParseUInt64());
            case Token.Subscription:
            {
                string name = ParseIdent();
                ExpectOn();
                var (database, retentionPolicy) = ParseDatabaseDotPolicy();
                return new DropSubscriptionStatement(name, database, retentionPolicy);
            }
            case Token.User:
                return new DropUserStatement(ParseIdent());
            default:
                throw Expected(l, "CONTINUOUS", "DATABASE", "MEASUREMENT", "RETENTION", "SERIES", "SHARD", "SUBSCRIPTION", "USER");
        }
    }

    private void ExpectOn()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.On) throw Expected(l, "ON");
    }

    /// <summary><c>db.rp</c> of the subscription statements; the dot must follow the database directly.</summary>
    private (string Database, string RetentionPolicy) ParseDatabaseDotPolicy()
    {
        string database = ParseIdent();
        var dot = Scan();
        if (dot.Token != Token.Dot) throw Expected(dot, ".");
        return (database, ParseIdent());
    }

    private DeleteSeriesStatement ParseDeleteStatement()
    {
        var (sources, condition) = ParseSeriesSelection(rejectRetentionPolicy: false);
        return new DeleteSeriesStatement(sources, condition);
    }

    private DropSeriesStatement ParseDropSeriesStatement()
    {
        var (sources, condition) = ParseSeriesSelection(rejectRetentionPolicy: true);
        return new DropSeriesStatement(sources, condition);
    }

    /// <summary><c>[FROM m, …] [WHERE cond]</c>, at least one, for DELETE and DROP SERIES.</summary>
    private (NodeList<Source>?, Expr?) ParseSeriesSelection(bool rejectRetentionPolicy)
    {
        NodeList<Source>? sources = null;
        var first = ScanIgnoreWhitespace();
        if (first.Token == Token.From)
        {
            sources = ParseSources(subqueries: false);
            // The statement applies to the request's database (and, for DROP SERIES, every policy in it).
            string? error = null;
            foreach (var source in sources)
            {
                if (source is not Measurement m) continue;
                if (m.Database.Length != 0) error = "database not supported";
                if (rejectRetentionPolicy && m.RetentionPolicy.Length != 0) error = "retention policy not supported";
            }
            if (error is not null) throw At(error, default);
        }
        else
        {
            Unscan();
        }

        var condition = ParseCondition();
        if (condition is null && sources is null) throw Expected(first, "FROM", "WHERE");
        return (sources, condition);
    }

    private ExplainStatement ParseExplainStatement()
    {
        bool analyze = false, verbose = false;
        if (ScanIgnoreWhitespace().Token == Token.Analyze) analyze = true;
        else Unscan();
        if (ScanIgnoreWhitespace().Token == Token.Verbose) verbose = true;
        else Unscan();

        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Select) throw Expected(l, "SELECT");
        return new ExplainStatement(ParseSelectStatement(TargetRequirement.NotRequired), analyze, verbose);
    }

    private KillQueryStatement ParseKillQueryStatement()
    {
        ulong id = ParseUInt64();
        if (ScanIgnoreWhitespace().Token == Token.On) return new KillQueryStatement(id, ParseIdent());
        Unscan();
        return new KillQueryStatement(id);
    }

    private CreateContinuousQueryStatement ParseCreateContinuousQueryStatement()
    {
        string name = ParseIdent();
        ExpectOn();
        string database = ParseIdent();

        long every = 0, @for = 0;
        if (ScanIgnoreWhitespace().Token == Token.Resample) (every, @for) = ParseResample();
        else Unscan();

        ExpectKeywords(Token.Begin, Token.Select);
        var source = ParseSelectStatement(TargetRequirement.Required);

        // An aggregate CQ needs a GROUP BY time() interval. influxql reports the error at the token two
        // push-backs before the current one, which is what the ring-buffer rewind below reproduces.
        if (!source.IsRawQuery)
        {
            bool ok = source.TryGetGroupByInterval(out long interval, out string? intervalError);
            if (interval == 0 || !ok)
            {
                Unscan();
                Unscan();
                var at = ScanIgnoreWhitespace();
                throw intervalError is null
                    ? Expected(at, "GROUP BY time(...)")
                    : Expected(at, "GROUP BY time(...)", intervalError);
            }
        }

        var end = ScanIgnoreWhitespace();
        if (end.Token != Token.End) throw Expected(end, "END");

        var statement = new CreateContinuousQueryStatement(name, database, source, every, @for);
        ValidateContinuousQuery(statement);
        return statement;
    }

    private static void ValidateContinuousQuery(CreateContinuousQueryStatement statement)
    {
        if (!statement.Source.TryGetGroupByInterval(out long interval, out string? error)) throw Bare(error);
        if (statement.ResampleFor == 0) return;
        if (statement.ResampleEvery != 0 && statement.ResampleEvery > interval) interval = statement.ResampleEvery;
        if (interval > statement.ResampleFor)
        {
            throw Bare("FOR duration must be >= GROUP BY time duration: must be a minimum of "
                + InfluxQLText.FormatDuration(interval) + ", got " + InfluxQLText.FormatDuration(statement.ResampleFor));
        }
    }

    /// <summary><c>RESAMPLE [EVERY d] [FOR d]</c> with at least one of the two (non-zero).</summary>
    private (long Every, long For) ParseResample()
    {
        long every = 0;
        if (ScanIgnoreWhitespace().Token == Token.Every) every = ParseResampleDuration();
        else Unscan();

        long @for = 0;
        if (ScanIgnoreWhitespace().Token == Token.For) @for = ParseResampleDuration();
        else Unscan();

        if (every == 0 && @for == 0) throw Expected(ScanIgnoreWhitespace(), "EVERY", "FOR");
        return (every, @for);
    }

    private long ParseResampleDuration()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.DurationVal) throw Expected(l, "duration");
        if (!InfluxQLText.TryParseDuration(l.Literal, out long d, out string? error)) throw At(error, l.Pos);
        return d;
    }

    private CreateDatabaseStatement ParseCreateDatabaseStatement()
    {
        string name = ParseIdent();
        if (ScanIgnoreWhitespace().Token != Token.With)
        {
            Unscan();
            return new CreateDatabaseStatement { Name = name };
        }

        var first = ScanIgnoreWhitespace();
        if (first.Token is not (Token.Duration or Token.Name or Token.Replication or Token.Shard or Token.Future or Token.Past))
        {
            throw Expected(first, "DURATION", "NAME", "REPLICATION", "SHARD", "FUTURE", "PAST");
        }
        Unscan();

        // The options are optional but must come in this order.
        long? duration = null;
        if (ScanIgnoreWhitespace().Token == Token.Duration) duration = ParseDurationValue();
        else Unscan();

        int? replication = null;
        if (ScanIgnoreWhitespace().Token == Token.Replication) replication = ParseInt(1, int.MaxValue);
        else Unscan();

        long shardDuration = 0;
        if (ScanIgnoreWhitespace().Token == Token.Shard)
        {
            var l = ScanIgnoreWhitespace();
            if (l.Token != Token.Duration) throw Expected(l, "DURATION");
            shardDuration = ParseDurationValue();
        }
        else
        {
            Unscan();
        }

        long? future = null;
        if (ScanIgnoreWhitespace().Token == Token.Future) future = ParseWriteLimit();
        else Unscan();

        long? past = null;
        if (ScanIgnoreWhitespace().Token == Token.Past) past = ParseWriteLimit();
        else Unscan();

        string policyName = "";
        if (ScanIgnoreWhitespace().Token == Token.Name) policyName = ParseIdent();
        else Unscan();

        return new CreateDatabaseStatement
        {
            Name = name,
            RetentionPolicyCreate = true,
            RetentionPolicyDuration = duration,
            RetentionPolicyReplication = replication,
            RetentionPolicyShardGroupDuration = shardDuration,
            FutureWriteLimit = future,
            PastWriteLimit = past,
            RetentionPolicyName = policyName,
        };
    }

    /// <summary>The <c>LIMIT d</c> after FUTURE or PAST.</summary>
    private long ParseWriteLimit()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Limit) throw Expected(l, "LIMIT");
        return ParseDurationValue();
    }

    /// <summary>After SHARD: <c>DURATION d</c>, any duration but INF, which influxql names explicitly.</summary>
    private long ParseShardDuration()
    {
        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Duration) throw Expected(l, "DURATION");
        var inf = ScanIgnoreWhitespace();
        if (inf.Token == Token.Inf) throw At("invalid duration INF for shard duration", inf.Pos);
        Unscan();
        return ParseDurationValue();
    }

    private CreateRetentionPolicyStatement ParseCreateRetentionPolicyStatement()
    {
        string name = ParseIdent();
        ExpectOn();
        string database = ParseIdent();

        var l = ScanIgnoreWhitespace();
        if (l.Token != Token.Duration) throw Expected(l, "DURATION");
        long duration = ParseDurationValue();

        l = ScanIgnoreWhitespace();
        if (l.Token != Token.Replication) throw Expected(l, "REPLICATION");
        int replication = ParseInt(1, int.MaxValue);

        long shardDuration = 0;
        if (ScanIgnoreWhitespace().Token == Token.Shard) shardDuration = ParseShardDuration();
        else Unscan();

        bool isDefault = false;
        if (ScanIgnoreWhitespace().Token == Token.Default) isDefault = true;
        else Unscan();

        long future = 0;
        if (ScanIgnoreWhitespace().Token == Token.Future) future = ParseWriteLimit();
        else Unscan();

        long past = 0;
        if (ScanIgnoreWhitespace().Token == Token.Past) past = ParseWriteLimit();
        else Unscan();

        return new CreateRetentionPolicyStatement
        {
            Name = name,
            Database = database,
            Duration = duration,
            Replication = replication,
            ShardGroupDuration = shardDuration,
            Default = isDefault,
            FutureWriteLimit = future,
            PastWriteLimit = past,
        };
    }

    private AlterRetentionPolicyStatement ParseAlterRetentionPolicyStatement()
    {
        var l = ScanIgnoreWhitespace();
        string name = l.Token switch
        {
            Token.Default => "default",
            Token.Ident => l.Literal,
            _ => throw Expected(l, "identifier"),
        };
        ExpectOn();
        string database = ParseIdent();

        long? duration = null, shardDuration = null, future = null, past = null;
        int? replication = null;
        bool isDefault = false;
        var found = new HashSet<Token>();
        while (true)
        {
            var option = ScanIgnoreWhitespace();
            if (found.Contains(option.Token)) throw At("found duplicate " + option.Token.Text() + " option", option.Pos);

            switch (option.Token)
            {
                case Token.Duration:
                    duration = ParseDurationValue();
                    break;
                case Token.Replication:
                    replication = ParseInt(1, int.MaxValue);
                    break;
                case Token.Shard:
                    shardDuration = ParseShardDuration();
                    break;
                case Token.Default:
                    isDefault = true;
                    break;
                case Token.Future:
                    future = ParseWriteLimit();
                    break;
                case Token.Past:
                    past = ParseWriteLimit();
                    break;
                default:
                    if (found.Count == 0) throw Expected(option, "DURATION", "REPLICATION", "SHARD", "DEFAULT", "FUTURE", "PAST");
                    Unscan();
                    return new AlterRetentionPolicyStatement
                    {
                        Name = name,
                        Database = database,
                        Duration = duration,
                        Replication = replication,
                        ShardGroupDuration = shardDuration,
                        Default = isDefault,
                        FutureWriteLimit = future,
                        PastWriteLimit = past,
                    };
            }
            found.Add(option.Token);
        }
    }

    private CreateSubscriptionStatement ParseCreateSubscriptionStatement()
    {
        string name = ParseIdent();
        ExpectOn();
        var (database, retentionPolicy) = ParseDatabaseDotPolicy();
        ExpectKeywords(Token.Destinations);

        var mode = ScanIgnoreWhitespace();
        if (mode.Token is not (Token.All or Token.Any)) throw Expected(mode, "ALL", "ANY");

        var destinations = ParseStringList();
        return new CreateSubscriptionStatement(name, database, retentionPolicy, NodeList.From(destinations), mode.Token.Text());
    }

    private CreateUserStatement ParseCreateUserStatement()
    {
        string name = ParseIdent();
        ExpectKeywords(Token.With, Token.Password);
        string password = ParseString();

        if (ScanIgnoreWhitespace().Token != Token.With)
        {
            Unscan();
            return new CreateUserStatement(name, password);
        }
        // Only the admin privilege can be given at creation.
        ExpectKeywords(Token.All, Token.Privileges);
        return new CreateUserStatement(name, password, Admin: true);
    }

    private SetPasswordUserStatement ParseSetPasswordUserStatement()
    {
        string name = ParseIdent();
        var eq = ScanIgnoreWhitespace();
        if (eq.Token != Token.Eq) throw Expected(eq, "=");
        return new SetPasswordUserStatement(name, ParseString());
    }

    private Statement ParseGrantStatement()
    {
        var privilege = ParsePrivilege();
        var l = ScanIgnoreWhitespace();
        if (l.Token == Token.On)
        {
            string on = ParseIdent();
            var to = ScanIgnoreWhitespace();
            if (to.Token != Token.To) throw Expected(to, "TO");
            return new GrantStatement(privilege, on, ParseIdent());
        }
        if (l.Token == Token.To)
        {
            // Admin is granted only as ALL PRIVILEGES.
            if (privilege != Privilege.All) throw Expected(l, "ON");
            return new GrantAdminStatement(ParseIdent());
        }
        throw privilege == Privilege.All ? Expected(l, "ON", "TO") : Expected(l, "ON");
    }

    private Statement ParseRevokeStatement()
    {
        var privilege = ParsePrivilege();
        var l = ScanIgnoreWhitespace();
        if (l.Token == Token.On)
        {
            string on = ParseIdent();
            var from = ScanIgnoreWhitespace();
            if (from.Token != Token.From) throw Expected(from, "FROM");
            return new RevokeStatement(privilege, on, ParseIdent());
        }
        if (l.Token == Token.From)
        {
            if (privilege != Privilege.All) throw Expected(l, "ON");
            return new RevokeAdminStatement(ParseIdent());
        }
        throw privilege == Privilege.All ? Expected(l, "ON", "FROM") : Expected(l, "ON");
    }

    private Privilege ParsePrivilege()
    {
        var l = ScanIgnoreWhitespace();
        switch (l.Token)
        {
            case Token.Read:
                return Privilege.Read;
            case Token.Write:
                return Privilege.Write;
            case Token.All:
                if (ScanIgnoreWhitespace().Token != Token.Privileges) Unscan();
                return Privilege.All;
            default:
                throw Expected(l, "READ", "WRITE", "ALL [PRIVILEGES]");
        }
    }
}
