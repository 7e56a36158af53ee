using Cairn.Query.Ast;

namespace Cairn.Query.Engine;

/// <summary>
/// influxql's compile step for a SELECT (query/compile.go): the semantic checks of fields and dimensions, with
/// InfluxDB's error texts, and the GROUP BY time interval and offset.
/// </summary>
internal sealed class SelectCompiler
{
    private readonly long _now;
    private bool _onlySelectors = true;
    private bool _hasDistinct;
    private bool _hasAuxiliaryFields;
    private string _topBottom = "";
    private int _callCount;
    private bool _allowWildcard;
    private long _limit;

    private SelectCompiler(long now) => _now = now;

    /// <summary>The GROUP BY time() interval in nanoseconds (0 when none).</summary>
    public long Interval { get; private set; }

    public long Offset { get; private set; }

    /// <summary>Intervals read before the first window, for derivative and the other transforms.</summary>
    public int ExtraIntervals { get; private set; }

    /// <summary>True when the statement's interval comes from an enclosing query.</summary>
    public bool InheritedInterval { get; init; }

    public static string? Compile(SelectStatement stmt, long now, out SelectCompiler compiler, long inheritedInterval = 0)
    {
        compiler = new SelectCompiler(now) { InheritedInterval = inheritedInterval > 0 };
        compiler._limit = stmt.Limit;
        string? error = compiler.CompileDimensions(stmt);
        if (error is not null) return error;
        if (compiler.Interval == 0 && inheritedInterval > 0) compiler.Interval = inheritedInterval;
        int fields = 0;
        foreach (var f in stmt.Fields)
        {
            if (f.Expr is VarRef { Name: "time" }) continue;
            fields++;
            compiler._allowWildcard = true;
            error = compiler.CompileExpr(f.Expr);
            if (error is not null) return error;
        }
        return compiler.ValidateFields(stmt, fields);
    }

    private string? CompileDimensions(SelectStatement stmt)
    {
        foreach (var d in stmt.Dimensions)
        {
            switch (d.Expr)
            {
                case VarRef v:
                    if (v.Name.Equals("time", StringComparison.OrdinalIgnoreCase)) return "time() is a function and expects at least one argument";
                    break;
                case Call c:
                    if (c.Name != "time") return "only time() calls allowed in dimensions";
                    if (c.Args.Count < 1 || c.Args.Count > 2) return "time dimension expected 1 or 2 arguments";
                    if (c.Args[0] is not DurationLiteral lit) return "time dimension must have duration argument";
                    if (Interval != 0) return "multiple time dimensions not allowed";
                    Interval = lit.Nanoseconds;
                    if (c.Args.Count == 2)
                    {
                        switch (c.Args[1])
                        {
                            case DurationLiteral offset:
                                Offset = Interval == 0 ? 0 : offset.Nanoseconds % Interval;
                                break;
                            case Call { Name: "now" } now:
                                if (now.Args.Count != 0) return "time dimension offset now() function requires no arguments";
                                Offset = Interval == 0 ? 0 : Mod(_now, Interval);
                                break;
                            case Call:
                                return "time dimension offset function must be now()";
                            case StringLiteral s when ConditionSplit.TryParseTime(s.Value, out long t):
                                Offset = Interval == 0 ? 0 : Mod(t, Interval);
                                break;
                            default:
                                return "time dimension offset must be duration or now()";
                        }
                    }
                    break;
                case Wildcard:
                case RegexLiteral:
                    break;
                default:
                    return "only time and tag dimensions allowed";
            }
        }
        return null;
    }

    internal static long Mod(long t, long interval)
    {
        long m = t % interval;
        return m < 0 ? m + interval : m;
    }

    private string? CompileExpr(Expr expr)
    {
        switch (expr)
        {
            case VarRef:
                _hasAuxiliaryFields = true;
                return null;
            case Wildcard:
                _hasAuxiliaryFields = true;
                return _allowWildcard ? null : "unable to use wildcard in a binary expression";
            case RegexLiteral:
                if (!_allowWildcard) return "unable to use regex in a binary expression";
                _hasAuxiliaryFields = true;
                return null;
            case Call call:
                if (ValueMath.IsMathFunction(call.Name)) return CompileMathFunction(call);
                _callCount++;
                return call.Name switch
                {
                    "percentile" => CompilePercentile(call.Args),
                    "sample" => CompileSample(call.Args),
                    "distinct" => CompileDistinct(call.Args, false),
                    "top" or "bottom" => CompileTopBottom(call),
                    "derivative" or "non_negative_derivative" => CompileDerivative(call.Name, call.Args),
                    "difference" or "non_negative_difference" or "cumulative_sum" => CompileDifference(call.Name, call.Args),
                    "moving_average" => CompileMovingAverage(call.Args),
                    "elapsed" => CompileElapsed(call.Args),
                    "integral" => CompileIntegral(call.Args),
                    _ => CompileFunction(call),
                };
            case Distinct:
                _callCount++;
                _hasDistinct = true;
                _onlySelectors = false;
                return null;
            case BinaryExpr b:
                _allowWildcard = false;
                if (b.Lhs is Literal)
                {
                    if (b.Rhs is Literal) return "cannot perform a binary expression on two literals";
                    return CompileExpr(b.Rhs);
                }
                if (b.Rhs is Literal) return CompileExpr(b.Lhs);
                return CompileExpr(b.Lhs) ?? CompileExpr(b.Rhs);
            case ParenExpr p:
                return CompileExpr(p.Expr);
            case Literal:
                return "field must contain at least one variable";
        }
        return "unimplemented";
    }

