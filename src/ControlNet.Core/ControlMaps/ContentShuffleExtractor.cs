using ControlNet.Core.Imaging;
using ControlNet.Core.Randomness;

namespace ControlNet.Core.ControlMaps;

/// <summary>
/// `shuffle`: controlnet_aux's ContentShuffleDetector — every output pixel samples the source at a
/// smooth random position (two "noise disks": uniform noise on a coarse grid of cell size F, bicubic
/// upsampled, normalised to [0, 1] and scaled to the image), so colours and textures survive but layout
/// does not. Seeded with <see cref="SeededRandom"/>: the same seed gives the same map everywhere.
/// </summary>
public sealed class ContentShuffleExtractor : IControlMapExtractor
{
    public string Name => "shuffle";
    public static readonly ExtractorParameter Seed = new("seed", 0, 0, int.MaxValue, true, "seed of the shuffle's noise");
    public static readonly ExtractorParameter Cell = new("cell", 256, 1, 4096, true, "noise cell size in pixels (make_noise_disk's F)");

    public IReadOnlyList<ExtractorParameter> Parameters { get; } = [Seed, Cell];

    public ByteImage Extract(ByteImage source, ControlMapParameters parameters)
    {
        ((IControlMapExtractor)this).CheckParameters(parameters);
        int seed = (int)parameters.Read(Seed);
        int cell = (int)parameters.Read(Cell);
        var random = new SeededRandom(seed);
        int width = source.Width, height = source.Height;
        // As the reference: x from the first disk × (W − 1), y from the second × (H − 1).
        var sampleX = NoiseDisk(width, height, cell, random, width - 1);
        var sampleY = NoiseDisk(width, height, cell, random, height - 1);
        return Remap(source, sampleX, sampleY);
    }

    /// <summary>make_noise_disk(H, W, 1, F) × scale.</summary>
    internal static float[] NoiseDisk(int width, int height, int cell, SeededRandom random, double scale)
    {
        int gridWidth = width / cell + 2, gridHeight = height / cell + 2;
        var grid = new double[gridWidth * gridHeight];
        for (int i = 0; i < grid.Length; i++) grid[i] = random.NextDouble();

        // Bicubic resize of the grid to (W + 2F) × (H + 2F), then crop F from each side.
        int fullWidth = width + 2 * cell, fullHeight = height + 2 * cell;
        double scaleX = (double)gridWidth / fullWidth, scaleY = (double)gridHeight / fullHeight;
        var noise = new double[width * height];
        Span<double> wx = stackalloc double[4];
        Span<double> wy = stackalloc double[4];
        for (int y = 0; y < height; y++)
        {
            double sy = (y + cell + 0.5) * scaleY - 0.5;
            int y0 = (int)Math.Floor(sy);
            CubicWeights(sy - y0, wy);
            for (int x = 0; x < width; x++)
            {
                double sx = (x + cell + 0.5) * scaleX - 0.5;
                int x0 = (int)Math.Floor(sx);
                CubicWeights(sx - x0, wx);
                double sum = 0;
                for (int j = 0; j < 4; j++)
                {
                    int gy = Math.Clamp(y0 - 1 + j, 0, gridHeight - 1);
                    double rowSum = 0;
                    for (int i = 0; i < 4; i++)
                        rowSum += wx[i] * grid[gy * gridWidth + Math.Clamp(x0 - 1 + i, 0, gridWidth - 1)];
                    sum += wy[j] * rowSum;
                }
                noise[y * width + x] = sum;
            }
        }

        double min = noise.Min(), max = noise.Max();
        double range = max > min ? max - min : 1;
        var result = new float[noise.Length];
        for (int i = 0; i < noise.Length; i++) result[i] = (float)((noise[i] - min) / range * scale);
        return result;
    }

    /// <summary>OpenCV's cubic convolution weights (Keys kernel, a = −0.75).</summary>
    private static void CubicWeights(double t, Span<double> w)
    {
        const double a = -0.75;
        w[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
        w[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
        w[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
        w[3] = 1 - w[0] - w[1] - w[2];
    }

    /// <summary>cv2.remap with bilinear interpolation; sample positions lie inside the image by construction.</summary>
    private static ByteImage Remap(ByteImage source, float[] sampleX, float[] sampleY)
    {
        int width = source.Width, height = source.Height, channels = source.Channels;
        var map = new ByteImage(width, height, channels);
        var pixels = source.Data;
        for (int i = 0; i < sampleX.Length; i++)
        {
            float x = sampleX[i], y = sampleY[i];
            int x0 = Math.Min((int)x, width - 1), y0 = Math.Min((int)y, height - 1);
            int x1 = Math.Min(x0 + 1, width - 1), y1 = Math.Min(y0 + 1, height - 1);
            float fx = x - x0, fy = y - y0;
            for (int c = 0; c < channels; c++)
            {
                float top = pixels[(y0 * width + x0) * channels + c] * (1 - fx) + pixels[(y0 * width + x1) * channels + c] * fx;
                float bottom = pixels[(y1 * width + x0) * channels + c] * (1 - fx) + pixels[(y1 * width + x1) * channels + c] * fx;
                map.Data[i * channels + c] = (byte)Math.Clamp(MathF.Round(top * (1 - fy) + bottom * fy), 0, 255);
            }
        }
        return map;
    }
}
