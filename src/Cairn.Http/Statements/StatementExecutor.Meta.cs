using Cairn.Meta.Client;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Results;

namespace Cairn.Http.Statements;

// Databases, retention policies, shards and shard groups: statements answered from the meta store.
public sealed partial class StatementExecutor
{
    private const string WriteLimitsNotSupported = "FUTURE LIMIT and PAST LIMIT are not supported";

    private static readonly string[] DatabaseColumns = ["name"];
    private static readonly string[] RetentionPolicyColumns =
        ["name", "duration", "shardGroupDuration", "replicaN", "futureWriteLimit", "pastWriteLimit", "default"];
    private static readonly string[] ShardColumns =
        ["id", "database", "retention_policy", "shard_group", "start_time", "end_time", "expiry_time", "owners"];
    private static readonly string[] ShardGroupColumns = ["id", "database", "retention_policy", "start_time", "end_time", "expiry_time"];

    private async ValueTask<string?> ExecuteMetaAsync(MetaCommand command, CancellationToken cancellationToken)
    {
        MetaResult outcome;
        try { outcome = await _meta.ExecuteAsync(command, cancellationToken).ConfigureAwait(false); }
        catch (MetaUnavailableException e) { return e.Message; }
        return outcome.IsOk ? null : outcome.Message;
    }

    private ValueTask<string?> CreateDatabaseAsync(CreateDatabaseStatement s, CancellationToken cancellationToken)
    {
        if (s.FutureWriteLimit is > 0 || s.PastWriteLimit is > 0) return ValueTask.FromResult<string?>(WriteLimitsNotSupported);
        RetentionPolicySpec? spec = s.RetentionPolicyCreate
            ? new RetentionPolicySpec(s.RetentionPolicyName.Length == 0 ? null : s.RetentionPolicyName,
                s.RetentionPolicyDuration, s.RetentionPolicyReplication, s.RetentionPolicyShardGroupDuration)
            : null;
        return ExecuteMetaAsync(new CreateDatabaseCommand(s.Name, spec, _retentionAutoCreate), cancellationToken);
    }

    private async ValueTask<string?> DropDatabaseAsync(DropDatabaseStatement s, CancellationToken cancellationToken)
    {
        // Dropping a database that does not exist is not an error; the shards go before the metadata.
        if (_meta.Current.Database(s.Name) is null) return null;
        await _shards.DeleteDatabaseAsync(s.Name, cancellationToken).ConfigureAwait(false);
        // In a cluster every data node removes its own shards first; meta keeps the database when one cannot (retry completes it).
        if (await FanOutAsync(s, s.Name, Now(), cancellationToken).ConfigureAwait(false) is { } error) return error;
        return await ExecuteMetaAsync(new DropDatabaseCommand(s.Name), cancellationToken).ConfigureAwait(false);
    }

    private string? ShowDatabases(ExecutionOptions options, QueryResult result)
    {
        var series = new ResultSeries("databases", DatabaseColumns);
        // A user sees the databases it may read or write (an admin, or no authentication: all of them).
        foreach (var db in _meta.Current.Databases)
            if (options.User is not { } user || _meta.Current.Authorizes(user, UserPrivilege.Read, db.Name) || _meta.Current.Authorizes(user, UserPrivilege.Write, db.Name))
                series.Values.Add([db.Name]);
        result.Series.Add(series);
        return null;
    }

    private ValueTask<string?> CreateRetentionPolicyAsync(CreateRetentionPolicyStatement s, CancellationToken cancellationToken)
    {
        if (s.FutureWriteLimit != 0 || s.PastWriteLimit != 0) return ValueTask.FromResult<string?>(WriteLimitsNotSupported);
        var spec = new RetentionPolicySpec(s.Name, s.Duration, s.Replication, s.ShardGroupDuration);
        return ExecuteMetaAsync(new CreateRetentionPolicyCommand(s.Database, spec, s.Default), cancellationToken);
    }

    private ValueTask<string?> AlterRetentionPolicyAsync(AlterRetentionPolicyStatement s, CancellationToken cancellationToken)
    {
        if (s.FutureWriteLimit is > 0 || s.PastWriteLimit is > 0) return ValueTask.FromResult<string?>(WriteLimitsNotSupported);
        var update = new RetentionPolicyUpdate(null, s.Duration, s.Replication, s.ShardGroupDuration);
        return ExecuteMetaAsync(new UpdateRetentionPolicyCommand(s.Database, s.Name, update, s.Default), cancellationToken);
    }

