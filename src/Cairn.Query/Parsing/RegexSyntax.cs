namespace Cairn.Query.Parsing;

/// <summary>
/// Checks a pattern against RE2 syntax as Go's <c>regexp.Compile</c> parses it (Perl flags) and words the
/// failure as Go does: <c>error parsing regexp: missing closing ): `(a`</c>. InfluxQL reports these texts
/// verbatim, so a pattern Go rejects must be rejected here with the same words.
/// </summary>
/// <remarks>
/// Not reproduced: Go's limits on total program size and on nested repeat counts multiplying past 1000
/// (<c>(a{1000}){1000}</c>); unknown Unicode script names in <c>\p{…}</c> are rejected only among the
/// general categories and scripts listed here.
/// </remarks>
internal static class RegexSyntax
{
    private const int MaxRepeat = 1000;
    private const int MaxNesting = 1000;

    /// <summary>Null when Go would compile the pattern, else Go's error text.</summary>
    public static string? Validate(string pattern)
    {
        try
        {
            new Checker(pattern).Run();
            return null;
        }
        catch (RegexSyntaxException e)
        {
            return "error parsing regexp: " + e.Code + ": `" + e.Expr + "`";
        }
    }

    private sealed class RegexSyntaxException(string code, string expr) : Exception(code)
    {
        public string Code { get; } = code;

        public string Expr { get; } = expr;
    }

    private const string InvalidCharRange = "invalid character class range";
    private const string InvalidEscape = "invalid escape sequence";
    private const string InvalidNamedCapture = "invalid named capture";
    private const string InvalidPerlOp = "invalid or unsupported Perl syntax";
    private const string InvalidRepeatOp = "invalid nested repetition operator";
    private const string InvalidRepeatSize = "invalid repeat count";
    private const string MissingBracket = "missing closing ]";
    private const string MissingParen = "missing closing )";
    private const string MissingRepeatArgument = "missing argument to repetition operator";
    private const string TrailingBackslash = "trailing backslash at end of expression";
    private const string UnexpectedParen = "unexpected )";
    private const string NestingDepth = "expression nests too deeply";

    private sealed class Checker
    {
        private readonly string _whole;
        private int _depth;

        // Whether the top of Go's parse stack holds something a repetition operator can apply to
        // (false at the start and right after '(' or '|').
        private bool _hasOperand;

        public Checker(string pattern) => _whole = pattern;

        public void Run()
        {
            string s = _whole;
            int i = 0;
            int lastRepeat = -1;
            while (i < s.Length)
            {
                int repeat = -1;
                char c = s[i];
                switch (c)
                {
                    case '(':
                        if (i + 1 < s.Length && s[i + 1] == '?')
                        {
                            i = ParsePerlFlags(i);
                        }
                        else
                        {
                            OpenGroup();
                            i++;
                        }
                        break;
                    case '|':
                        _hasOperand = false;
                        i++;
                        break;
                    case ')':
                        if (_depth == 0) throw new RegexSyntaxException(UnexpectedParen, _whole);
                        _depth--;
                        _hasOperand = true;
                        i++;
                        break;
                    case '[':
                        i = ParseClass(i);
                        _hasOperand = true;
                        break;
                    case '*':
                    case '+':
                    case '?':
                    {
                        int after = i + 1;
                        after = Repeat(i, after, lastRepeat);
                        repeat = i;
                        i = after;
                        break;
                    }
                    case '{':
                    {
                        if (!TryParseRepeat(i, out int min, out int max, out int after))
                        {
                            // Not a well-formed {n,m}: the brace is a literal.
                            _hasOperand = true;
                            i++;
                            break;
                        }
                        if (min < 0 || min > MaxRepeat || max > MaxRepeat || (max >= 0 && min > max))
                        {
                            throw new RegexSyntaxException(InvalidRepeatSize, s[i..after]);
                        }
                        after = Repeat(i, after, lastRepeat);
                        repeat = i;
                        i = after;
                        break;
                    }
                    case '\\':
                        i = ParseTopLevelEscape(i);
                        break;
                    default:
                        // Literals, '.', '^', '$'.
                        _hasOperand = true;
                        i += char.IsHighSurrogate(c) && i + 1 < s.Length ? 2 : 1;
                        break;
                }
                lastRepeat = repeat;
            }
            if (_depth != 0) throw new RegexSyntaxException(MissingParen, _whole);
        }

