using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Cairn.Query.Ast;
using Cairn.Query.Engine;

namespace Cairn.Http.Statements;

/// <summary>
/// One FROM source of a schema statement: the retention policy it reads ("" for every policy) and the
/// measurements it names (one name, a regex, or all).
/// </summary>
internal sealed class SourceScope
{
    private readonly string? _name;
    private readonly Regex? _regex;

    private SourceScope(string retentionPolicy, string? name, Regex? regex)
    {
        RetentionPolicy = retentionPolicy;
        _name = name;
        _regex = regex;
    }

    public string RetentionPolicy { get; }

    public static SourceScope AllMeasurements(string retentionPolicy) => new(retentionPolicy, null, null);

    public bool Matches(string measurement) =>
        _name is not null ? _name == measurement : _regex is null || _regex.IsMatch(measurement);

    /// <summary>A matcher for a <see cref="Measurement"/> source; subqueries are refused.</summary>
    public static bool TryCreate(Source source, string retentionPolicy, [NotNullWhen(true)] out SourceScope? scope, [NotNullWhen(false)] out string? error)
    {
        scope = null;
        error = null;
        if (source is not Measurement m)
        {
            error = "not implemented: subqueries in schema statements";
            return false;
        }
        if (m.Regex is { } literal)
        {
            if (!GoRegex.TryCompile(literal.Pattern, out var regex, out error)) return false;
            scope = new SourceScope(retentionPolicy, null, regex);
            return true;
        }
        scope = new SourceScope(retentionPolicy, m.Name, null);
        return true;
    }

    /// <summary>
    /// WITH KEY: <c>= k</c>, <c>!= k</c>, <c>=~ /re/</c>, <c>!~ /re/</c>, <c>IN (k1, k2)</c>; null op means every key.
    /// </summary>
    public static bool TryKeyMatcher(BinaryOperator? op, Literal? operand, [NotNullWhen(true)] out Func<string, bool>? matcher, [NotNullWhen(false)] out string? error)
    {
        error = null;
        matcher = null;
        switch (op, operand)
        {
            case (null, _):
                matcher = static _ => true;
                return true;
            case (BinaryOperator.Eq, StringLiteral s):
                matcher = key => key == s.Value;
                return true;
            case (BinaryOperator.Neq, StringLiteral s):
                matcher = key => key != s.Value;
                return true;
            case (BinaryOperator.EqRegex or BinaryOperator.NeqRegex, RegexLiteral r):
                if (!GoRegex.TryCompile(r.Pattern, out var regex, out error)) return false;
                bool negated = op == BinaryOperator.NeqRegex;
                matcher = key => regex.IsMatch(key) != negated;
                return true;
            case (BinaryOperator.In, ListLiteral list):
                var keys = new HashSet<string>(list.Values, StringComparer.Ordinal);
                matcher = keys.Contains;
                return true;
            default:
                error = "unsupported WITH KEY expression: " + op?.Text() + " " + operand;
                return false;
        }
    }
}
