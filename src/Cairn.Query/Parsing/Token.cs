namespace Cairn.Query.Parsing;

/// <summary>The lexical tokens of InfluxQL, named and grouped as influxql's token.go.</summary>
internal enum Token
{
    Illegal,
    Eof,
    Ws,
    Comment,

    // Literals.
    Ident,
    BoundParam,
    Number,
    Integer,
    DurationVal,
    String,
    BadString,
    BadEscape,
    True,
    False,
    Regex,
    BadRegex,

    // Operators (influxql's operatorBeg..operatorEnd).
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    And,
    Or,
    In,
    Eq,
    Neq,
    EqRegex,
    NeqRegex,
    Lt,
    Lte,
    Gt,
    Gte,

    LParen,
    RParen,
    Comma,
    Colon,
    DoubleColon,
    Semicolon,
    Dot,

    // Keywords.
    All,
    Alter,
    Analyze,
    Any,
    As,
    Asc,
    Begin,
    By,
    Cardinality,
    Create,
    Continuous,
    Database,
    Databases,
    Default,
    Delete,
    Desc,
    Destinations,
    Diagnostics,
    Distinct,
    Drop,
    Duration,
    End,
    Every,
    Exact,
    Explain,
    Field,
    For,
    From,
    Future,
    Grant,
    Grants,
    Group,
    Groups,
    Inf,
    Insert,
    Into,
    Key,
    Keys,
    Kill,
    Limit,
    Measurement,
    Measurements,
    Name,
    Offset,
    On,
    Order,
    Password,
    Past,
    Policy,
    Policies,
    Privileges,
    Queries,
    Query,
    Read,
    Replication,
    Resample,
    Retention,
    Revoke,
    Select,
    Series,
    Set,
    Show,
    Shard,
    Shards,
    SLimit,
    SOffset,
    Stats,
    Subscription,
    Subscriptions,
    Tag,
    To,
    User,
    Users,
    Values,
    Verbose,
    Where,
    With,
    Write,
}

/// <summary>Token names, keyword lookup and operator classification.</summary>
internal static class Tokens
{
    private static readonly (Token Token, string Name)[] KeywordTable =
    [
        (Token.All, "ALL"),
        (Token.Alter, "ALTER"),
        (Token.Analyze, "ANALYZE"),
        (Token.Any, "ANY"),
        (Token.As, "AS"),
        (Token.Asc, "ASC"),
        (Token.Begin, "BEGIN"),
        (Token.By, "BY"),
        (Token.Cardinality, "CARDINALITY"),
        (Token.Create, "CREATE"),
        (Token.Continuous, "CONTINUOUS"),
        (Token.Database, "DATABASE"),
        (Token.Databases, "DATABASES"),
        (Token.Default, "DEFAULT"),
        (Token.Delete, "DELETE"),
        (Token.Desc, "DESC"),
        (Token.Destinations, "DESTINATIONS"),
        (Token.Diagnostics, "DIAGNOSTICS"),
        (Token.Distinct, "DISTINCT"),
        (Token.Drop, "DROP"),
        (Token.Duration, "DURATION"),
        (Token.End, "END"),
        (Token.Every, "EVERY"),
        (Token.Exact, "EXACT"),
        (Token.Explain, "EXPLAIN"),
        (Token.Field, "FIELD"),
        (Token.For, "FOR"),
        (Token.From, "FROM"),
        (Token.Future, "FUTURE"),
        (Token.Grant, "GRANT"),
        (Token.Grants, "GRANTS"),
        (Token.Group, "GROUP"),
        (Token.Groups, "GROUPS"),
        (Token.Inf, "INF"),
        (Token.Insert, "INSERT"),
        (Token.Into, "INTO"),
        (Token.Key, "KEY"),
        (Token.Keys, "KEYS"),
        (Token.Kill, "KILL"),
        (Token.Limit, "LIMIT"),
        (Token.Measurement, "MEASUREMENT"),
        (Token.Measurements, "MEASUREMENTS"),
        (Token.Name, "NAME"),
        (Token.Offset, "OFFSET"),
        (Token.On, "ON"),
        (Token.Order, "ORDER"),
        (Token.Password, "PASSWORD"),
        (Token.Past, "PAST"),
        (Token.Policy, "POLICY"),
        (Token.Policies, "POLICIES"),
        (Token.Privileges, "PRIVILEGES"),
        (Token.Queries, "QUERIES"),
        (Token.Query, "QUERY"),
        (Token.Read, "READ"),
        (Token.Replication, "REPLICATION"),
        (Token.Resample, "RESAMPLE"),
        (Token.Retention, "RETENTION"),
        (Token.Revoke, "REVOKE"),
        (Token.Select, "SELECT"),
        (Token.Series, "SERIES"),
        (Token.Set, "SET"),
        (Token.Show, "SHOW"),
        (Token.Shard, "SHARD"),
        (Token.Shards, "SHARDS"),
        (Token.SLimit, "SLIMIT"),
        (Token.SOffset, "SOFFSET"),
        (Token.Stats, "STATS"),
        (Token.Subscription, "SUBSCRIPTION"),
        (Token.Subscriptions, "SUBSCRIPTIONS"),
        (Token.Tag, "TAG"),
        (Token.To, "TO"),
        (Token.User, "USER"),
        (Token.Users, "USERS"),
        (Token.Values, "VALUES"),
        (Token.Verbose, "VERBOSE"),
        (Token.Where, "WHERE"),
        (Token.With, "WITH"),
        (Token.Write, "WRITE"),
    ];

