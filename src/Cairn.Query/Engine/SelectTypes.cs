using Cairn.Query.Ast;
using Cairn.Storage;

namespace Cairn.Query.Engine;

/// <summary>
/// influxdb's validateTypes (query/select.go): once the fields are expanded and every name has its type (a field's
/// type, <c>tag</c>, or unknown), each selected expression is typed as influxql's TypeValuerEval does, and a binary
/// operation the two types cannot take fails with its TypeError text: <c>type error: EXPR: MESSAGE</c>, EXPR
/// written with the resolved <c>::type</c> of each name.
/// </summary>
internal static class SelectTypes
{
    /// <summary>The first type error among <paramref name="fields"/>, or null.</summary>
    public static string? Validate(IReadOnlyList<Field> fields, IReadOnlyDictionary<string, FieldType> fieldTypes, ICollection<string> tagKeys)
    {
        foreach (var field in fields)
        {
            var typed = Resolve(field.Expr, fieldTypes, tagKeys);
            if (!TryEvalType(typed, out _, out string? error)) return error;
        }
        return null;
    }

    /// <summary>The expression with each untyped (or <c>::field</c>) name given its type, as influxql's RewriteFields does.</summary>
    internal static Expr Resolve(Expr expr, IReadOnlyDictionary<string, FieldType> fieldTypes, ICollection<string> tagKeys) => expr switch
    {
        VarRef v when v.Type is DataType.Unknown or DataType.AnyField => Typed(v, fieldTypes, tagKeys),
        BinaryExpr b => b with { Lhs = Resolve(b.Lhs, fieldTypes, tagKeys), Rhs = Resolve(b.Rhs, fieldTypes, tagKeys) },
        ParenExpr p => p with { Expr = Resolve(p.Expr, fieldTypes, tagKeys) },
        Call c => c with { Args = new NodeList<Expr>([.. c.Args.Select(a => Resolve(a, fieldTypes, tagKeys))]) },
        _ => expr,
    };

    private static VarRef Typed(VarRef v, IReadOnlyDictionary<string, FieldType> fieldTypes, ICollection<string> tagKeys)
    {
        if (fieldTypes.TryGetValue(v.Name, out var type)) return v with { Type = Of(type) };
        // A tag named with ::field stays ::field (and so untyped for the check).
        if (tagKeys.Contains(v.Name) && v.Type == DataType.Unknown) return v with { Type = DataType.Tag };
        return v;
    }

    /// <summary>The type a resolved call yields, or unknown (an error counts as unknown).</summary>
    internal static DataType TypeOf(Call call) => TryEvalType(call, out var type, out _) ? type : DataType.Unknown;

    private static DataType Of(FieldType type) => type switch
    {
        FieldType.Float => DataType.Float,
        FieldType.Integer => DataType.Integer,
        FieldType.Unsigned => DataType.Unsigned,
        FieldType.Boolean => DataType.Boolean,
        _ => DataType.String,
    };

    /// <summary>TypeValuerEval.EvalType over a resolved expression.</summary>
    private static bool TryEvalType(Expr expr, out DataType type, out string? error)
    {
        error = null;
        switch (expr)
        {
            case VarRef v:
                type = v.Type == DataType.AnyField ? DataType.Unknown : v.Type;
                return true;
            case ParenExpr p:
                return TryEvalType(p.Expr, out type, out error);
            case Call c:
                var args = new DataType[c.Args.Count];
                for (int i = 0; i < args.Length; i++)
                {
                    if (!TryEvalType(c.Args[i], out args[i], out error))
                    {
                        type = DataType.Unknown;
                        return false;
                    }
                }
                type = CallType(c.Name, args);
                return true;
            case BinaryExpr b:
                return TryEvalBinary(b, out type, out error);
            case NumberLiteral: type = DataType.Float; return true;
            case IntegerLiteral: type = DataType.Integer; return true;
            case UnsignedLiteral: type = DataType.Unsigned; return true;
            case StringLiteral: type = DataType.String; return true;
            case BooleanLiteral: type = DataType.Boolean; return true;
            default: type = DataType.Unknown; return true;
        }
    }