        private void OpenGroup()
        {
            if (++_depth > MaxNesting) throw new RegexSyntaxException(NestingDepth, _whole);
            _hasOperand = false;
        }

        /// <summary>A repetition operator at <paramref name="start"/> whose text ends at <paramref name="after"/>; returns the end including a lazy '?'.</summary>
        private int Repeat(int start, int after, int lastRepeat)
        {
            if (after < _whole.Length && _whole[after] == '?') after++;
            if (lastRepeat >= 0) throw new RegexSyntaxException(InvalidRepeatOp, _whole[lastRepeat..after]);
            if (!_hasOperand) throw new RegexSyntaxException(MissingRepeatArgument, _whole[start..after]);
            return after;
        }

        /// <summary><c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> at <paramref name="i"/>; max is -1 for "no upper bound".</summary>
        private bool TryParseRepeat(int i, out int min, out int max, out int after)
        {
            string s = _whole;
            min = max = 0;
            after = i;
            int p = i + 1;
            if (!TryParseRepeatInt(ref p, out min)) return false;
            if (p >= s.Length) return false;
            if (s[p] != ',')
            {
                max = min;
            }
            else
            {
                p++;
                if (p >= s.Length) return false;
                if (s[p] == '}')
                {
                    max = -1;
                }
                else
                {
                    if (!TryParseRepeatInt(ref p, out max)) return false;
                    if (max < 0) min = -1;
                }
            }
            if (p >= s.Length || s[p] != '}') return false;
            after = p + 1;
            return true;
        }

        /// <summary>Decimal digits without leading zeros; more than 8 digits yields -1 (too big), as Go.</summary>
        private bool TryParseRepeatInt(ref int p, out int value)
        {
            string s = _whole;
            value = 0;
            if (p >= s.Length || !char.IsAsciiDigit(s[p])) return false;
            if (p + 1 < s.Length && s[p] == '0' && char.IsAsciiDigit(s[p + 1])) return false;
            int start = p;
            while (p < s.Length && char.IsAsciiDigit(s[p])) p++;
            if (p - start > 8)
            {
                value = -1;
                return true;
            }
            value = int.Parse(s.AsSpan(start, p - start), System.Globalization.CultureInfo.InvariantCulture);
            return true;
        }

        /// <summary><c>(?flags)</c>, <c>(?flags:</c>, <c>(?P&lt;name&gt;</c> or <c>(?&lt;name&gt;</c> at <paramref name="i"/>.</summary>
        private int ParsePerlFlags(int i)
        {
            string s = _whole;
            var t = s.AsSpan(i);
            bool startsWithP = t.Length > 4 && t[2] == 'P' && t[3] == '<';
            bool startsWithName = t.Length > 3 && t[2] == '<';
            if (startsWithP || startsWithName)
            {
                int nameStart = startsWithName ? 3 : 4;
                int end = t.IndexOf('>');
                if (end < 0) throw new RegexSyntaxException(InvalidNamedCapture, t.ToString());
                if (!IsValidCaptureName(t[nameStart..end])) throw new RegexSyntaxException(InvalidNamedCapture, t[..(end + 1)].ToString());
                OpenGroup();
                return i + end + 1;
            }

            int p = i + 2;
            int sign = 1;
            bool sawFlag = false;
            while (p < s.Length)
            {
                char c = s[p++];
                switch (c)
                {
                    case 'i':
                    case 'm':
                    case 's':
                    case 'U':
                        sawFlag = true;
                        continue;
                    case '-':
                        if (sign < 0) break;
                        sign = -1;
                        sawFlag = false;
                        continue;
                    case ':':
                    case ')':
                        if (sign < 0 && !sawFlag) break;
                        if (c == ':') OpenGroup();
                        return p;
                }
                break;
            }
            throw new RegexSyntaxException(InvalidPerlOp, s[i..p]);
        }

