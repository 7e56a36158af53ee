using System.Runtime.CompilerServices;
using Cairn.Cluster;
using Cairn.Meta.Store;
using Cairn.Query.Ast;
using Cairn.Query.Results;
using Cairn.Storage.Engine;

namespace Cairn.Http.Statements;

/// <summary>
/// Runs InfluxQL statements other than SELECT against the meta store and this node's shards, answering as
/// InfluxDB 1.x's coordinator.StatementExecutor does (texts, columns, ordering). Statements that need the
/// query engine answer <c>not implemented: …</c> per statement.
/// </summary>
/// <remarks>
/// As InfluxDB's query executor, the first statement that fails stops the query: the statements after it
/// answer <c>not executed</c>. Each statement reads one <see cref="MetaState"/> snapshot.
/// </remarks>
public sealed partial class StatementExecutor
{
    internal const string DatabaseNameRequired = "database name required";
    internal const string NotExecuted = "not executed";

    private readonly IMetaStore _meta;
    private readonly IShardCatalog _shards;
    private readonly TimeProvider _time;
    private readonly bool _retentionAutoCreate;

    /// <summary>
    /// The data plane of a clustered data node: shards owned by other nodes are read (and deletes fanned out) through
    /// it. Null, or a node that is not in a cluster, means every shard is this node's.
    /// </summary>
    public ClusterContext? Cluster { get; init; }

