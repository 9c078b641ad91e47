namespace ControlNet.Core.Randomness;

/// <summary>
/// ln, sin and cos built only from IEEE-754 +, −, ×, ÷ (each exactly rounded everywhere), so a seed gives
/// bit-identical noise on every platform. Math.Log/Math.Cos call the C runtime, whose last bit differs
/// between glibc, MSVC and Apple's libm. Accuracy is ~1e-15 relative, far below float32 resolution.
/// </summary>
internal static class PortableMath
{
    private const double Ln2 = 0.6931471805599453094;
    private const double TwoPi = 6.283185307179586477;

    /// <summary>Natural log for x in (0, ∞).</summary>
    public static double Log(double x)
    {
        // x = m · 2^e with m in [√½, √2); ln x = e·ln2 + 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172.
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (exponent == -1023) return Log(x * 4503599627370496.0) - 52 * Ln2; // subnormal: scale by 2^52
        if (m > 1.4142135623730951) { m *= 0.5; exponent++; }
        double s = (m - 1) / (m + 1);
        double s2 = s * s;
        // atanh(s) = s + s³/3 + s⁵/5 + …; 12 odd terms reach 1e-17 for |s| ≤ 0.172.
        double sum = 0;
        for (int k = 23; k >= 3; k -= 2) sum = (sum + 1.0 / k) * s2;
        return exponent * Ln2 + 2 * s * (1 + sum);
    }

    /// <summary>(sin 2πu, cos 2πu) for u in [0, 1).</summary>
    public static (double Sin, double Cos) SinCosTurns(double u)
    {
        // Reduce by octant so the Taylor argument stays within [0, π/4].
        double turns = u * 8;
        int octant = (int)turns;
        double r = (turns - octant) * (TwoPi / 8);
        if ((octant & 1) == 1) r = TwoPi / 8 - r;
        var (s, c) = SinCosSmall(r);
        // Octants 1,2,5,6 swap sin/cos after the reflection above.
        if (((octant + 1) & 2) != 0) (s, c) = (c, s);
        return octant switch
        {
            0 or 1 => (s, c),
            2 or 3 => (s, -c),
            4 or 5 => (-s, -c),
            _ => (-s, c),
        };
    }

    private static (double Sin, double Cos) SinCosSmall(double r)
    {
        double r2 = r * r;
        double sin = 0, cos = 0;
        // Taylor series to r^17 / r^18: error < 1e-17 for r ≤ π/4.
        for (int k = 17; k >= 3; k -= 2) sin = (sin + InverseFactorial[k]) * r2 * -1;
        sin = r * (1 + sin);
        for (int k = 18; k >= 2; k -= 2) cos = (cos + InverseFactorial[k]) * r2 * -1;
        cos = 1 + cos;
        return (sin, cos);
    }

    private static readonly double[] InverseFactorial = BuildInverseFactorials(18);

    private static double[] BuildInverseFactorials(int n)
    {
        var inverse = new double[n + 1];
        double factorial = 1;
        inverse[0] = 1;
        for (int k = 1; k <= n; k++) { factorial *= k; inverse[k] = 1 / factorial; }
        return inverse;
    }
}