        private static bool IsValidCaptureName(ReadOnlySpan<char> name)
        {
            if (name.Length == 0) return false;
            foreach (char c in name)
            {
                if (c != '_' && !char.IsLetterOrDigit(c)) return false;
            }
            return true;
        }

        private int ParseTopLevelEscape(int i)
        {
            string s = _whole;
            if (i + 1 < s.Length)
            {
                switch (s[i + 1])
                {
                    case 'A':
                    case 'b':
                    case 'B':
                    case 'z':
                        _hasOperand = true;
                        return i + 2;
                    case 'C':
                        throw new RegexSyntaxException(InvalidEscape, s.Substring(i, 2));
                    case 'Q':
                    {
                        int end = s.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                        int literalEnd = end < 0 ? s.Length : end;
                        if (literalEnd > i + 2) _hasOperand = true;
                        return end < 0 ? s.Length : end + 2;
                    }
                }
            }

            int next = ParseUnicodeClass(i);
            if (next < 0) next = ParsePerlClassEscape(i);
            if (next < 0) next = ParseEscape(i);
            _hasOperand = true;
            return next;
        }

        /// <summary><c>\pL</c>, <c>\p{Greek}</c>, <c>\P{^L}</c>…; -1 when not a Unicode class.</summary>
        private int ParseUnicodeClass(int i)
        {
            string s = _whole;
            if (i + 1 >= s.Length || s[i] != '\\' || (s[i + 1] != 'p' && s[i + 1] != 'P')) return -1;
            int p = i + 2;
            if (p >= s.Length) throw new RegexSyntaxException(InvalidCharRange, s[i..]);
            string seq, name;
            int after;
            if (s[p] != '{')
            {
                int len = char.IsHighSurrogate(s[p]) && p + 1 < s.Length ? 2 : 1;
                after = p + len;
                seq = s[i..after];
                name = s.Substring(p, len);
            }
            else
            {
                int end = s.IndexOf('}', i);
                if (end < 0) throw new RegexSyntaxException(InvalidCharRange, s[i..]);
                after = end + 1;
                seq = s[i..after];
                name = s[(p + 1)..end];
            }
            if (name.Length > 0 && name[0] == '^') name = name[1..];
            if (!UnicodeClassNames.Contains(name)) throw new RegexSyntaxException(InvalidCharRange, seq);
            return after;
        }

        /// <summary><c>\d \D \s \S \w \W</c>; -1 otherwise.</summary>
        private int ParsePerlClassEscape(int i)
        {
            string s = _whole;
            if (i + 1 >= s.Length || s[i] != '\\') return -1;
            return s[i + 1] is 'd' or 'D' or 's' or 'S' or 'w' or 'W' ? i + 2 : -1;
        }

        /// <summary>A single-character escape at <paramref name="i"/> (a backslash); returns the index after it.</summary>
        private int ParseEscape(int i)
        {
            string s = _whole;
            int p = i + 1;
            if (p >= s.Length) throw new RegexSyntaxException(TrailingBackslash, "");
            char c = s[p++];
            switch (c)
            {
                case >= '1' and <= '7':
                    // A single non-zero digit would be a backreference, which RE2 does not support.
                    if (p >= s.Length || s[p] < '0' || s[p] > '7') break;
                    goto case '0';
                case '0':
                    for (int k = 1; k < 3 && p < s.Length && s[p] >= '0' && s[p] <= '7'; k++) p++;
                    return p;
                case 'x':
                {
                    if (p >= s.Length) break;
                    char h = s[p++];
                    if (h == '{')
                    {
                        int digits = 0;
                        long value = 0;
                        while (true)
                        {
                            if (p >= s.Length) goto invalid;
                            char d = s[p++];
                            if (d == '}') break;
                            int v = Unhex(d);
                            if (v < 0) goto invalid;
                            value = value * 16 + v;
                            if (value > 0x10FFFF) goto invalid;
                            digits++;
                        }
                        if (digits == 0) break;
                        return p;
                    }
                    int x = Unhex(h);
                    int y = p < s.Length ? Unhex(s[p]) : -1;
                    if (p < s.Length) p++;
                    if (x < 0 || y < 0) break;
                    return p;
                }
                case 'a':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                case 'v':
                    return p;
                default:
                    if (c < 0x80 && !char.IsAsciiLetterOrDigit(c)) return p;
                    if (char.IsHighSurrogate(c) && p < s.Length) p++;
                    break;
            }
            invalid:
            throw new RegexSyntaxException(InvalidEscape, s[i..p]);
        }

