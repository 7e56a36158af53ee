using Cairn.Meta.Store;
using Cairn.Query.Ast;

namespace Cairn.Http.Auth;

/// <summary>
/// Decides whether a user may run a whole query before any statement runs, as InfluxDB's
/// meta.QueryAuthorizer and UserInfo.AuthorizeQuery do, with influxql's per-statement RequiredPrivileges.
/// The error texts are InfluxDB's; /query answers them as 403 <c>error authorizing query: …</c>.
/// </summary>
public static class QueryAuthorizer
{
    /// <summary>One privilege a statement needs: admin, or <see cref="Privilege"/> on <see cref="Database"/> ("" = the request's db).</summary>
    private readonly record struct Required(bool Admin, string Database, UserPrivilege Privilege);

    /// <summary>Null when <paramref name="user"/> may run <paramref name="query"/> with <c>db=</c><paramref name="database"/>, else why not.</summary>
    public static string? Authorize(MetaState state, UserInfo? user, InfluxQuery query, string database)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(query);
        // Until an admin exists the only thing allowed is to create one, as the first statement.
        if (!state.HasAdminUser)
        {
            return query.Statements.Count > 0 && query.Statements[0] is CreateUserStatement { Admin: true }
                ? null
                : "create admin user first or disable authentication";
        }
        if (user is null) return "no user provided";
        if (user.Admin) return null;

        var required = new List<Required>();
        foreach (var statement in query.Statements)
        {
            required.Clear();
            RequiredPrivileges(statement, required);
            foreach (var r in required)
            {
                if (r.Admin) return $"{user.Name} not authorized to execute statement '{statement}', requires admin privilege";
                string db = r.Database.Length != 0 ? r.Database : database;
                if (!state.Authorizes(user, r.Privilege, db))
                    return $"{user.Name} not authorized to execute statement '{statement}', requires {Text(r.Privilege)} on {db}";
            }
        }
        return null;
    }

    private static string Text(UserPrivilege p) => p switch
    {
        UserPrivilege.Read => "READ",
        UserPrivilege.Write => "WRITE",
        UserPrivilege.All => "ALL PRIVILEGES",
        _ => "NO PRIVILEGES",
    };

    private static readonly Required Admin = new(true, "", UserPrivilege.All);

    private static Required Read(string database) => new(false, database, UserPrivilege.Read);

    private static Required Write(string database) => new(false, database, UserPrivilege.Write);

    // influxql's RequiredPrivileges (ast.go), statement by statement.
    private static void RequiredPrivileges(Statement statement, List<Required> into)
    {
        switch (statement)
        {
            case SelectStatement s: Select(s, into); break;
            case ExplainStatement s: Select(s.Statement, into); break;
            case ShowDatabasesStatement: into.Add(new Required(false, "", UserPrivilege.None)); break;
            case ShowRetentionPoliciesStatement s: into.Add(Read(s.Database)); break;
            case ShowMeasurementsStatement s: into.Add(Read(s.Database)); break;
            case ShowSeriesStatement s: into.Add(Read(s.Database)); break;
            case ShowTagKeysStatement s: into.Add(Read(s.Database)); break;
            case ShowTagValuesStatement s: into.Add(Read(s.Database)); break;
            case ShowFieldKeysStatement s: into.Add(Read(s.Database)); break;
            // Estimated series and measurement counts read the database; exact counts and the tag key, tag value
            // and field key counts read their FROM sources, and need nothing without FROM.
            case ShowCardinalityStatement { Kind: CardinalityKind.Series or CardinalityKind.Measurement, Exact: false } s: into.Add(Read(s.Database)); break;
            case ShowCardinalityStatement s: Sources(s.Sources, into); break;
            case ShowTagValuesCardinalityStatement s: Sources(s.Sources, into); break;
            case ShowContinuousQueriesStatement: into.Add(Read("")); break;
            case ShowQueriesStatement: into.Add(Read("")); break;
            case CreateContinuousQueryStatement s:
                into.Add(Read(s.Database));
                // Writing into another database needs WRITE there.
                if (s.Source.Target is { Measurement.Database.Length: > 0 } target) into.Add(Write(target.Measurement.Database));
                break;
            case DropContinuousQueryStatement s: into.Add(Write(s.Database)); break;
            case DropRetentionPolicyStatement s: into.Add(Write(s.Database)); break;
            case DropSeriesStatement: into.Add(Write("")); break;
            case DeleteSeriesStatement: into.Add(Write("")); break;
            default: into.Add(Admin); break; // users, grants, databases, other policy statements, shards, subscriptions, stats, diagnostics, KILL, DROP MEASUREMENT
        }
    }

    private static void Sources(IReadOnlyList<Source>? sources, List<Required> into)
    {
        if (sources is null) return;
        foreach (var source in sources)
        {
            if (source is Measurement m) into.Add(Read(m.Database));
            else if (source is SubQuery q) Select(q.Statement, into);
        }
    }

    private static void Select(SelectStatement s, List<Required> into)
    {
        Sources(s.Sources, into);
        if (s.Target is { } target) into.Add(Write(target.Measurement.Database));
    }
}
