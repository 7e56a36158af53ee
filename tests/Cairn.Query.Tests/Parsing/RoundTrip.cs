using Cairn.Query.Ast;
using Cairn.Query.Parsing;

namespace Cairn.Query.Tests.Parsing;

/// <summary>
/// parse(print(ast)) == ast, except where InfluxDB's own printer is lossy by design; those are listed here
/// with the reason, and only the printing is checked for them.
/// </summary>
internal static class RoundTrip
{
    /// <summary>Why printing this statement cannot reproduce it, or null when it must round-trip.</summary>
    public static string? LossyReason(Statement statement) => statement switch
    {
        CreateUserStatement or SetPasswordUserStatement => "influxql prints passwords as [REDACTED]",
        ShowTagKeysStatement { TagKeyExpr: not null } => "influxql does not print SHOW TAG KEYS … WITH KEY",
        ShowMeasurementsStatement m when NeedsQuotes(m.Database) || NeedsQuotes(m.RetentionPolicy) =>
            "influxql prints SHOW MEASUREMENTS ON db.rp unquoted",
        SelectStatement s when HasLossyFill(s) => "influxql prints fill(<float>) with %v (100.0 → 100, 1e6 → 1e+06)",
        ExplainStatement e => LossyReason(e.Statement),
        CreateContinuousQueryStatement cq => LossyReason(cq.Source),
        CreateDatabaseStatement c when HasFractionalGoDuration(c) => "influxql prints CREATE DATABASE durations as Go durations (1.5s)",
        _ => null,
    };

    /// <summary>Asserts-free check used by tests: null when the statement round-trips, else a description.</summary>
    public static string? Check(Statement statement)
    {
        if (LossyReason(statement) is not null) return null;
        string printed = statement.ToString();
        if (!InfluxQLParser.TryParseStatement(printed, null, out var reparsed, out var error))
        {
            return $"reprint does not parse: {printed} -> {error.Text}";
        }
        if (!reparsed.Equals(statement)) return $"reparse differs: {printed} -> {reparsed}";
        return null;
    }

    private static bool NeedsQuotes(string ident) => ident.Length != 0 && InfluxQLText.IdentNeedsQuotes(ident);

    private static bool HasLossyFill(SelectStatement s)
    {
        if (s.FillValue is NumberLiteral n)
        {
            string printed = GoFormat.FormatFloatG(n.Value);
            if (!printed.Contains('.') || printed.Contains('e')) return true;
        }
        foreach (var source in s.Sources)
        {
            if (source is SubQuery sub && HasLossyFill(sub.Statement)) return true;
        }
        return false;
    }

    private static bool HasFractionalGoDuration(CreateDatabaseStatement c) =>
        (c.RetentionPolicyDuration is { } d && d % 1_000_000_000 != 0)
        || c.RetentionPolicyShardGroupDuration % 1_000_000_000 != 0;
}
