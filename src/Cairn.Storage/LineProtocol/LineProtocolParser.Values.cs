using System.Globalization;

namespace Cairn.Storage.LineProtocol;

// Field values and timestamps: the number, boolean and time rules of InfluxDB's scanNumber,
// scanBoolean, scanTime and SafeCalcTime, shared by both scanning paths.
public sealed partial class LineProtocolParser
{
    // 10^0 … 10^22: every one is exact in a double, which makes the fast decimal path exact.
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    private static bool IsNumeric(byte c) => (uint)(c - '0') <= 9 || c == '.';

    /// <summary>The bytes that make InfluxDB's scanFields treat a value as a number.</summary>
    private static bool StartsNumber(byte c) => IsNumeric(c) || c == '-' || c == 'N' || c == 'n';

    /// <summary>InfluxDB's skipWhitespace: spaces, tabs and NULs.</summary>
    private static int SkipWhitespace(ReadOnlySpan<byte> buffer, int i)
    {
        while (i < buffer.Length)
        {
            byte c = buffer[i];
            if (c != ' ' && c != '\t' && c != 0)
            {
                break;
            }

            i++;
        }

        return i;
    }

    /// <summary>
    /// Scans and decodes the number at <paramref name="start"/> with InfluxDB's scanNumber rules. It ends
    /// at the first comma or space; <paramref name="end"/> is where it stopped. For the out-of-range kinds the
    /// offending digits are <c>buffer[start..(end - 1)]</c>.
    /// </summary>
    private ParseErrorKind ScanNumber(ReadOnlySpan<byte> buffer, int start, out int end, out FieldType type, out long bits)
    {
        type = FieldType.Float;
        bits = 0;
        int i = start;
        bool isInteger = false;
        bool isUnsigned = false;
        bool hasDecimalPoint = false;
        bool isScientific = false;

        if (i < buffer.Length && buffer[i] == '-')
        {
            i++;
            if (i == buffer.Length)
            {
                end = i;
                return ParseErrorKind.InvalidNumber;
            }
        }

        while (i < buffer.Length)
        {
            byte c = buffer[i];
            if (c == ',' || c == ' ')
            {
                break;
            }

            if ((c == 'i' || c == 'u') && i > start && !(isInteger || isUnsigned))
            {
                isInteger = c == 'i';
                isUnsigned = c == 'u';
                i++;
                continue;
            }

            if (c == '.')
            {
                if (hasDecimalPoint)
                {
                    end = i;
                    return ParseErrorKind.InvalidNumber;
                }

                hasDecimalPoint = true;
            }

            if (i > start && (c == 'e' || c == 'E'))
            {
                isScientific = true;
                i++;
                continue;
            }

            if ((c == '+' || c == '-') && (buffer[i - 1] == 'e' || buffer[i - 1] == 'E'))
            {
                i++;
                continue;
            }

            // NaN, and every other letter, is not a number.
            if (!IsNumeric(c))
            {
                end = i;
                return ParseErrorKind.InvalidNumber;
            }

            i++;
        }

        end = i;
        if ((isInteger || isUnsigned) && (hasDecimalPoint || isScientific))
        {
            return ParseErrorKind.InvalidNumber;
        }

        // InfluxDB counts digits this way, the 'u' suffix included.
        int digits = i - start;
        if (isInteger)
        {
            digits--;
        }

        if (hasDecimalPoint)
        {
            digits--;
        }

        if (buffer[start] == '-')
        {
            digits--;
        }

        if (digits == 0)
        {
            return ParseErrorKind.InvalidNumber;
        }

        if (isInteger)
        {
            if (buffer[i - 1] != 'i')
            {
                return ParseErrorKind.InvalidNumber;
            }

            type = FieldType.Integer;
            return TryParseInt64(buffer[start..(i - 1)], out bits) ? ParseErrorKind.None : ParseErrorKind.IntegerOutOfRange;
        }

        if (isUnsigned)
        {
            if (!_allowUnsigned || buffer[i - 1] != 'u' || buffer[start] == '-')
            {
                return ParseErrorKind.InvalidNumber;
            }

            type = FieldType.Unsigned;
            bool parsed = TryParseUInt64(buffer[start..(i - 1)], out ulong unsigned);
            bits = (long)unsigned;
            return parsed ? ParseErrorKind.None : ParseErrorKind.UnsignedOutOfRange;
        }

        if (!TryParseFloat(buffer[start..i], out double value))
        {
            return ParseErrorKind.InvalidFloat;
        }

        bits = BitConverter.DoubleToInt64Bits(value);
        return ParseErrorKind.None;
    }

