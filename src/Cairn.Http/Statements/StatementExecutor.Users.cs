using Cairn.Meta.Auth;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Results;

namespace Cairn.Http.Statements;

// Users and privileges, continuous queries and subscriptions: coordinator.StatementExecutor's answers.
public sealed partial class StatementExecutor
{
    private static readonly string[] UserColumns = ["user", "admin"];
    private static readonly string[] GrantColumns = ["database", "privilege"];
    private static readonly string[] ContinuousQueryColumns = ["name", "query"];
    private static readonly string[] SubscriptionColumns = ["retention_policy", "name", "mode", "destinations"];

    private PasswordHasher _passwords = new();

    /// <summary>Hashes new passwords (and checks a repeated CREATE USER); share it with the HTTP authenticator for its cache.</summary>
    public PasswordHasher Passwords { get => _passwords; init => _passwords = value ?? throw new ArgumentNullException(nameof(value)); }

    private async ValueTask<string?> CreateUserAsync(CreateUserStatement s, CancellationToken cancellationToken)
    {
        // The same user again with the same password and admin flag is not an error (meta client.go CreateUser).
        if (_meta.Current.User(s.Name) is { } existing)
            return existing.Admin == s.Admin && _passwords.Verify(s.Name, s.Password, existing.Hash) ? null : "user already exists";
        return await ExecuteMetaAsync(new CreateUserCommand(s.Name, _passwords.Hash(s.Password), s.Admin), cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<string?> SetPasswordAsync(SetPasswordUserStatement s, CancellationToken cancellationToken)
    {
        if (_meta.Current.User(s.Name) is null) return ValueTask.FromResult<string?>("user not found");
        return ExecuteMetaAsync(new UpdateUserCommand(s.Name, _passwords.Hash(s.Password)), cancellationToken);
    }

    private ValueTask<string?> RevokeAsync(RevokeStatement s, CancellationToken cancellationToken)
    {
        // Revoking ALL needs no lookup; otherwise the revoked bits are cleared from what the user has.
        var privilege = UserPrivilege.None;
        if (s.Privilege != Privilege.All)
        {
            if (_meta.Current.User(s.User) is not { } user) return ValueTask.FromResult<string?>("user not found");
            privilege = user.PrivilegeOn(s.On) & ~ToUserPrivilege(s.Privilege);
        }
        return ExecuteMetaAsync(new SetPrivilegeCommand(s.User, s.On, privilege), cancellationToken);
    }

    private string? ShowUsers(QueryResult result)
    {
        var series = new ResultSeries("", UserColumns);
        foreach (var user in _meta.Current.Users) series.Values.Add([user.Name, user.Admin]);
        result.Series.Add(series);
        return null;
    }

    private string? ShowGrants(ShowGrantsForUserStatement s, QueryResult result)
    {
        if (_meta.Current.User(s.Name) is not { } user) return "user not found";
        var series = new ResultSeries("", GrantColumns);
        foreach (var p in user.Privileges) series.Values.Add([p.Database, ToPrivilege(p.Privilege).Text()]);
        result.Series.Add(series);
        return null;
    }

    internal static UserPrivilege ToUserPrivilege(Privilege p) => p switch
    {
        Privilege.Read => UserPrivilege.Read,
        Privilege.Write => UserPrivilege.Write,
        Privilege.All => UserPrivilege.All,
        _ => UserPrivilege.None,
    };

    internal static Privilege ToPrivilege(UserPrivilege p) => p switch
    {
        UserPrivilege.Read => Privilege.Read,
        UserPrivilege.Write => Privilege.Write,
        UserPrivilege.All => Privilege.All,
        _ => Privilege.NoPrivileges,
    };

    /// <summary>
    /// Stores the statement with every measurement qualified (the CQ's database, its default policy), after checking
    /// that each named policy exists — the text SHOW CONTINUOUS QUERIES prints and the CQ service will run.
    /// </summary>
    private ValueTask<string?> CreateContinuousQueryAsync(CreateContinuousQueryStatement s, CancellationToken cancellationToken)
    {
        var state = _meta.Current;
        string? error = null;
        var source = Qualify(s.Source, s.Database, state, ref error);
        if (error is not null) return ValueTask.FromResult<string?>(error);
        var normalized = s with { Source = source };
        return ExecuteMetaAsync(new CreateContinuousQueryCommand(s.Database, s.Name, normalized.ToString()), cancellationToken);
    }

    private static SelectStatement Qualify(SelectStatement select, string database, MetaState state, ref string? error)
    {
        var sources = new Source[select.Sources.Count];
        for (int i = 0; i < sources.Length; i++)
        {
            sources[i] = select.Sources[i] switch
            {
                Measurement m => Qualify(m, database, state, ref error),
                SubQuery q => new SubQuery(Qualify(q.Statement, database, state, ref error)),
                var other => other,
            };
        }
        var target = select.Target is { } t ? new Target(Qualify(t.Measurement, database, state, ref error)) : null;
        return select with { Sources = NodeList.Create<Source>(sources), Target = target };
    }

    private static Measurement Qualify(Measurement m, string database, MetaState state, ref string? error)
    {
        string db = m.Database.Length != 0 ? m.Database : database;
        if (state.Database(db) is not { } info)
        {
            error ??= MetaErrorTexts.DatabaseNotFound(db);
            return m;
        }
        string rp = m.RetentionPolicy.Length != 0 ? m.RetentionPolicy : info.DefaultRetentionPolicy;
        if (rp.Length == 0)
        {
            error ??= MetaErrorTexts.DefaultRetentionPolicyNotSet(db);
            return m;
        }
        if (info.RetentionPolicy(rp) is null) error ??= "retention policy not found: " + db + "." + rp;
        return m with { Database = db, RetentionPolicy = rp };
    }

    private string? ShowContinuousQueries(QueryResult result)
    {
        foreach (var db in _meta.Current.Databases)
        {
            var series = new ResultSeries(db.Name, ContinuousQueryColumns);
            foreach (var cq in db.ContinuousQueries) series.Values.Add([cq.Name, cq.Query]);
            result.Series.Add(series);
        }
        return null;
    }

    private ValueTask<string?> CreateSubscriptionAsync(CreateSubscriptionStatement s, CancellationToken cancellationToken)
    {
        var mode = s.Mode == "ANY" ? SubscriptionMode.Any : SubscriptionMode.All;
        var destinations = System.Collections.Immutable.ImmutableArray.CreateRange(s.Destinations);
        return ExecuteMetaAsync(new CreateSubscriptionCommand(s.Database, s.RetentionPolicy, s.Name, mode) { Destinations = destinations }, cancellationToken);
    }

    /// <summary>A series per database that has subscriptions; databases without any are left out.</summary>
    private string? ShowSubscriptions(QueryResult result)
    {
        foreach (var db in _meta.Current.Databases)
        {
            var series = new ResultSeries(db.Name, SubscriptionColumns);
            foreach (var rp in db.RetentionPolicies)
                foreach (var sub in rp.Subscriptions) series.Values.Add([rp.Name, sub.Name, sub.ModeText, sub.Destinations.ToArray()]);
            if (series.Values.Count > 0) result.Series.Add(series);
        }
        return null;
    }
}
