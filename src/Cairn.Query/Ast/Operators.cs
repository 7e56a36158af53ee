namespace Cairn.Query.Ast;

/// <summary>A binary operator, from lowest to highest precedence group (see <see cref="OperatorText.Precedence"/>).</summary>
public enum BinaryOperator
{
    Or,
    And,
    Eq,
    Neq,
    EqRegex,
    NeqRegex,
    Lt,
    Lte,
    Gt,
    Gte,
    /// <summary><c>IN</c>: parsed like a comparison (influxql accepts <c>a IN b</c> in expressions).</summary>
    In,
    Add,
    Sub,
    BitwiseOr,
    BitwiseXor,
    Mul,
    Div,
    Mod,
    BitwiseAnd,
}

/// <summary>The primitive data types of InfluxQL, as a <c>::type</c> cast on a <see cref="VarRef"/>.</summary>
public enum DataType
{
    Unknown = 0,
    Float = 1,
    Integer = 2,
    String = 3,
    Boolean = 4,
    Time = 5,
    Duration = 6,
    Tag = 7,
    AnyField = 8,
    Unsigned = 9,
}

/// <summary>What a <c>*</c> expands to: everything, fields only (<c>*::field</c>) or tags only (<c>*::tag</c>).</summary>
public enum WildcardType
{
    All,
    Field,
    Tag,
}

/// <summary>A user privilege on a database.</summary>
public enum Privilege
{
    NoPrivileges,
    Read,
    Write,
    All,
}

/// <summary>How a GROUP BY time() query fills empty windows.</summary>
public enum FillOption
{
    /// <summary>fill(null), the default.</summary>
    Null,
    /// <summary>fill(none): drop empty windows.</summary>
    None,
    /// <summary>fill(number): the value is <see cref="SelectStatement.FillValue"/>.</summary>
    Number,
    Previous,
    Linear,
}

/// <summary>InfluxQL spellings and precedences of the AST enums.</summary>
public static class OperatorText
{
    /// <summary>The operator as influxql prints it (<c>&lt;&gt;</c> prints as <c>!=</c>).</summary>
    public static string Text(this BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Sub => "-",
        BinaryOperator.Mul => "*",
        BinaryOperator.Div => "/",
        BinaryOperator.Mod => "%",
        BinaryOperator.BitwiseAnd => "&",
        BinaryOperator.BitwiseOr => "|",
        BinaryOperator.BitwiseXor => "^",
        BinaryOperator.And => "AND",
        BinaryOperator.Or => "OR",
        BinaryOperator.In => "IN",
        BinaryOperator.Eq => "=",
        BinaryOperator.Neq => "!=",
        BinaryOperator.EqRegex => "=~",
        BinaryOperator.NeqRegex => "!~",
        BinaryOperator.Lt => "<",
        BinaryOperator.Lte => "<=",
        BinaryOperator.Gt => ">",
        BinaryOperator.Gte => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>
    /// influxql's precedence: OR 1, AND 2, comparisons and IN 3, <c>+ - | ^</c> 4, <c>* / % &amp;</c> 5.
    /// Operators of equal precedence associate to the left.
    /// </summary>
    public static int Precedence(this BinaryOperator op) => op switch
    {
        BinaryOperator.Or => 1,
        BinaryOperator.And => 2,
        BinaryOperator.Eq or BinaryOperator.Neq or BinaryOperator.EqRegex or BinaryOperator.NeqRegex
            or BinaryOperator.Lt or BinaryOperator.Lte or BinaryOperator.Gt or BinaryOperator.Gte
            or BinaryOperator.In => 3,
        BinaryOperator.Add or BinaryOperator.Sub or BinaryOperator.BitwiseOr or BinaryOperator.BitwiseXor => 4,
        _ => 5,
    };

    /// <summary>True for the operators that yield a boolean (comparisons, regex matches, AND, OR).</summary>
    public static bool IsBooleanOperator(this BinaryOperator op) => op switch
    {
        BinaryOperator.Eq or BinaryOperator.Neq or BinaryOperator.EqRegex or BinaryOperator.NeqRegex
            or BinaryOperator.Lt or BinaryOperator.Lte or BinaryOperator.Gt or BinaryOperator.Gte
            or BinaryOperator.And or BinaryOperator.Or => true,
        _ => false,
    };

    /// <summary>The type name as influxql prints it: float, integer, unsigned, string, boolean, time, duration, tag, field, unknown.</summary>
    public static string Text(this DataType type) => type switch
    {
        DataType.Float => "float",
        DataType.Integer => "integer",
        DataType.Unsigned => "unsigned",
        DataType.String => "string",
        DataType.Boolean => "boolean",
        DataType.Time => "time",
        DataType.Duration => "duration",
        DataType.Tag => "tag",
        DataType.AnyField => "field",
        _ => "unknown",
    };

    /// <summary>READ, WRITE, ALL PRIVILEGES or NO PRIVILEGES.</summary>
    public static string Text(this Privilege privilege) => privilege switch
    {
        Privilege.NoPrivileges => "NO PRIVILEGES",
        Privilege.Read => "READ",
        Privilege.Write => "WRITE",
        Privilege.All => "ALL PRIVILEGES",
        _ => "",
    };
}
