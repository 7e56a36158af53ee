namespace Cairn.Storage.LineProtocol;

// The fast path, for lines with no backslash: nothing is escaped, so every token, string values included,
// is a slice of the line, and tokens end at the first separator (a string value at its closing quote).
// It only accepts well-formed lines and never reports an error: anything unusual, valid or not, is left
// to the general path, whose answer is InfluxDB's. The tests check both paths agree on what this one takes.
public sealed partial class LineProtocolParser
{
    private bool TryParsePlain(ReadOnlySpan<byte> line, long defaultTimestamp, Precision precision)
    {
        if (line[0] == ',')
        {
            return false;
        }

        int i = 1;
        while (i < line.Length && line[i] != ',' && line[i] != ' ')
        {
            i++;
        }

        if (i == line.Length)
        {
            return false;
        }

        _measurementEnd = i;
        _measurement = new Slice(0, i);
        bool reordered = false;
        if (line[i] == ',')
        {
            i++;
            while (true)
            {
                int keyEnd = FindSeparator(line, i);
                if (keyEnd == i || keyEnd == line.Length || line[keyEnd] != '=')
                {
                    return false;
                }

                int valueStart = keyEnd + 1;
                int valueEnd = FindSeparator(line, valueStart);
                if (valueEnd == valueStart || valueEnd == line.Length || line[valueEnd] == '=')
                {
                    return false;
                }

                AddTag(line, i, keyEnd - i, valueEnd - valueStart);
                i = valueEnd;
                if (line[i] == ' ')
                {
                    break;
                }

                i++;
            }

            if (!SortTags(line, out reordered))
            {
                return false;
            }
        }

        _keyLength = i;
        if (i > MaxKeyLength)
        {
            return false;
        }

        i = SkipWhitespace(line, i + 1);
        while (true)
        {
            int keyEnd = FindSeparator(line, i);
            int keyLength = keyEnd - i;
            if (keyLength == 0 || keyEnd == line.Length || line[keyEnd] != '='
                || _keyLength + FieldKeySeparatorLength + keyLength > MaxKeyLength)
            {
                return false;
            }

            int valueStart = i + keyLength + 1;
            if (valueStart == line.Length)
            {
                return false;
            }

            byte first = line[valueStart];
            int end;
            FieldType type;
            long bits;
            Slice text = default;
            if (StartsNumber(first))
            {
                if (!TryScanSimpleNumber(line, valueStart, out end, out type, out bits)
                    && ScanNumber(line, valueStart, out end, out type, out bits) != ParseErrorKind.None)
                {
                    return false;
                }
            }
            else if (first == '"')
            {
                int closing = line[(valueStart + 1)..].IndexOf((byte)'"');
                end = valueStart + 1 + closing + 1;
                if (closing < 0 || (end < line.Length && line[end] != ',' && line[end] != ' '))
                {
                    return false;
                }

                text = new Slice(valueStart + 1, closing);
                type = FieldType.String;
                bits = 0;
            }
            else
            {
                if (!ScanBoolean(line, valueStart, out end, out bool value))
                {
                    return false;
                }

                type = FieldType.Boolean;
                bits = value ? 1 : 0;
            }

            AddField(new Slice(i, keyLength), type, bits, text);
            i = end;
            if (i == line.Length || line[i] == ' ')
            {
                break;
            }

            i++;
        }

        if (!TryParsePlainTimestamp(line, i, defaultTimestamp, precision))
        {
            return false;
        }

        if (reordered)
        {
            BuildSortedSeriesKey(line);
        }

        return true;
    }

    /// <summary>
    /// The common numbers in one pass: <c>-?D{1,18}i</c>, <c>-?D{1,18}</c> and <c>-?D+.D*</c> with at most 15
    /// digits, each ended by a comma, a space or the end of the line. Anything else (false) goes through
    /// <see cref="ScanNumber"/>. Every form accepted here is one InfluxDB accepts with the same value.
    /// </summary>
    private static bool TryScanSimpleNumber(ReadOnlySpan<byte> line, int start, out int end, out FieldType type, out long bits)
    {
        end = start;
        type = FieldType.Float;
        bits = 0;
        int i = start;
        bool negative = line[i] == '-';
        if (negative)
        {
            i++;
        }

        int digitsStart = i;
        ulong value = 0;
        while (i < line.Length && (uint)(line[i] - '0') <= 9 && i - digitsStart < 18)
        {
            value = value * 10 + (uint)(line[i] - '0');
            i++;
        }

        int digits = i - digitsStart;
        if (digits == 0 || (i < line.Length && (uint)(line[i] - '0') <= 9))
        {
            return false;
        }

        byte next = i < line.Length ? line[i] : (byte)' ';
        if (next == 'i')
        {
            i++;
            if (i < line.Length && line[i] != ',' && line[i] != ' ')
            {
                return false;
            }

            end = i;
            type = FieldType.Integer;
            bits = negative ? -(long)value : (long)value;
            return true;
        }

        double magnitude;
        if (next == '.')
        {
            i++;
            int fractionStart = i;
            while (i < line.Length && (uint)(line[i] - '0') <= 9 && digits < 15)
            {
                value = value * 10 + (uint)(line[i] - '0');
                digits++;
                i++;
            }

            if (i < line.Length && line[i] != ',' && line[i] != ' ')
            {
                return false;
            }

            magnitude = (double)value / PowersOfTen[i - fractionStart];
        }
        else if (next == ',' || next == ' ')
        {
            magnitude = value;
        }
        else
        {
            return false;
        }

        end = i;
        bits = BitConverter.DoubleToInt64Bits(negative ? -magnitude : magnitude);
        return true;
    }

    private bool TryParsePlainTimestamp(ReadOnlySpan<byte> line, int i, long defaultTimestamp, Precision precision)
    {
        i = SkipWhitespace(line, i);
        if (i == line.Length)
        {
            _timestamp = defaultTimestamp;
            return true;
        }

        bool negative = line[i] == '-';
        int digitsStart = negative ? i + 1 : i;
        int digitsEnd = digitsStart;
        while (digitsEnd < line.Length && (uint)(line[digitsEnd] - '0') <= 9)
        {
            digitsEnd++;
        }

        for (int trailing = digitsEnd; trailing < line.Length; trailing++)
        {
            if (line[trailing] != ' ')
            {
                return false;
            }
        }

        return TryParseInt64(line[i..digitsEnd], out long timestamp)
               && TryScaleTimestamp(timestamp, precision.Multiplier(), out _timestamp);
    }

    /// <summary>Index of the first space, comma or equals sign at or after <paramref name="i"/>, or the length.</summary>
    private static int FindSeparator(ReadOnlySpan<byte> line, int i)
    {
        // Bits 32 (' '), 44 (',') and 61 ('='): tokens are short, so a scalar scan beats a vector search.
        const ulong Separators = (1UL << ' ') | (1UL << ',') | (1UL << '=');
        while (i < line.Length)
        {
            byte c = line[i];
            if (c < 64 && ((1UL << c) & Separators) != 0)
            {
                break;
            }

            i++;
        }

        return i;
    }

    private void AddField(Slice key, FieldType type, long bits, Slice text)
    {
        if (_fieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        ref FieldSlot field = ref _fields[_fieldCount++];
        field.Key = key;
        field.Type = type;
        field.Bits = bits;
        field.Text = text;
    }
}
