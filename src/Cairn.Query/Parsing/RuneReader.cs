namespace Cairn.Query.Parsing;

/// <summary>
/// Reads the query text one code point at a time with a three-slot unread ring, reproducing influxql's
/// <c>reader</c> exactly, because InfluxDB's error positions depend on its quirks:
/// <list type="bullet">
/// <item>CR and CRLF read as a single LF; LF starts a new line at char 0.</item>
/// <item>End of text reads as <see cref="Eof"/> (code point 0) every time; only the first such read advances
/// the position, so a second fresh EOF read reports a position one past the first.</item>
/// <item><see cref="Current"/> returns the last read code point as seen from the unread cursor: after an
/// <see cref="Unread"/> it is the code point before the unread one.</item>
/// </list>
/// </summary>
internal sealed class RuneReader
{
    public const int Eof = 0;

    private const int RingSize = 3;

    private readonly string _text;
    private readonly int[] _runes = new int[RingSize];
    private readonly Pos[] _positions = new Pos[RingSize];
    private int _next;
    private int _i;
    private int _n;
    private Pos _pos;
    private bool _eofSeen;

    public RuneReader(string text) => _text = text;

    /// <summary>Reads the next code point (from the unread ring first).</summary>
    public int Read(out Pos pos)
    {
        if (_n > 0)
        {
            _n--;
            return Current(out pos);
        }

        int rune = ReadFromText();
        _i = (_i + 1) % RingSize;
        _runes[_i] = rune;
        _positions[_i] = _pos;

        if (rune == '\n') _pos = new Pos(_pos.Line + 1, 0);
        else if (!_eofSeen) _pos = new Pos(_pos.Line, _pos.Char + 1);
        if (rune == Eof) _eofSeen = true;

        return Current(out pos);
    }

    public int Read() => Read(out _);

    /// <summary>Pushes the last read code point back.</summary>
    public void Unread() => _n++;

    /// <summary>The last read code point and its position, as seen from the unread cursor.</summary>
    public int Current(out Pos pos)
    {
        int k = (_i - _n + RingSize) % RingSize;
        pos = _positions[k];
        return _runes[k];
    }

    /// <summary>Go's <c>io.RuneScanner.ReadRune</c> over this reader: false at end of text.</summary>
    public bool TryReadRune(out int rune)
    {
        rune = Read(out _);
        return rune != Eof;
    }

    private int ReadFromText()
    {
        if (_next >= _text.Length) return Eof;
        char c = _text[_next++];
        if (char.IsHighSurrogate(c) && _next < _text.Length && char.IsLowSurrogate(_text[_next]))
        {
            return char.ConvertToUtf32(c, _text[_next++]);
        }
        if (c == '\r')
        {
            if (_next < _text.Length && _text[_next] == '\n') _next++;
            return '\n';
        }
        return c;
    }
}