        private static int Unhex(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };

        /// <summary>A bracketed class starting at <paramref name="start"/>; returns the index after the ']'.</summary>
        private int ParseClass(int start)
        {
            string s = _whole;
            int p = start + 1;
            if (p < s.Length && s[p] == '^') p++;
            bool first = true;
            while (p >= s.Length || s[p] != ']' || first)
            {
                first = false;
                if (p + 2 < s.Length && s[p] == '[' && s[p + 1] == ':')
                {
                    int close = s.IndexOf(":]", p + 2, StringComparison.Ordinal);
                    if (close >= 0)
                    {
                        string name = s[p..(close + 2)];
                        if (!PosixClasses.Contains(name)) throw new RegexSyntaxException(InvalidCharRange, name);
                        p = close + 2;
                        continue;
                    }
                }
                int next = ParseUnicodeClass(p);
                if (next >= 0)
                {
                    p = next;
                    continue;
                }
                next = ParsePerlClassEscape(p);
                if (next >= 0)
                {
                    p = next;
                    continue;
                }

                int rangeStart = p;
                int lo = ParseClassChar(ref p, start);
                int hi = lo;
                if (p + 1 < s.Length && s[p] == '-' && s[p + 1] != ']')
                {
                    p++;
                    hi = ParseClassChar(ref p, start);
                    if (hi < lo) throw new RegexSyntaxException(InvalidCharRange, s[rangeStart..p]);
                }
            }
            return p + 1;
        }

        /// <summary>One class character (possibly escaped) as a code point.</summary>
        private int ParseClassChar(ref int p, int classStart)
        {
            string s = _whole;
            if (p >= s.Length) throw new RegexSyntaxException(MissingBracket, s[classStart..]);
            if (s[p] == '\\')
            {
                int start = p;
                int end = ParseEscape(p);
                p = end;
                return EscapedValue(s[start..end]);
            }
            if (char.IsHighSurrogate(s[p]) && p + 1 < s.Length)
            {
                int cp = char.ConvertToUtf32(s[p], s[p + 1]);
                p += 2;
                return cp;
            }
            return s[p++];
        }

        /// <summary>The code point a valid escape stands for, for range ordering checks.</summary>
        private static int EscapedValue(string escape)
        {
            char c = escape[1];
            switch (c)
            {
                case >= '0' and <= '7':
                    return Convert.ToInt32(escape[1..], 8);
                case 'x':
                    string hex = escape[2] == '{' ? escape[3..^1] : escape[2..];
                    return Convert.ToInt32(hex, 16);
                case 'a': return 7;
                case 'f': return 12;
                case 'n': return 10;
                case 'r': return 13;
                case 't': return 9;
                case 'v': return 11;
                default: return c;
            }
        }
    }

    private static readonly HashSet<string> PosixClasses = BuildPosixClasses();

    private static HashSet<string> BuildPosixClasses()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (string n in new[] { "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit" })
        {
            set.Add("[:" + n + ":]");
            set.Add("[:^" + n + ":]");
        }
        return set;
    }

    /// <summary>"Any", Unicode general categories and scripts, as Go's unicode tables name them.</summary>
    private static readonly HashSet<string> UnicodeClassNames = new(StringComparer.Ordinal)
    {
        "Any",
        "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
        "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah",
        "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal",
        "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform",
        "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan",
        "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek",
        "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew",
        "Hiragana", "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese",
        "Kaithi", "Kannada", "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki",
        "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani",
        "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek",
        "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani",
        "Myanmar", "Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu",
        "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic",
        "Old_Persian", "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya",
        "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic",
        "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng",
        "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet",
        "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Toto",
        "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square",
    };
}