    private string? CompileNestedExpr(Expr expr) => expr switch
    {
        Call { Name: "distinct" } c => CompileDistinct(c.Args, true),
        Distinct => null,
        _ => CompileExpr(expr),
    };

    private string? CompileSymbol(string name, Expr field) => field switch
    {
        VarRef => null,
        Wildcard when !_allowWildcard => $"unsupported expression with wildcard: {name}()",
        RegexLiteral when !_allowWildcard => $"unsupported expression with regex field: {name}()",
        Wildcard or RegexLiteral => NotOnlySelectors(),
        _ => $"expected field argument in {name}()",
    };

    private string? NotOnlySelectors()
    {
        _onlySelectors = false;
        return null;
    }

    private string? CompileFunction(Call expr)
    {
        switch (expr.Name)
        {
            case "max" or "min" or "first" or "last":
                break;
            case "count" or "sum" or "mean" or "median" or "mode" or "stddev" or "spread":
                _onlySelectors = false;
                break;
            default:
                return $"undefined function {expr.Name}()";
        }
        if (expr.Args.Count != 1) return $"invalid number of arguments for {expr.Name}, expected 1, got {expr.Args.Count}";
        if (expr.Name == "count")
        {
            if (expr.Args[0] is Call { Name: "distinct" } inner) return CompileDistinct(inner.Args, true);
            if (expr.Args[0] is Distinct) return null;
        }
        return CompileSymbol(expr.Name, expr.Args[0]);
    }

    private string? CompilePercentile(NodeList<Expr> args)
    {
        if (args.Count != 2) return $"invalid number of arguments for percentile, expected 2, got {args.Count}";
        if (args[1] is not (IntegerLiteral or NumberLiteral)) return "expected float argument in percentile()";
        return CompileSymbol("percentile", args[0]);
    }

    private string? CompileSample(NodeList<Expr> args)
    {
        if (args.Count != 2) return $"invalid number of arguments for sample, expected 2, got {args.Count}";
        if (args[1] is not IntegerLiteral n) return "expected integer argument in sample()";
        if (n.Value <= 0) return $"sample window must be greater than 1, got {n.Value}";
        return CompileSymbol("sample", args[0]);
    }

    private string? Transform(string name, Expr arg0)
    {
        _onlySelectors = false;
        if (arg0 is Call)
        {
            if (Interval == 0) return $"{name} aggregate requires a GROUP BY interval";
            return CompileNestedExpr(arg0);
        }
        if (Interval != 0 && !InheritedInterval) return $"aggregate function required inside the call to {name}";
        return CompileSymbol(name, arg0);
    }

    private string? CompileDerivative(string name, NodeList<Expr> args)
    {
        if (args.Count < 1 || args.Count > 2)
            return $"invalid number of arguments for {name}, expected at least 1 but no more than 2, got {args.Count}";
        if (args.Count == 2)
        {
            if (args[1] is not DurationLiteral d) return $"second argument to {name} must be a duration, got *influxql.{GoType(args[1])}";
            if (d.Nanoseconds <= 0) return "duration argument must be positive, got " + Parsing.InfluxQLText.FormatDuration(d.Nanoseconds);
        }
        ExtraIntervals = Math.Max(ExtraIntervals, 1);
        return Transform(name, args[0]);
    }

    private string? CompileElapsed(NodeList<Expr> args)
    {
        if (args.Count < 1 || args.Count > 2)
            return $"invalid number of arguments for elapsed, expected at least 1 but no more than 2, got {args.Count}";
        if (args.Count == 2)
        {
            if (args[1] is not DurationLiteral d) return $"second argument to elapsed must be a duration, got *influxql.{GoType(args[1])}";
            if (d.Nanoseconds <= 0) return "duration argument must be positive, got " + Parsing.InfluxQLText.FormatDuration(d.Nanoseconds);
        }
        ExtraIntervals = Math.Max(ExtraIntervals, 1);
        return Transform("elapsed", args[0]);
    }

