namespace Cairn.Storage.LineProtocol;

// The general path: InfluxDB 1.x's scanners step by step (models/points.go: scanMeasurement, scanTags,
// scanFields, walkFields, scanTime; the field iterator for types), quirks included. Their escape rules
// differ and are kept as they are:
//   - measurement, tag keys and values, field keys after the fact (scanTo): a byte is escaped when the
//     byte before it is a backslash, even if that backslash was itself escaped;
//   - fields section and line splitting: a backslash and the byte after it are skipped as a pair;
//   - string values: only \" and \\ are pairs.
public sealed partial class LineProtocolParser
{
    private bool ParseGeneral(ReadOnlySpan<byte> line, long defaultTimestamp, Precision precision)
    {
        if (!ScanKey(line))
        {
            return false;
        }

        if (_keyLength > MaxKeyLength)
        {
            return Fail(ParseErrorKind.MaxKeyLengthExceeded, _keyLength);
        }

        int fieldsStart = SkipWhitespace(line, _keyLength);
        if (!ScanFields(line, fieldsStart, out int fieldsEnd) || !WalkFields(line, fieldsStart, fieldsEnd))
        {
            return false;
        }

        if (!ScanTime(line, fieldsEnd, defaultTimestamp, precision))
        {
            return false;
        }

        return DecodeFields(line) && UnescapeKey(line);
    }

    /// <summary>scanKey: measurement, then tags until the first unescaped space; sorts the tags.</summary>
    private bool ScanKey(ReadOnlySpan<byte> line)
    {
        if (line[0] == ',')
        {
            return Fail(ParseErrorKind.MissingMeasurement);
        }

        int i = 0;
        while (true)
        {
            i++;
            if (i >= line.Length)
            {
                return Fail(ParseErrorKind.MissingFields);
            }

            if (line[i - 1] == '\\')
            {
                continue;
            }

            if (line[i] == ',' || line[i] == ' ')
            {
                break;
            }
        }

        _measurementEnd = i;
        if (line[i] == ',')
        {
            i++;
            while (true)
            {
                int keyStart = i;
                if (i >= line.Length || line[i] == ' ' || line[i] == ',' || line[i] == '=')
                {
                    return Fail(ParseErrorKind.MissingTagKey);
                }

                while (true)
                {
                    i++;
                    if (i >= line.Length || ((line[i] == ' ' || line[i] == ',') && line[i - 1] != '\\'))
                    {
                        return Fail(ParseErrorKind.MissingTagValue);
                    }

                    if (line[i] == '=' && line[i - 1] != '\\')
                    {
                        break;
                    }
                }

                int keyLength = i - keyStart;
                i++;
                int valueStart = i;
                if (i >= line.Length || line[i] == ',' || line[i] == ' ')
                {
                    return Fail(ParseErrorKind.MissingTagValue);
                }

                while (true)
                {
                    i++;
                    if (i >= line.Length)
                    {
                        return Fail(ParseErrorKind.MissingFields);
                    }

                    if (line[i - 1] == '\\')
                    {
                        continue;
                    }

                    if (line[i] == '=')
                    {
                        return Fail(ParseErrorKind.InvalidTagFormat);
                    }

                    if (line[i] == ',' || line[i] == ' ')
                    {
                        break;
                    }
                }

                AddTag(line, keyStart, keyLength, i - valueStart);
                if (line[i] == ' ')
                {
                    break;
                }

                i++;
            }

            if (!SortTags(line, out bool reordered))
            {
                return Fail(ParseErrorKind.DuplicateTags);
            }

            _keyLength = i;
            if (reordered)
            {
                BuildSortedSeriesKey(line);
            }

            return true;
        }

        _keyLength = i;
        return true;
    }

