using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Query.Engine;

/// <summary>
/// Compiles an InfluxQL regex (RE2 syntax, already checked by the parser) into a .NET <see cref="Regex"/>
/// that matches the same strings. The non-backtracking engine keeps matching linear in the input, as RE2's is.
/// </summary>
/// <remarks>
/// Translated: <c>(?P&lt;name&gt;</c> groups, <c>\pL</c> one-letter classes, the ASCII-only <c>\d \w \s</c> (and
/// their negations) of RE2, and POSIX classes such as <c>[[:alpha:]]</c>. Not translated: <c>\Q…\E</c>,
/// <c>(?U)</c>, and <c>$</c> before a final newline (no tag value holds a newline).
/// </remarks>
public static class GoRegex
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    public static bool TryCompile(string pattern, [NotNullWhen(true)] out Regex? regex, [NotNullWhen(false)] out string? error)
    {
        string translated = Translate(pattern);
        try
        {
            regex = new Regex(translated, Options);
            error = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            regex = null;
            error = "error parsing regexp: " + e.Message;
            return false;
        }
    }

    internal static string Translate(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 8);
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char next = pattern[i + 1];
                i++;
                switch (next)
                {
                    case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); break;
                    case 'D': sb.Append(inClass ? "\\D" : "[^0-9]"); break;
                    case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); break;
                    case 'W': sb.Append(inClass ? "\\W" : "[^0-9A-Za-z_]"); break;
                    case 's': sb.Append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]"); break;
                    case 'S': sb.Append(inClass ? "\\S" : "[^\\t\\n\\f\\r ]"); break;
                    case 'p' or 'P' when i + 1 < pattern.Length && pattern[i + 1] != '{':
                        sb.Append('\\').Append(next).Append('{').Append(pattern[i + 1]).Append('}');
                        i++;
                        break;
                    default: sb.Append('\\').Append(next); break;
                }
                continue;
            }
            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':' && TryPosixClass(pattern, i, out string? expansion, out int length))
                {
                    sb.Append(expansion);
                    i += length - 1;
                    continue;
                }
                if (c == ']') inClass = false;
                sb.Append(c);
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                sb.Append(c);
                // A ']' first in the class (after an optional '^') is a literal, as in RE2.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') sb.Append(pattern[++i]);
                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    sb.Append("\\]");
                    i++;
                }
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                sb.Append("(?<");
                i += 3;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool TryPosixClass(string pattern, int at, [NotNullWhen(true)] out string? expansion, out int length)
    {
        expansion = null;
        length = 0;
        int end = pattern.IndexOf(":]", at + 2, StringComparison.Ordinal);
        if (end < 0) return false;
        string name = pattern[(at + 2)..end];
        expansion = name switch
        {
            "alnum" => "0-9A-Za-z",
            "alpha" => "A-Za-z",
            "ascii" => "\\x00-\\x7F",
            "blank" => "\\t ",
            "cntrl" => "\\x00-\\x1F\\x7F",
            "digit" => "0-9",
            "graph" => "!-~",
            "lower" => "a-z",
            "print" => " -~",
            "punct" => "!-/:-@\\[-`{-~",
            "space" => "\\t\\n\\v\\f\\r ",
            "upper" => "A-Z",
            "word" => "0-9A-Za-z_",
            "xdigit" => "0-9A-Fa-f",
            _ => null,
        };
        length = end + 2 - at;
        return expansion is not null;
    }
}
