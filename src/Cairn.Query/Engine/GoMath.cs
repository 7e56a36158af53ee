namespace Cairn.Query.Engine;

/// <summary>
/// Go's math functions where their result differs from .NET's in the last bit and InfluxDB's output depends on it:
/// <c>math.Pow</c> with an integer exponent multiplies by repeated squaring (one rounding per product) where
/// <see cref="Math.Pow"/> rounds once, and the logarithms follow fdlibm's <c>e_log.c</c> reduction and polynomial,
/// so ln(), log(), log2() and log10() round as InfluxDB's do.
/// </summary>
internal static class GoMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;
    private const double Sqrt2 = 1.41421356237309504880168872420969807856967187537694807317667974;
    private const double Ln2 = 0.693147180559945309417232121458176568075500134360255254120680009;
    private const double Ln10 = 2.30258509299404568401799145468436420760110148862877297603332790;

    /// <summary>Go's <c>math.Pow(x, float64(n))</c> for a non-negative integer <paramref name="n"/>.</summary>
    public static double Pow(double x, int n)
    {
        if (n == 0 || x == 1) return 1;
        if (n == 1) return x;
        if (double.IsNaN(x)) return double.NaN;
        if (x == 0) return (n & 1) == 1 ? x : 0;
        if (double.IsInfinity(x)) return x < 0 && (n & 1) == 1 ? double.NegativeInfinity : double.PositiveInfinity;

        // ans = a1 * 2^ae, squaring the mantissa x1 (in [0.5, 1)) and doubling its exponent xe per bit of n.
        double a1 = 1.0;
        long ae = 0;
        var (x1, xe) = Frexp(x);
        for (long i = n; i != 0; i >>= 1)
        {
            if (xe < -(1 << 12) || 1 << 12 < xe)
            {
                // Catastrophic overflow or underflow: the scale below saturates.
                ae += xe;
                break;
            }
            if ((i & 1) == 1)
            {
                a1 *= x1;
                ae += xe;
            }
            x1 *= x1;
            xe <<= 1;
            if (x1 < .5)
            {
                x1 += x1;
                xe--;
            }
        }
        return Math.ScaleB(a1, (int)Math.Clamp(ae, int.MinValue, int.MaxValue));
    }

    public static double Log(double x)
    {
        if (double.IsNaN(x) || double.IsPositiveInfinity(x)) return x;
        if (x < 0) return double.NaN;
        if (x == 0) return double.NegativeInfinity;

        var (f1, ki) = Frexp(x);
        if (f1 < Sqrt2 / 2)
        {
            f1 *= 2;
            ki--;
        }
        double f = f1 - 1;
        double k = ki;

        double s = f / (2 + f);
        double s2 = s * s;
        double s4 = s2 * s2;
        double t1 = s2 * (Lg1 + s4 * (Lg3 + s4 * (Lg5 + s4 * Lg7)));
        double t2 = s4 * (Lg2 + s4 * (Lg4 + s4 * Lg6));
        double r = t1 + t2;
        double hfsq = 0.5 * f * f;
        return k * Ln2Hi - ((hfsq - (s * (hfsq + r) + k * Ln2Lo)) - f);
    }

    public static double Log10(double x) => Log(x) * (1 / Ln10);

    public static double Log2(double x)
    {
        var (frac, exp) = Frexp(x);
        // An exact power of two gives an exact answer.
        if (frac == 0.5) return exp - 1;
        return Log(frac) * (1 / Ln2) + exp;
    }

    /// <summary>x = frac × 2^exp with frac in [½, 1) (Go's math.Frexp).</summary>
    private static (double Frac, int Exp) Frexp(double x)
    {
        if (x == 0 || double.IsInfinity(x) || double.IsNaN(x)) return (x, 0);
        int exp = 0;
        if (Math.Abs(x) < 2.2250738585072014e-308)
        {
            x *= 1L << 52;
            exp = -52;
        }
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        exp += (int)((bits >> 52) & 0x7ff) - 1023 + 1;
        bits &= ~(0x7ffUL << 52);
        bits |= 1022UL << 52;
        return (BitConverter.UInt64BitsToDouble(bits), exp);
    }
}
