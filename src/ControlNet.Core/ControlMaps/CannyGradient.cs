using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// The first stage of <see cref="CannyEdgeDetector"/>, one image row at a time: the 3x3 Sobel derivatives
/// (<c>cv::Sobel(src, dx, CV_16S, 1, 0, 3, 1, 0, BORDER_REPLICATE)</c> and the same for dy), the L1 magnitude
/// |dx| + |dy|, and, for colour, OpenCV's per-pixel choice of channel.
/// </summary>
/// <remarks>
/// Source rows are first split into planes, one per channel, with one replicated pixel at either end, so
/// that the Sobel window never leaves the buffer and BORDER_REPLICATE costs nothing in the inner loop.
/// All values fit in 16 bits (|dx|, |dy| ≤ 4·255, magnitude ≤ 2040), so the vector path works on 16 lanes.
/// </remarks>
internal static class CannyGradient
{
    /// <summary>Pixels handled by one vector step: 16 lanes of <see cref="short"/> in a <see cref="Vector256{T}"/>.</summary>
    public const int VectorPixels = 16;

    /// <summary>
    /// Writes <paramref name="row"/> (HWC, <paramref name="channels"/> interleaved) as planes of
    /// <paramref name="planeStride"/> bytes: plane c holds [p0, p0, p1, …, p(w-1), p(w-1)] of channel c.
    /// </summary>
    public static void SplitRow(ReadOnlySpan<byte> row, int width, int channels, Span<byte> planes, int planeStride, bool useVectors)
    {
        if (channels == 1)
        {
            row[..width].CopyTo(planes.Slice(1, width));
        }
        else
        {
            Span<byte> r = planes.Slice(1, width), g = planes.Slice(planeStride + 1, width), b = planes.Slice(2 * planeStride + 1, width);
            int x = useVectors && Ssse3.IsSupported ? DeinterleaveRgbVector(row, r, g, b) : 0;
            for (; x < width; x++)
            {
                r[x] = row[3 * x];
                g[x] = row[3 * x + 1];
                b[x] = row[3 * x + 2];
            }
        }
        for (int c = 0; c < channels; c++)
        {
            Span<byte> plane = planes.Slice(c * planeStride, width + 2);
            plane[0] = plane[1];
            plane[width + 1] = plane[width];
        }
    }

    /// <summary>
    /// Derivatives and magnitude of one row from the split planes of the rows above, at and below it
    /// (the caller passes the same row twice at the image's top and bottom: BORDER_REPLICATE).
    /// </summary>
    /// <param name="magnitude">width + 2 values; [0] and [width + 1] are left at zero for non-maximum suppression.</param>
    /// <param name="dx">width values: dx of the chosen channel.</param>
    /// <param name="dy">width values: dy of the chosen channel.</param>
    public static void ComputeRow(
        ReadOnlySpan<byte> above, ReadOnlySpan<byte> at, ReadOnlySpan<byte> below, int width, int channels, int planeStride,
        Span<short> magnitude, Span<short> dx, Span<short> dy, bool useVectors)
    {
        int planesLength = (channels - 1) * planeStride + width + 2;
        if (above.Length < planesLength || at.Length < planesLength || below.Length < planesLength
            || magnitude.Length < width + 2 || dx.Length < width || dy.Length < width)
            throw new ArgumentException("Canny row buffers are shorter than the row.");

        int x = 0;
        if (useVectors && Avx2.IsSupported && width >= VectorPixels)
        {
            for (; x <= width - VectorPixels; x += VectorPixels)
                ComputeVector(above, at, below, x, channels, planeStride, magnitude, dx, dy);
            // The last, partial step is redone over the final 16 pixels; recomputing a pixel is harmless.
            if (x < width) ComputeVector(above, at, below, width - VectorPixels, channels, planeStride, magnitude, dx, dy);
            x = width;
        }
        for (; x < width; x++)
            ComputeScalar(above, at, below, x, channels, planeStride, magnitude, dx, dy);
    }

    /// <summary>
    /// One pixel, written as cv::Canny does it: the L1 norm of every channel, then the first channel whose
    /// norm is strictly greater than all before it wins (ties go to the earlier channel), and its dx, dy are kept.
    /// </summary>
    private static void ComputeScalar(
        ReadOnlySpan<byte> above, ReadOnlySpan<byte> at, ReadOnlySpan<byte> below, int x, int channels, int planeStride,
        Span<short> magnitude, Span<short> dx, Span<short> dy)
    {
        int bestNorm = -1, bestDx = 0, bestDy = 0;
        for (int c = 0, p = x; c < channels; c++, p += planeStride)
        {
            // Sobel 3x3: dx = [-1 0 1] across, [1 2 1] down; dy is its transpose. p is the left neighbour.
            int gx = (above[p + 2] - above[p]) + 2 * (at[p + 2] - at[p]) + (below[p + 2] - below[p]);
            int gy = (below[p] - above[p]) + 2 * (below[p + 1] - above[p + 1]) + (below[p + 2] - above[p + 2]);
            int norm = Math.Abs(gx) + Math.Abs(gy);
            if (norm > bestNorm)
            {
                bestNorm = norm;
                bestDx = gx;
                bestDy = gy;
            }
        }
        magnitude[x + 1] = (short)bestNorm;
        dx[x] = (short)bestDx;
        dy[x] = (short)bestDy;
    }