    private string? CompileDifference(string name, NodeList<Expr> args)
    {
        if (args.Count != 1) return $"invalid number of arguments for {name}, expected 1, got {args.Count}";
        // cumulative_sum needs no point before the range, so it reads none (a window before it would be summed in).
        if (name != "cumulative_sum") ExtraIntervals = Math.Max(ExtraIntervals, 1);
        return Transform(name, args[0]);
    }

    private string? CompileMovingAverage(NodeList<Expr> args)
    {
        if (args.Count != 2) return $"invalid number of arguments for moving_average, expected 2, got {args.Count}";
        if (args[1] is not IntegerLiteral n) return $"second argument for moving_average must be an integer, got *influxql.{GoType(args[1])}";
        if (n.Value <= 1) return $"moving_average window must be greater than 1, got {n.Value}";
        ExtraIntervals = Math.Max(ExtraIntervals, (int)Math.Min(n.Value, int.MaxValue));
        return Transform("moving_average", args[0]);
    }

    private string? CompileIntegral(NodeList<Expr> args)
    {
        if (args.Count < 1 || args.Count > 2)
            return $"invalid number of arguments for integral, expected at least 1 but no more than 2, got {args.Count}";
        if (args.Count == 2)
        {
            if (args[1] is not DurationLiteral d) return "second argument must be a duration";
            if (d.Nanoseconds <= 0) return "duration argument must be positive, got " + Parsing.InfluxQLText.FormatDuration(d.Nanoseconds);
        }
        _onlySelectors = false;
        return CompileSymbol("integral", args[0]);
    }

    private string? CompileDistinct(NodeList<Expr> args, bool nested)
    {
        if (args.Count == 0) return "distinct function requires at least one argument";
        if (args.Count != 1) return "distinct function can only have one argument";
        if (args[0] is not VarRef) return "expected field argument in distinct()";
        if (!nested) _hasDistinct = true;
        _onlySelectors = false;
        return null;
    }

    private string? CompileTopBottom(Call call)
    {
        if (_topBottom.Length != 0) return $"selector function {_topBottom}() cannot be combined with other functions";
        if (call.Args.Count < 2) return $"invalid number of arguments for {call.Name}, expected at least 2, got {call.Args.Count}";
        if (call.Args[^1] is not IntegerLiteral limit) return $"expected integer as last argument in {call.Name}(), found {call.Args[^1]}";
        if (limit.Value <= 0) return $"limit ({limit.Value}) in {call.Name} function must be at least 1";
        if (_limit > 0 && limit.Value > _limit) return $"limit ({limit.Value}) in {call.Name} function can not be larger than the LIMIT ({_limit}) in the select statement";
        if (call.Args[0] is not VarRef) return $"expected first argument to be a field in {call.Name}(), found {call.Args[0]}";
        for (int i = 1; i < call.Args.Count - 1; i++)
        {
            if (call.Args[i] is not VarRef) return $"only fields or tags are allowed in {call.Name}(), found {call.Args[i]}";
        }
        _topBottom = call.Name;
        return null;
    }

    private string? CompileMathFunction(Call expr)
    {
        int nargs = expr.Name is "atan2" or "pow" or "log" ? 2 : 1;
        if (expr.Args.Count != nargs) return $"invalid number of arguments for {expr.Name}, expected {nargs}, got {expr.Args.Count}";
        foreach (var arg in expr.Args)
        {
            if (arg is Literal) continue;
            if (CompileExpr(arg) is { } error) return error;
        }
        return null;
    }

    private string? ValidateFields(SelectStatement stmt, int fields)
    {
        if (fields == 0) return "at least 1 non-time field must be queried";
        if (_callCount > 1 && _topBottom.Length != 0) return $"selector function {_topBottom}() cannot be combined with other functions";
        if (_callCount == 0)
        {
            if (stmt.Fill == FillOption.None) return "fill(none) must be used with a function";
            if (stmt.Fill == FillOption.Linear) return "fill(linear) must be used with a function";
            if (Interval != 0 && !InheritedInterval) return "GROUP BY requires at least one aggregate function";
        }
        if (_hasDistinct && (_callCount != 1 || _hasAuxiliaryFields))
            return "aggregate function distinct() cannot be combined with other functions or fields";
        if (_hasAuxiliaryFields && _callCount > 0)
        {
            if (!_onlySelectors) return "mixing aggregate and non-aggregate queries is not supported";
            if (_callCount > 1) return "mixing multiple selector functions with tags or fields is not supported";
        }
        return null;
    }

    private static string GoType(Expr e) => e switch
    {
        IntegerLiteral => "IntegerLiteral",
        NumberLiteral => "NumberLiteral",
        StringLiteral => "StringLiteral",
        DurationLiteral => "DurationLiteral",
        BooleanLiteral => "BooleanLiteral",
        VarRef => "VarRef",
        Call => "Call",
        _ => e.GetType().Name,
    };
}
