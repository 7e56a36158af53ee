using System.Globalization;
using Cairn.Query.Parsing;
using Cairn.Storage;
using Cairn.Storage.Engine;

namespace Cairn.Query.Engine;

/// <summary>
/// What one storage iterator of a SELECT reads from one source measurement in one shard: InfluxDB's
/// <c>create_iterator</c> span of EXPLAIN ANALYZE (cursors opened per series, blocks decoded by type) and the cost
/// EXPLAIN adds up.
/// </summary>
internal sealed record ShardReadStatistics(string Measurement, ulong ShardId, long Series, long RefCursors, long AuxCursors, long CondCursors,
    ReadCost Cost, IReadOnlyDictionary<FieldType, ReadCost> CostByType, long PlanningNanoseconds);

/// <summary>
/// One iterator the query engine builds over its sources (a call, or the auxiliary fields of a raw query): InfluxDB's
/// plan node. <see cref="Expression"/> is what the storage iterator reads (<c>count(value::float)</c>, <c>value::float</c>,
/// or null for the auxiliary iterator); <see cref="Call"/> the selected call it serves.
/// </summary>
internal sealed record IteratorStatistics(string? Expression, string? Call, IReadOnlyList<string> Aux)
{
    /// <summary>Per FROM source: its shard reads (one per measurement it names in each shard holding it).</summary>
    public List<List<ShardReadStatistics>> Sources { get; } = [];
}

/// <summary>
/// The plan of one SELECT with real figures from the shards it reads, and its two renderings: EXPLAIN's
/// <c>QUERY PLAN</c> lines (query/explain.go) and EXPLAIN ANALYZE's tree (pkg/tracing through treeprint).
/// </summary>
public sealed class QueryStatistics
{
    internal List<IteratorStatistics> Iterators { get; } = [];

    /// <summary>The statement as the engine runs it: typed names, qualified sources, the time range taken out.</summary>
    public string Statement { get; internal set; } = "";

    /// <summary>Time to compile and plan, and to run and read, in nanoseconds (EXPLAIN ANALYZE).</summary>
    public long PlanningNanoseconds { get; internal set; }

    public long ExecutionNanoseconds { get; internal set; }

    /// <summary>EXPLAIN: per iterator and source, the expression, auxiliary fields and the summed cost; a blank line between.</summary>
    public IReadOnlyList<string> ExplainLines()
    {
        var lines = new List<string>();
        foreach (var iterator in Iterators)
        {
            foreach (var source in iterator.Sources)
            {
                if (lines.Count > 0) lines.Add("");
                var cost = default(ReadCost);
                long series = 0;
                foreach (var read in source)
                {
                    cost += read.Cost;
                    series += read.Series;
                }
                lines.Add("EXPRESSION: " + (iterator.Expression ?? "<nil>"));
                if (iterator.Aux.Count > 0) lines.Add("AUXILIARY FIELDS: " + string.Join(", ", iterator.Aux));
                lines.Add(Line("NUMBER OF SHARDS", source.Count));
                lines.Add(Line("NUMBER OF SERIES", series));
                lines.Add(Line("CACHED VALUES", cost.CachedValues));
                lines.Add(Line("NUMBER OF FILES", cost.Files));
                lines.Add(Line("NUMBER OF BLOCKS", cost.Blocks));
                lines.Add(Line("SIZE OF BLOCKS", cost.BlockBytes));
            }
        }
        if (lines.Count == 0) lines.Add("");
        return lines;
    }

    private static string Line(string name, long value) => name + ": " + value.ToString(CultureInfo.InvariantCulture);

    private static readonly (FieldType Type, string Name)[] BlockTypes =
        [(FieldType.Float, "float"), (FieldType.Integer, "integer"), (FieldType.Unsigned, "unsigned"), (FieldType.String, "string"), (FieldType.Boolean, "boolean")];

    /// <summary>EXPLAIN ANALYZE: the trace tree, one line per row, ending with an empty line as InfluxDB's does.</summary>
    public IReadOnlyList<string> AnalyzeLines()
    {
        var select = new TreeNode("select");
        select.Add("execution_time: " + GoFormat.DurationString(ExecutionNanoseconds));
        select.Add("planning_time: " + GoFormat.DurationString(PlanningNanoseconds));
        select.Add("total_time: " + GoFormat.DurationString(ExecutionNanoseconds + PlanningNanoseconds));
        var cursor = select.Add("build_cursor");
        cursor.Add("labels").Add("statement: " + Statement);
        foreach (var iterator in Iterators)
        {
            var scanner = cursor.Add("iterator_scanner");
            var labels = scanner.Add("labels");
            if (iterator.Aux.Count > 0) labels.Add("auxiliary_fields: " + string.Join(", ", iterator.Aux));
            if (iterator.Call is not null) labels.Add("expr: " + iterator.Call);
            foreach (var source in iterator.Sources)
            {
                foreach (var read in source)
                {
                    var create = scanner.Add("create_iterator");
                    var readLabels = create.Add("labels");
                    if (Condition is not null) readLabels.Add("cond: " + Condition);
                    readLabels.Add("measurement: " + read.Measurement);
                    readLabels.Add("shard_id: " + read.ShardId.ToString(CultureInfo.InvariantCulture));
                    create.Add(Line("cursors_ref", read.RefCursors));
                    create.Add(Line("cursors_aux", read.AuxCursors));
                    create.Add(Line("cursors_cond", read.CondCursors));
                    foreach (var (type, name) in BlockTypes)
                    {
                        var cost = read.CostByType.TryGetValue(type, out var c) ? c : default;
                        create.Add(Line(name + "_blocks_decoded", cost.Blocks));
                        create.Add(Line(name + "_blocks_size_bytes", cost.BlockBytes));
                    }
                    create.Add("planning_time: " + GoFormat.DurationString(read.PlanningNanoseconds));
                }
            }
        }
        var lines = new List<string> { "." };
        TreeNode.Render(select, "", last: true, lines);
        lines.Add("");
        return lines;
    }

    /// <summary>The statement's condition without its time range, typed, as the <c>cond</c> label shows it; null when none.</summary>
    internal string? Condition { get; set; }

    /// <summary>A node of the printed tree: a text and its children, drawn as the treeprint package draws them.</summary>
    private sealed class TreeNode(string text)
    {
        private readonly List<TreeNode> _children = [];

        public TreeNode Add(string child)
        {
            var node = new TreeNode(child);
            _children.Add(node);
            return node;
        }

        // treeprint indents under a non-last branch with a bar and two no-break spaces.
        public static void Render(TreeNode node, string prefix, bool last, List<string> lines)
        {
            lines.Add(prefix + (last ? "└── " : "├── ") + node._text);
            string inner = prefix + (last ? "    " : "│\u00a0\u00a0 ");
            for (int i = 0; i < node._children.Count; i++) Render(node._children[i], inner, i == node._children.Count - 1, lines);
        }

        private readonly string _text = text;
    }
}