    private static readonly string[] Names = BuildNames();

    private static readonly Dictionary<string, Token> Keywords = BuildKeywords();

    private static readonly Dictionary<string, Token>.AlternateLookup<ReadOnlySpan<char>> KeywordsBySpan =
        Keywords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// The token's text as influxql's <c>Token.String()</c>: keywords upper case, operators as symbols,
    /// and the empty string for the tokens influxql leaves unnamed (COMMENT, BOUNDPARAM, INTEGER, BADREGEX).
    /// </summary>
    public static string Text(this Token token) => Names[(int)token];

    /// <summary>influxql's <c>tokstr</c>: the literal when there is one, else the token's name.</summary>
    public static string Describe(Token token, string literal) => literal.Length != 0 ? literal : token.Text();

    /// <summary>Keyword (case-insensitive, including AND, OR, IN, TRUE, FALSE) or <see cref="Token.Ident"/>.</summary>
    public static Token Lookup(ReadOnlySpan<char> ident) =>
        KeywordsBySpan.TryGetValue(ident, out var token) ? token : Token.Ident;

    public static bool IsOperator(this Token token) => token >= Token.Add && token <= Token.Gte;

    public static bool IsRegexOperator(this Token token) => token is Token.EqRegex or Token.NeqRegex;

    public static Ast.BinaryOperator ToBinaryOperator(this Token token) => token switch
    {
        Token.Add => Ast.BinaryOperator.Add,
        Token.Sub => Ast.BinaryOperator.Sub,
        Token.Mul => Ast.BinaryOperator.Mul,
        Token.Div => Ast.BinaryOperator.Div,
        Token.Mod => Ast.BinaryOperator.Mod,
        Token.BitwiseAnd => Ast.BinaryOperator.BitwiseAnd,
        Token.BitwiseOr => Ast.BinaryOperator.BitwiseOr,
        Token.BitwiseXor => Ast.BinaryOperator.BitwiseXor,
        Token.And => Ast.BinaryOperator.And,
        Token.Or => Ast.BinaryOperator.Or,
        Token.In => Ast.BinaryOperator.In,
        Token.Eq => Ast.BinaryOperator.Eq,
        Token.Neq => Ast.BinaryOperator.Neq,
        Token.EqRegex => Ast.BinaryOperator.EqRegex,
        Token.NeqRegex => Ast.BinaryOperator.NeqRegex,
        Token.Lt => Ast.BinaryOperator.Lt,
        Token.Lte => Ast.BinaryOperator.Lte,
        Token.Gt => Ast.BinaryOperator.Gt,
        Token.Gte => Ast.BinaryOperator.Gte,
        _ => throw new ArgumentOutOfRangeException(nameof(token)),
    };

    private static string[] BuildNames()
    {
        var names = new string[(int)Token.Write + 1];
        Array.Fill(names, "");
        names[(int)Token.Illegal] = "ILLEGAL";
        names[(int)Token.Eof] = "EOF";
        names[(int)Token.Ws] = "WS";
        names[(int)Token.Ident] = "IDENT";
        names[(int)Token.Number] = "NUMBER";
        names[(int)Token.DurationVal] = "DURATIONVAL";
        names[(int)Token.String] = "STRING";
        names[(int)Token.BadString] = "BADSTRING";
        names[(int)Token.BadEscape] = "BADESCAPE";
        names[(int)Token.True] = "TRUE";
        names[(int)Token.False] = "FALSE";
        names[(int)Token.Regex] = "REGEX";
        names[(int)Token.Add] = "+";
        names[(int)Token.Sub] = "-";
        names[(int)Token.Mul] = "*";
        names[(int)Token.Div] = "/";
        names[(int)Token.Mod] = "%";
        names[(int)Token.BitwiseAnd] = "&";
        names[(int)Token.BitwiseOr] = "|";
        names[(int)Token.BitwiseXor] = "^";
        names[(int)Token.And] = "AND";
        names[(int)Token.Or] = "OR";
        names[(int)Token.In] = "IN";
        names[(int)Token.Eq] = "=";
        names[(int)Token.Neq] = "!=";
        names[(int)Token.EqRegex] = "=~";
        names[(int)Token.NeqRegex] = "!~";
        names[(int)Token.Lt] = "<";
        names[(int)Token.Lte] = "<=";
        names[(int)Token.Gt] = ">";
        names[(int)Token.Gte] = ">=";
        names[(int)Token.LParen] = "(";
        names[(int)Token.RParen] = ")";
        names[(int)Token.Comma] = ",";
        names[(int)Token.Colon] = ":";
        names[(int)Token.DoubleColon] = "::";
        names[(int)Token.Semicolon] = ";";
        names[(int)Token.Dot] = ".";
        foreach (var (token, name) in KeywordTable) names[(int)token] = name;
        return names;
    }

    private static Dictionary<string, Token> BuildKeywords()
    {
        var keywords = new Dictionary<string, Token>(StringComparer.OrdinalIgnoreCase);
        foreach (var (token, name) in KeywordTable) keywords[name] = token;
        keywords["AND"] = Token.And;
        keywords["OR"] = Token.Or;
        keywords["IN"] = Token.In;
        keywords["TRUE"] = Token.True;
        keywords["FALSE"] = Token.False;
        return keywords;
    }
}

/// <summary>A zero-based line and character (code point) position, as influxql's <c>Pos</c>.</summary>
internal readonly record struct Pos(int Line, int Char);