    /// <summary>
    /// query's FunctionTypeMapper: its answer is never unknown for a known argument type, so the math mapper after it
    /// (the one with argument errors) only sees unknown arguments and never fails.
    /// </summary>
    private static DataType CallType(string name, DataType[] args) => name switch
    {
        "mean" or "median" or "integral" or "stddev" or "derivative" or "non_negative_derivative" or "moving_average"
            or "exponential_moving_average" or "double_exponential_moving_average" or "triple_exponential_moving_average"
            or "relative_strength_index" or "triple_exponential_derivative" or "kaufmans_efficiency_ratio"
            or "kaufmans_adaptive_moving_average" or "chande_momentum_oscillator" or "holt_winters" or "holt_winters_with_fit" => DataType.Float,
        "count" or "elapsed" => DataType.Integer,
        _ when args.Length == 0 => DataType.Unknown,
        "sin" or "cos" or "tan" or "atan" or "exp" or "log" or "ln" or "log2" or "log10" or "sqrt" or "asin" or "acos" or "atan2" or "pow"
            when args[0] == DataType.Unknown => DataType.Float,
        _ => args[0],
    };

    private static bool TryEvalBinary(BinaryExpr expr, out DataType type, out string? error)
    {
        type = DataType.Unknown;
        if (!TryEvalType(expr.Lhs, out var lhs, out error) || !TryEvalType(expr.Rhs, out var rhs, out error)) return false;

        // An integer and an unsigned mix only when the integer is a literal.
        if ((lhs, rhs) is (DataType.Unsigned, DataType.Integer) or (DataType.Integer, DataType.Unsigned))
        {
            var (unsignedSide, integerSide) = lhs == DataType.Unsigned ? (expr.Lhs, expr.Rhs) : (expr.Rhs, expr.Lhs);
            if (unsignedSide is Literal)
                return Fail(expr, $"cannot use {expr.Op.Text()} with an integer and unsigned literal", out error);
            if (integerSide is not Literal)
                return Fail(expr, $"cannot use {expr.Op.Text()} between an integer and unsigned, an explicit cast is required", out error);
        }

        if (lhs == DataType.Unknown) { type = rhs; return true; }
        if (rhs == DataType.Unknown) { type = lhs; return true; }
        type = ZeroValueResult(expr.Op, lhs, rhs);
        if (type != DataType.Unknown) return true;
        return Fail(expr, $"incompatible types: {lhs.Text()} and {rhs.Text()}", out error);
    }

    private static bool Fail(BinaryExpr expr, string message, out string? error)
    {
        error = "type error: " + expr + ": " + message;
        return false;
    }

    /// <summary>
    /// The type of <c>zero(lhs) OP zero(rhs)</c> under influxql's ValuerEval: what the operation yields for the two
    /// types, or unknown when it yields nothing (a tag's zero is a string; time and duration zeros only compare).
    /// </summary>
    private static DataType ZeroValueResult(BinaryOperator op, DataType lhs, DataType rhs)
    {
        bool comparison = op is BinaryOperator.Eq or BinaryOperator.Neq or BinaryOperator.Lt or BinaryOperator.Lte or BinaryOperator.Gt or BinaryOperator.Gte;
        bool arithmetic = op is BinaryOperator.Add or BinaryOperator.Sub or BinaryOperator.Mul or BinaryOperator.Div or BinaryOperator.Mod;
        bool bitwise = op is BinaryOperator.BitwiseAnd or BinaryOperator.BitwiseOr or BinaryOperator.BitwiseXor;
        bool numericRhs = rhs is DataType.Float or DataType.Integer or DataType.Unsigned;
        switch (lhs)
        {
            case DataType.Boolean:
                return comparison || bitwise || op is BinaryOperator.And or BinaryOperator.Or ? DataType.Boolean : DataType.Unknown;
            case DataType.Float:
                if (comparison) return DataType.Boolean;
                return arithmetic && numericRhs ? DataType.Float : DataType.Unknown;
            case DataType.Integer or DataType.Unsigned:
                if (comparison) return DataType.Boolean;
                if (rhs == DataType.Float) return arithmetic ? DataType.Float : DataType.Unknown;
                if (!numericRhs || !(arithmetic || bitwise)) return DataType.Unknown;
                return lhs == DataType.Integer && rhs == DataType.Integer ? DataType.Integer : DataType.Unsigned;
            case DataType.String or DataType.Tag:
                return comparison || op is BinaryOperator.EqRegex or BinaryOperator.NeqRegex ? DataType.Boolean : DataType.Unknown;
            default:
                return comparison ? DataType.Boolean : DataType.Unknown;
        }
    }
}
