using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ControlNet.Core.Imaging;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// Canny edges, bit-exact with OpenCV 4.x <c>cv2.Canny(image, low, high)</c> (apertureSize 3, L1 gradient),
/// the reference `canny` annotator: a 1-channel map of 0 and 255.
/// </summary>
/// <remarks>
/// The stages follow cv::Canny (imgproc/src/canny.cpp, parallelCanny + finalPass), streamed row by row so that
/// only three rows of gradients are alive at once:
/// <list type="number">
/// <item>Sobel dx, dy with BORDER_REPLICATE and the L1 magnitude; for colour, the channel with the largest
/// magnitude (the first on ties) supplies m, dx and dy (<see cref="CannyGradient"/>).</item>
/// <item>Non-maximum suppression and the two thresholds into a map with a one-cell border
/// (<see cref="CannySuppression"/>).</item>
/// <item>Hysteresis: every weak cell 8-connected to a strong one becomes strong.</item>
/// <item>Strong cells become 255, the rest 0.</item>
/// </list>
/// The gradient and suppression stages run 16 pixels at a time with AVX2; without it (e.g. on Arm) the scalar
/// code, which mirrors canny.cpp line by line and gives the same map, runs instead, about 20x slower.
/// </remarks>
public static class CannyEdgeDetector
{
    /// <summary>Edge map of an RGB or gray image.</summary>
    /// <param name="low">Hysteresis threshold for weak edges (OpenCV's threshold1).</param>
    /// <param name="high">Threshold for strong edges (threshold2); swapped with <paramref name="low"/> if smaller, as OpenCV does.</param>
    public static ByteImage Detect(ByteImage image, double low, double high) => Detect(image, low, high, useVectors: true);

    /// <summary>As <see cref="Detect(ByteImage, double, double)"/>; <paramref name="useVectors"/> = false runs the scalar code only.</summary>
    internal static ByteImage Detect(ByteImage image, double low, double high, bool useVectors)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (low > high) (low, high) = (high, low);
        // L1 magnitudes are integers compared with '>' against the floored thresholds: m > 50.5 is m > 50.
        int lowThreshold = CvFloor(low), highThreshold = CvFloor(high);

