namespace Cairn.Query.Engine;

/// <summary>
/// Go's math functions where their result differs from .NET's in the last bit and InfluxDB's output depends on
/// it. Go's <c>math.Pow</c> with an integer exponent multiplies by repeated squaring (one rounding per product),
/// where .NET's <see cref="Math.Pow"/> rounds once.
/// </summary>
internal static class GoMath
{
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

    /// <summary>x = frac × 2^exp with |frac| in [0.5, 1), for finite non-zero x.</summary>
    private static (double Frac, long Exp) Frexp(double x)
    {
        long exp = 0;
        if (Math.Abs(x) < double.Epsilon * (1L << 52))
        {
            // Subnormal: scale into the normal range first.
            x *= 1L << 52;
            exp = -52;
        }
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        exp += (long)((bits >> 52) & 0x7ff) - 1022;
        bits &= ~(0x7ffUL << 52);
        bits |= 1022UL << 52;
        return (BitConverter.UInt64BitsToDouble(bits), exp);
    }
}
