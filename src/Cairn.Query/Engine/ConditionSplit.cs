using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Cairn.Query.Ast;

namespace Cairn.Query.Engine;

/// <summary>
/// Splits a WHERE clause into its time range and the rest, as influxql's ConditionExpr does: time comparisons
/// (<c>time &gt; 0</c>, <c>time &lt; '2000-01-05T00:00:00Z'</c>, <c>time &gt; now() - 1h</c>) become bounds, and
/// removing them collapses their AND/OR parent into the other side.
/// </summary>
public static class ConditionSplit
{
    public static bool TrySplit(Expr? condition, long now, out Expr? rest, out QueryTimeRange range, [NotNullWhen(false)] out string? error)
    {
        rest = null;
        range = QueryTimeRange.Unbounded;
        error = null;
        if (condition is null) return true;
        return Split(condition, now, out rest, out range, out error);
    }

    /// <summary>influxql.HasTimeExpr: whether a comparison anywhere in the condition involves <c>time</c>.</summary>
    public static bool HasTimeExpr(Expr? expr) => expr switch
    {
        BinaryExpr { Op: BinaryOperator.And or BinaryOperator.Or } b => HasTimeExpr(b.Lhs) || HasTimeExpr(b.Rhs),
        BinaryExpr b => IsTime(b.Lhs) || IsTime(b.Rhs),
        ParenExpr p => HasTimeExpr(p.Expr),
        _ => false,
    };

    private static bool IsTime(Expr e) => e is VarRef v && v.Name.Equals("time", StringComparison.OrdinalIgnoreCase);

    private static bool Split(Expr condition, long now, out Expr? rest, out QueryTimeRange range, out string? error)
    {
        rest = null;
        range = QueryTimeRange.Unbounded;
        error = null;
        switch (condition)
        {
            case BinaryExpr { Op: BinaryOperator.And or BinaryOperator.Or } b:
                if (!Split(b.Lhs, now, out var lhs, out var lhsRange, out error)) return false;
                if (!Split(b.Rhs, now, out var rhs, out var rhsRange, out error)) return false;
                range = lhsRange.Intersect(rhsRange);
                rest = lhs is null ? rhs : rhs is null ? lhs : b with { Lhs = lhs, Rhs = rhs };
                return true;
            case BinaryExpr b when IsTime(b.Lhs):
                return TryQueryTimeRange(b.Op, b.Rhs, now, out range, out error);
            case BinaryExpr b when IsTime(b.Rhs):
                var op = b.Op switch
                {
                    BinaryOperator.Gt => BinaryOperator.Lt,
                    BinaryOperator.Lt => BinaryOperator.Gt,
                    BinaryOperator.Gte => BinaryOperator.Lte,
                    BinaryOperator.Lte => BinaryOperator.Gte,
                    var same => same,
                };
                return TryQueryTimeRange(op, b.Lhs, now, out range, out error);
            case BinaryExpr:
                rest = condition;
                return true;
            case ParenExpr p:
                if (!Split(p.Expr, now, out var inner, out range, out error)) return false;
                rest = inner is null ? null : p with { Expr = inner };
                return true;
            case BooleanLiteral:
                rest = condition;
                return true;
            default:
                error = "invalid condition expression: " + condition;
                return false;
        }
    }

    private static bool TryQueryTimeRange(BinaryOperator op, Expr operand, long now, out QueryTimeRange range, out string? error)
    {
        range = QueryTimeRange.Unbounded;
        if (!TryEvaluate(operand, now, out long value, out error)) return false;
        switch (op)
        {
            case BinaryOperator.Gt: range = new QueryTimeRange(value == long.MaxValue ? value : value + 1, null); return true;
            case BinaryOperator.Gte: range = new QueryTimeRange(value, null); return true;
            case BinaryOperator.Lt: range = new QueryTimeRange(null, value == long.MinValue ? value : value - 1); return true;
            case BinaryOperator.Lte: range = new QueryTimeRange(null, value); return true;
            case BinaryOperator.Eq: range = new QueryTimeRange(value, value); return true;
            default:
                error = "invalid time comparison operator: " + op.Text();
                return false;
        }
    }