    /// <param name="meta">Databases, retention policies and shard groups.</param>
    /// <param name="shards">The shards this node holds.</param>
    /// <param name="timeProvider">The clock for <c>now()</c> and for meta command times; the system clock by default.</param>
    /// <param name="retentionAutoCreate"><c>[meta] retention-autocreate</c>: CREATE DATABASE makes the autogen policy.</param>
    public StatementExecutor(IMetaStore meta, IShardCatalog shards, TimeProvider? timeProvider = null, bool retentionAutoCreate = true)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(shards);
        _meta = meta;
        _shards = shards;
        _time = timeProvider ?? TimeProvider.System;
        _retentionAutoCreate = retentionAutoCreate;
    }

    /// <summary>
    /// Runs the statements of <paramref name="query"/> in order and yields one result per statement (the
    /// seam for chunked output: a later SELECT may yield several per statement, marked partial).
    /// </summary>
    public async IAsyncEnumerable<QueryResult> ExecuteAsync(InfluxQuery query, ExecutionOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        var statements = query.Statements;
        for (int i = 0; i < statements.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await ExecuteStatementAsync(statements[i], i, options, cancellationToken).ConfigureAwait(false);
            if (statements[i] is SelectStatement && result.Error is null && result.Series.Count > 0)
            {
                foreach (var chunk in Chunks(result, options.ChunkSize)) yield return chunk;
                continue;
            }
            yield return result;
            if (result.Error is null) continue;
            for (int j = i + 1; j < statements.Count; j++) yield return QueryResult.Failed(j, NotExecuted);
            yield break;
        }
    }

    /// <summary>Runs one statement as statement <paramref name="statementId"/> of its query.</summary>
    public async ValueTask<QueryResult> ExecuteStatementAsync(Statement statement, int statementId, ExecutionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(options);
        var result = new QueryResult(statementId);
        if (options.ReadOnly && WarnsWhenReadOnly(statement))
            result.Messages.Add(new ResultMessage(ResultMessage.WarningLevel,
                "deprecated use of '" + statement + "' in a read only context, please use a POST request instead"));

        string? error = statement switch
        {
            CreateDatabaseStatement s => await CreateDatabaseAsync(s, cancellationToken).ConfigureAwait(false),
            DropDatabaseStatement s => await DropDatabaseAsync(s, cancellationToken).ConfigureAwait(false),
            ShowDatabasesStatement => ShowDatabases(options, result),
            CreateRetentionPolicyStatement s => await CreateRetentionPolicyAsync(s, cancellationToken).ConfigureAwait(false),
            AlterRetentionPolicyStatement s => await AlterRetentionPolicyAsync(s, cancellationToken).ConfigureAwait(false),
            DropRetentionPolicyStatement s => await DropRetentionPolicyAsync(s, cancellationToken).ConfigureAwait(false),
            ShowRetentionPoliciesStatement s => ShowRetentionPolicies(s, options, result),
            ShowShardsStatement => ShowShards(result),
            ShowShardGroupsStatement => ShowShardGroups(result),
            DropShardStatement s => await DropShardAsync(s, cancellationToken).ConfigureAwait(false),
            ShowMeasurementsStatement s => await ShowMeasurementsAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            ShowSeriesStatement s => await ShowSeriesAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            ShowTagKeysStatement s => await ShowTagKeysAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            ShowTagValuesStatement s => await ShowTagValuesAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            ShowFieldKeysStatement s => await ShowFieldKeysAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            ShowCardinalityStatement s => await ShowCardinalityAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            ShowTagValuesCardinalityStatement s => await ShowTagValuesCardinalityAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            DropMeasurementStatement s => await DropMeasurementAsync(s, options, cancellationToken).ConfigureAwait(false),
            DropSeriesStatement s => await DeleteSeriesAsync(s.Sources, s.Condition, drop: true, options, cancellationToken).ConfigureAwait(false),
            DeleteSeriesStatement s => await DeleteSeriesAsync(s.Sources, s.Condition, drop: false, options, cancellationToken).ConfigureAwait(false),
            ShowContinuousQueriesStatement => ShowContinuousQueries(result),
            CreateContinuousQueryStatement s => await CreateContinuousQueryAsync(s, cancellationToken).ConfigureAwait(false),
            DropContinuousQueryStatement s => await ExecuteMetaAsync(new DropContinuousQueryCommand(s.Database, s.Name), cancellationToken).ConfigureAwait(false),
            ShowSubscriptionsStatement => ShowSubscriptions(result),
            CreateSubscriptionStatement s => await CreateSubscriptionAsync(s, cancellationToken).ConfigureAwait(false),
            DropSubscriptionStatement s => await ExecuteMetaAsync(new DropSubscriptionCommand(s.Database, s.RetentionPolicy, s.Name), cancellationToken).ConfigureAwait(false),
            ShowUsersStatement => ShowUsers(result),
            ShowGrantsForUserStatement s => ShowGrants(s, result),
            CreateUserStatement s => await CreateUserAsync(s, cancellationToken).ConfigureAwait(false),
            DropUserStatement s => await ExecuteMetaAsync(new DropUserCommand(s.Name), cancellationToken).ConfigureAwait(false),
            SetPasswordUserStatement s => await SetPasswordAsync(s, cancellationToken).ConfigureAwait(false),
            GrantStatement s => await ExecuteMetaAsync(new SetPrivilegeCommand(s.User, s.On, ToUserPrivilege(s.Privilege)), cancellationToken).ConfigureAwait(false),
            GrantAdminStatement s => await ExecuteMetaAsync(new SetAdminPrivilegeCommand(s.User, true), cancellationToken).ConfigureAwait(false),
            RevokeStatement s => await RevokeAsync(s, cancellationToken).ConfigureAwait(false),
            RevokeAdminStatement s => await ExecuteMetaAsync(new SetAdminPrivilegeCommand(s.User, false), cancellationToken).ConfigureAwait(false),
            ShowQueriesStatement => await ShowQueriesAsync(result, cancellationToken).ConfigureAwait(false),
            KillQueryStatement s => await KillQueryAsync(s, cancellationToken).ConfigureAwait(false),
            ShowStatsStatement s => ShowStats(s, result),
            ShowDiagnosticsStatement s => ShowDiagnostics(s, result),
            SelectStatement s => await SelectAsync(s, options, result, cancellationToken).ConfigureAwait(false),
            ExplainStatement s => Explain(s, options, result, cancellationToken),
            _ => "not implemented: " + Describe(statement),
        };
        if (error is not null)
        {
            result.Series.Clear();
            result.Error = error;
        }
        return result;
    }

    // coordinator.StatementExecutor adds query.ReadOnlyWarning to exactly these statements.
    private static bool WarnsWhenReadOnly(Statement statement) => statement is AlterRetentionPolicyStatement
        or CreateContinuousQueryStatement or CreateDatabaseStatement or CreateRetentionPolicyStatement
        or CreateSubscriptionStatement or CreateUserStatement or DropContinuousQueryStatement or DropDatabaseStatement
        or DropMeasurementStatement or DropSeriesStatement or DropRetentionPolicyStatement or DropShardStatement
        or DropSubscriptionStatement or DropUserStatement or GrantStatement or GrantAdminStatement or RevokeStatement
        or RevokeAdminStatement or SetPasswordUserStatement or KillQueryStatement;

    private static string Describe(Statement statement) => statement switch
    {
        SelectStatement => "SELECT",
        ExplainStatement => "EXPLAIN",
        CreateUserStatement => "CREATE USER",
        DropUserStatement => "DROP USER",
        SetPasswordUserStatement => "SET PASSWORD",
        GrantStatement or GrantAdminStatement => "GRANT",
        RevokeStatement or RevokeAdminStatement => "REVOKE",
        CreateContinuousQueryStatement => "CREATE CONTINUOUS QUERY",
        DropContinuousQueryStatement => "DROP CONTINUOUS QUERY",
        CreateSubscriptionStatement => "CREATE SUBSCRIPTION",
        DropSubscriptionStatement => "DROP SUBSCRIPTION",
        ShowQueriesStatement => "SHOW QUERIES",
        KillQueryStatement => "KILL QUERY",
        ShowStatsStatement => "SHOW STATS",
        ShowDiagnosticsStatement => "SHOW DIAGNOSTICS",
        _ => statement.GetType().Name,
    };

    /// <summary>The current time in Unix nanoseconds (at the clock's 100 ns resolution).</summary>
    private long Now() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100L;

    private static string Database(string statementDatabase, ExecutionOptions options) =>
        statementDatabase.Length != 0 ? statementDatabase : options.Database;
}
