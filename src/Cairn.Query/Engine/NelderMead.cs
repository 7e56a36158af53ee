namespace Cairn.Query.Engine;

/// <summary>
/// The Nelder-Mead simplex minimizer holt_winters fits its parameters with (InfluxDB's query/neldermead, after
/// Michael F. Hutt's C version): reflection 1, contraction 0.5, expansion 2, at most 1000 iterations, stopping
/// when the standard deviation of the vertex values falls under epsilon. The objective may change the vertex it
/// is given (holt_winters clamps and rewrites its parameters in place), as InfluxDB's does.
/// </summary>
internal static class NelderMead
{
    private const int MaxIterations = 1000;
    private const double Reflection = 1.0;
    private const double Contraction = 0.5;
    private const double Expansion = 2.0;

    public static (double Min, double[] Parameters) Minimize(Func<double[], double> objective, double[] start, double epsilon, double scale)
    {
        int n = start.Length;
        var v = new double[n + 1][];
        for (int i = 0; i <= n; i++) v[i] = new double[n];
        var f = new double[n + 1];
        var vr = new double[n];
        var ve = new double[n];
        var vc = new double[n];
        var vm = new double[n];

        // The initial simplex: start and n vertices offset along (pn on the axis, qn elsewhere).
        double pn = scale * (Math.Sqrt(n + 1) - 1 + n) / (n * Math.Sqrt(2));
        double qn = scale * (Math.Sqrt(n + 1) - 1) / (n * Math.Sqrt(2));
        for (int i = 0; i < n; i++) v[0][i] = start[i];
        for (int i = 1; i <= n; i++)
        {
            for (int j = 0; j < n; j++) v[i][j] = (i - 1 == j ? pn : qn) + start[j];
        }
        for (int j = 0; j <= n; j++) f[j] = objective(v[j]);

        for (int iteration = 1; iteration <= MaxIterations; iteration++)
        {
            // Largest (vg), smallest (vs) and second largest (vh) vertex.
            int vg = 0, vs = 0;
            for (int i = 0; i <= n; i++)
            {
                if (f[i] > f[vg]) vg = i;
                if (f[i] < f[vs]) vs = i;
            }
            int vh = vs;
            for (int i = 0; i <= n; i++)
            {
                if (f[i] > f[vh] && f[i] < f[vg]) vh = i;
            }

            for (int i = 0; i < n; i++)
            {
                double sum = 0.0;
                for (int m = 0; m <= n; m++)
                {
                    if (m != vg) sum += v[m][i];
                }
                vm[i] = sum / n;
            }

            for (int i = 0; i < n; i++) vr[i] = vm[i] + Reflection * (vm[i] - v[vg][i]);
            double fr = objective(vr);
            if (fr < f[vh] && fr >= f[vs])
            {
                Array.Copy(vr, v[vg], n);
                f[vg] = fr;
            }

            if (fr < f[vs])
            {
                for (int i = 0; i < n; i++) ve[i] = vm[i] + Expansion * (vr[i] - vm[i]);
                double fe = objective(ve);
                if (fe < fr)
                {
                    Array.Copy(ve, v[vg], n);
                    f[vg] = fe;
                }
                else
                {
                    Array.Copy(vr, v[vg], n);
                    f[vg] = fr;
                }
            }

            if (fr >= f[vh])
            {
                if (fr < f[vg] && fr >= f[vh])
                {
                    for (int i = 0; i < n; i++) vc[i] = vm[i] + Contraction * (vr[i] - vm[i]);
                }
                else
                {
                    for (int i = 0; i < n; i++) vc[i] = vm[i] - Contraction * (vm[i] - v[vg][i]);
                }
                double fc = objective(vc);
                if (fc < f[vg])
                {
                    Array.Copy(vc, v[vg], n);
                    f[vg] = fc;
                }
                else
                {
                    // The contraction failed: halve every vertex's distance to the smallest.
                    for (int row = 0; row <= n; row++)
                    {
                        if (row == vs) continue;
                        for (int i = 0; i < n; i++) v[row][i] = v[vs][i] + (v[row][i] - v[vs][i]) / 2.0;
                    }
                    f[vg] = objective(v[vg]);
                    f[vh] = objective(v[vh]);
                }
            }

            double fsum = 0.0;
            for (int i = 0; i <= n; i++) fsum += f[i];
            double favg = fsum / (n + 1);
            double s = 0.0;
            for (int i = 0; i <= n; i++)
            {
                double d = f[i] - favg;
                s += d * d / n;
            }
            s = Math.Sqrt(s);
            if (s < epsilon) break;
        }

        int best = 0;
        for (int i = 0; i <= n; i++)
        {
            if (f[i] < f[best]) best = i;
        }
        var parameters = (double[])v[best].Clone();
        double min = objective(v[best]);
        return (min, parameters);
    }
}
