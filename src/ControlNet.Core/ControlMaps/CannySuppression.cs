using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// The second stage of <see cref="CannyEdgeDetector"/>: non-maximum suppression and double thresholding of
/// one row, writing cv::Canny's map codes: 0 = weak (may join an edge), 1 = not an edge, 2 = strong edge.
/// </summary>
internal static class CannySuppression
{
    public const byte Weak = 0, NotEdge = 1, Strong = 2;

    /// <summary>tan(22.5°) in Q15, exactly as canny.cpp's TG22.</summary>
    private const int Tg22 = 13573;

    /// <param name="above">Magnitudes of the row above, width + 2 values with zero at both ends (all zero above the image).</param>
    /// <param name="row">Magnitudes of this row, same layout.</param>
    /// <param name="below">Magnitudes of the row below, same layout (all zero below the image).</param>
    /// <param name="dx">Chosen-channel dx of this row.</param>
    /// <param name="dy">Chosen-channel dy of this row.</param>
    /// <param name="map">width + 2 map cells; both ends become <see cref="NotEdge"/>.</param>
    public static void SuppressRow(
        ReadOnlySpan<short> above, ReadOnlySpan<short> row, ReadOnlySpan<short> below,
        ReadOnlySpan<short> dx, ReadOnlySpan<short> dy, int width, int low, int high, Span<byte> map, bool useVectors)
    {
        if (above.Length < width + 2 || row.Length < width + 2 || below.Length < width + 2
            || dx.Length < width || dy.Length < width || map.Length < width + 2)
            throw new ArgumentException("Canny row buffers are shorter than the row.");

        map[0] = NotEdge;
        map[width + 1] = NotEdge;
        int x = 0;
        if (useVectors && Avx2.IsSupported && width >= CannyGradient.VectorPixels)
        {
            // A magnitude is at most 2040, so clamping the thresholds to [-1, short.MaxValue] keeps every
            // comparison's outcome while letting it run on 16-bit lanes.
            var lowV = Vector256.Create((short)Math.Clamp(low, -1, short.MaxValue));
            var highV = Vector256.Create((short)Math.Clamp(high, -1, short.MaxValue));
            for (; x <= width - CannyGradient.VectorPixels; x += CannyGradient.VectorPixels)
                SuppressVector(above, row, below, dx, dy, x, lowV, highV, map);
            // The last, partial step is redone over the final 16 pixels; each cell gets the same code again.
            if (x < width) SuppressVector(above, row, below, dx, dy, width - CannyGradient.VectorPixels, lowV, highV, map);
            x = width;
        }
        for (; x < width; x++)
            map[x + 1] = SuppressScalar(above, row, below, dx[x], dy[x], x + 1, low, high);
    }

    /// <summary>
    /// One pixel at padded index <paramref name="p"/>, as cv::Canny's scalar loop: keep it only if its magnitude
    /// exceeds <paramref name="low"/> and is a maximum across the gradient direction, quantised to 0°, 45°,
    /// 90°, 135°. Horizontal and vertical maxima may tie with the second neighbour (<c>m &gt;= b</c>);
    /// diagonal ones may not.
    /// </summary>
    private static byte SuppressScalar(
        ReadOnlySpan<short> above, ReadOnlySpan<short> row, ReadOnlySpan<short> below, int xs, int ys, int p, int low, int high)
    {
        int m = row[p];
        if (m <= low) return NotEdge;
        int x = Math.Abs(xs);
        int y = Math.Abs(ys) << 15;
        int tg22x = x * Tg22;
        bool isMaximum;
        if (y < tg22x)
        {
            isMaximum = m > row[p - 1] && m >= row[p + 1];
        }
        else
        {
            int tg67x = tg22x + (x << 16);
            if (y > tg67x)
            {
                isMaximum = m > above[p] && m >= below[p];
            }
            else
            {
                int s = (xs ^ ys) < 0 ? -1 : 1;
                isMaximum = m > above[p - s] && m > below[p + s];
            }
        }
        if (!isMaximum) return NotEdge;
        return m > high ? Strong : Weak;
    }