    /// <summary>The value of a time operand in Unix nanoseconds: a time string, an integer, a duration, now(), and sums of these.</summary>
    private static bool TryEvaluate(Expr operand, long now, out long value, out string? error)
    {
        value = 0;
        error = null;
        switch (operand)
        {
            case IntegerLiteral i: value = i.Value; return true;
            case NumberLiteral n: value = (long)n.Value; return true;
            case DurationLiteral d: value = d.Nanoseconds; return true;
            case TimeLiteral t: value = t.UnixNanoseconds; return true;
            case Call { Name: "now", Args.Count: 0 }: value = now; return true;
            case ParenExpr p: return TryEvaluate(p.Expr, now, out value, out error);
            case StringLiteral s when IsTimeString(s.Value):
                if (TryParseTime(s.Value, out value)) return true;
                error = "invalid timestamp string";
                return false;
            case BinaryExpr { Op: BinaryOperator.Add or BinaryOperator.Sub } b:
                if (!TryEvaluate(b.Lhs, now, out long lhs, out error) || !TryEvaluate(b.Rhs, now, out long rhs, out error)) return false;
                value = b.Op == BinaryOperator.Add ? unchecked(lhs + rhs) : unchecked(lhs - rhs);
                return true;
            default:
                error = "invalid operation: time and *influxql." + GoTypeName(operand) + " are not compatible";
                return false;
        }
    }

    private static string GoTypeName(Expr e) => e switch
    {
        StringLiteral => "StringLiteral",
        BooleanLiteral => "BooleanLiteral",
        RegexLiteral => "RegexLiteral",
        VarRef => "VarRef",
        Call => "Call",
        BinaryExpr => "BinaryExpr",
        _ => e.GetType().Name,
    };

    // influxql's IsTimeLiteral: "2006-01-02" or "2006-01-02T15:04:05…" / "2006-01-02 15:04:05…".
    private static bool IsTimeString(string s)
    {
        if (s.Length < 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' || !Digits(s, 8, 2)) return false;
        if (s.Length == 10) return true;
        return s.Length >= 19 && (s[10] == 'T' || s[10] == ' ') && Digits(s, 11, 2) && s[13] == ':' && Digits(s, 14, 2) && s[16] == ':' && Digits(s, 17, 2);
    }

    private static bool Digits(string s, int at, int count)
    {
        for (int i = at; i < at + count; i++)
            if (s[i] < '0' || s[i] > '9') return false;
        return true;
    }

    /// <summary>RFC3339 with up to nine fraction digits and Z or ±hh:mm, "2006-01-02 15:04:05.999999" (UTC), or a bare date.</summary>
    internal static bool TryParseTime(string s, out long unixNanoseconds)
    {
        unixNanoseconds = 0;
        int year = Number(s, 0, 4), month = Number(s, 5, 2), day = Number(s, 8, 2);
        int hour = 0, minute = 0, second = 0;
        long fraction = 0;
        long offsetSeconds = 0;
        int at = 10;
        if (s.Length > 10)
        {
            hour = Number(s, 11, 2);
            minute = Number(s, 14, 2);
            second = Number(s, 17, 2);
            at = 19;
            if (at < s.Length && s[at] == '.')
            {
                int start = ++at;
                while (at < s.Length && s[at] >= '0' && s[at] <= '9') at++;
                int digits = at - start;
                if (digits == 0 || digits > 9) return false;
                fraction = long.Parse(s.AsSpan(start, digits), CultureInfo.InvariantCulture);
                for (int i = digits; i < 9; i++) fraction *= 10;
            }
            bool rfc = s[10] == 'T';
            if (rfc)
            {
                if (at == s.Length) return false;
                if (s[at] == 'Z' && at + 1 == s.Length) { }
                else if ((s[at] == '+' || s[at] == '-') && s.Length == at + 6 && s[at + 3] == ':'
                    && Digits(s, at + 1, 2) && Digits(s, at + 4, 2))
                {
                    offsetSeconds = (Number(s, at + 1, 2) * 3600 + Number(s, at + 4, 2) * 60) * (s[at] == '-' ? -1 : 1);
                }
                else return false;
            }
            else if (at != s.Length) return false;
        }
        if (month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || hour > 23 || minute > 59 || second > 59)
            return false;
        if (year < 1) return false;
        var date = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        Int128 ns = (Int128)(date - DateTime.UnixEpoch).Ticks * 100 + fraction - (Int128)offsetSeconds * 1_000_000_000;
        if (ns < long.MinValue || ns > long.MaxValue) return false;
        unixNanoseconds = (long)ns;
        return true;
    }

    private static int Number(string s, int at, int count) => int.Parse(s.AsSpan(at, count), CultureInfo.InvariantCulture);
}
