using Cairn.Query.Ast;

namespace Cairn.Query.Engine;

/// <summary>
/// InfluxQL's technical-analysis transformations (influxdb query/functions.go over its gota package): the
/// exponential moving averages (single, double, triple), relative_strength_index, triple_exponential_derivative,
/// Kaufman's efficiency ratio and adaptive moving average, chande_momentum_oscillator, and the holt_winters
/// forecasts. Each runs over one series' non-null values in output order and reports a point after each input
/// once more inputs than the hold period have been seen. The arithmetic follows InfluxDB's operation for
/// operation so the floats print the same.
/// </summary>
internal static class TechnicalAnalysis
{
    public static bool Handles(string name) => name is "exponential_moving_average" or "double_exponential_moving_average"
        or "triple_exponential_moving_average" or "relative_strength_index" or "triple_exponential_derivative"
        or "kaufmans_efficiency_ratio" or "kaufmans_adaptive_moving_average" or "chande_momentum_oscillator"
        or "holt_winters" or "holt_winters_with_fit";

    /// <summary>
    /// Applies <paramref name="call"/> (already checked by <see cref="SelectCompiler"/>) to <paramref name="input"/>.
    /// <paramref name="interval"/> is the GROUP BY interval, the step of holt_winters' forecasts.
    /// </summary>
    public static List<(long Time, object Value)> Apply(Call call, List<(long Time, object Value)> input, long interval)
    {
        if (call.Name is "holt_winters" or "holt_winters_with_fit")
        {
            int h = (int)((IntegerLiteral)call.Args[1]).Value;
            int m = (int)((IntegerLiteral)call.Args[2]).Value;
            return HoltWinters.Forecast(input, h, m, call.Name == "holt_winters_with_fit", interval);
        }

        long period = ((IntegerLiteral)call.Args[1]).Value;
        // A ring of the period's last values never wraps before it is full, so more slots than inputs are never
        // touched: allocate at most that many (a huge period costs nothing).
        int ring = (int)Math.Min(period, input.Count + 2L);
        long hold = call.Args.Count >= 3 ? ((IntegerLiteral)call.Args[2]).Value : -1;
        string? warmup = call.Args.Count >= 4 ? ((StringLiteral)call.Args[3]).Value : null;
        IIndicator indicator = call.Name switch
        {
            "exponential_moving_average" => new Ema(period, ExponentialWarmup(warmup)),
            "double_exponential_moving_average" => new Dema(period, ExponentialWarmup(warmup)),
            "triple_exponential_moving_average" => new Tema(period, ExponentialWarmup(warmup)),
            "relative_strength_index" => new Rsi(period, ExponentialWarmup(warmup)),
            "triple_exponential_derivative" => new Trix(period, ExponentialWarmup(warmup)),
            "kaufmans_efficiency_ratio" => new Ker(period, ring),
            "kaufmans_adaptive_moving_average" => new Kama(period, ring),
            // The unsmoothed oscillator is the default ('none'); a warmup type selects the smoothed one (ta-lib's).
            _ => warmup is null or "none" ? new Cmo(period, ring) : new Cmos(period, ExponentialWarmup(warmup)),
        };
        // These three drop an infinite ratio (a zero previous value); the others would report it, printed null.
        bool dropInfinite = call.Name is "triple_exponential_derivative" or "kaufmans_efficiency_ratio" or "kaufmans_adaptive_moving_average";
        // The hold period counts points as uint32 in InfluxDB; -1 means "until the indicator is warm".
        long holdPeriod = hold == -1 ? indicator.WarmCount : hold;

        var output = new List<(long, object)>();
        long count = 0;
        foreach (var (time, value) in input)
        {
            double v = indicator.Add(ValueMath.ToDouble(value));
            count++;
            if (count <= holdPeriod) continue;
            if (dropInfinite && double.IsInfinity(v)) continue;
            output.Add((time, v));
        }
        return output;
    }

    /// <summary>'exponential' (the default) or 'simple'.</summary>
    private static bool ExponentialWarmup(string? type) => type != "simple";

    /// <summary>One indicator fed a value at a time.</summary>
    private interface IIndicator
    {
        /// <summary>Inputs needed before the indicator is warm: the default hold period.</summary>
        long WarmCount { get; }

        double Add(double v);
    }