    private async ValueTask<string?> DropRetentionPolicyAsync(DropRetentionPolicyStatement s, CancellationToken cancellationToken)
    {
        // No database or no policy is not an error (InfluxDB returns nil for both).
        if (_meta.Current.RetentionPolicy(s.Database, s.Name) is null) return null;
        await _shards.DeleteRetentionPolicyAsync(s.Database, s.Name, cancellationToken).ConfigureAwait(false);
        if (await FanOutAsync(s, s.Database, Now(), cancellationToken).ConfigureAwait(false) is { } error) return error;
        return await ExecuteMetaAsync(new DropRetentionPolicyCommand(s.Database, s.Name), cancellationToken).ConfigureAwait(false);
    }

    private string? ShowRetentionPolicies(ShowRetentionPoliciesStatement s, ExecutionOptions options, QueryResult result)
    {
        string name = Database(s.Database, options);
        if (name.Length == 0) return DatabaseNameRequired;
        if (_meta.Current.Database(name) is not { } db) return MetaErrorTexts.DatabaseNotFound(name);
        var series = new ResultSeries("", RetentionPolicyColumns);
        foreach (var rp in db.RetentionPolicies)
        {
            series.Values.Add([rp.Name, ResultText.Duration(rp.Duration), ResultText.Duration(rp.ShardGroupDuration), (long)rp.ReplicaN,
                "0s", "0s", db.DefaultRetentionPolicy == rp.Name]);
        }
        result.Series.Add(series);
        return null;
    }

    private string? ShowShards(QueryResult result)
    {
        foreach (var db in _meta.Current.Databases)
        {
            var series = new ResultSeries(db.Name, ShardColumns);
            foreach (var rp in db.RetentionPolicies)
            {
                foreach (var group in rp.ShardGroups)
                {
                    if (group.Deleted) continue; // the shards of deleted groups are effectively gone
                    // An infinite policy never expires its shards: InfluxDB shows no expiry (influxdb#21794).
                    string expiry = rp.Duration == 0 ? "" : ResultText.Rfc3339((Int128)group.EndTime + rp.Duration);
                    foreach (var shard in group.Shards)
                    {
                        series.Values.Add([shard.Id, db.Name, rp.Name, group.Id, ResultText.Rfc3339(group.StartTime),
                            ResultText.Rfc3339(group.EndTime), expiry, string.Join(',', shard.Owners)]);
                    }
                }
            }
            result.Series.Add(series);
        }
        return null;
    }

    private string? ShowShardGroups(QueryResult result)
    {
        var series = new ResultSeries("shard groups", ShardGroupColumns);
        foreach (var db in _meta.Current.Databases)
        {
            foreach (var rp in db.RetentionPolicies)
            {
                foreach (var group in rp.ShardGroups)
                {
                    if (group.Deleted) continue;
                    series.Values.Add([group.Id, db.Name, rp.Name, ResultText.Rfc3339(group.StartTime), ResultText.Rfc3339(group.EndTime),
                        ResultText.Rfc3339((Int128)group.EndTime + rp.Duration)]);
                }
            }
        }
        result.Series.Add(series);
        return null;
    }

    private async ValueTask<string?> DropShardAsync(DropShardStatement s, CancellationToken cancellationToken)
    {
        await _shards.DeleteShardAsync(s.Id, cancellationToken).ConfigureAwait(false);
        if (await FanOutAsync(s, "", Now(), cancellationToken).ConfigureAwait(false) is { } error) return error;
        return await ExecuteMetaAsync(new DropShardCommand(s.Id, Now()), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>InfluxDB's texts for lookups the executor does itself (influxdb.ErrDatabaseNotFound and friends).</summary>
internal static class MetaErrorTexts
{
    public static string DatabaseNotFound(string name) => "database not found: " + name;

    public static string RetentionPolicyNotFound(string name) => "retention policy not found: " + name;

    public static string DefaultRetentionPolicyNotSet(string database) => "default retention policy not set for: " + database;
}
