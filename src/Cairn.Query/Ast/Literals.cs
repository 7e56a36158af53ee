using System.Globalization;
using System.Text;
using Cairn.Query.Parsing;

namespace Cairn.Query.Ast;

/// <summary>A float literal (<c>1.5</c>, <c>.23</c>, <c>100.</c>). Prints with shortest digits and always a decimal point.</summary>
public sealed record NumberLiteral(double Value) : Literal
{
    internal override void Write(StringBuilder sb)
    {
        string s = GoFormat.FormatFloatF(Value);
        sb.Append(s);
        // A whole number would re-parse as an integer; influxql appends ".0" to keep it a float.
        if (s.Contains('.') || s is "NaN" or "+Inf" or "-Inf") return;
        sb.Append(".0");
    }
}

/// <summary>An integer literal that fits in int64.</summary>
public sealed record IntegerLiteral(long Value) : Literal
{
    internal override void Write(StringBuilder sb) => sb.Append(Value.ToString(CultureInfo.InvariantCulture));
}

/// <summary>An integer literal above int64's range (influxql parses those as uint64).</summary>
public sealed record UnsignedLiteral(ulong Value) : Literal
{
    internal override void Write(StringBuilder sb) => sb.Append(Value.ToString(CultureInfo.InvariantCulture));
}

/// <summary><c>true</c> or <c>false</c>.</summary>
public sealed record BooleanLiteral(bool Value) : Literal
{
    internal override void Write(StringBuilder sb) => sb.Append(Value ? "true" : "false");
}

/// <summary>A single-quoted string. Time literals (<c>'2000-01-01T00:00:00Z'</c>) are strings until compiled.</summary>
public sealed record StringLiteral(string Value) : Literal
{
    internal override void Write(StringBuilder sb) => InfluxQLText.AppendQuotedString(sb, Value);
}

/// <summary>A duration (<c>10s</c>, <c>1h30m</c>, <c>-5m</c>) in nanoseconds.</summary>
public sealed record DurationLiteral(long Nanoseconds) : Literal
{
    internal override void Write(StringBuilder sb) => sb.Append(InfluxQLText.FormatDuration(Nanoseconds));
}

/// <summary>
/// A point in time as Unix nanoseconds (UTC). The parser never produces it; later stages turn
/// time strings into it. Prints as a quoted RFC3339Nano string.
/// </summary>
public sealed record TimeLiteral(long UnixNanoseconds) : Literal
{
    internal override void Write(StringBuilder sb) => sb.Append('\'').Append(GoFormat.Rfc3339Nano(UnixNanoseconds)).Append('\'');
}

/// <summary>
/// A regular expression <c>/…/</c>. <see cref="Pattern"/> is the RE2 source with <c>\/</c> already unescaped,
/// exactly as influxql hands it to Go's regexp package.
/// </summary>
public sealed record RegexLiteral(string Pattern) : Literal
{
    internal override void Write(StringBuilder sb) => sb.Append('/').Append(Pattern.Replace("/", "\\/")).Append('/');
}

/// <summary>A parenthesized list of tag keys, from <c>WITH KEY IN (a, b)</c>.</summary>
public sealed record ListLiteral(NodeList<string> Values) : Literal
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append('(');
        for (int i = 0; i < Values.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            InfluxQLText.AppendQuotedIdent(sb, Values[i]);
        }
        sb.Append(')');
    }
}

/// <summary>The absent value; internal to query evaluation, never parsed. Prints as <c>nil</c>.</summary>
public sealed record NilLiteral : Literal
{
    internal override void Write(StringBuilder sb) => sb.Append("nil");
}

/// <summary>A <c>$name</c> placeholder, for building query text from an AST. The parser substitutes parameters instead.</summary>
public sealed record BoundParameter(string Name) : Literal
{
    internal override void Write(StringBuilder sb)
    {
        sb.Append('$');
        InfluxQLText.AppendQuotedIdent(sb, Name);
    }
}