    /// <summary>scanFields: validates the fields section and finds its end (an unquoted space or the end).</summary>
    private bool ScanFields(ReadOnlySpan<byte> line, int start, out int end)
    {
        int i = start;
        bool quoted = false;
        int equals = 0;
        int commas = 0;
        while (i < line.Length)
        {
            byte c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                i += 2;
                continue;
            }

            // A quote only counts inside a value: more '=' than ',' seen so far.
            if (c == '"' && equals > commas)
            {
                quoted = !quoted;
                i++;
                continue;
            }

            if (c == '=' && !quoted)
            {
                equals++;

                // The fields start at least two bytes into the line (measurement, space), so i - 2 >= 0.
                byte before = line[i - 1];
                if ((before == ' ' || before == ',') && line[i - 2] != '\\')
                {
                    end = i;
                    return Fail(ParseErrorKind.MissingFieldKey);
                }

                if (i + 1 >= line.Length || line[i + 1] == ',' || line[i + 1] == ' ')
                {
                    end = i;
                    return Fail(ParseErrorKind.MissingFieldValue);
                }

                byte first = line[i + 1];
                if (StartsNumber(first))
                {
                    ParseErrorKind error = ScanNumber(line, i + 1, out int numberEnd, out _, out _);
                    if (error != ParseErrorKind.None)
                    {
                        end = numberEnd;
                        return error is ParseErrorKind.IntegerOutOfRange or ParseErrorKind.UnsignedOutOfRange
                            ? FailToken(error, i + 1, numberEnd - 1 - (i + 1))
                            : Fail(error);
                    }

                    i = numberEnd;
                    continue;
                }

                if (first != '"')
                {
                    if (!ScanBoolean(line, i + 1, out i, out _))
                    {
                        end = i;
                        return Fail(ParseErrorKind.InvalidBoolean);
                    }

                    continue;
                }
            }

            if (c == ',' && !quoted)
            {
                commas++;
            }

            if (c == ' ' && !quoted)
            {
                break;
            }

            i++;
        }

        end = i;
        if (quoted)
        {
            return Fail(ParseErrorKind.UnbalancedQuotes);
        }

        if (equals == 0 || commas != equals - 1)
        {
            return Fail(ParseErrorKind.InvalidFieldFormat);
        }

