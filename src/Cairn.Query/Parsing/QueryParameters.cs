using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.Query.Parsing;

/// <summary>A JSON number kept as its text, as Go's <c>json.Number</c> (nested inside typed parameter objects).</summary>
public readonly record struct RawJsonNumber(string Text);

/// <summary>
/// Bound parameters (<c>$name</c> in a query) from the <c>params</c> query-string value, decoded the way
/// InfluxDB's HTTP handler does, and bound to tokens the way influxql does.
/// </summary>
/// <remarks>
/// Accepted values: strings (string literal), booleans, integers (<see cref="long"/>/<see cref="int"/>),
/// floats (<see cref="double"/>), and the typed form, a one-entry object whose key says what the value is:
/// <c>{"identifier": "cpu"}</c> (also <c>ident</c>), <c>{"regex": "^c.*"}</c>, <c>{"string": …}</c>,
/// <c>{"float": …}</c> (also <c>number</c>), <c>{"integer": …}</c> (also <c>int</c>),
/// <c>{"duration": "10s" | nanoseconds}</c>. A value that cannot be bound fails only where it is used.
/// </remarks>
public static class QueryParameters
{
    /// <summary>
    /// Decodes the <c>params</c> JSON object. Top-level numbers become <see cref="long"/> (no '.') or
    /// <see cref="double"/>; numbers inside typed objects stay <see cref="RawJsonNumber"/>. On failure
    /// <paramref name="error"/> is the full message InfluxDB answers with (HTTP 400).
    /// </summary>
    public static bool TryParseJson(string json, out IReadOnlyDictionary<string, object?> parameters, out string? error)
    {
        parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        error = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            error = "error parsing query parameters: EOF";
            return false;
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowMultipleValues = true });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            error = "error parsing query parameters: " + DescribeJsonError(json, e);
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Null:
                    return true;
                case JsonValueKind.Object:
                    break;
                default:
                    error = "error parsing query parameters: json: cannot unmarshal " + GoJsonKind(root.ValueKind)
                        + " into Go value of type map[string]interface {}";
                    return false;
            }

            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                object? value = ToValue(property.Value);
                if (value is RawJsonNumber number)
                {
                    if (!TryConvertNumber(number.Text, out value, out string? numberError))
                    {
                        error = "error parsing json value: " + numberError;
                        return false;
                    }
                }
                result[property.Name] = value;
            }
            parameters = result;
            return true;
        }
    }

    internal static Dictionary<string, BoundValue> Bind(IReadOnlyDictionary<string, object?> parameters)
    {
        var bound = new Dictionary<string, BoundValue>(parameters.Count, StringComparer.Ordinal);
        foreach (var (name, value) in parameters) bound[name] = BindValue(value);
        return bound;
    }

    /// <summary>influxql's <c>BindValue</c>: the token a parameter's value stands for.</summary>
    internal static BoundValue BindValue(object? value)
    {
        if (value is RawJsonNumber raw)
        {
            if (!TryConvertNumber(raw.Text, out value, out string? error)) return BoundValue.Error(error);
        }
        return value switch
        {
            double d => BoundValue.Number(d),
            long l => BoundValue.Integer(l),
            int i => BoundValue.Integer(i),
            string s => new BoundValue(Token.String, s),
            bool b => new BoundValue(b ? Token.True : Token.False, ""),
            IReadOnlyDictionary<string, object?> map => BindObject(map),
            null => BoundValue.Error("unable to bind parameter with type <nil>"),
            IEnumerable => BoundValue.Error("unable to bind parameter with type []interface {}"),
            ulong => BoundValue.Error("unable to bind parameter with type uint64"),
            _ => BoundValue.Error("unable to bind parameter with type unsupported"),
        };
    }

    private static BoundValue BindObject(IReadOnlyDictionary<string, object?> map)
    {
        if (map.Count != 1) return BoundValue.Error("bound object parameter value must have exactly one entry");
        var (kind, value) = map.First();
        if (value is RawJsonNumber raw)
        {
            if (!TryConvertNumber(raw.Text, out value, out string? error)) return BoundValue.Error(error);
        }

        switch (kind)
        {
            case "ident":
            case "identifier":
                return value is string ident ? new BoundValue(Token.Ident, ident) : BoundValue.Error("identifier must be a string value");
            case "regex":
                return value is string regex ? new BoundValue(Token.Regex, regex) : BoundValue.Error("regex literal must be a string value");
            case "string":
                return value is string s ? new BoundValue(Token.String, s) : BoundValue.Error("string literal must be a string value");
            case "float":
            case "number":
                return value switch
                {
                    double d => BoundValue.Number(d),
                    long l => BoundValue.Number(l),
                    int i => BoundValue.Number(i),
                    _ => BoundValue.Error("number literal must be a float value"),
                };
            case "int":
            case "integer":
                return value switch
                {
                    long l => BoundValue.Integer(l),
                    int i => BoundValue.Integer(i),
                    _ => BoundValue.Error("integer literal must be an integer value"),
                };
            case "duration":
                return value switch
                {
                    string d => new BoundValue(Token.DurationVal, d),
                    long l => new BoundValue(Token.DurationVal, InfluxQLText.FormatDuration(l)),
                    int i => new BoundValue(Token.DurationVal, InfluxQLText.FormatDuration(i)),
                    _ => BoundValue.Error("duration literal must be a string or integer value"),
                };
            default:
                return BoundValue.Error("unknown bind object type: " + kind);
        }
    }

    /// <summary>Go's handling of a <c>json.Number</c>: a '.' makes it a float64, otherwise an int64.</summary>
    private static bool TryConvertNumber(string text, out object? value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (text.Contains('.'))
        {
            if (GoFormat.TryParseFloat(text, out double d))
            {
                value = d;
                return true;
            }
            value = null;
            error = "strconv.ParseFloat: parsing " + GoQuote(text) + (LooksNumeric(text) ? ": value out of range" : ": invalid syntax");
            return false;
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            value = l;
            return true;
        }
        value = null;
        bool digitsOnly = text.Length > 0 && text.TrimStart('-', '+').All(char.IsAsciiDigit);
        error = "strconv.ParseInt: parsing " + GoQuote(text) + (digitsOnly ? ": value out of range" : ": invalid syntax");
        return false;
    }

    private static bool LooksNumeric(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => new RawJsonNumber(element.GetRawText()),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object => ToMap(element),
        JsonValueKind.Array => element.EnumerateArray().Select(e => ToValue(e)).ToList(),
        _ => null,
    };

    private static Dictionary<string, object?> ToMap(JsonElement element)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject()) map[property.Name] = ToValue(property.Value);
        return map;
    }

    private static string GoJsonKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };

    private static string DescribeJsonError(string json, JsonException e)
    {
        // Go's decoder words these differently; the common cases are mapped, the rest keep .NET's description.
        if (e.BytePositionInLine is { } column && e.LineNumber is { } line)
        {
            var lines = json.Split('\n');
            if (line < lines.Length && column < Encoding.UTF8.GetByteCount(lines[line]))
            {
                byte[] bytes = Encoding.UTF8.GetBytes(lines[line]);
                char c = (char)bytes[column];
                return "invalid character " + GoQuoteRune(c) + " looking for beginning of value";
            }
            return "unexpected EOF";
        }
        return e.Message;
    }

    private static string GoQuoteRune(char c) => c switch
    {
        '\'' => "'\\''",
        '"' => "'\"'",
        _ => "'" + c + "'",
    };

    /// <summary>Go's <c>strconv.Quote</c> for the ASCII texts that reach it here.</summary>
    internal static string GoQuote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

/// <summary>A bound parameter's value as the token it replaces <c>$name</c> with (influxql's <c>Value</c>).</summary>
internal readonly record struct BoundValue(Token Token, string Literal)
{
    public static BoundValue Number(double value) => new(Token.Number, GoFormat.FormatFloatF(value));

    public static BoundValue Integer(long value) => new(Token.Integer, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A value that could not be bound: it stays a BOUNDPARAM whose literal is the reason.</summary>
    public static BoundValue Error(string message) => new(Token.BoundParam, message);
}
