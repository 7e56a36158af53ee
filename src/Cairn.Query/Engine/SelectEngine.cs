using System.Text.RegularExpressions;
using Cairn.Query.Ast;
using Cairn.Query.Results;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

/// <summary>
/// Finds the shards a FROM source reads: <paramref name="database"/> and <paramref name="retentionPolicy"/> as the
/// source names them ("" when not given; the resolver applies the request's and the database's defaults).
/// </summary>
public delegate bool ShardResolver(string database, string retentionPolicy, out IReadOnlyList<IShardReader> shards, out string? error);

/// <summary>What a SELECT runs against: the shards of its sources and the statement's <c>now()</c>.</summary>
public sealed class SelectContext(ShardResolver resolve, long now)
{
    public ShardResolver Resolve { get; } = resolve;

    /// <summary>now() in Unix nanoseconds.</summary>
    public long Now { get; } = now;

    /// <summary>The <c>[cluster]</c> limits on the statement.</summary>
    public SelectLimits Limits { get; init; } = SelectLimits.None;

    /// <summary>KILL QUERY, query-timeout or the client leaving: checked as each series is read.</summary>
    public CancellationToken CancellationToken { get; init; }

    private long _pointsRead;

    /// <summary>Points read from storage so far by the statement (its subqueries included).</summary>
    public long PointsRead => Interlocked.Read(ref _pointsRead);

    internal long AddPointsRead(long points) => Interlocked.Add(ref _pointsRead, points);
}

/// <summary>
/// Runs an InfluxQL SELECT: compiles it (InfluxDB's checks and texts), reads the series of its sources, and
/// answers raw rows, aggregates per window with fill, selectors, transformations, ordering and limits.
/// </summary>
public static partial class SelectEngine
{
    /// <summary>Runs <paramref name="stmt"/>, adding its series to <paramref name="result"/>; returns the error text or null.</summary>
    public static string? Execute(SelectStatement stmt, SelectContext context, QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(stmt);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var series = new List<ResultSeries>();
        string? error = Run(stmt, context, null, 0, series);
        if (error is not null) return error;
        // Over measurements InfluxDB applies SLIMIT/SOFFSET per shard (QueryPlan.LimitSeriesPerShard), not again here.
        if (stmt.Sources.All(static s => s is Measurement)) result.Series.AddRange(series);
        else ApplySeriesLimits(stmt, series, result);
        return null;
    }