    /// <summary>16 pixels from <paramref name="x"/>; every lane takes the same decision as <see cref="SuppressScalar"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SuppressVector(
        ReadOnlySpan<short> above, ReadOnlySpan<short> row, ReadOnlySpan<short> below,
        ReadOnlySpan<short> dx, ReadOnlySpan<short> dy, int x, Vector256<short> low, Vector256<short> high, Span<byte> map)
    {
        ref short a = ref MemoryMarshal.GetReference(above);
        ref short r = ref MemoryMarshal.GetReference(row);
        ref short b = ref MemoryMarshal.GetReference(below);
        nuint p = (nuint)(x + 1);

        Vector256<short> m = Vector256.LoadUnsafe(ref r, p);
        Vector256<short> gx = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(dx), (nuint)x);
        Vector256<short> gy = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(dy), (nuint)x);
        Vector256<short> ax = Vector256.Abs(gx), ay = Vector256.Abs(gy);

        // canny.cpp: horizontal iff (|dy| << 15) < |dx|·TG22, vertical iff (|dy| << 15) > |dx|·TG22 + (|dx| << 16).
        // With f = floor(|dx|·TG22 / 2^15) (a 16-bit multiply-high of 2|dx| by TG22) these are exactly
        // |dy| <= f and |dy| > 2|dx| + f: TG22 is odd, so |dx|·TG22 is never a multiple of 2^15 for 0 < |dx| ≤ 1020.
        // Only |dx| = |dy| = 0 is classed differently (horizontal, not diagonal), and there m = 0 cannot beat
        // a neighbour in any direction, so the outcome is the same.
        Vector256<short> f = Avx2.MultiplyHigh(ax + ax, Vector256.Create((short)Tg22));
        Vector256<short> horizontal = Vector256.LessThanOrEqual(ay, f);
        Vector256<short> vertical = Vector256.GreaterThan(ay, ax + ax + f);
        // Diagonal: canny.cpp's s = +1 when dx and dy share a sign (up-left to down-right), else -1.
        Vector256<short> sameSign = Vector256.GreaterThanOrEqual(gx ^ gy, Vector256<short>.Zero);

        Vector256<short> first = Vector256.ConditionalSelect(horizontal, Vector256.LoadUnsafe(ref r, p - 1),
            Vector256.ConditionalSelect(vertical, Vector256.LoadUnsafe(ref a, p),
                Vector256.ConditionalSelect(sameSign, Vector256.LoadUnsafe(ref a, p - 1), Vector256.LoadUnsafe(ref a, p + 1))));
        Vector256<short> second = Vector256.ConditionalSelect(horizontal, Vector256.LoadUnsafe(ref r, p + 1),
            Vector256.ConditionalSelect(vertical, Vector256.LoadUnsafe(ref b, p),
                Vector256.ConditionalSelect(sameSign, Vector256.LoadUnsafe(ref b, p + 1), Vector256.LoadUnsafe(ref b, p - 1))));
        // m >= second for the straight directions is m > second - 1 (adding the all-ones mask subtracts 1).
        second += horizontal | vertical;

        Vector256<short> kept = Vector256.GreaterThan(m, first) & Vector256.GreaterThan(m, second) & Vector256.GreaterThan(m, low);
        Vector256<short> strong = kept & Vector256.GreaterThan(m, high);
        Vector256<short> codes = Vector256.ConditionalSelect(strong, Vector256.Create((short)Strong),
            Vector256.ConditionalSelect(kept, Vector256.Create((short)Weak), Vector256.Create((short)NotEdge)));
        Vector128.Narrow(codes.GetLower().AsUInt16(), codes.GetUpper().AsUInt16())
            .StoreUnsafe(ref MemoryMarshal.GetReference(map), p);
    }
}
