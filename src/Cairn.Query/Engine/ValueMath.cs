using System.Text.RegularExpressions;
using Cairn.Query.Ast;

namespace Cairn.Query.Engine;

/// <summary>
/// Values as the engine carries them (null, <see cref="double"/>, <see cref="long"/>, <see cref="ulong"/>,
/// <see cref="bool"/>, <see cref="string"/>) and influxql's arithmetic and comparisons on them.
/// </summary>
internal static class ValueMath
{
    public static bool IsNumber(object? v) => v is double or long or ulong;

    public static double ToDouble(object? v) => v switch
    {
        double d => d,
        long l => l,
        ulong u => u,
        _ => double.NaN,
    };

    /// <summary>influxql's binary arithmetic: integer with integer stays integer (division gives float), any float makes float.</summary>
    public static object? Binary(BinaryOperator op, object? lhs, object? rhs)
    {
        if (op is BinaryOperator.And or BinaryOperator.Or)
        {
            if (lhs is bool a && rhs is bool b) return op == BinaryOperator.And ? a && b : a || b;
            return null;
        }
        if (op.IsBooleanOperator()) return Compare(op, lhs, rhs);
        if (lhs is null || rhs is null) return null;
        if (lhs is long li && rhs is long ri)
        {
            switch (op)
            {
                case BinaryOperator.Add: return unchecked(li + ri);
                case BinaryOperator.Sub: return unchecked(li - ri);
                case BinaryOperator.Mul: return unchecked(li * ri);
                case BinaryOperator.Div: return ri == 0 ? 0.0 : (double)li / ri;
                case BinaryOperator.Mod: return ri == 0 ? 0L : li % ri;
                case BinaryOperator.BitwiseAnd: return li & ri;
                case BinaryOperator.BitwiseOr: return li | ri;
                case BinaryOperator.BitwiseXor: return li ^ ri;
            }
            return null;
        }
        if (lhs is ulong lu && rhs is ulong ru)
        {
            switch (op)
            {
                case BinaryOperator.Add: return unchecked(lu + ru);
                case BinaryOperator.Sub: return unchecked(lu - ru);
                case BinaryOperator.Mul: return unchecked(lu * ru);
                case BinaryOperator.Div: return ru == 0 ? 0.0 : (double)lu / ru;
                case BinaryOperator.Mod: return ru == 0 ? 0UL : lu % ru;
                case BinaryOperator.BitwiseAnd: return lu & ru;
                case BinaryOperator.BitwiseOr: return lu | ru;
                case BinaryOperator.BitwiseXor: return lu ^ ru;
            }
            return null;
        }
        if (lhs is bool lb && rhs is bool rb)
        {
            return op switch
            {
                BinaryOperator.BitwiseAnd => lb & rb,
                BinaryOperator.BitwiseOr => lb | rb,
                BinaryOperator.BitwiseXor => lb ^ rb,
                _ => null,
            };
        }
        if (!IsNumber(lhs) || !IsNumber(rhs)) return null;
        double l = ToDouble(lhs), r = ToDouble(rhs);
        return op switch
        {
            BinaryOperator.Add => l + r,
            BinaryOperator.Sub => l - r,
            BinaryOperator.Mul => l * r,
            BinaryOperator.Div => r == 0 ? 0.0 : l / r,
            BinaryOperator.Mod => r == 0 ? 0.0 : l % r,
            _ => null,
        };
    }

    private static object? Compare(BinaryOperator op, object? lhs, object? rhs)
    {
        if (rhs is Regex regex)
        {
            if (lhs is not string s) return false;
            bool match = regex.IsMatch(s);
            return op switch
            {
                BinaryOperator.EqRegex => match,
                BinaryOperator.NeqRegex => !match,
                _ => false,
            };
        }
        if (lhs is null || rhs is null) return false;
        int c;
        if (lhs is string ls && rhs is string rs)
        {
            c = string.CompareOrdinal(ls, rs);
        }
        else if (lhs is bool lb && rhs is bool rb)
        {
            if (op is not (BinaryOperator.Eq or BinaryOperator.Neq)) return false;
            c = lb == rb ? 0 : 1;
        }
        else if (lhs is long li && rhs is long ri) c = li.CompareTo(ri);
        else if (lhs is ulong lu && rhs is ulong ru) c = lu.CompareTo(ru);
        else if (IsNumber(lhs) && IsNumber(rhs)) c = ToDouble(lhs).CompareTo(ToDouble(rhs));
        else return false;
        return op switch
        {
            BinaryOperator.Eq => c == 0,
            BinaryOperator.Neq => c != 0,
            BinaryOperator.Lt => c < 0,
            BinaryOperator.Lte => c <= 0,
            BinaryOperator.Gt => c > 0,
            BinaryOperator.Gte => c >= 0,
            _ => false,
        };
    }

    /// <summary>The math functions influxql evaluates per row (abs, sin, pow, …); null when the argument is not a number.</summary>
    public static object? MathCall(string name, object?[] args)
    {
        if (args.Length == 0 || args[0] is null || !IsNumber(args[0])) return null;
        double x = ToDouble(args[0]);
        switch (name)
        {
            case "abs":
                // Boxed arm by arm (the switch's natural type would be double); the most negative integer stays as it is.
                return args[0] switch { long l => (object)(l < 0 ? unchecked(-l) : l), ulong u => (object)u, _ => (object)Math.Abs(x) };
            case "floor":
                return args[0] is double ? Math.Floor(x) : args[0];
            case "ceil":
                return args[0] is double ? Math.Ceiling(x) : args[0];
            case "round":
                return args[0] is double ? Math.Round(x, MidpointRounding.AwayFromZero) : args[0];
            case "sin": return Math.Sin(x);
            case "cos": return Math.Cos(x);
            case "tan": return Math.Tan(x);
            case "asin": return Math.Asin(x);
            case "acos": return Math.Acos(x);
            case "atan": return Math.Atan(x);
            case "exp": return Math.Exp(x);
            case "ln": return GoMath.Log(x);
            case "log2": return GoMath.Log2(x);
            case "log10": return GoMath.Log10(x);
            case "sqrt": return Math.Sqrt(x);
        }
        if (args.Length < 2 || args[1] is null || !IsNumber(args[1])) return null;
        double y = ToDouble(args[1]);
        return name switch
        {
            "pow" => Math.Pow(x, y),
            "atan2" => Math.Atan2(x, y),
            "log" => GoMath.Log(x) / GoMath.Log(y),
            _ => null,
        };
    }

    public static bool IsMathFunction(string name) => name is "abs" or "sin" or "cos" or "tan" or "asin" or "acos" or "atan"
        or "atan2" or "exp" or "log" or "ln" or "log2" or "log10" or "sqrt" or "pow" or "floor" or "ceil" or "round";

    /// <summary>Ordering of values of one type for sorting (numbers by value, strings ordinal, false before true).</summary>
    public static int Order(object? a, object? b)
    {
        if (a is long la && b is long lb) return la.CompareTo(lb);
        if (a is ulong ua && b is ulong ub) return ua.CompareTo(ub);
        if (a is string sa && b is string sb) return string.CompareOrdinal(sa, sb);
        if (a is bool ba && b is bool bb) return ba.CompareTo(bb);
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        return 0;
    }
}
