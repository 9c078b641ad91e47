using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Core.Randomness;
using ControlNet.TinyModels;

namespace ControlNet.Core.Tests.Diffusion;

/// <summary>
/// What the pipeline must produce on the Linear tiny models, derived on paper and computed here in double:
/// text encoder: m = mean of the embedding table rows of the 77 ids;
/// ControlNet k: r_k = s·q_k·(mean(control map / 255) + κ·(m + τ·t) + μ·mean(x)) everywhere, with its branch's m;
/// UNet: ε = a·x + m + τ·t + Σ_k w_k·mean(residual_k);
/// pipeline: residual_k fed to the UNet = r_k × soft_k (0.825^(12−k) in soft modes), and 0 for the
/// unconditional branch in cond-only modes or outside the guidance window; CFG ε = ε_u + g(ε_c − ε_u);
/// DDIM (η = 0): x ← √ᾱ_prev·(x − √(1−ᾱ_t)·ε)/√ᾱ_t + √(1−ᾱ_prev)·ε, ᾱ from the scaled-linear betas;
/// VAE: pixel(c, Y, X) = round(clamp(γ·x[c, Y/8, X/8]/0.18215 / 2 + 0.5, 0, 1)·255).
/// </summary>
internal static class ClosedFormPipeline
{
    public sealed record Unit(double Scale, ControlMode Mode, double Start, double End, double ControlMean);

    public static ByteImage[] Expected(
        int[] promptIds, int[] negativeIds, int embeddingDim, IReadOnlyList<Unit> units,
        double guidance, int steps, long seed, int count, int width, int height, int[] timesteps,
        NoiseSource noiseSource = NoiseSources.Default, double eta = 0)
    {
        var alphas = AlphasCumprod();
        double mPrompt = EmbeddingMean(promptIds, embeddingDim), mNegative = EmbeddingMean(negativeIds, embeddingDim);
        bool cfg = guidance > 1;
        int h = height / 8, w = width / 8, length = 4 * h * w;
        var images = new ByteImage[count];
        for (int j = 0; j < count; j++)
        {
            var noise = new float[length];
            var generator = NoiseSources.Create(noiseSource, seed + j);
            generator.FillNormal(noise);
            var stepNoise = new float[length];
            var x = noise.Select(v => (double)v).ToArray();
            for (int i = 0; i < timesteps.Length; i++)
            {
                int t = timesteps[i];
                double latentMean = x.Average();
                double rCond = 0, rUncond = 0;
                foreach (var unit in units)
                {
                    if ((double)i / steps < unit.Start || (double)(i + 1) / steps > unit.End) continue;
                    // What the ControlNet sees in each CFG branch: the same latents and map, that branch's prompt.
                    double Input(double m) => unit.ControlMean
                        + TinyModelSet.ControlNetConditioningGain * (m + TinyModelSet.UnetTimestepGain * t)
                        + TinyModelSet.ControlNetSampleGain * latentMean;
                    double weights = 0;
                    for (int k = 0; k < 13; k++)
                    {
                        double soft = unit.Mode is ControlMode.Prompt or ControlMode.Control ? Math.Pow(0.825, 12 - k) : 1;
                        weights += TinyModelSet.UnetResidualWeight(k) * unit.Scale * TinyModelSet.ControlNetResidualGain(k) * soft;
                    }
                    rCond += weights * Input(mPrompt);
                    if (unit.Mode is not (ControlMode.Control or ControlMode.Unbalanced)) rUncond += weights * Input(mNegative);
                }
                double cCond = mPrompt + TinyModelSet.UnetTimestepGain * t + rCond;
                double cUncond = mNegative + TinyModelSet.UnetTimestepGain * t + rUncond;
                double a = alphas[t];
                int previous = t - 1000 / steps;
                double ap = previous >= 0 ? alphas[previous] : alphas[0];
                // diffusers' DDIM step: σ = η·√((1−ᾱ_prev)/(1−ᾱ)·(1−ᾱ/ᾱ_prev)), the noise drawn after the latents.
                double sigma = eta * Math.Sqrt((1 - ap) / (1 - a) * (1 - a / ap));
                if (eta > 0) generator.FillNormal(stepNoise);
                for (int e = 0; e < length; e++)
                {
                    double epsCond = TinyModelSet.UnetSampleGain * x[e] + cCond;
                    double eps = cfg ? (TinyModelSet.UnetSampleGain * x[e] + cUncond) + guidance * (cCond - cUncond) : epsCond;
                    double x0 = (x[e] - Math.Sqrt(1 - a) * eps) / Math.Sqrt(a);
                    x[e] = Math.Sqrt(ap) * x0 + Math.Sqrt(1 - ap - sigma * sigma) * eps + sigma * stepNoise[e];
                }
            }
            var image = new ByteImage(width, height, 3);
            for (int Y = 0; Y < height; Y++)
                for (int X = 0; X < width; X++)
                    for (int c = 0; c < 3; c++)
                    {
                        double v = TinyModelSet.VaeDecoderGain * x[c * h * w + (Y / 8) * w + X / 8] / 0.18215;
                        image.Data[(Y * width + X) * 3 + c] = (byte)Math.Round(Math.Clamp(v / 2 + 0.5, 0, 1) * 255, MidpointRounding.ToEven);
                    }
            images[j] = image;
        }
        return images;
    }

    public static double ControlMean(ByteImage map) =>
        map.Channels == 1 ? map.Data.Average(b => b / 255.0) : map.Data.Average(b => b / 255.0);

    private static double EmbeddingMean(int[] ids, int dim)
    {
        double sum = 0;
        foreach (var id in ids)
            for (int d = 0; d < dim; d++) sum += TinyModelSet.EmbeddingValue(id, d);
        return sum / (ids.Length * dim);
    }

    private static double[] AlphasCumprod()
    {
        var result = new double[1000];
        double product = 1;
        for (int i = 0; i < 1000; i++)
        {
            double root = Math.Sqrt(0.00085) + i * (Math.Sqrt(0.012) - Math.Sqrt(0.00085)) / 999;
            product *= 1 - root * root;
            result[i] = product;
        }
        return result;
    }

    public static int[] Leading(int steps) => Enumerable.Range(0, steps).Reverse().Select(i => i * (1000 / steps) + 1).ToArray();

    public static int[] Trailing(int steps) =>
        Enumerable.Range(0, steps).Select(i => (int)Math.Round(1000 - i * (1000.0 / steps), MidpointRounding.ToEven) - 1).ToArray();
}
