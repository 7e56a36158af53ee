namespace Cairn.Query.Engine;

/// <summary>
/// holt_winters and holt_winters_with_fit (InfluxDB's FloatHoltWintersReducer): the damped Holt-Winters method,
/// multiplicative seasons when the season length m is at least 2. The values are placed on the interval grid (a
/// missing interval is NaN, skipped when fitting), initial level, trend and seasons are estimated, and alpha,
/// beta, gamma and phi are fitted by Nelder-Mead from each start of a 2×2×2×2 grid, keeping the smallest sum of
/// squared errors. The recurrences, including their quirks (each step feeds on the previous forecast, the damping
/// sum adds phi^t), are InfluxDB's, operation for operation.
/// </summary>
internal sealed class HoltWinters
{
    private const double Weight = 0.5;
    private const double Epsilon = 1.0e-4;
    private const double GuessLower = 0.3;
    private const double GuessUpper = 1.0;
    private const double GuessStep = 0.4;

    private readonly bool _seasonal;
    private readonly double[] _y;

    private HoltWinters(double[] y, bool seasonal)
    {
        _y = y;
        _seasonal = seasonal;
    }

    /// <summary>
    /// Forecasts <paramref name="h"/> intervals past the last value (with <paramref name="withFit"/>, also the fitted
    /// values from the first). <paramref name="input"/> is in output order; descending input forecasts nothing.
    /// </summary>
    public static List<(long Time, object Value)> Forecast(List<(long Time, object Value)> input, int h, int m, bool withFit, long interval)
    {
        var output = new List<(long, object)>();
        bool seasonal = m >= 2;
        int l = input.Count;
        if (l < 2 || seasonal && l < m || h <= 0 || interval <= 0) return output;

        long start = RoundTime(input[0].Time, interval), stop = RoundTime(input[^1].Time, interval);
        if ((stop - start) / interval <= 0) return output;
        var y = new List<double> { ValueMath.ToDouble(input[0].Value) };
        long t = start;
        for (int i = 1; i < input.Count; i++)
        {
            long rounded = RoundTime(input[i].Time, interval);
            if (rounded <= t) continue; // a second value in the same interval
            t += interval;
            while (rounded != t)
            {
                y.Add(double.NaN);
                t += interval;
            }
            y.Add(ValueMath.ToDouble(input[i].Value));
        }

        var model = new HoltWinters(y.ToArray(), seasonal);
        double[] parameters = model.InitialParameters(m);
        double minSse = double.PositiveInfinity;
        double[]? best = null;
        for (double alpha = GuessLower; alpha < GuessUpper; alpha += GuessStep)
        for (double beta = GuessLower; beta < GuessUpper; beta += GuessStep)
        for (double gamma = GuessLower; gamma < GuessUpper; gamma += GuessStep)
        for (double phi = GuessLower; phi < GuessUpper; phi += GuessStep)
        {
            parameters[0] = alpha;
            parameters[1] = beta;
            parameters[2] = gamma;
            parameters[3] = phi;
            var (sse, fitted) = NelderMead.Minimize(model.Sse, parameters, Epsilon, 1);
            if (sse < minSse || best is null)
            {
                minSse = sse;
                best = fitted;
            }
        }

        double[] forecast = model.Run(h, best!);
        if (withFit)
        {
            long first = input[0].Time;
            for (int i = 0; i < forecast.Length; i++)
                if (!double.IsNaN(forecast[i])) output.Add((first + interval * i, forecast[i]));
        }
        else
        {
            long last = input[^1].Time;
            for (int i = model._y.Length; i < forecast.Length; i++)
                if (!double.IsNaN(forecast[i])) output.Add((last + interval * (i - model._y.Length + 1), forecast[i]));
        }
        return output;
    }

    /// <summary>Rounds to the nearest interval boundary, half down (Go's truncating division, as InfluxDB's).</summary>
    private static long RoundTime(long t, long interval)
    {
        long remainder = t % interval;
        if (remainder > interval / 2) return (t / interval + 1) * interval;
        return t / interval * interval;
    }

    /// <summary>
    /// The starting vector: alpha, beta, gamma, phi (set per grid point), the initial level and trend, then one
    /// factor per season. Missing values are skipped.
    /// </summary>
    private double[] InitialParameters(int m)
    {
        var y = _y;
        double l0 = 0.0;
        if (_seasonal)
        {
            for (int i = 0; i < m; i++)
                if (!double.IsNaN(y[i])) l0 += 1 / (double)m * y[i];
        }
        else
        {
            l0 += Weight * y[0];
        }

        double b0 = 0.0;
        if (_seasonal)
        {
            for (int i = 0; i < m && m + i < y.Length; i++)
                if (!double.IsNaN(y[i]) && !double.IsNaN(y[m + i])) b0 += 1 / (double)(m * m) * (y[m + i] - y[i]);
        }
        else if (!double.IsNaN(y[1]))
        {
            b0 = Weight * (y[1] - y[0]);
        }

        int seasons = _seasonal ? m : 0;
        var parameters = new double[6 + seasons];
        parameters[4] = l0;
        parameters[5] = b0;
        for (int i = 0; i < seasons; i++) parameters[6 + i] = double.IsNaN(y[i]) ? 0 : y[i] / l0;
        return parameters;
    }

    /// <summary>The sum of squared errors of the fit; a NaN fitted where a value exists costs +Inf.</summary>
    private double Sse(double[] parameters)
    {
        double sse = 0.0;
        double[] fitted = Run(0, parameters);
        for (int i = 0; i < fitted.Length; i++)
        {
            if (double.IsNaN(_y[i])) continue;
            if (double.IsNaN(fitted[i])) return double.PositiveInfinity;
            double diff = fitted[i] - _y[i];
            sse += diff * diff;
        }
        return sse;
    }

    /// <summary>
    /// The fitted values followed by <paramref name="h"/> forecasts. Clamps alpha..phi to [0, 1] and uses the season
    /// factors of <paramref name="parameters"/> as its ring buffer, both in place, as InfluxDB does.
    /// </summary>
    private double[] Run(int h, double[] parameters)
    {
        for (int i = 0; i < 4; i++)
        {
            if (parameters[i] > 1) parameters[i] = 1;
            if (parameters[i] < 0) parameters[i] = 0;
        }
        double alpha = parameters[0], beta = parameters[1], gamma = parameters[2], phi = parameters[3];
        double yT = _y[0];
        double phiH = phi;
        double lT = parameters[4];
        double bT = parameters[5];

        var seasons = parameters.AsSpan(6);
        int m = 0, so = 0;
        if (_seasonal)
        {
            m = seasons.Length;
            if (m == 1) seasons[0] = 1;
            so = m - 1;
        }

        int l = _y.Length;
        var forecast = new double[l + h];
        forecast[0] = yT;
        double stm = 1.0, stmh = 1.0;
        for (int t = 1; t < l + h; t++)
        {
            if (_seasonal)
            {
                int hm = t % m;
                stm = seasons[(t - m + so) % m];
                stmh = seasons[(t - m + hm + so) % m];
            }
            double lTp = lT, bTp = bT;
            lT = alpha * (yT / stm) + (1 - alpha) * (lTp + phi * bTp);
            bT = beta * (lT - lTp) + (1 - beta) * phi * bTp;
            double sT = gamma * (yT / (lTp + phi * bTp)) + (1 - gamma) * stm;
            yT = (lT + phiH * bT) * stmh;
            phiH += GoMath.Pow(phi, t);
            if (_seasonal)
            {
                seasons[(t + so) % m] = sT;
                so++;
            }
            forecast[t] = yT;
        }
        return forecast;
    }
}
