namespace Cairn.Query.Parsing;

/// <summary>
/// The last three scanned tokens, so the parser can push back (unscan) up to three, as influxql's
/// <c>bufScanner</c>. Pushed-back tokens are returned again even when re-scanned as a regex.
/// </summary>
internal sealed class TokenBuffer
{
    private const int RingSize = 3;

    private readonly Scanner _scanner;
    private readonly Lexeme[] _ring = new Lexeme[RingSize];
    private int _i;
    private int _n;

    public TokenBuffer(Scanner scanner) => _scanner = scanner;

    public RuneReader Reader => _scanner.Reader;

    public Lexeme Scan(bool regex)
    {
        if (_n > 0)
        {
            _n--;
            return Current;
        }
        _i = (_i + 1) % RingSize;
        _ring[_i] = regex ? _scanner.ScanRegex() : _scanner.Scan();
        return Current;
    }

    public void Unscan() => _n++;

    private Lexeme Current => _ring[(_i - _n + RingSize) % RingSize];
}
