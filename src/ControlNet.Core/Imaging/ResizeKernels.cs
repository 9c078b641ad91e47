namespace ControlNet.Core.Imaging;

/// <summary>OpenCV's interpolation weights for a fractional offset x in [0, 1) (resize.cpp), in its float/double steps.</summary>
internal static class ResizeKernels
{
    private const double S45 = 0.70710678118654752440084436210485;

    // cs[i] = (cos, sin) factors of the 8 Lanczos taps relative to tap 0.
    private static readonly double[,] Phase =
    {
        { 1, 0 }, { -S45, -S45 }, { 0, 1 }, { S45, -S45 }, { -1, 0 }, { S45, S45 }, { 0, -1 }, { -S45, S45 },
    };

    /// <summary>Keys' cubic with A = −0.75; the last weight is 1 − the others.</summary>
    public static void Cubic(float x, Span<float> coefficients)
    {
        const float A = -0.75f;
        coefficients[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
        coefficients[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
        coefficients[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
        coefficients[3] = 1f - coefficients[0] - coefficients[1] - coefficients[2];
    }

    /// <summary>
    /// Lanczos with a = 4: sin(πy/4)·sin(πy)/y² evaluated through one sin/cos pair and the phase table, a huge
    /// weight standing in for the tap at distance 0, then normalised to sum 1 in float.
    /// </summary>
    public static void Lanczos4(float x, Span<float> coefficients)
    {
        float sum = 0;
        double y0 = -(double)(x + 3) * Math.PI * 0.25;
        double s0 = Math.Sin(y0), c0 = Math.Cos(y0);
        for (int i = 0; i < 8; i++)
        {
            float distance = x + 3 - i;
            if (MathF.Abs(distance) >= 1e-6f)
            {
                double y = -(double)distance * Math.PI * 0.25;
                coefficients[i] = (float)((Phase[i, 0] * s0 + Phase[i, 1] * c0) / (y * y));
            }
            else
                coefficients[i] = 1e30f;
            sum += coefficients[i];
        }
        sum = 1f / sum;
        for (int i = 0; i < 8; i++) coefficients[i] *= sum;
    }
}