    /// <summary>InfluxDB's scanBoolean: t T true True TRUE f F false False FALSE, ended by a comma or space.</summary>
    private static bool ScanBoolean(ReadOnlySpan<byte> buffer, int start, out int end, out bool value)
    {
        value = false;
        int i = start;
        byte first = buffer[i];
        if (first != 't' && first != 'f' && first != 'T' && first != 'F')
        {
            end = i;
            return false;
        }

        i++;
        while (i < buffer.Length && buffer[i] != ',' && buffer[i] != ' ')
        {
            i++;
        }

        end = i;
        value = first == 't' || first == 'T';
        ReadOnlySpan<byte> word = buffer[start..i];
        return word.Length == 1 || first switch
        {
            (byte)'t' => word.SequenceEqual("true"u8),
            (byte)'f' => word.SequenceEqual("false"u8),
            (byte)'T' => word.SequenceEqual("TRUE"u8) || word.SequenceEqual("True"u8),
            _ => word.SequenceEqual("FALSE"u8) || word.SequenceEqual("False"u8),
        };
    }

    /// <summary>Go's strconv.ParseInt(s, 10, 64) for <c>-?[0-9]+</c>; false on anything else or overflow.</summary>
    private static bool TryParseInt64(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        bool negative = text.Length > 0 && text[0] == '-';
        if (negative || (text.Length > 0 && text[0] == '+'))
        {
            text = text[1..];
        }

        if (!TryParseUInt64(text, out ulong magnitude))
        {
            return false;
        }

        if (negative)
        {
            if (magnitude > 1UL << 63)
            {
                return false;
            }

            value = (long)(0UL - magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        value = (long)magnitude;
        return true;
    }

    /// <summary>Go's strconv.ParseUint(s, 10, 64) for <c>[0-9]+</c>; false on anything else or overflow.</summary>
    private static bool TryParseUInt64(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        ulong accumulated = 0;
        foreach (byte c in digits)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9)
            {
                return false;
            }

            // 1844674407370955161 * 10 + 5 is ulong.MaxValue.
            if (accumulated >= 1844674407370955161UL && (accumulated > 1844674407370955161UL || digit > 5))
            {
                return false;
            }

            accumulated = accumulated * 10 + digit;
        }

        value = accumulated;
        return true;
    }

    /// <summary>
    /// Go's strconv.ParseFloat(s, 64) for decimal text (no inf, nan, hex or underscores): false on a syntax
    /// error or when the value rounds to ±Inf. Both runtimes round correctly, so the doubles agree.
    /// </summary>
    private static bool TryParseFloat(ReadOnlySpan<byte> text, out double value)
    {
        if (TryParseShortDecimal(text, out value))
        {
            return true;
        }

        foreach (byte c in text)
        {
            if (!IsNumeric(c) && c != 'e' && c != 'E' && c != '+' && c != '-')
            {
                value = 0;
                return false;
            }
        }

        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                   CultureInfo.InvariantCulture, out value)
               && double.IsFinite(value);
    }

    // Clinger's fast path: at most 15 digits and no exponent, so the digits and the power of ten are both
    // exact doubles and one correctly rounded division gives the correctly rounded value.
    private static bool TryParseShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = text.Length > 0 && text[0] == '-';
        if (negative)
        {
            i++;
        }

        long mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        bool seenPoint = false;
        for (; i < text.Length; i++)
        {
            byte c = text[i];
            uint digit = (uint)(c - '0');
            if (digit <= 9)
            {
                if (++digits > 15)
                {
                    return false;
                }

                mantissa = mantissa * 10 + digit;
                if (seenPoint)
                {
                    fractionDigits++;
                }
            }
            else if (c == '.' && !seenPoint)
            {
                seenPoint = true;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        double magnitude = fractionDigits == 0 ? mantissa : mantissa / PowersOfTen[fractionDigits];
        value = negative ? -magnitude : magnitude;
        return true;
    }

    /// <summary>
    /// InfluxDB's SafeCalcTime: <paramref name="timestamp"/> units of <paramref name="multiplier"/>
    /// nanoseconds, refused when the product overflows or leaves [MinNanoTime, MaxNanoTime].
    /// </summary>
    private bool TryScaleTimestamp(long timestamp, long multiplier, out long nanos)
    {
        if (timestamp == 0 || timestamp == 1 || multiplier == 1)
        {
            nanos = timestamp * multiplier;
        }
        else
        {
            nanos = unchecked(timestamp * multiplier);
            if (timestamp == MinNanoTime || nanos / multiplier != timestamp)
            {
                return Fail(ParseErrorKind.TimeOutOfRange);
            }
        }

        return nanos is >= MinNanoTime and <= MaxNanoTime || Fail(ParseErrorKind.TimeOutOfRange);
    }
}
