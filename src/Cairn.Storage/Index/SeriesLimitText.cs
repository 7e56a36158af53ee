using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cairn.Storage.Index;

/// <summary>
/// A new series refused by <c>max-values-per-tag</c>: the tag whose value would be one too many.
/// </summary>
public sealed class TagLimitExceeded
{
    internal TagLimitExceeded(byte[] measurement, byte[] tagKey, byte[] tagValue, int valueCount, int limit)
    {
        Measurement = measurement;
        TagKey = tagKey;
        TagValue = tagValue;
        ValueCount = valueCount;
        Limit = limit;
    }

    /// <summary>The measurement, unescaped.</summary>
    public byte[] Measurement { get; }

    /// <summary>The tag key, unescaped.</summary>
    public byte[] TagKey { get; }

    /// <summary>The new tag value, unescaped.</summary>
    public byte[] TagValue { get; }

    /// <summary>Values the tag key already has in the measurement.</summary>
    public int ValueCount { get; }

    /// <summary>The configured <c>max-values-per-tag</c>.</summary>
    public int Limit { get; }

    /// <summary>
    /// InfluxDB's reason (tsdb/index/inmem): <c>max-values-per-tag limit exceeded (N/LIMIT): measurement="m" tag="k" value="v"</c>;
    /// the write answers it as <c>partial write: REASON dropped=D</c> (<see cref="LineProtocol.WriteErrorText.PartialWrite(string, int, string?, string?)"/>).
    /// </summary>
    public string Reason => SeriesLimitText.MaxValuesPerTag(ValueCount, Limit, Measurement, TagKey, TagValue);
}

/// <summary>The texts InfluxDB 1.x gives series cardinality limits, byte for byte.</summary>
public static class SeriesLimitText
{
    /// <summary><c>max-values-per-tag limit exceeded (%d/%d): measurement=%q tag=%q value=%q</c>.</summary>
    public static string MaxValuesPerTag(int count, int limit, ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> tagKey, ReadOnlySpan<byte> tagValue)
        => string.Create(CultureInfo.InvariantCulture,
            $"max-values-per-tag limit exceeded ({count}/{limit}): measurement={GoQuote(measurement)} tag={GoQuote(tagKey)} value={GoQuote(tagValue)}");

    /// <summary>
    /// <c>max-series-per-database limit exceeded: (%d)</c> (tsi1 and inmem since 1.5), the reason a write gives when
    /// the database's series count across its shards would pass <c>max-series-per-database</c>.
    /// </summary>
    public static string MaxSeriesPerDatabase(int limit)
        => string.Create(CultureInfo.InvariantCulture, $"max-series-per-database limit exceeded: ({limit})");

    /// <summary>Go's <c>strconv.Quote</c> (the <c>%q</c> verb) of UTF-8 bytes.</summary>
    public static string GoQuote(ReadOnlySpan<byte> utf8)
    {
        var sb = new StringBuilder(utf8.Length + 2);
        sb.Append('"');
        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out Rune rune, out int consumed) != OperationStatus.Done)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{utf8[0]:x2}");
                utf8 = utf8[1..];
                continue;
            }
            utf8 = utf8[consumed..];
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (IsGoPrintable(rune)) sb.Append(rune.ToString());
                    else if (rune.Value < 0x80) sb.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    else if (rune.Value < 0x10000) sb.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
                    else sb.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsGoPrintable(Rune rune)
    {
        if (rune.Value == ' ') return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }
}