        return true;
    }

    /// <summary>
    /// walkFields: splits the validated section into keys and raw values as InfluxDB stores them, checking
    /// that each key has a value and that series key + field key fits MaxKeyLength. Keys are raw here.
    /// </summary>
    private bool WalkFields(ReadOnlySpan<byte> line, int start, int end)
    {
        int i = start;
        while (i < end)
        {
            ReadOnlySpan<byte> rest = line[i..end];
            int keyLength = ScanToUnescaped(rest, (byte)'=');
            if (keyLength > rest.Length - 2)
            {
                return FailToken(ParseErrorKind.InvalidFieldValue, i, keyLength);
            }

            int size = _keyLength + FieldKeySeparatorLength + keyLength;
            if (size > MaxKeyLength)
            {
                return Fail(ParseErrorKind.MaxKeyLengthExceeded, size);
            }

            int valueStart = i + keyLength + 1;
            int valueLength = ScanFieldValue(line[valueStart..end]);
            AddField(new Slice(i, keyLength), FieldType.Float, 0, new Slice(valueStart, valueLength));
            i = valueStart + valueLength + 1;
        }

        return true;
    }

    /// <summary>scanTime and the timestamp half of parsePoint.</summary>
    private bool ScanTime(ReadOnlySpan<byte> line, int fieldsEnd, long defaultTimestamp, Precision precision)
    {
        int start = SkipWhitespace(line, fieldsEnd);
        int i = start;
        while (i < line.Length)
        {
            byte c = line[i];
            if (c == '\n' || c == ' ')
            {
                break;
            }

            if (!(i == start && c == '-') && (uint)(c - '0') > 9)
            {
                return Fail(ParseErrorKind.BadTimestamp);
            }

            i++;
        }

        if (i == start)
        {
            _timestamp = defaultTimestamp;
            return true;
        }

        if (!TryParseInt64(line[start..i], out long timestamp))
        {
            bool loneMinus = i - start == 1;
            return FailToken(loneMinus ? ParseErrorKind.TimestampSyntax : ParseErrorKind.TimestampOverflow, start, i - start);
        }

        if (!TryScaleTimestamp(timestamp, precision.Multiplier(), out _timestamp))
        {
            return false;
        }

        for (; i < line.Length; i++)
        {
            if (line[i] != ' ')
            {
                return Fail(ParseErrorKind.InvalidPoint);
            }
        }

        return true;
    }

    /// <summary>
    /// Types and decodes each raw value as InfluxDB's field iterator does (first byte: quote → string,
    /// number-like → integer/unsigned/float by the last byte, else boolean), and unescapes keys and strings
    /// into the scratch buffer.
    /// </summary>
    private bool DecodeFields(ReadOnlySpan<byte> line)
    {
        for (int f = 0; f < _fieldCount; f++)
        {
            ref FieldSlot field = ref _fields[f];
            ReadOnlySpan<byte> value = line.Slice(field.Text.Start, field.Text.Length);
            field.Key = AppendUnescaped(line.Slice(field.Key.Start, field.Key.Length), Escaping.NameOrFieldKey);
            field.Text = default;
            if (value.IsEmpty)
            {
                return Fail(ParseErrorKind.InvalidFieldFormat);
            }

            byte first = value[0];
            byte last = value[^1];
            if (first == '"')
            {
                // The value is everything between its first and last byte, whatever the last byte is.
                ReadOnlySpan<byte> quoted = value.Length >= 2 ? value[1..^1] : default;
                field.Type = FieldType.String;
                field.Text = AppendUnescaped(quoted, Escaping.StringValue);
                continue;
            }

            bool ok;
            if ("0123456789-.nNiIu"u8.Contains(first))
            {
                if (last == 'i')
                {
                    field.Type = FieldType.Integer;
                    ok = TryParseInt64(value[..^1], out field.Bits);
                }
                else if (last == 'u')
                {
                    field.Type = FieldType.Unsigned;
                    ok = TryParseUInt64(value[..^1], out ulong unsigned);
                    field.Bits = (long)unsigned;
                }
                else
                {
                    field.Type = FieldType.Float;
                    ok = TryParseFloat(value, out double number);
                    field.Bits = BitConverter.DoubleToInt64Bits(number);
                }
            }
            else
            {
                field.Type = FieldType.Boolean;
                ok = TryParseGoBool(value, out bool flag);
                field.Bits = flag ? 1 : 0;
            }

            if (!ok)
            {
                return Fail(ParseErrorKind.InvalidFieldFormat);
            }
        }

        return true;
    }

    /// <summary>Unescaped measurement (as point.Name()) and tags (as point.Tags()) into the scratch buffer.</summary>
    private bool UnescapeKey(ReadOnlySpan<byte> line)
    {
        _measurement = AppendUnescaped(line[.._measurementEnd], Escaping.NameOrFieldKey);
        for (int t = 0; t < _tagCount; t++)
        {
            ref TagSlot tag = ref _tags[t];
            tag.Key = AppendUnescaped(line.Slice(tag.Key.Start, tag.Key.Length), Escaping.Tag);
            tag.Value = AppendUnescaped(line.Slice(tag.Value.Start, tag.Value.Length), Escaping.Tag);
        }

        _unescapedInScratch = true;
        return true;
    }

    private Slice AppendUnescaped(ReadOnlySpan<byte> raw, Escaping escaping)
    {
        if (_scratch.Length - _scratchLength < raw.Length)
        {
            Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchLength + raw.Length));
        }

        int written = Escaping.Unescape(raw, _scratch.AsSpan(_scratchLength), escaping);
        var slice = new Slice(_scratchLength, written);
        _scratchLength += written;
        return slice;
    }

    /// <summary>scanTo: index of the first <paramref name="stop"/> not preceded by a backslash, or the length.</summary>
    private static int ScanToUnescaped(ReadOnlySpan<byte> buffer, byte stop)
    {
        int i = 0;
        while (i < buffer.Length && !(buffer[i] == stop && (i == 0 || buffer[i - 1] != '\\')))
        {
            i++;
        }

        return i;
    }

    /// <summary>scanFieldValue: a value ends at a comma outside quotes; only \" and \\ are escapes.</summary>
    private static int ScanFieldValue(ReadOnlySpan<byte> buffer)
    {
        int i = 0;
        bool quoted = false;
        while (i < buffer.Length)
        {
            byte c = buffer[i];
            if (c == '\\' && i + 1 < buffer.Length && (buffer[i + 1] == '"' || buffer[i + 1] == '\\'))
            {
                i += 2;
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
                i++;
                continue;
            }

            if (c == ',' && !quoted)
            {
                break;
            }

            i++;
        }

        return i;
    }

    /// <summary>Go's strconv.ParseBool.</summary>
    private static bool TryParseGoBool(ReadOnlySpan<byte> text, out bool value)
    {
        value = text.SequenceEqual("1"u8) || text.SequenceEqual("t"u8) || text.SequenceEqual("T"u8)
                || text.SequenceEqual("true"u8) || text.SequenceEqual("TRUE"u8) || text.SequenceEqual("True"u8);
        return value || text.SequenceEqual("0"u8) || text.SequenceEqual("f"u8) || text.SequenceEqual("F"u8)
               || text.SequenceEqual("false"u8) || text.SequenceEqual("FALSE"u8) || text.SequenceEqual("False"u8);
    }
}