    /// <summary>
    /// Exponential moving average. While warming up (the first <c>period</c> inputs) it is either a simple average
    /// (<c>'simple'</c>) or an exponential one whose alpha is scaled to the inputs seen so far (<c>'exponential'</c>).
    /// </summary>
    private sealed class Ema(long period, bool exponentialWarmup) : IIndicator
    {
        private long _count;

        public double Alpha { get; init; } = 2 / (double)(period + 1);

        public double Last { get; private set; }

        public long WarmCount => period - 1;

        public bool Warmed => _count == period;

        public double Add(double v)
        {
            double avg;
            if (_count == 0)
            {
                avg = v;
            }
            else if (!Warmed)
            {
                avg = exponentialWarmup
                    ? (v - Last) * (2 / (double)(_count + 2)) + Last
                    : (Last * _count + v) / (_count + 1);
            }
            else
            {
                avg = (v - Last) * Alpha + Last;
            }
            Last = avg;
            if (_count < period) _count++;
            return avg;
        }
    }

    private sealed class Dema(long period, bool exponentialWarmup) : IIndicator
    {
        private readonly Ema _ema1 = new(period, exponentialWarmup);
        private readonly Ema _ema2 = new(period, exponentialWarmup);

        public long WarmCount => exponentialWarmup ? _ema1.WarmCount : _ema1.WarmCount + _ema2.WarmCount;

        public double Add(double v)
        {
            double avg1 = _ema1.Add(v);
            double avg2 = _ema1.Warmed || exponentialWarmup ? _ema2.Add(avg1) : avg1;
            return 2 * avg1 - avg2;
        }
    }

    private sealed class Tema(long period, bool exponentialWarmup) : IIndicator
    {
        private readonly Ema _ema1 = new(period, exponentialWarmup);
        private readonly Ema _ema2 = new(period, exponentialWarmup);
        private readonly Ema _ema3 = new(period, exponentialWarmup);

        public long WarmCount => exponentialWarmup ? _ema1.WarmCount : _ema1.WarmCount + _ema2.WarmCount + _ema3.WarmCount;

        public double Add(double v)
        {
            double avg1 = _ema1.Add(v);
            double avg2 = _ema1.Warmed || exponentialWarmup ? _ema2.Add(avg1) : avg1;
            double avg3 = _ema2.Warmed || exponentialWarmup ? _ema3.Add(avg2) : avg2;
            return 3 * avg1 - 3 * avg2 + avg3;
        }
    }

    /// <summary>TRIX: the percentage change of a triple-smoothed moving average.</summary>
    private sealed class Trix(long period, bool exponentialWarmup) : IIndicator
    {
        private readonly Ema _ema1 = new(period, exponentialWarmup);
        private readonly Ema _ema2 = new(period, exponentialWarmup);
        private readonly Ema _ema3 = new(period, exponentialWarmup);
        private double _last;

        public long WarmCount => exponentialWarmup ? _ema1.WarmCount + 1 : _ema1.WarmCount * 3 + 1;

        public double Add(double v)
        {
            double cur = _ema1.Add(v);
            if (_ema1.Warmed || exponentialWarmup)
            {
                cur = _ema2.Add(cur);
                if (_ema2.Warmed || exponentialWarmup) cur = _ema3.Add(cur);
            }
            double rate = (cur / _last - 1) * 100;
            _last = cur;
            return rate;
        }
    }

    /// <summary>
    /// Relative strength index (<paramref name="smoothed"/> false) or the smoothed Chande momentum oscillator
    /// (true): Wilder-smoothed averages (alpha 1/period) of the rises and falls from the previous value, the
    /// first input compared with 0.
    /// </summary>
    private class UpDown(long period, bool exponentialWarmup, bool smoothed) : IIndicator
    {
        private readonly Ema _up = new(period + 1, exponentialWarmup) { Alpha = 1 / (double)period };
        private readonly Ema _down = new(period + 1, exponentialWarmup) { Alpha = 1 / (double)period };
        private double _lastV;

        public long WarmCount => _up.WarmCount;

        public double Add(double v)
        {
            double up = 0, down = 0;
            if (v > _lastV) up = v - _lastV;
            else if (v < _lastV) down = _lastV - v;
            _up.Add(up);
            _down.Add(down);
            _lastV = v;
            double u = _up.Last, d = _down.Last;
            return smoothed ? 100.0 * ((u - d) / (u + d)) : 100 - 100 / (1 + u / d);
        }
    }

