using System.Collections.Immutable;

namespace Cairn.Meta.Store;

/// <summary>
/// Applies meta commands to meta states. Pure and deterministic: no clock, no randomness, no I/O;
/// times come in the commands and ids from the state's counters, so every replica that applies the
/// same commands in the same order reaches the same state. Rules and texts follow InfluxDB 1.x
/// (services/meta/data.go, client.go, coordinator/statement_executor.go).
/// </summary>
public static partial class MetaStateMachine
{
    /// <summary>
    /// Applies <paramref name="command"/> to <paramref name="state"/>. <paramref name="next"/> always has
    /// <c>Index + 1</c> (a refused command is still an applied log entry); its content changes only when
    /// the result is ok and <see cref="MetaResult.Changed"/>.
    /// </summary>
    public static MetaResult Apply(MetaState state, MetaCommand command, out MetaState next)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        var outcome = command switch
        {
            CreateDatabaseCommand c => CreateDatabase(state, c),
            DropDatabaseCommand c => DropDatabase(state, c),
            CreateRetentionPolicyCommand c => CreateRetentionPolicy(state, c),
            UpdateRetentionPolicyCommand c => UpdateRetentionPolicy(state, c),
            DropRetentionPolicyCommand c => DropRetentionPolicy(state, c),
            SetDefaultRetentionPolicyCommand c => SetDefaultRetentionPolicy(state, c),
            CreateShardGroupCommand c => CreateShardGroup(state, c),
            DeleteShardGroupCommand c => DeleteShardGroup(state, c),
            DropShardCommand c => DropShard(state, c),
            TruncateShardGroupsCommand c => TruncateShardGroups(state, c),
            PruneShardGroupsCommand c => PruneShardGroups(state, c),
            CreateUserCommand c => CreateUser(state, c),
            DropUserCommand c => DropUser(state, c),
            UpdateUserCommand c => UpdateUser(state, c),
            SetPrivilegeCommand c => SetPrivilege(state, c),
            SetAdminPrivilegeCommand c => SetAdminPrivilege(state, c),
            CreateContinuousQueryCommand c => CreateContinuousQuery(state, c),
            DropContinuousQueryCommand c => DropContinuousQuery(state, c),
            CreateSubscriptionCommand c => CreateSubscription(state, c),
            DropSubscriptionCommand c => DropSubscription(state, c),
            CreateMetaNodeCommand c => CreateMetaNode(state, c),
            DeleteMetaNodeCommand c => DeleteMetaNode(state, c),
            CreateDataNodeCommand c => CreateDataNode(state, c),
            DeleteDataNodeCommand c => DeleteDataNode(state, c),
            UpdateDataNodeCommand c => UpdateDataNode(state, c),
            CreateRoleCommand c => CreateRole(state, c),
            DropRoleCommand c => DropRole(state, c),
            ChangeRoleUsersCommand c => ChangeRoleUsers(state, c),
            ChangeRolePermissionsCommand c => ChangeRolePermissions(state, c),
            _ => throw new ArgumentException($"unknown meta command {command.GetType().Name}", nameof(command)),
        };
        next = (outcome.State ?? state) with { Index = state.Index + 1 };
        return new MetaResult
        {
            Code = outcome.Code,
            Message = outcome.Message,
            Index = next.Index,
            Changed = outcome.State is not null,
            ShardGroupId = outcome.ShardGroupId,
            NodeId = outcome.NodeId,
        };
    }

    /// <summary>A command's effect: the new state (null when nothing changed) or a refusal.</summary>
    private readonly record struct Outcome(MetaState? State, MetaErrorCode Code, string Message, ulong ShardGroupId, ulong NodeId = 0)
    {
        public static Outcome Unchanged(ulong shardGroupId = 0) => new(null, MetaErrorCode.None, "", shardGroupId);
        public static Outcome To(MetaState state, ulong shardGroupId = 0) => new(state, MetaErrorCode.None, "", shardGroupId);
        public static Outcome Fail(MetaErrorCode code, string message) => new(null, code, message, 0);
    }

    private static readonly Outcome InvalidName = Outcome.Fail(MetaErrorCode.InvalidName, MetaErrors.InvalidName);
    private static readonly Outcome DurationTooLow = Outcome.Fail(MetaErrorCode.RetentionPolicyDurationTooLow, MetaErrors.RetentionPolicyDurationTooLow);
    private static readonly Outcome Conflict = Outcome.Fail(MetaErrorCode.RetentionPolicyConflict, MetaErrors.RetentionPolicyConflict);
    private static readonly Outcome IncompatibleDurations = Outcome.Fail(MetaErrorCode.IncompatibleDurations, MetaErrors.IncompatibleDurations);
    private static readonly Outcome ReplicationTooLow = Outcome.Fail(MetaErrorCode.ReplicationFactorTooLow, MetaErrors.ReplicationFactorTooLow);

    private static Outcome DatabaseNotFound(string name) => Outcome.Fail(MetaErrorCode.DatabaseNotFound, MetaErrors.DatabaseNotFound(name));
    private static Outcome RetentionPolicyNotFound(string name) => Outcome.Fail(MetaErrorCode.RetentionPolicyNotFound, MetaErrors.RetentionPolicyNotFound(name));

    // A finite duration under an hour is refused before anything else (client.go, CreateRetentionPolicy and
    // CreateDatabaseWithRetentionPolicy); 0 is infinite.
    private static bool TooShort(long? duration) => duration is { } d && d != 0 && d < RetentionRules.MinRetentionPolicyDuration;

    private static Outcome CreateDatabase(MetaState state, CreateDatabaseCommand c)
    {
        if (!MetaNames.TryNormalize(c.Name, out var name)) return InvalidName;
        var existing = state.Database(name);

        if (c.RetentionPolicy is not { } spec)
        {
            // CREATE DATABASE on an existing database is a no-op, whatever its policies (client.go CreateDatabase).
            if (existing is not null) return Outcome.Unchanged();
            var created = new DatabaseInfo(name, "", []);
            if (c.RetentionAutoCreate)
            {
                var autogen = new RetentionPolicyInfo(RetentionRules.DefaultRetentionPolicyName, DefaultReplicaN(state, c), 0,
                    RetentionRules.DefaultShardGroupDuration(0), []);
                var added = AddRetentionPolicy(created, name, autogen, makeDefault: true, out var failure);
                if (added is null) return failure;
                created = added;
            }
            return Outcome.To(PutDatabase(state, created));
        }

        // The policy name is checked only when given: WITH DURATION 1d alone names it autogen.
        if (!string.IsNullOrEmpty(spec.Name))
        {
            if (!MetaNames.TryNormalize(spec.Name, out var rpName)) return InvalidName;
            spec = spec with { Name = rpName };
        }
        if (TooShort(spec.Duration)) return DurationTooLow;

        var db = existing ?? new DatabaseInfo(name, "", []);
        var rpi = spec.ToInfo(string.IsNullOrEmpty(spec.Name) ? RetentionRules.DefaultRetentionPolicyName : spec.Name, DefaultReplicaN(state, c));
        if (db.RetentionPolicies.IsEmpty)
        {
            var added = AddRetentionPolicy(db, name, rpi, makeDefault: true, out var failure);
            if (added is null) return failure;
            db = added;
        }
        else if (!spec.Matches(db.RetentionPolicy(rpi.Name)))
        {
            // The database has policies and this one differs: repeating the statement is not idempotent.
            return Conflict;
        }

        // WITH … creates the default policy only; naming an existing non-default one is a conflict even if it matches.
        if (db.DefaultRetentionPolicy != rpi.Name) return Conflict;
        return ReferenceEquals(db, existing) ? Outcome.Unchanged() : Outcome.To(PutDatabase(state, db));
    }

    private static Outcome DropDatabase(MetaState state, DropDatabaseCommand c)
    {
        int i = state.IndexOfDatabase(c.Name);
        if (i < 0) return Outcome.Unchanged();
        // Users' privileges on the database go with it (data.go DropDatabase), so a new one of that name starts clean.
        return Outcome.To(state with { Databases = state.Databases.RemoveAt(i), Users = WithoutPrivilegesOn(state.Users, c.Name) });
    }

    private static Outcome CreateRetentionPolicy(MetaState state, CreateRetentionPolicyCommand c)
    {
        if (!MetaNames.TryNormalize(c.Database, out var dbName)) return InvalidName;
        if (!MetaNames.TryNormalize(c.Spec.Name, out var rpName)) return InvalidName;
        if (TooShort(c.Spec.Duration)) return DurationTooLow;

        var rpi = c.Spec.ToInfo(rpName, RetentionRules.DefaultReplicaN);
        var db = state.Database(dbName);
        var updated = AddRetentionPolicy(db, dbName, rpi, c.MakeDefault, out var failure);
        if (updated is null) return failure;
        return ReferenceEquals(updated, db) ? Outcome.Unchanged() : Outcome.To(PutDatabase(state, updated));
    }

    /// <summary>
    /// InfluxDB's Data.CreateRetentionPolicy, checks in its order. Returns <paramref name="db"/> itself when an
    /// identical policy exists, the changed database, or null with <paramref name="failure"/> set.
    /// </summary>
    private static DatabaseInfo? AddRetentionPolicy(DatabaseInfo? db, string dbName, RetentionPolicyInfo rpi, bool makeDefault, out Outcome failure)
    {
        failure = default;
        if (rpi.Name.Length == 0) { failure = Outcome.Fail(MetaErrorCode.RetentionPolicyNameRequired, MetaErrors.RetentionPolicyNameRequired); return null; }
        if (rpi.ReplicaN < 1) { failure = ReplicationTooLow; return null; }
        if (rpi.Duration > 0 && rpi.Duration < rpi.ShardGroupDuration) { failure = IncompatibleDurations; return null; }
        if (db is null) { failure = DatabaseNotFound(dbName); return null; }

        if (db.RetentionPolicy(rpi.Name) is { } existing)
        {
            if (existing.ReplicaN != rpi.ReplicaN || existing.Duration != rpi.Duration || existing.ShardGroupDuration != rpi.ShardGroupDuration)
            {
                failure = Outcome.Fail(MetaErrorCode.RetentionPolicyExists, MetaErrors.RetentionPolicyExists);
                return null;
            }
            // Asking for DEFAULT on an identical non-default policy is not the same statement.
            if (makeDefault && db.DefaultRetentionPolicy != rpi.Name) { failure = Conflict; return null; }
            return db;
        }

        return db with
        {
            RetentionPolicies = db.RetentionPolicies.Add(rpi),
            DefaultRetentionPolicy = makeDefault ? rpi.Name : db.DefaultRetentionPolicy,
        };
    }

    private static Outcome UpdateRetentionPolicy(MetaState state, UpdateRetentionPolicyCommand c)
    {
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        int at = db.IndexOfRetentionPolicy(c.Name);
        if (at < 0) return RetentionPolicyNotFound(c.Name);
        var rpi = db.RetentionPolicies[at];
        var u = c.Update;

        string newName = rpi.Name;
        if (u.Name is not null)
        {
            // InfluxQL cannot rename; the API can. The new name is held to the create rules (InfluxDB does not check it).
            if (!MetaNames.TryNormalize(u.Name, out newName)) return InvalidName;
            if (newName != c.Name && db.RetentionPolicy(newName) is not null)
                return Outcome.Fail(MetaErrorCode.RetentionPolicyNameExists, MetaErrors.RetentionPolicyNameExists);
        }
        if (TooShort(u.Duration)) return DurationTooLow;

        // The policy must outlive one shard group, comparing the new values (shard duration as given) with the old.
        bool incompatible = u.Duration is { } d
            ? d > 0 && d < (u.ShardGroupDuration ?? rpi.ShardGroupDuration)
            : rpi.Duration > 0 && u.ShardGroupDuration is { } sgd && rpi.Duration < sgd;
        if (incompatible) return IncompatibleDurations;
        // InfluxDB does not check here (the parser does); a policy with no copies would take no writes.
        if (u.ReplicaN is < 1) return ReplicationTooLow;

        long duration = u.Duration ?? rpi.Duration;
        var updated = rpi with
        {
            Name = newName,
            Duration = duration,
            ReplicaN = u.ReplicaN ?? rpi.ReplicaN,
            ShardGroupDuration = u.ShardGroupDuration is { } s ? RetentionRules.NormaliseShardGroupDuration(s, duration) : rpi.ShardGroupDuration,
        };

        // Renaming the default keeps it the default (InfluxDB would leave the old name behind).
        string defaultName = c.MakeDefault || db.DefaultRetentionPolicy == rpi.Name ? newName : db.DefaultRetentionPolicy;
        if (updated.Equals(rpi) && defaultName == db.DefaultRetentionPolicy) return Outcome.Unchanged();
        var changed = db with { RetentionPolicies = db.RetentionPolicies.SetItem(at, updated), DefaultRetentionPolicy = defaultName };
        return Outcome.To(PutDatabase(state, changed));
    }

    private static Outcome DropRetentionPolicy(MetaState state, DropRetentionPolicyCommand c)
    {
        // No database or no policy is not an error; dropping the default leaves its name as the default.
        var db = state.Database(c.Database);
        if (db is null) return Outcome.Unchanged();
        int at = db.IndexOfRetentionPolicy(c.Name);
        if (at < 0) return Outcome.Unchanged();
        return Outcome.To(PutDatabase(state, db with { RetentionPolicies = db.RetentionPolicies.RemoveAt(at) }));
    }

    private static Outcome SetDefaultRetentionPolicy(MetaState state, SetDefaultRetentionPolicyCommand c)
    {
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        if (db.RetentionPolicy(c.Name) is null) return RetentionPolicyNotFound(c.Name);
        if (db.DefaultRetentionPolicy == c.Name) return Outcome.Unchanged();
        return Outcome.To(PutDatabase(state, db with { DefaultRetentionPolicy = c.Name }));
    }

    private static Outcome CreateShardGroup(MetaState state, CreateShardGroupCommand c)
    {
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        int at = db.IndexOfRetentionPolicy(c.RetentionPolicy);
        if (at < 0) return RetentionPolicyNotFound(c.RetentionPolicy);
        var rpi = db.RetentionPolicies[at];

        if (rpi.ShardGroupByTimestamp(c.Timestamp) is { } existing) return Outcome.Unchanged(existing.Id);
        if (c.Timestamp < RetentionRules.MinTime || c.Timestamp > RetentionRules.MaxTime)
            return Outcome.Fail(MetaErrorCode.TimeOutOfRange, MetaErrors.TimeOutOfRange);

        ulong groupId = state.MaxShardGroupId + 1;
        ulong shardId = state.MaxShardId + 1;
        long start = RetentionRules.ShardGroupStart(c.Timestamp, rpi.ShardGroupDuration);
        long end = RetentionRules.ShardGroupEnd(start, rpi.ShardGroupDuration);
        var shards = c.Owners.IsEmpty && !state.DataNodes.IsEmpty
            ? LayOutShards(state.DataNodes, rpi.ReplicaN, groupId, shardId)
            : [new ShardInfo(shardId, c.Owners)];
        var group = new ShardGroupInfo(groupId, start, end, 0, 0, shards);

        var updated = rpi with { ShardGroups = Sorted(rpi.ShardGroups.Add(group)) };
        var next = PutDatabase(state, db with { RetentionPolicies = db.RetentionPolicies.SetItem(at, updated) })
            with { MaxShardGroupId = groupId, MaxShardId = shards[^1].Id };
        return Outcome.To(next, groupId);
    }

    /// <summary>
    /// The replication of autogen and of a CREATE DATABASE that names none: in a cluster, Enterprise's rule (the number
    /// of data nodes, or 2 from four data nodes on); on a single node, what the command carries.
    /// </summary>
    private static int DefaultReplicaN(MetaState state, CreateDatabaseCommand c) =>
        state.DataNodes.Length switch
        {
            0 => c.DefaultReplicaN,
            >= 4 => 2,
            var n => n,
        };

    private static Outcome DeleteShardGroup(MetaState state, DeleteShardGroupCommand c)
    {
        var db = state.Database(c.Database);
        if (db is null) return DatabaseNotFound(c.Database);
        int at = db.IndexOfRetentionPolicy(c.RetentionPolicy);
        if (at < 0) return RetentionPolicyNotFound(c.RetentionPolicy);
        var rpi = db.RetentionPolicies[at];

        for (int i = 0; i < rpi.ShardGroups.Length; i++)
        {
            var group = rpi.ShardGroups[i];
            if (group.Id != c.ShardGroupId) continue;
            if (group.DeletedAt == c.DeletedAt) return Outcome.Unchanged(group.Id);
            var updated = rpi with { ShardGroups = rpi.ShardGroups.SetItem(i, group with { DeletedAt = c.DeletedAt }) };
            return Outcome.To(PutDatabase(state, db with { RetentionPolicies = db.RetentionPolicies.SetItem(at, updated) }), group.Id);
        }
        return Outcome.Fail(MetaErrorCode.ShardGroupNotFound, MetaErrors.ShardGroupNotFound);
    }

    private static Outcome DropShard(MetaState state, DropShardCommand c)
    {
        for (int d = 0; d < state.Databases.Length; d++)
        {
            var db = state.Databases[d];
            for (int r = 0; r < db.RetentionPolicies.Length; r++)
            {
                var rpi = db.RetentionPolicies[r];
                for (int g = 0; g < rpi.ShardGroups.Length; g++)
                {
                    var group = rpi.ShardGroups[g];
                    for (int s = 0; s < group.Shards.Length; s++)
                    {
                        if (group.Shards[s].Id != c.ShardId) continue;
                        var shards = group.Shards.RemoveAt(s);
                        // The last shard gone means the group is gone, unless it was already marked deleted.
                        var changedGroup = group with
                        {
                            Shards = shards,
                            DeletedAt = shards.IsEmpty && !group.Deleted ? c.DroppedAt : group.DeletedAt,
                        };
                        var changedRp = rpi with { ShardGroups = rpi.ShardGroups.SetItem(g, changedGroup) };
                        var changedDb = db with { RetentionPolicies = db.RetentionPolicies.SetItem(r, changedRp) };
                        return Outcome.To(state with { Databases = state.Databases.SetItem(d, changedDb) }, group.Id);
                    }
                }
            }
        }
        return Outcome.Unchanged();
    }

    private static Outcome TruncateShardGroups(MetaState state, TruncateShardGroupsCommand c)
    {
        long t = c.Timestamp;
        return RewriteShardGroups(state, groups =>
        {
            ImmutableArray<ShardGroupInfo>.Builder? changed = null;
            for (int i = 0; i < groups.Length; i++)
            {
                var g = groups[i];
                // Skip groups that end by t, are deleted, or were already truncated earlier.
                if (t >= g.EndTime || g.Deleted || (g.Truncated && g.TruncatedAt < t)) continue;
                long at = t <= g.StartTime ? g.StartTime : t; // a group wholly after t takes no writes at all
                if (at == g.TruncatedAt) continue;
                changed ??= groups.ToBuilder();
                changed[i] = g with { TruncatedAt = at };
            }
            return changed is null ? groups : Sorted(changed.ToImmutable());
        });
    }

    private static Outcome PruneShardGroups(MetaState state, PruneShardGroupsCommand c) =>
        RewriteShardGroups(state, groups =>
        {
            // Kept: live groups, groups deleted recently, and groups whose shards are not all dropped yet.
            int keep = 0;
            foreach (var g in groups)
                if (!g.Deleted || g.DeletedAt >= c.ExpiredBefore || !g.Shards.IsEmpty) keep++;
            if (keep == groups.Length) return groups;
            var kept = ImmutableArray.CreateBuilder<ShardGroupInfo>(keep);
            foreach (var g in groups)
                if (!g.Deleted || g.DeletedAt >= c.ExpiredBefore || !g.Shards.IsEmpty) kept.Add(g);
            return kept.MoveToImmutable();
        });

    /// <summary>Runs <paramref name="rewrite"/> over every policy's shard groups, copying only what it changes.</summary>
    private static Outcome RewriteShardGroups(MetaState state, Func<ImmutableArray<ShardGroupInfo>, ImmutableArray<ShardGroupInfo>> rewrite)
    {
        ImmutableArray<DatabaseInfo>.Builder? dbs = null;
        for (int d = 0; d < state.Databases.Length; d++)
        {
            var db = state.Databases[d];
            ImmutableArray<RetentionPolicyInfo>.Builder? rps = null;
            for (int r = 0; r < db.RetentionPolicies.Length; r++)
            {
                var rpi = db.RetentionPolicies[r];
                var groups = rewrite(rpi.ShardGroups);
                if (groups == rpi.ShardGroups) continue;
                rps ??= db.RetentionPolicies.ToBuilder();
                rps[r] = rpi with { ShardGroups = groups };
            }
            if (rps is null) continue;
            dbs ??= state.Databases.ToBuilder();
            dbs[d] = db with { RetentionPolicies = rps.ToImmutable() };
        }
        return dbs is null ? Outcome.Unchanged() : Outcome.To(state with { Databases = dbs.ToImmutable() });
    }

    private static ImmutableArray<ShardGroupInfo> Sorted(ImmutableArray<ShardGroupInfo> groups)
    {
        var array = groups.ToArray();
        Array.Sort(array, ShardGroupInfo.Compare); // a total order (ids are unique), so the unstable sort is deterministic
        return ImmutableArray.Create(array);
    }

    private static MetaState PutDatabase(MetaState state, DatabaseInfo db)
    {
        int i = state.IndexOfDatabase(db.Name);
        return state with { Databases = i < 0 ? state.Databases.Add(db) : state.Databases.SetItem(i, db) };
    }
}