    /// <summary>16 pixels from <paramref name="x"/>; same arithmetic and the same channel rule as <see cref="ComputeScalar"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ComputeVector(
        ReadOnlySpan<byte> above, ReadOnlySpan<byte> at, ReadOnlySpan<byte> below, int x, int channels, int planeStride,
        Span<short> magnitude, Span<short> dx, Span<short> dy)
    {
        ref byte a = ref MemoryMarshal.GetReference(above);
        ref byte m = ref MemoryMarshal.GetReference(at);
        ref byte b = ref MemoryMarshal.GetReference(below);

        var (bestDx, bestDy) = Sobel(ref a, ref m, ref b, (nuint)x);
        Vector256<short> bestNorm = Vector256.Abs(bestDx) + Vector256.Abs(bestDy);
        for (int c = 1; c < channels; c++)
        {
            var (gx, gy) = Sobel(ref a, ref m, ref b, (nuint)(x + c * planeStride));
            Vector256<short> norm = Vector256.Abs(gx) + Vector256.Abs(gy);
            Vector256<short> wins = Vector256.GreaterThan(norm, bestNorm);
            bestNorm = Vector256.ConditionalSelect(wins, norm, bestNorm);
            bestDx = Vector256.ConditionalSelect(wins, gx, bestDx);
            bestDy = Vector256.ConditionalSelect(wins, gy, bestDy);
        }
        bestNorm.StoreUnsafe(ref MemoryMarshal.GetReference(magnitude), (nuint)(x + 1));
        bestDx.StoreUnsafe(ref MemoryMarshal.GetReference(dx), (nuint)x);
        bestDy.StoreUnsafe(ref MemoryMarshal.GetReference(dy), (nuint)x);
    }

    /// <summary>Sobel dx, dy of 16 pixels of one plane; <paramref name="p"/> indexes the left neighbour of the first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<short> Dx, Vector256<short> Dy) Sobel(ref byte above, ref byte at, ref byte below, nuint p)
    {
        Vector256<short> a0 = Widen(ref above, p), a1 = Widen(ref above, p + 1), a2 = Widen(ref above, p + 2);
        Vector256<short> m0 = Widen(ref at, p), m2 = Widen(ref at, p + 2);
        Vector256<short> b0 = Widen(ref below, p), b1 = Widen(ref below, p + 1), b2 = Widen(ref below, p + 2);
        Vector256<short> gx = (a2 - a0) + ((m2 - m0) << 1) + (b2 - b0);
        Vector256<short> gy = (b0 - a0) + ((b1 - a1) << 1) + (b2 - a2);
        return (gx, gy);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Widen(ref byte row, nuint offset) =>
        Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref row, offset));

    /// <summary>
    /// Splits RGB into three planes 16 pixels (48 bytes) at a time with byte shuffles; returns the pixels done.
    /// </summary>
    private static int DeinterleaveRgbVector(ReadOnlySpan<byte> rgb, Span<byte> r, Span<byte> g, Span<byte> b)
    {
        // Hoisted so the loop keeps all nine shuffle masks in registers.
        Vector128<byte> r0 = ChannelShuffles[0, 0], r1 = ChannelShuffles[0, 1], r2 = ChannelShuffles[0, 2];
        Vector128<byte> g0 = ChannelShuffles[1, 0], g1 = ChannelShuffles[1, 1], g2 = ChannelShuffles[1, 2];
        Vector128<byte> b0 = ChannelShuffles[2, 0], b1 = ChannelShuffles[2, 1], b2 = ChannelShuffles[2, 2];
        int width = r.Length, x = 0;
        ref byte source = ref MemoryMarshal.GetReference(rgb);
        for (; x <= width - VectorPixels; x += VectorPixels)
        {
            nuint p = (nuint)(3 * x);
            Vector128<byte> v0 = Vector128.LoadUnsafe(ref source, p);
            Vector128<byte> v1 = Vector128.LoadUnsafe(ref source, p + 16);
            Vector128<byte> v2 = Vector128.LoadUnsafe(ref source, p + 32);
            (Ssse3.Shuffle(v0, r0) | Ssse3.Shuffle(v1, r1) | Ssse3.Shuffle(v2, r2)).StoreUnsafe(ref MemoryMarshal.GetReference(r), (nuint)x);
            (Ssse3.Shuffle(v0, g0) | Ssse3.Shuffle(v1, g1) | Ssse3.Shuffle(v2, g2)).StoreUnsafe(ref MemoryMarshal.GetReference(g), (nuint)x);
            (Ssse3.Shuffle(v0, b0) | Ssse3.Shuffle(v1, b1) | Ssse3.Shuffle(v2, b2)).StoreUnsafe(ref MemoryMarshal.GetReference(b), (nuint)x);
        }
        return x;
    }

    /// <summary>
    /// [channel, block]: pshufb indices that move byte 3k + channel of a 48-byte block of RGB into lane k, for
    /// the lanes whose byte lies in that 16-byte block, and zero (index 0x80) elsewhere.
    /// </summary>
    private static readonly Vector128<byte>[,] ChannelShuffles = BuildChannelShuffles();

    private static Vector128<byte>[,] BuildChannelShuffles()
    {
        var shuffles = new Vector128<byte>[3, 3];
        Span<byte> indices = stackalloc byte[16];
        for (int channel = 0; channel < 3; channel++)
        for (int block = 0; block < 3; block++)
        {
            for (int lane = 0; lane < 16; lane++)
            {
                int source = 3 * lane + channel;
                indices[lane] = source / 16 == block ? (byte)(source % 16) : (byte)0x80;
            }
            shuffles[channel, block] = Vector128.Create((ReadOnlySpan<byte>)indices);
        }
        return shuffles;
    }
}
