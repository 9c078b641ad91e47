namespace ControlNet.Core.Imaging;

/// <summary>
/// <c>cv2.resize</c> for 8-bit images, pixel for pixel as OpenCV 4.6 computes it (imgproc/src/resize.cpp,
/// no IPP — Debian's and pip's builds on x86-64 give the same bytes). The annotators of the reference
/// implementation resize with it, so a control map only matches theirs if every rounding step is theirs:
/// <list type="bullet">
/// <item>Shrinking with INTER_AREA is a true area average (<see cref="AreaResize"/>); an exact integer factor takes the
///   integer fast path, 2×2 with <c>(a+b+c+d+2)&gt;&gt;2</c>.</item>
/// <item>Everything else is separable: per output column/row a source index and ksize float weights
///   (linear 2, cubic 4 with A = −0.75, Lanczos 8 taps normalised to sum 1, or INTER_AREA's bilinear emulation
///   when enlarging), each weight rounded to 11-bit fixed point; a horizontal pass into int rows, then a
///   vertical pass with OpenCV's per-method rounding. Source pixels outside the image repeat the edge.</item>
/// </list>
/// </summary>
public static class OpenCvResize
{
    private const int CoefBits = 11;
    private const int CoefScale = 1 << CoefBits;
    private const double DblEpsilon = 2.220446049250313e-16;

    public static ByteImage Resize(ByteImage source, int width, int height, Interpolation interpolation)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Target size must be positive, got {width}x{height}.");
        if (width == source.Width && height == source.Height)
            return new ByteImage(width, height, source.Channels, (byte[])source.Data.Clone());

        double inverseScaleX = (double)width / source.Width, inverseScaleY = (double)height / source.Height;
        double scaleX = 1.0 / inverseScaleX, scaleY = 1.0 / inverseScaleY;
        int integerScaleX = RoundToInt(scaleX), integerScaleY = RoundToInt(scaleY);
        bool integerFactor = Math.Abs(scaleX - integerScaleX) < DblEpsilon && Math.Abs(scaleY - integerScaleY) < DblEpsilon;

        // OpenCV: halving with INTER_LINEAR is done by the (identical) INTER_AREA fast path.
        if (interpolation == Interpolation.Linear && integerFactor && integerScaleX == 2 && integerScaleY == 2)
            interpolation = Interpolation.Area;
        if (interpolation == Interpolation.Area && scaleX >= 1 && scaleY >= 1)
            return integerFactor
                ? AreaResize.IntegerFactor(source, width, height, integerScaleX, integerScaleY)
                : AreaResize.Fractional(source, width, height, scaleX, scaleY);

