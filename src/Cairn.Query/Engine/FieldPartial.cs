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

    /// <summary>
    /// Takes the values of one series in one window: <paramref name="times"/> ascending and distinct, with their
    /// bits (or <paramref name="texts"/> for a string field). <paramref name="need"/> says which parts to keep.
    /// </summary>
    public void AddRange(PartialNeeds need, FieldType type, ReadOnlySpan<long> times, ReadOnlySpan<long> bits, ReadOnlySpan<string> texts)
    {
        int n = times.Length;
        if (n == 0) return;
        bool strings = type == FieldType.String;
        bool empty = Count == 0;
        Count += n;
        if ((need & PartialNeeds.Sum) != 0) AddToSum(type, bits);
        if ((need & PartialNeeds.Min) != 0)
        {
            int at = Extreme(type, bits, texts, strings, sign: -1);
            Offer(ref _minTime, ref _minBits, ref _minString, empty, type, times[at], strings ? 0 : bits[at], strings ? texts[at] : null, -1);
        }
        if ((need & PartialNeeds.Max) != 0)
        {
            int at = Extreme(type, bits, texts, strings, sign: 1);
            Offer(ref _maxTime, ref _maxBits, ref _maxString, empty, type, times[at], strings ? 0 : bits[at], strings ? texts[at] : null, 1);
        }
        if ((need & PartialNeeds.First) != 0)
        {
            long t = times[0], b = strings ? 0 : bits[0];
            string? text = strings ? texts[0] : null;
            // At equal times the greater value wins, except that first() prefers false (and last() true), as influxql chooses.
            if (empty || t < _firstTime || (t == _firstTime && (type == FieldType.Boolean ? b == 0 && _firstBits != 0 : Compare(type, b, text, _firstBits, _firstString) > 0)))
                (_firstTime, _firstBits, _firstString) = (t, b, text);
        }
        if ((need & PartialNeeds.Last) != 0)
        {
            long t = times[n - 1], b = strings ? 0 : bits[n - 1];
            string? text = strings ? texts[n - 1] : null;
            if (empty || t > _lastTime || (t == _lastTime && Compare(type, b, text, _lastBits, _lastString) > 0))
                (_lastTime, _lastBits, _lastString) = (t, b, text);
        }
    }

    /// <summary>
    /// Takes the state of other values of the same field and window (another shard's, or another run's): the same
    /// state as <see cref="AddRange"/> of those values would leave, whatever the order. Counts and integer sums add;
    /// min, max, first and last keep AddRange's tie rules. A float sum adds as a whole (only the reduce levels,
    /// which keep their own sums, answer float sums and means).
    /// </summary>
    public void Merge(PartialNeeds need, FieldType type, in FieldPartial other)
    {
        if (other.Count == 0) return;
        bool empty = Count == 0;
        Count += other.Count;
        if ((need & PartialNeeds.Sum) != 0)
        {
            _floatSum += other._floatSum;
            _integerSum += other._integerSum;
            _unsignedSum = unchecked(_unsignedSum + other._unsignedSum);
        }
        if ((need & PartialNeeds.Min) != 0) Offer(ref _minTime, ref _minBits, ref _minString, empty, type, other._minTime, other._minBits, other._minString, -1);
        if ((need & PartialNeeds.Max) != 0) Offer(ref _maxTime, ref _maxBits, ref _maxString, empty, type, other._maxTime, other._maxBits, other._maxString, 1);
        if ((need & PartialNeeds.First) != 0)
        {
            long t = other._firstTime, b = other._firstBits;
            string? text = other._firstString;
            if (empty || t < _firstTime || (t == _firstTime && (type == FieldType.Boolean ? b == 0 && _firstBits != 0 : Compare(type, b, text, _firstBits, _firstString) > 0)))
                (_firstTime, _firstBits, _firstString) = (t, b, text);
        }
        if ((need & PartialNeeds.Last) != 0)
        {
            long t = other._lastTime, b = other._lastBits;
            string? text = other._lastString;
            if (empty || t > _lastTime || (t == _lastTime && Compare(type, b, text, _lastBits, _lastString) > 0))
                (_lastTime, _lastBits, _lastString) = (t, b, text);
        }
    }

    /// <summary>
    /// Writes the parts <paramref name="need"/> names (the count always):
    /// <code>
    /// count i64 | sum: f64 (float) or i64 lo, i64 hi (integer) or u64 (unsigned) | min, max, first, last: time i64,
    /// then bits i64 or a string (u32 length, UTF-8)
    /// </code>
    /// </summary>
    internal readonly void Write(PartialsWriter writer, PartialNeeds need, FieldType type)
    {
        writer.I64(Count);
        if ((need & PartialNeeds.Sum) != 0)
        {
            switch (type)
            {
                case FieldType.Float: writer.F64(_floatSum); break;
                case FieldType.Integer: writer.I64((long)(ulong)_integerSum); writer.I64((long)(_integerSum >> 64)); break;
                case FieldType.Unsigned: writer.I64((long)_unsignedSum); break;
            }
        }
        bool strings = type == FieldType.String;
        if ((need & PartialNeeds.Min) != 0) WritePoint(writer, strings, _minTime, _minBits, _minString);
        if ((need & PartialNeeds.Max) != 0) WritePoint(writer, strings, _maxTime, _maxBits, _maxString);
        if ((need & PartialNeeds.First) != 0) WritePoint(writer, strings, _firstTime, _firstBits, _firstString);
        if ((need & PartialNeeds.Last) != 0) WritePoint(writer, strings, _lastTime, _lastBits, _lastString);
    }

    /// <summary>Reads what <see cref="Write"/> wrote with the same <paramref name="need"/> and <paramref name="type"/>.</summary>
    internal static FieldPartial Read(ref PartialsReader reader, PartialNeeds need, FieldType type)
    {
        var p = new FieldPartial { Count = reader.I64() };
        if ((need & PartialNeeds.Sum) != 0)
        {
            switch (type)
            {
                case FieldType.Float: p._floatSum = reader.F64(); break;
                case FieldType.Integer:
                {
                    ulong lo = (ulong)reader.I64();
                    long hi = reader.I64();
                    p._integerSum = ((Int128)hi << 64) | lo;
                    break;
                }
                case FieldType.Unsigned: p._unsignedSum = (ulong)reader.I64(); break;
            }
        }
        bool strings = type == FieldType.String;
        if ((need & PartialNeeds.Min) != 0) ReadPoint(ref reader, strings, out p._minTime, out p._minBits, out p._minString);
        if ((need & PartialNeeds.Max) != 0) ReadPoint(ref reader, strings, out p._maxTime, out p._maxBits, out p._maxString);
        if ((need & PartialNeeds.First) != 0) ReadPoint(ref reader, strings, out p._firstTime, out p._firstBits, out p._firstString);
        if ((need & PartialNeeds.Last) != 0) ReadPoint(ref reader, strings, out p._lastTime, out p._lastBits, out p._lastString);
        return p;
    }

    private static void WritePoint(PartialsWriter writer, bool strings, long time, long bits, string? text)
    {
        writer.I64(time);
        if (strings) writer.String(text ?? "");
        else writer.I64(bits);
    }

    private static void ReadPoint(ref PartialsReader reader, bool strings, out long time, out long bits, out string? text)
    {
        time = reader.I64();
        bits = strings ? 0 : reader.I64();
        text = strings ? reader.String() : null;
    }

    /// <summary>The index of the smallest (<paramref name="sign"/> -1) or greatest value, the earliest of equal ones.</summary>
    private static int Extreme(FieldType type, ReadOnlySpan<long> bits, ReadOnlySpan<string> texts, bool strings, int sign)
    {
        int at = 0;
        int n = strings ? texts.Length : bits.Length;
        switch (type)
        {
            case FieldType.Float:
            {
                var v = System.Runtime.InteropServices.MemoryMarshal.Cast<long, double>(bits);
                for (int i = 1; i < n; i++) if (v[i].CompareTo(v[at]) * sign > 0) at = i;
                break;
            }
            case FieldType.Integer or FieldType.Boolean:
                for (int i = 1; i < n; i++) if (bits[i].CompareTo(bits[at]) * sign > 0) at = i;
                break;
            case FieldType.Unsigned:
                for (int i = 1; i < n; i++) if (((ulong)bits[i]).CompareTo((ulong)bits[at]) * sign > 0) at = i;
                break;
            default:
                for (int i = 1; i < n; i++) if (Math.Sign(string.CompareOrdinal(texts[i], texts[at])) * sign > 0) at = i;
                break;
        }
        return at;
    }

    /// <summary>Keeps a min (<paramref name="sign"/> -1) or max candidate when it beats the current one; ties keep the earlier point.</summary>
    private static void Offer(ref long time, ref long bits, ref string? text, bool empty, FieldType type, long t, long b, string? s, int sign)
    {
        int c = empty ? 0 : Compare(type, b, s, bits, text);
        if (empty || c * sign > 0 || (c == 0 && t < time)) (time, bits, text) = (t, b, s);
    }

    private void AddToSum(FieldType type, ReadOnlySpan<long> bits)
    {
        switch (type)
        {
            case FieldType.Float:
            {
                // In time order, one value after another: the float sum depends on the order.
                double sum = _floatSum;
                foreach (double d in System.Runtime.InteropServices.MemoryMarshal.Cast<long, double>(bits)) sum += d;
                _floatSum = sum;
                break;
            }
            case FieldType.Integer:
            {
                Int128 sum = _integerSum;
                foreach (long l in bits) sum += l;
                _integerSum = sum;
                break;
            }
            case FieldType.Unsigned:
            {
                ulong sum = _unsignedSum;
                foreach (long l in bits) sum = unchecked(sum + (ulong)l);
                _unsignedSum = sum;
                break;
            }
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

    /// <summary>The parts of the state <paramref name="call"/> reads when it finishes.</summary>
    public static PartialNeeds Needs(string call) => call switch
    {
        "sum" or "mean" => PartialNeeds.Sum,
        "min" => PartialNeeds.Min,
        "max" => PartialNeeds.Max,
        "spread" => PartialNeeds.Min | PartialNeeds.Max,
        "first" => PartialNeeds.First,
        "last" => PartialNeeds.Last,
        _ => PartialNeeds.None,
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

/// <summary>The parts of a <see cref="FieldPartial"/> a call reads (the count is always kept).</summary>
[Flags]
public enum PartialNeeds
{
    None = 0,
    Sum = 1,
    Min = 2,
    Max = 4,
    First = 8,
    Last = 16,
}
