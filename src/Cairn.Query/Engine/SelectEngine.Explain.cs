using System.Diagnostics;
using System.Text.RegularExpressions;
using Cairn.Query.Ast;
using Cairn.Query.Results;

namespace Cairn.Query.Engine;

public static partial class SelectEngine
{
    /// <summary>
    /// EXPLAIN [ANALYZE] of <paramref name="stmt"/> (its sources qualified with database and retention policy, as the
    /// plan names them): one single-column series, <c>QUERY PLAN</c> lines with what the statement would read, or
    /// after running it the <c>EXPLAIN ANALYZE</c> tree of what it read and how long it took. Returns the error text
    /// or null.
    /// </summary>
    /// <remarks>Subquery sources are run but not described (no storage iterator of theirs is listed).</remarks>
    public static string? Explain(SelectStatement stmt, SelectContext context, bool analyze, QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(stmt);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        long started = Stopwatch.GetTimestamp();
        if (!ConditionSplit.TrySplit(stmt.Condition, context.Now, out var condition, out var range, out string? error)) return error;
        error = SelectCompiler.Compile(stmt, context.Now, out var compiler);
        if (error is not null) return error;

        var sources = new List<List<(string Measurement, IShardReader Shard)>>();
        var measurements = new SortedDictionary<string, List<IShardReader>>(StringComparer.Ordinal);
        foreach (var source in stmt.Sources)
        {
            var reads = new List<(string Measurement, IShardReader Shard)>();
            sources.Add(reads);
            if (source is not Measurement m) continue;
            error = ForEachMeasurement(m, context, range, (name, shard) =>
            {
                reads.Add((name, shard));
                AddShard(measurements, name, shard);
            });
            if (error is not null) return error;
            reads.Sort(static (a, b) => string.CompareOrdinal(a.Measurement, b.Measurement) is var c && c != 0 ? c : a.Shard.ShardId.CompareTo(b.Shard.ShardId));
        }

        var plan = new QueryPlan(stmt, compiler, condition, range, context.Now) { Context = context };
        if (!plan.TryPrepare(measurements, out error)) return error;
        var statistics = new QueryStatistics();
        plan.Describe(sources, statistics);
        statistics.PlanningNanoseconds = Nanoseconds(Stopwatch.GetElapsedTime(started));

        var series = new ResultSeries("", [analyze ? "EXPLAIN ANALYZE" : "QUERY PLAN"]);
        if (analyze)
        {
            long executing = Stopwatch.GetTimestamp();
            error = Execute(stmt, context, new QueryResult(result.StatementId));
            if (error is not null) return error;
            statistics.ExecutionNanoseconds = Nanoseconds(Stopwatch.GetElapsedTime(executing));
            foreach (var line in statistics.AnalyzeLines()) series.Values.Add([line]);
        }
        else
        {
            foreach (var line in statistics.ExplainLines()) series.Values.Add([line]);
        }
        result.Series.Add(series);
        return null;
    }

    private static long Nanoseconds(TimeSpan elapsed) => Math.Max(1, elapsed.Ticks * 100L);
}