        return Separable(source, width, height, interpolation, scaleX, scaleY, inverseScaleX, inverseScaleY);
    }

    private static ByteImage Separable(ByteImage source, int width, int height, Interpolation interpolation,
        double scaleX, double scaleY, double inverseScaleX, double inverseScaleY)
    {
        int taps = interpolation switch { Interpolation.Cubic => 4, Interpolation.Lanczos4 => 8, _ => 2 };
        var (xIndex, alpha, xmax) = Weights(source.Width, width, taps, interpolation, scaleX, inverseScaleX, isHorizontal: true);
        var (yIndex, beta, _) = Weights(source.Height, height, taps, interpolation, scaleY, inverseScaleY, isHorizontal: false);

        int channels = source.Channels;
        int rowLength = width * channels;
        var rows = new int[source.Height][];
        var result = new ByteImage(width, height, channels);
        var window = new int[taps][];
        for (int dy = 0; dy < height; dy++)
        {
            for (int k = 0; k < taps; k++)
            {
                int sy = Clip(yIndex[dy] - taps / 2 + 1 + k, 0, source.Height);
                window[k] = rows[sy] ??= HorizontalPass(source, sy, width, taps, xIndex, alpha, xmax, interpolation);
            }
            var target = result.Row(dy);
            var weights = beta.AsSpan(dy * taps, taps);
            switch (interpolation)
            {
                case Interpolation.Lanczos4: VerticalFixedPoint(window, weights, target, 0, rowLength); break;
                case Interpolation.Cubic: VerticalCubic(window, weights, target, rowLength); break;
                default: VerticalLinear(window, weights, target, rowLength); break;
            }
        }
        return result;
    }

    /// <summary>Source index and fixed-point weights per output position (resize.cpp's xofs/ialpha and yofs/ibeta).</summary>
    private static (int[] Index, short[] Weights, int Xmax) Weights(
        int sourceLength, int length, int taps, Interpolation interpolation, double scale, double inverseScale, bool isHorizontal)
    {
        bool areaMode = interpolation == Interpolation.Area;
        bool clampsAtEdges = interpolation is Interpolation.Linear or Interpolation.Area;
        int half = taps / 2;
        var index = new int[length];
        var weights = new short[length * taps];
        Span<float> coefficients = stackalloc float[8];
        int xmax = length;
        for (int d = 0; d < length; d++)
        {
            int s;
            float f;
            if (!areaMode)
            {
                f = (float)((d + 0.5) * scale - 0.5);
                s = (int)MathF.Floor(f);
                f -= s;
            }
            else
            {
                s = (int)Math.Floor(d * scale);
                f = (float)((d + 1) - (s + 1) * inverseScale);
                f = f <= 0 ? 0f : f - MathF.Floor(f);
            }
            // Only the horizontal pass clamps its index (OpenCV's y offsets stay raw; rows are clipped later).
            if (isHorizontal)
            {
                if (s < 0 && clampsAtEdges) { f = 0; s = 0; }
                if (s + half >= sourceLength)
                {
                    xmax = Math.Min(xmax, d);
                    if (s >= sourceLength - 1 && clampsAtEdges) { f = 0; s = sourceLength - 1; }
                }
            }
            index[d] = s;
            switch (interpolation)
            {
                case Interpolation.Cubic: ResizeKernels.Cubic(f, coefficients); break;
                case Interpolation.Lanczos4: ResizeKernels.Lanczos4(f, coefficients); break;
                default: coefficients[0] = 1f - f; coefficients[1] = f; break;
            }
            for (int k = 0; k < taps; k++) weights[d * taps + k] = SaturateShort(coefficients[k] * CoefScale);
        }
        return (index, weights, xmax);
    }

    /// <summary>One source row filtered horizontally into OpenCV's int buffer (pixel × weight sums).</summary>
    private static int[] HorizontalPass(ByteImage source, int sy, int width, int taps, int[] xIndex, short[] alpha, int xmax,
        Interpolation interpolation)
    {
        int channels = source.Channels, last = source.Width - 1;
        var row = source.Row(sy);
        var result = new int[width * channels];
        int first = taps / 2 - 1;
        for (int dx = 0; dx < width; dx++)
        {
            int sx = xIndex[dx];
            var weights = alpha.AsSpan(dx * taps, taps);
            for (int c = 0; c < channels; c++)
            {
                int value;
                if (taps == 2)
                    // HResizeLinear: two taps up to xmax, then the last pixel × 2048.
                    value = dx < xmax
                        ? row[sx * channels + c] * weights[0] + row[(sx + 1) * channels + c] * weights[1]
                        : row[sx * channels + c] * CoefScale;
                else
                {
                    value = 0;
                    for (int k = 0; k < taps; k++)
                    {
                        int px = Math.Clamp(sx - first + k, 0, last);
                        value += row[px * channels + c] * weights[k];
                    }
                }
                result[dx * channels + c] = value;
            }
        }
        return result;
    }

    // VResizeLinear<uchar>: OpenCV's SIMD and scalar code both pre-shift by 4 and take the high 16 bits.
    private static void VerticalLinear(int[][] rows, ReadOnlySpan<short> beta, Span<byte> target, int length)
    {
        int b0 = beta[0], b1 = beta[1];
        int[] s0 = rows[0], s1 = rows[1];
        for (int x = 0; x < length; x++)
            target[x] = (byte)((((b0 * (s0[x] >> 4)) >> 16) + ((b1 * (s1[x] >> 4)) >> 16) + 2) >> 2);
    }

    // VResizeCubic<uchar>: 8 values at a time in float as v_muladd nests them (VResizeCubicVec_32s8u, 128-bit
    // universal intrinsics, no FMA), the remainder in fixed point.
    private static void VerticalCubic(int[][] rows, ReadOnlySpan<short> beta, Span<byte> target, int length)
    {
        const float scale = 1f / (CoefScale * CoefScale);
        float b0 = beta[0] * scale, b1 = beta[1] * scale, b2 = beta[2] * scale, b3 = beta[3] * scale;
        int vectorEnd = length - length % 8;
        for (int x = 0; x < vectorEnd; x++)
        {
            float sum = rows[0][x] * b0 + (rows[1][x] * b1 + (rows[2][x] * b2 + rows[3][x] * b3));
            target[x] = SaturateByte(SaturateShortFromInt(RoundToInt(sum)));
        }
        VerticalFixedPoint(rows, beta, target, vectorEnd, length);
    }

    // FixedPtCast<int, uchar, 22>: weights carry 11 bits each way.
    private static void VerticalFixedPoint(int[][] rows, ReadOnlySpan<short> beta, Span<byte> target, int start, int length)
    {
        for (int x = start; x < length; x++)
        {
            int sum = 0;
            for (int k = 0; k < rows.Length; k++) sum = unchecked(sum + rows[k][x] * beta[k]);
            target[x] = SaturateByte((sum + (1 << (2 * CoefBits - 1))) >> (2 * CoefBits));
        }
    }

    private static int Clip(int x, int low, int high) => x >= low ? (x < high ? x : high - 1) : low;

    /// <summary>cvRound: to nearest, ties to even (SSE cvtsd2si), saturated to int.</summary>
    internal static int RoundToInt(double value)
    {
        double rounded = Math.Round(value, MidpointRounding.ToEven);
        if (double.IsNaN(rounded)) return int.MinValue;
        return rounded >= int.MaxValue ? int.MaxValue : rounded <= int.MinValue ? int.MinValue : (int)rounded;
    }

    internal static int RoundToInt(float value) => RoundToInt((double)value);

    private static short SaturateShort(float value) => SaturateShortFromInt(RoundToInt(value));

    private static short SaturateShortFromInt(int value) => (short)Math.Clamp(value, short.MinValue, short.MaxValue);

    internal static byte SaturateByte(int value) => (byte)Math.Clamp(value, 0, 255);

    /// <summary>saturate_cast&lt;uchar&gt;(float): cvRound then clamp.</summary>
    internal static byte SaturateByte(float value) => SaturateByte(RoundToInt(value));
}