    /// <summary>
    /// Runs a statement (a subquery has its parent's time range and interval) and appends its series, before SLIMIT.
    /// </summary>
    internal static string? Run(SelectStatement stmt, SelectContext context, QueryTimeRange? parentRange, long parentInterval, List<ResultSeries> output)
    {
        if (!ConditionSplit.TrySplit(stmt.Condition, context.Now, out var condition, out var range, out string? error)) return error;
        if (parentRange is { } outer) range = range.Intersect(outer);
        error = SelectCompiler.Compile(stmt, context.Now, out var compiler, parentInterval);
        if (error is not null) return error;

        var measurements = new SortedDictionary<string, List<IShardReader>>(StringComparer.Ordinal);
        foreach (var source in stmt.Sources)
        {
            if (source is SubQuery sub)
            {
                var inner = sub.Statement;
                if (inner.SortFields.Count != 0 && inner.TimeAscending != stmt.TimeAscending)
                    return "subqueries must be ordered in the same direction as the query itself";
                var innerSeries = new List<ResultSeries>();
                var innerStmt = inner;
                if (!inner.TryGetGroupByInterval(out long innerInterval, out error)) return error;
                if (innerInterval > 0 && inner.Fill == FillOption.Null) innerStmt = innerStmt with { Fill = FillOption.None };
                if (!stmt.TimeAscending && inner.SortFields.Count == 0) innerStmt = innerStmt with { SortFields = stmt.SortFields };
                // The outer query's tag dimensions are pushed into the subquery, so its rows keep those tags.
                var dimensions = new List<Dimension>(innerStmt.Dimensions);
                foreach (var d in stmt.Dimensions)
                {
                    if (d.Expr is VarRef or Wildcard or RegexLiteral && !dimensions.Contains(d)) dimensions.Add(d);
                }
                if (dimensions.Count != innerStmt.Dimensions.Count) innerStmt = innerStmt with { Dimensions = new NodeList<Dimension>([.. dimensions]) };
                error = Run(innerStmt, context, range, compiler.Interval, innerSeries);
                if (error is not null) return error;
                var shard = new SubqueryShard(innerSeries, innerStmt.SLimit, innerStmt.SOffset);
                foreach (var name in shard.Measurements())
                {
                    if (!measurements.TryGetValue(name, out var list)) measurements[name] = list = [];
                    list.Add(shard);
                }
                continue;
            }
            error = ForEachMeasurement((Measurement)source, context, range, (name, shard) => AddShard(measurements, name, shard));
            if (error is not null) return error;
        }

        // Shards of one retention policy never share a point; the sources of several may.
        var policies = new HashSet<(string?, string?)>();
        foreach (var source in stmt.Sources) policies.Add(source is Measurement m ? (m.Database, m.RetentionPolicy) : (null, "\0subquery"));
        var plan = new QueryPlan(stmt, compiler, condition, range, context.Now)
        {
            Context = context,
            TopLevel = parentRange is null,
            ShardsDisjoint = policies.Count == 1,
        };
        if (!plan.TryPrepare(measurements, out error)) return error;
        var names = new List<string>(measurements.Keys);
        if (!stmt.TimeAscending) names.Reverse();
        foreach (var name in names)
        {
            error = plan.Run(name, measurements[name], output);
            if (error is not null) return error;
        }
        plan.AppendIntegralStreams(output);
        return null;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> for each measurement a FROM name or regex matches in each of its shards whose group
    /// overlaps the statement's time range (all of them when the range is unbounded).
    /// </summary>
    internal static string? ForEachMeasurement(Measurement m, SelectContext context, QueryTimeRange range, Action<string, IShardReader> visit)
    {
        if (!context.Resolve(m.Database, m.RetentionPolicy, out var shards, out string? error)) return error;
        Regex? regex = null;
        if (m.Regex is { } r && !GoRegex.TryCompile(r.Pattern, out regex, out error)) return error;
        foreach (var shard in shards)
        {
            if (!range.IsUnbounded && !shard.Overlaps(range.Min, range.Max)) continue;
            if (regex is null)
            {
                if (shard.HasMeasurement(m.Name)) visit(m.Name, shard);
                continue;
            }
            foreach (var name in shard.Measurements())
                if (regex.IsMatch(name)) visit(name, shard);
        }
        return null;
    }

    /// <summary>Adds <paramref name="shard"/> to the shards of measurement <paramref name="name"/>, once.</summary>
    internal static void AddShard(SortedDictionary<string, List<IShardReader>> measurements, string name, IShardReader shard)
    {
        if (!measurements.TryGetValue(name, out var list)) measurements[name] = list = [];
        if (!list.Contains(shard)) list.Add(shard);
    }

    /// <summary>The series a SELECT … INTO writes (its INTO clause ignored), after SLIMIT; null on error.</summary>
    public static List<ResultSeries>? ExecuteForInto(SelectStatement stmt, SelectContext context, out string? error)
    {
        ArgumentNullException.ThrowIfNull(stmt);
        var result = new QueryResult(0);
        error = Execute(stmt with { Target = null }, context, result);
        return error is null ? result.Series : null;
    }

    private static void ApplySeriesLimits(SelectStatement stmt, List<ResultSeries> series, QueryResult result)
    {
        int skip = (int)Math.Min(stmt.SOffset, int.MaxValue);
        int take = stmt.SLimit > 0 ? (int)Math.Min(stmt.SLimit, int.MaxValue) : int.MaxValue;
        for (int i = skip; i < series.Count && take > 0; i++, take--) result.Series.Add(series[i]);
    }
}
