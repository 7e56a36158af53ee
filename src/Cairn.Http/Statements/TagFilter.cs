using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Cairn.Query.Ast;
using Cairn.Query.Engine;
using Cairn.Storage.Index;

namespace Cairn.Http.Statements;

/// <summary>
/// A WHERE clause on tags (time already removed), compiled to set operations on one shard's series index:
/// <c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>, AND, OR and parentheses, with tsi1's meaning for missing tags
/// (a series without the tag has the value "", so <c>host != 'a'</c> and <c>host =~ /^$/</c> match it).
/// </summary>
internal abstract class TagFilter
{
    public static readonly TagFilter All = new Constant(true);

    /// <summary>
    /// Compiles <paramref name="condition"/>; null is <see cref="All"/>. Regex errors are Go's texts.
    /// <paramref name="missingTagIsEmpty"/> false gives the query engine's meaning instead of the index's: a series
    /// without the tag matches no comparison on it (InfluxDB's SHOW TAG VALUES CARDINALITY runs as a SELECT).
    /// </summary>
    public static bool TryCompile(Expr? condition, [NotNullWhen(true)] out TagFilter? filter, [NotNullWhen(false)] out string? error,
        bool missingTagIsEmpty = true)
    {
        error = null;
        filter = null;
        if (condition is null)
        {
            filter = All;
            return true;
        }
        switch (condition)
        {
            case ParenExpr p:
                return TryCompile(p.Expr, out filter, out error, missingTagIsEmpty);
            case BooleanLiteral b:
                filter = new Constant(b.Value);
                return true;
            case BinaryExpr { Op: BinaryOperator.And or BinaryOperator.Or } b:
                if (!TryCompile(b.Lhs, out var lhs, out error, missingTagIsEmpty) || !TryCompile(b.Rhs, out var rhs, out error, missingTagIsEmpty)) return false;
                filter = new Combine(b.Op == BinaryOperator.And, lhs, rhs);
                return true;
            case BinaryExpr b:
                return TryCompileComparison(b, missingTagIsEmpty, out filter, out error);
            default:
                filter = new Constant(false);
                return true;
        }
    }

    private static bool TryCompileComparison(BinaryExpr b, bool missingTagIsEmpty, [NotNullWhen(true)] out TagFilter? filter, [NotNullWhen(false)] out string? error)
    {
        error = null;
        Expr lhs = b.Lhs, rhs = b.Rhs;
        if (lhs is not VarRef && rhs is VarRef) (lhs, rhs) = (rhs, lhs);
        if (lhs is not VarRef key || rhs is VarRef)
        {
            filter = new Constant(false);
            return true;
        }
        bool negated = b.Op is BinaryOperator.Neq or BinaryOperator.NeqRegex;
        switch (b.Op, rhs)
        {
            case (BinaryOperator.Eq or BinaryOperator.Neq, StringLiteral s):
                filter = new Compare(key.Name, s.Value, null, negated, missingTagIsEmpty);
                return true;
            case (BinaryOperator.EqRegex or BinaryOperator.NeqRegex, RegexLiteral r):
                if (!GoRegex.TryCompile(r.Pattern, out var regex, out error))
                {
                    filter = null;
                    return false;
                }
                filter = new Compare(key.Name, null, regex, negated, missingTagIsEmpty);
                return true;
            default:
                // tsi1 supports nothing else on tags: a negation matches every series, anything else none.
                filter = new Unsupported(key.Name, negated);
                return true;
        }
    }

    /// <summary>The ids of the live series of <paramref name="scope"/>'s measurement that match, ascending.</summary>
    public abstract uint[] Evaluate(MeasurementScope scope);

    /// <summary>Adds the names the filter compares (to find fields used as tags).</summary>
    public abstract void CollectKeys(HashSet<string> keys);

    /// <summary>
    /// Whether the measurement as a whole qualifies, as tsi1 answers SHOW MEASUREMENTS … WHERE: <c>=</c> and
    /// <c>=~</c> need some value of the tag to match, <c>!=</c> and <c>!~</c> need none to.
    /// </summary>
    public abstract bool MatchesMeasurement(MeasurementScope scope);

