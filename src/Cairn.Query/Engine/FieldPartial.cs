using Cairn.Storage;

namespace Cairn.Query.Engine;

/// <summary>
/// The typed partial state of the simple aggregates (count, sum, mean, min, max, first, last, spread) over the
/// values of one field in one window, without boxing: values are kept as their storage bits (a double's bits, a
/// long, an unsigned long, 0 or 1) with the field's type given on each call. It answers as
/// <see cref="PartialAggregate"/> does, ties included.
/// </summary>
internal struct FieldPartial
{
    public long Count;
    private double _floatSum;
    private Int128 _integerSum;
    private ulong _unsignedSum;
    private long _minTime, _maxTime, _firstTime, _lastTime;
    private long _minBits, _maxBits, _firstBits, _lastBits;
    private string? _minString, _maxString, _firstString, _lastString;

    /// <summary>Takes one value (its bits, or <paramref name="text"/> for a string field) at <paramref name="time"/>.</summary>
    public void Add(FieldType type, long time, long bits, string? text)
    {
        if (Count++ == 0)
        {
            _minTime = _maxTime = _firstTime = _lastTime = time;
            _minBits = _maxBits = _firstBits = _lastBits = bits;
            _minString = _maxString = _firstString = _lastString = text;
            AddToSum(type, bits);
            return;
        }
        AddToSum(type, bits);
        int c = Compare(type, bits, text, _minBits, _minString);
        if (c < 0 || (c == 0 && time < _minTime)) (_minTime, _minBits, _minString) = (time, bits, text);
        c = Compare(type, bits, text, _maxBits, _maxString);
        if (c > 0 || (c == 0 && time < _maxTime)) (_maxTime, _maxBits, _maxString) = (time, bits, text);
        // At equal times the greater value wins, except for booleans, as influxql's first/last reducers choose.
        if (time < _firstTime || (time == _firstTime && type != FieldType.Boolean && Compare(type, bits, text, _firstBits, _firstString) > 0))
            (_firstTime, _firstBits, _firstString) = (time, bits, text);
        if (time > _lastTime || (time == _lastTime && type != FieldType.Boolean && Compare(type, bits, text, _lastBits, _lastString) > 0))
            (_lastTime, _lastBits, _lastString) = (time, bits, text);
    }

    private void AddToSum(FieldType type, long bits)
    {
        switch (type)
        {
            case FieldType.Float: _floatSum += BitConverter.Int64BitsToDouble(bits); break;
            case FieldType.Integer: _integerSum += bits; break;
            case FieldType.Unsigned: _unsignedSum = unchecked(_unsignedSum + (ulong)bits); break;
        }
    }

    private static int Compare(FieldType type, long a, string? aText, long b, string? bText) => type switch
    {
        FieldType.Float => BitConverter.Int64BitsToDouble(a).CompareTo(BitConverter.Int64BitsToDouble(b)),
        FieldType.Integer or FieldType.Boolean => a.CompareTo(b),
        FieldType.Unsigned => ((ulong)a).CompareTo((ulong)b),
        _ => string.CompareOrdinal(aText, bText),
    };

    /// <summary>
    /// The result of <paramref name="call"/> (one of <see cref="Supports"/>), as <see cref="Aggregates.Reduce"/> gives
    /// it: a selector at its point's time, the others at <paramref name="windowTime"/>. Row is always -1.
    /// </summary>
    public readonly Sample Finish(string call, FieldType type, long windowTime) => call switch
    {
        "count" => new Sample(windowTime, Count, -1),
        "sum" => new Sample(windowTime, type switch
        {
            FieldType.Float => _floatSum,
            FieldType.Unsigned => _unsignedSum,
            _ => (object)(long)_integerSum,
        }, -1),
        "mean" => new Sample(windowTime, Mean(type), -1),
        "min" => new Sample(_minTime, Box(type, _minBits, _minString), -1),
        "max" => new Sample(_maxTime, Box(type, _maxBits, _maxString), -1),
        "first" => new Sample(_firstTime, Box(type, _firstBits, _firstString), -1),
        "last" => new Sample(_lastTime, Box(type, _lastBits, _lastString), -1),
        _ => new Sample(windowTime, type switch
        {
            FieldType.Integer => unchecked(_maxBits - _minBits),
            FieldType.Unsigned => unchecked((ulong)_maxBits - (ulong)_minBits),
            _ => (object)(BitConverter.Int64BitsToDouble(_maxBits) - BitConverter.Int64BitsToDouble(_minBits)),
        }, -1),
    };

    private readonly object Mean(FieldType type)
    {
        if (type == FieldType.Float) return _floatSum / Count;
        if (type == FieldType.Unsigned) return (double)_unsignedSum / Count;
        Int128 q = _integerSum / Count, r = _integerSum % Count;
        // An exact integer mean stays exact (a float64 would round 2^63-1 up).
        if (r == 0 && q >= long.MinValue && q <= long.MaxValue) return (long)q;
        return (double)q + (double)r / Count;
    }

    private static object Box(FieldType type, long bits, string? text) => type switch
    {
        FieldType.Float => BitConverter.Int64BitsToDouble(bits),
        FieldType.Integer => bits,
        FieldType.Unsigned => (ulong)bits,
        FieldType.Boolean => bits != 0,
        _ => text ?? "",
    };

    /// <summary>True when <paramref name="call"/> over a field of <paramref name="type"/> can be kept as a <see cref="FieldPartial"/>.</summary>
    public static bool Supports(string call, FieldType type) => call switch
    {
        "count" or "first" or "last" => true,
        "min" or "max" => type != FieldType.String,
        "sum" or "mean" or "spread" => type is FieldType.Float or FieldType.Integer or FieldType.Unsigned,
        _ => false,
    };
}
