using System.Globalization;
using System.Text;
using Cairn.Storage.LineProtocol;

namespace Cairn.Storage.Tests.LineProtocol;

/// <summary>
/// Test helpers: every parse goes through both scanning paths (the fast one for plain lines, and the
/// general one forced), and fails the test if they disagree on anything.
/// </summary>
internal static class Lp
{
    /// <summary>The "server time" the tests pass: 2023-11-14T22:13:20.123456789Z.</summary>
    public const long Now = 1_700_000_000_123_456_789;

    public sealed record Result(List<Point> Points, List<string> Errors)
    {
        public string Render()
        {
            var text = new StringBuilder();
            foreach (Point point in Points)
            {
                text.Append(Lp.Render(point)).Append('\n');
            }

            foreach (string error in Errors)
            {
                text.Append("ERROR ").Append(error).Append('\n');
            }

            return text.ToString();
        }
    }

    public static Result Parse(string body, Precision precision = Precision.Nanosecond, long now = Now, bool allowUnsigned = false)
        => Parse(System.Text.Encoding.UTF8.GetBytes(body), precision, now, allowUnsigned);

    public static Result Parse(byte[] body, Precision precision = Precision.Nanosecond, long now = Now, bool allowUnsigned = false)
    {
        Result usual = ParseOnce(body, forceGeneral: false, precision, now, allowUnsigned);
        Result general = ParseOnce(body, forceGeneral: true, precision, now, allowUnsigned);
        string usualText = usual.Render();
        string generalText = general.Render();
        if (usualText != generalText)
        {
            throw new InvalidOperationException(
                $"the fast and general paths disagree on {Show(body)}:\n--- usual\n{usualText}--- general\n{generalText}");
        }

        return usual;
    }

    /// <summary>The one point of a one-line body that must parse.</summary>
    public static Point Single(string line, Precision precision = Precision.Nanosecond, long now = Now, bool allowUnsigned = false)
    {
        Result result = Parse(line, precision, now, allowUnsigned);
        if (result.Errors.Count != 0 || result.Points.Count != 1)
        {
            throw new InvalidOperationException($"expected one point from {Show(line)}, got:\n{result.Render()}");
        }

        return result.Points[0];
    }

    /// <summary>The error message of a one-line body that must fail.</summary>
    public static string Error(string line, Precision precision = Precision.Nanosecond, bool allowUnsigned = false)
    {
        Result result = Parse(line, precision, Now, allowUnsigned);
        if (result.Errors.Count != 1 || result.Points.Count != 0)
        {
            throw new InvalidOperationException($"expected one error from {Show(line)}, got:\n{result.Render()}");
        }

        return result.Errors[0];
    }

    /// <summary>The reason part of <see cref="Error"/>, after <c>unable to parse '&lt;line&gt;': </c>.</summary>
    public static string Reason(string line, Precision precision = Precision.Nanosecond, bool allowUnsigned = false)
    {
        string message = Error(line, precision, allowUnsigned);
        string trimmed = line.TrimStart(' ', '\t', '\0').TrimEnd('\n').TrimEnd('\r');
        string prefix = $"unable to parse '{trimmed}': ";
        if (!message.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected message shape: {message}");
        }

        return message[prefix.Length..];
    }

    /// <summary>One line per point: series key | measurement | tags | fields | timestamp.</summary>
    public static string Render(Point point)
    {
        var text = new StringBuilder();
        text.Append(point.SeriesKey).Append(" | ").Append(point.Measurement).Append(" |");
        foreach (KeyValuePair<string, string> tag in point.Tags)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        text.Append(" |");
        foreach (Field field in point.Fields)
        {
            text.Append(' ').Append(field.Key).Append('=').Append(RenderValue(field)).Append(':').Append(field.Type);
        }

        return text.Append(" | ").Append(point.Timestamp).ToString();
    }

    public static string RenderValue(Field field) => field.Value switch
    {
        // The bits, so that -0 and 0 differ.
        double number => number.ToString("R", CultureInfo.InvariantCulture) + "#" + BitConverter.DoubleToInt64Bits(number).ToString("x", CultureInfo.InvariantCulture),
        string text => "\"" + text + "\"",
        IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
        _ => field.Value.ToString() ?? "",
    };

    public static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    public static string Show(byte[] bytes) => Convert.ToHexString(bytes) + " " + Show(System.Text.Encoding.UTF8.GetString(bytes));

    private static Result ParseOnce(byte[] body, bool forceGeneral, Precision precision, long now, bool allowUnsigned)
    {
        var parser = new LineProtocolParser(allowUnsigned) { ForceGeneralPath = forceGeneral };
        var errors = new List<string>();
        List<Point> points = parser.ParseAll(body, now, precision, errors);
        return new Result(points, errors);
    }
}
