using System.Collections.Immutable;

namespace Cairn.Meta.Store;

// Users and privileges, continuous queries and subscriptions: InfluxDB's data.go rules and texts.
public static partial class MetaStateMachine
{
    private static readonly Outcome UserNotFound = Outcome.Fail(MetaErrorCode.UserNotFound, MetaErrors.UserNotFound);

    private static Outcome CreateUser(MetaState state, CreateUserCommand c)
    {
        if (c.Name.Length == 0) return Outcome.Fail(MetaErrorCode.UsernameRequired, MetaErrors.UsernameRequired);
        // The executor answers an identical repeat (same password and admin flag) before it gets here.
        if (state.User(c.Name) is not null) return Outcome.Fail(MetaErrorCode.UserExists, MetaErrors.UserExists);
        return Outcome.To(state with { Users = state.Users.Add(new UserInfo(c.Name, c.Hash, c.Admin, [])) });
    }

    private static Outcome DropUser(MetaState state, DropUserCommand c)
    {
        int i = state.IndexOfUser(c.Name);
        return i < 0 ? UserNotFound : Outcome.To(WithoutRoleMember(state with { Users = state.Users.RemoveAt(i) }, c.Name));
    }

    private static Outcome UpdateUser(MetaState state, UpdateUserCommand c)
    {
        int i = state.IndexOfUser(c.Name);
        if (i < 0) return UserNotFound;
        var user = state.Users[i];
        return user.Hash == c.Hash ? Outcome.Unchanged() : Outcome.To(state with { Users = state.Users.SetItem(i, user with { Hash = c.Hash }) });
    }

    private static Outcome SetPrivilege(MetaState state, SetPrivilegeCommand c)
    {
        int i = state.IndexOfUser(c.User);
        if (i < 0) return UserNotFound;
        if (state.Database(c.Database) is null) return DatabaseNotFound(c.Database);
        var user = state.Users[i];
        var updated = user.WithPrivilege(c.Database, c.Privilege);
        return updated.Equals(user) ? Outcome.Unchanged() : Outcome.To(state with { Users = state.Users.SetItem(i, updated) });
    }

    private static Outcome SetAdminPrivilege(MetaState state, SetAdminPrivilegeCommand c)
    {
        int i = state.IndexOfUser(c.User);
        if (i < 0) return UserNotFound;
        var user = state.Users[i];
        return user.Admin == c.Admin ? Outcome.Unchanged() : Outcome.To(state with { Users = state.Users.SetItem(i, user with { Admin = c.Admin }) });
    }

    private static ImmutableArray<UserInfo> WithoutPrivilegesOn(ImmutableArray<UserInfo> users, string database)
    {
        ImmutableArray<UserInfo>.Builder? changed = null;
        for (int u = 0; u < users.Length; u++)
        {
            var user = users[u];
            for (int p = 0; p < user.Privileges.Length; p++)
            {
                if (user.Privileges[p].Database != database) continue;
                changed ??= users.ToBuilder();
                changed[u] = user with { Privileges = user.Privileges.RemoveAt(p) };
                break;
            }
        }
        return changed is null ? users : changed.ToImmutable();
    }

    private static Outcome CreateContinuousQuery(MetaState state, CreateContinuousQueryCommand c)
    {
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        foreach (var cq in db.ContinuousQueries)
        {
            if (cq.Name != c.Name) continue;
            // The same query again is a no-op; another under the same name would silently replace it.
            return string.Equals(cq.Query.ToLowerInvariant(), c.Query.ToLowerInvariant(), StringComparison.Ordinal)
                ? Outcome.Unchanged()
                : Outcome.Fail(MetaErrorCode.ContinuousQueryExists, MetaErrors.ContinuousQueryExists);
        }
        return Outcome.To(PutDatabase(state, db with { ContinuousQueries = db.ContinuousQueries.Add(new ContinuousQueryInfo(c.Name, c.Query)) }));
    }

    private static Outcome DropContinuousQuery(MetaState state, DropContinuousQueryCommand c)
    {
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        for (int i = 0; i < db.ContinuousQueries.Length; i++)
        {
            if (db.ContinuousQueries[i].Name == c.Name)
                return Outcome.To(PutDatabase(state, db with { ContinuousQueries = db.ContinuousQueries.RemoveAt(i) }));
        }
        return Outcome.Fail(MetaErrorCode.ContinuousQueryNotFound, MetaErrors.ContinuousQueryNotFound);
    }

    private static Outcome CreateSubscription(MetaState state, CreateSubscriptionCommand c)
    {
        foreach (var destination in c.Destinations)
        {
            if (!IsValidSubscriptionUrl(destination))
                return Outcome.Fail(MetaErrorCode.InvalidSubscriptionUrl, MetaErrors.InvalidSubscriptionUrl(destination));
        }
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        int at = db.IndexOfRetentionPolicy(c.RetentionPolicy);
        if (at < 0) return RetentionPolicyNotFound(c.RetentionPolicy);
        var rpi = db.RetentionPolicies[at];
        foreach (var sub in rpi.Subscriptions)
            if (sub.Name == c.Name) return Outcome.Fail(MetaErrorCode.SubscriptionExists, MetaErrors.SubscriptionExists);
        var updated = rpi with { Subscriptions = rpi.Subscriptions.Add(new SubscriptionInfo(c.Name, c.Mode, c.Destinations)) };
        return Outcome.To(PutDatabase(state, db with { RetentionPolicies = db.RetentionPolicies.SetItem(at, updated) }));
    }

    private static Outcome DropSubscription(MetaState state, DropSubscriptionCommand c)
    {
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        int at = db.IndexOfRetentionPolicy(c.RetentionPolicy);
        if (at < 0) return RetentionPolicyNotFound(c.RetentionPolicy);
        var rpi = db.RetentionPolicies[at];
        for (int i = 0; i < rpi.Subscriptions.Length; i++)
        {
            if (rpi.Subscriptions[i].Name != c.Name) continue;
            var updated = rpi with { Subscriptions = rpi.Subscriptions.RemoveAt(i) };
            return Outcome.To(PutDatabase(state, db with { RetentionPolicies = db.RetentionPolicies.SetItem(at, updated) }));
        }
        return Outcome.Fail(MetaErrorCode.SubscriptionNotFound, MetaErrors.SubscriptionNotFound);
    }

    /// <summary>
    /// InfluxDB's validateURL: scheme udp, http or https (Go lower-cases it) and a host with a non-empty port
    /// (net.SplitHostPort: one colon, or a bracketed IPv6 address then a colon).
    /// </summary>
    internal static bool IsValidSubscriptionUrl(string url)
    {
        int colon = url.IndexOf(':');
        if (colon <= 0) return false;
        string scheme = url[..colon].ToLowerInvariant();
        if (scheme is not ("udp" or "http" or "https")) return false;
        var rest = url.AsSpan(colon + 1);
        if (!rest.StartsWith("//")) return false;
        rest = rest[2..];
        int end = rest.IndexOfAny('/', '?', '#');
        var authority = end < 0 ? rest : rest[..end];
        var host = authority[(authority.LastIndexOf('@') + 1)..];
        ReadOnlySpan<char> port;
        if (host.StartsWith("["))
        {
            int close = host.IndexOf(']');
            if (close < 0 || close + 1 >= host.Length || host[close + 1] != ':') return false;
            port = host[(close + 2)..];
        }
        else
        {
            int last = host.LastIndexOf(':');
            if (last < 0 || host[..last].Contains(':')) return false;
            port = host[(last + 1)..];
        }
        return port.Length != 0;
    }
}