    private sealed class Rsi(long period, bool exponentialWarmup) : UpDown(period, exponentialWarmup, smoothed: false);

    private sealed class Cmos(long period, bool exponentialWarmup) : UpDown(period, exponentialWarmup, smoothed: true);

    /// <summary>
    /// Chande momentum oscillator: 100 × (sum of rises − sum of falls) / (sum of rises + sum of falls) over a ring
    /// of the last <c>period − 1</c> changes, the sums kept incrementally (as InfluxDB does, drift included).
    /// </summary>
    private sealed class Cmo : IIndicator
    {
        private readonly (double Price, double Diff)[] _points;
        private readonly long _size;
        private double _sumUp, _sumDown;
        private long _count;
        private int _idx;

        /// <summary>A ring of <paramref name="period"/> − 1 changes, <paramref name="slots"/> of them allocated.</summary>
        public Cmo(long period, int slots)
        {
            _size = period - 1;
            _points = new (double, double)[Math.Min(_size, slots)];
        }

        public long WarmCount => _size;

        public double Add(double v)
        {
            int oldestAt = _idx + 1;
            if (oldestAt == _points.Length) oldestAt = 0;
            double diff = 0;
            if (_count != 0)
            {
                diff = v - _points[_idx].Price;
                if (diff > 0) _sumUp += diff;
                else if (diff < 0) _sumDown -= diff;
            }
            double output = 0;
            if (_sumUp != 0 || _sumDown != 0) output = 100.0 * ((_sumUp - _sumDown) / (_sumUp + _sumDown));

            // InfluxDB indexes the ring before this check and fails the query for a period of 1 (an empty ring);
            // SelectCompiler reports that as a query error, so this is not reached.
            var oldest = _points[oldestAt];
            if (oldest.Diff > 0) _sumUp -= oldest.Diff;
            else if (oldest.Diff < 0) _sumDown += oldest.Diff;
            _points[oldestAt] = (v, diff);
            _idx = oldestAt;
            if (_count != _size + 2) _count++;
            return output;
        }
    }

    /// <summary>Kaufman's efficiency ratio: |change over the period| / sum of |changes| within it.</summary>
    private sealed class Ker : IIndicator
    {
        private readonly (double Price, double Diff)[] _points;
        private readonly long _period;
        private double _noise;
        private long _count;

        /// <summary>A ring of <paramref name="period"/> values, <paramref name="slots"/> of them allocated.</summary>
        public Ker(long period, int slots)
        {
            _period = period;
            _points = new (double, double)[Math.Min(period, slots)];
        }

        public long WarmCount => _period;

        public bool Warmed => _count == _period + 1;

        public int Newest { get; private set; }

        public double NewestPrice => _points[Newest].Price;

        public double Add(double v)
        {
            int oldestAt = Newest + 1;
            if (oldestAt >= _points.Length) oldestAt = 0;
            double signal = Math.Abs(v - _points[oldestAt].Price);
            var point = (Price: v, Diff: Math.Abs(v - _points[Newest].Price));
            _noise -= _points[oldestAt].Diff;
            _noise += point.Diff;
            double noise = _noise;
            Newest = oldestAt;
            _points[Newest] = point;
            if (!Warmed) _count++;
            if (signal == 0 || noise == 0) return 0;
            return signal / noise;
        }
    }

    /// <summary>Kaufman's adaptive moving average: smoothing between 2 and 30 periods by the efficiency ratio.</summary>
    private sealed class Kama(long period, int slots) : IIndicator
    {
        // Go folds 2/(2+1) - 2/(30+1) exactly (constant arithmetic) before rounding: 2/3 - 2/31 = 56/93.
        private const double FastMinusSlow = 56.0 / 93.0;
        private const double Slow = 2.0 / 31.0;
        private readonly Ker _ker = new(period, slots);
        private double _last;

        public long WarmCount => _ker.WarmCount;

        public double Add(double v)
        {
            if (!_ker.Warmed) _last = _ker.NewestPrice;
            double er = _ker.Add(v);
            double x = er * FastMinusSlow + Slow;
            double sc = x * x;
            _last = _last + sc * (v - _last);
            return _last;
        }
    }
}