    private sealed class Constant(bool value) : TagFilter
    {
        public override uint[] Evaluate(MeasurementScope scope) => value ? scope.All : [];

        public override bool MatchesMeasurement(MeasurementScope scope) => value;

        public override void CollectKeys(HashSet<string> keys) { }
    }

    /// <summary>A comparison the index cannot answer (<c>value &gt; 5</c>): constant, but it remembers the name.</summary>
    private sealed class Unsupported(string key, bool matchesAll) : TagFilter
    {
        public override uint[] Evaluate(MeasurementScope scope) => matchesAll ? scope.All : [];

        public override bool MatchesMeasurement(MeasurementScope scope) => matchesAll;

        public override void CollectKeys(HashSet<string> keys) => keys.Add(key);
    }

    private sealed class Combine(bool and, TagFilter lhs, TagFilter rhs) : TagFilter
    {
        public override uint[] Evaluate(MeasurementScope scope)
        {
            var a = lhs.Evaluate(scope);
            if (and && a.Length == 0) return a;
            var b = rhs.Evaluate(scope);
            return and ? SeriesIdSets.Intersect(a, b) : SeriesIdSets.Union(a, b);
        }

        public override bool MatchesMeasurement(MeasurementScope scope) =>
            and ? lhs.MatchesMeasurement(scope) && rhs.MatchesMeasurement(scope) : lhs.MatchesMeasurement(scope) || rhs.MatchesMeasurement(scope);

        public override void CollectKeys(HashSet<string> keys)
        {
            lhs.CollectKeys(keys);
            rhs.CollectKeys(keys);
        }
    }

    private sealed class Compare(string key, string? value, Regex? regex, bool negated, bool missingTagIsEmpty) : TagFilter
    {
        public override bool MatchesMeasurement(MeasurementScope scope)
        {
            bool tagMatch = false;
            foreach (var v in scope.Index.TagValues(scope.Measurement, key))
            {
                if (regex is null ? v == value : regex.IsMatch(v))
                {
                    tagMatch = true;
                    break;
                }
            }
            return tagMatch != negated && scope.All.Length > 0;
        }

        public override uint[] Evaluate(MeasurementScope scope)
        {
            uint[] matching;
            bool matchesEmpty;
            if (regex is null)
            {
                matchesEmpty = value!.Length == 0;
                matching = matchesEmpty ? [] : scope.Index.SeriesIdsForTag(scope.Measurement, key, value);
            }
            else
            {
                matchesEmpty = regex.IsMatch("");
                matching = [];
                foreach (var v in scope.Index.TagValues(scope.Measurement, key))
                {
                    if (regex.IsMatch(v)) matching = SeriesIdSets.Union(matching, scope.Index.SeriesIdsForTag(scope.Measurement, key, v));
                }
            }
            if (!missingTagIsEmpty) return negated ? SeriesIdSets.Except(scope.WithKey(key), matching) : matching;
            // Series without the tag have the value "": they match exactly when the empty value does.
            if (matchesEmpty) matching = SeriesIdSets.Union(matching, SeriesIdSets.Except(scope.All, scope.WithKey(key)));
            return negated ? SeriesIdSets.Except(scope.All, matching) : matching;
        }

        public override void CollectKeys(HashSet<string> keys) => keys.Add(key);
    }
}

/// <summary>One measurement of one shard's index, with the sets filters reuse (all series, series per tag key).</summary>
internal sealed class MeasurementScope(SeriesIndex index, string measurement)
{
    private uint[]? _all;
    private Dictionary<string, uint[]>? _withKey;

    public SeriesIndex Index { get; } = index;

    public string Measurement { get; } = measurement;

    public uint[] All => _all ??= Index.SeriesIds(Measurement);

    /// <summary>The series that have tag <paramref name="key"/> at all.</summary>
    public uint[] WithKey(string key)
    {
        _withKey ??= new Dictionary<string, uint[]>(StringComparer.Ordinal);
        if (_withKey.TryGetValue(key, out var ids)) return ids;
        ids = [];
        foreach (var v in Index.TagValues(Measurement, key)) ids = SeriesIdSets.Union(ids, Index.SeriesIdsForTag(Measurement, key, v));
        _withKey[key] = ids;
        return ids;
    }
}