        int width = image.Width, height = image.Height, mapStride = width + 2;
        byte[] map = ArrayPool<byte>.Shared.Rent(mapStride * (height + 2));
        try
        {
            FillEdgeCandidates(image, lowThreshold, highThreshold, map, useVectors);
            TraceWeakEdges(map.AsSpan(0, mapStride * (height + 2)), mapStride);
            return RenderEdges(map, width, height, useVectors);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(map);
        }
    }

    /// <summary>
    /// cvFloor(double) of OpenCV 4.x: <c>int i = (int)value; return i - (i &gt; value);</c>, where the C++ cast
    /// on x86-64 yields int.MinValue for NaN and out-of-range values (so 1e10 becomes int.MinValue and -1e10
    /// wraps round to int.MaxValue). .NET's cast saturates instead, hence the explicit range test.
    /// </summary>
    private static int CvFloor(double value)
    {
        int i = value > -2147483649.0 && value < 2147483648.0 ? (int)value : int.MinValue;
        return i > value ? unchecked(i - 1) : i;
    }

    /// <summary>
    /// Gradient, suppression and thresholds for every row, into <paramref name="map"/> ((height + 2) rows of
    /// width + 2 cells; the outer ring stays <see cref="CannySuppression.NotEdge"/>).
    /// </summary>
    private static void FillEdgeCandidates(ByteImage image, int low, int high, byte[] map, bool useVectors)
    {
        int width = image.Width, height = image.Height, channels = image.Channels;
        int planeStride = width + 2, gradientStride = width + 2, mapStride = width + 2;
        int planesSize = channels * planeStride;

        // Three source rows (split into padded planes) and three gradient rows, used as rings indexed by row % 3,
        // plus one all-zero magnitude row standing for the rows outside the image.
        byte[] planes = ArrayPool<byte>.Shared.Rent(3 * planesSize);
        short[] gradients = ArrayPool<short>.Shared.Rent(3 * 3 * gradientStride + gradientStride);
        try
        {
            // Rows 0-2: magnitudes, 3-5: dx, 6-8: dy, 9: zero magnitudes.
            gradients.AsSpan(0, 3 * gradientStride).Clear();
            gradients.AsSpan(9 * gradientStride, gradientStride).Clear();

            map.AsSpan(0, mapStride).Fill(CannySuppression.NotEdge);
            map.AsSpan((height + 1) * mapStride, mapStride).Fill(CannySuppression.NotEdge);

            Span<byte> Planes(int y) => planes.AsSpan((y % 3) * planesSize, planesSize);
            Span<short> Magnitude(int y) => gradients.AsSpan((y < 0 || y >= height ? 9 : y % 3) * gradientStride, gradientStride);
            Span<short> Dx(int y) => gradients.AsSpan((3 + y % 3) * gradientStride, width);
            Span<short> Dy(int y) => gradients.AsSpan((6 + y % 3) * gradientStride, width);

            CannyGradient.SplitRow(image.Row(0), width, channels, Planes(0), planeStride, useVectors);
            for (int y = 0; y < height; y++)
            {
                if (y + 1 < height)
                    CannyGradient.SplitRow(image.Row(y + 1), width, channels, Planes(y + 1), planeStride, useVectors);
                // BORDER_REPLICATE: the rows above the first and below the last are copies of them.
                CannyGradient.ComputeRow(Planes(Math.Max(y - 1, 0)), Planes(y), Planes(Math.Min(y + 1, height - 1)),
                    width, channels, planeStride, Magnitude(y), Dx(y), Dy(y), useVectors);
                // A row can be suppressed once the magnitudes of the row below it exist.
                if (y > 0) Suppress(y - 1);
            }
            Suppress(height - 1);

            void Suppress(int y) => CannySuppression.SuppressRow(Magnitude(y - 1), Magnitude(y), Magnitude(y + 1), Dx(y), Dy(y),
                width, low, high, map.AsSpan((y + 1) * mapStride, mapStride), useVectors);
        }
        finally
        {
            ArrayPool<short>.Shared.Return(gradients);
            ArrayPool<byte>.Shared.Return(planes);
        }
    }

    /// <summary>
    /// Hysteresis as cv::Canny's stack: every strong cell spreads to its 8 neighbours that are weak. The set
    /// reached does not depend on the order cells are visited, only on 8-connectivity; the map's border
    /// ring of <see cref="CannySuppression.NotEdge"/> keeps the walk inside the image without bounds tests.
    /// </summary>
    private static void TraceWeakEdges(Span<byte> map, int mapStride)
    {
        int[] stack = ArrayPool<int>.Shared.Rent(Math.Max(1 << 10, map.Length / 10));
        int count = 0;
        try
        {
            // Seed with the strong cells that suppression found, before any weak cell is promoted.
            for (int start = 0, found; (found = map[start..].IndexOf(CannySuppression.Strong)) >= 0; start += found + 1)
            {
                if (count == stack.Length) stack = Grow(stack);
                stack[count++] = start + found;
            }

            ReadOnlySpan<int> neighbours = [-mapStride - 1, -mapStride, -mapStride + 1, -1, 1, mapStride - 1, mapStride, mapStride + 1];
            while (count > 0)
            {
                int cell = stack[--count];
                if (count + neighbours.Length > stack.Length) stack = Grow(stack);
                foreach (int offset in neighbours)
                {
                    int next = cell + offset;
                    if (map[next] == CannySuppression.Weak)
                    {
                        map[next] = CannySuppression.Strong;
                        stack[count++] = next;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(stack);
        }
    }

    private static int[] Grow(int[] stack)
    {
        int[] larger = ArrayPool<int>.Shared.Rent(stack.Length * 2);
        stack.CopyTo(larger, 0);
        ArrayPool<int>.Shared.Return(stack);
        return larger;
    }

    /// <summary>finalPass: strong cells become 255, everything else 0.</summary>
    private static ByteImage RenderEdges(byte[] map, int width, int height, bool useVectors)
    {
        var edges = new ByteImage(width, height, 1);
        int mapStride = width + 2;
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> cells = map.AsSpan((y + 1) * mapStride + 1, width);
            Span<byte> pixels = edges.Row(y);
            int x = 0;
            if (useVectors && Vector256.IsHardwareAccelerated && width >= Vector256<byte>.Count)
            {
                var strong = Vector256.Create(CannySuppression.Strong);
                ref byte source = ref MemoryMarshal.GetReference(cells);
                ref byte target = ref MemoryMarshal.GetReference(pixels);
                for (; x <= width - Vector256<byte>.Count; x += Vector256<byte>.Count)
                    Vector256.Equals(Vector256.LoadUnsafe(ref source, (nuint)x), strong).StoreUnsafe(ref target, (nuint)x);
                x = width - Vector256<byte>.Count;
                Vector256.Equals(Vector256.LoadUnsafe(ref source, (nuint)x), strong).StoreUnsafe(ref target, (nuint)x);
                x = width;
            }
            for (; x < width; x++)
                pixels[x] = cells[x] == CannySuppression.Strong ? (byte)255 : (byte)0;
        }
        return edges;
    }
}
