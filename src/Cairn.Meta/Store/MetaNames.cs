using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cairn.Meta.Store;

/// <summary>
/// Database and retention policy names, checked as InfluxDB's meta.ValidName does: names become
/// directory names, so "", ".", "..", slashes, backslashes and unprintable characters are refused.
/// Surrounding white space is trimmed first (InfluxDB 1.12).
/// </summary>
public static class MetaNames
{
    /// <summary>Trims <paramref name="name"/> and reports whether the result may name a database or policy.</summary>
    public static bool TryNormalize(string? name, out string normalized)
    {
        normalized = (name ?? "").Trim();
        if (normalized.Length == 0 || normalized is "." or "..") return false;
        var rest = normalized.AsSpan();
        while (!rest.IsEmpty)
        {
            // Unpaired surrogates are refused: they cannot be stored as UTF-8.
            if (Rune.DecodeFromUtf16(rest, out var rune, out int used) != OperationStatus.Done) return false;
            if (rune.Value is '/' or '\\' || !IsPrint(rune)) return false;
            rest = rest[used..];
        }
        return true;
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune) => rune.Value == ' ' || Rune.GetUnicodeCategory(rune) switch
    {
        >= UnicodeCategory.UppercaseLetter and <= UnicodeCategory.OtherNumber => true,
        >= UnicodeCategory.ConnectorPunctuation and <= UnicodeCategory.OtherSymbol => true,
        _ => false,
    };
}
