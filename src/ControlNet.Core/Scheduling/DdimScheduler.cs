namespace ControlNet.Core.Scheduling;

/// <summary>
/// DDIM (Song et al. 2020, eq. 12) with diffusers' <c>DDIMScheduler</c> numerics: betas and ᾱ in float32
/// as torch computes them, the same timestep spacings, and the same step:
/// x̂₀ = (x_t − √(1−ᾱ_t)·ε) / √ᾱ_t;  x_{t−Δ} = √ᾱ_{t−Δ}·x̂₀ + √(1−ᾱ_{t−Δ}−σ²)·ε + σ·z,
/// σ = η·√((1−ᾱ_{t−Δ})/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_{t−Δ})).
/// Immutable once built: one instance serves concurrent generations.
/// </summary>
public sealed class DdimScheduler
{
    public const int MaxSteps = 1000;

    private readonly float[] _alphasCumprod;
    private readonly float _finalAlphaCumprod;

    public DdimSchedulerConfig Config { get; }

    /// <summary>Descending timesteps, e.g. 951, 901, …, 1 for 20 SD1.5 steps.</summary>
    public IReadOnlyList<int> Timesteps { get; }

    public int InferenceSteps => Timesteps.Count;

    public IReadOnlyList<float> AlphasCumprod => _alphasCumprod;

    public DdimScheduler(DdimSchedulerConfig config, int inferenceSteps)
    {
        Config = config.Validated();
        if (inferenceSteps < 1 || inferenceSteps > Math.Min(MaxSteps, config.NumTrainTimesteps))
            throw new InvalidInputException($"Steps must be between 1 and {Math.Min(MaxSteps, config.NumTrainTimesteps)}, got {inferenceSteps}.");
        _alphasCumprod = AlphasCumprodFor(Betas(config));
        _finalAlphaCumprod = config.SetAlphaToOne ? 1f : _alphasCumprod[0];
        Timesteps = SpacedTimesteps(config, inferenceSteps);
    }

    /// <summary>ᾱ for the previous timestep of <paramref name="timestep"/> (final ᾱ below 0).</summary>
    public float AlphaCumprodBefore(int timestep)
    {
        int previous = timestep - Config.NumTrainTimesteps / InferenceSteps;
        return previous >= 0 ? _alphasCumprod[previous] : _finalAlphaCumprod;
    }

    /// <summary>
    /// One reverse step in place: <paramref name="sample"/> (x_t) becomes x_{t−Δ}.
    /// <paramref name="noise"/> is only read when eta &gt; 0 (then it must be N(0,1), same length).
    /// </summary>
    public void Step(ReadOnlySpan<float> modelOutput, int timestep, Span<float> sample, float eta = 0f, ReadOnlySpan<float> noise = default)
    {
        if (modelOutput.Length != sample.Length) throw new ArgumentException("Model output and sample differ in length.");
        double alpha = _alphasCumprod[timestep];
        double alphaPrevious = AlphaCumprodBefore(timestep);
        double beta = 1 - alpha;
        double sqrtAlpha = Math.Sqrt(alpha), sqrtBeta = Math.Sqrt(beta);
        double variance = (1 - alphaPrevious) / beta * (1 - alpha / alphaPrevious);
        double sigma = eta * Math.Sqrt(variance);
        double directionScale = Math.Sqrt(Math.Max(0, 1 - alphaPrevious - sigma * sigma));
        double sqrtAlphaPrevious = Math.Sqrt(alphaPrevious);
        bool clip = Config.ClipSample;
        float clipRange = (float)Config.ClipSampleRange;
        if (sigma > 0 && noise.Length != sample.Length) throw new ArgumentException("eta > 0 needs one noise value per sample element.");

        for (int i = 0; i < sample.Length; i++)
        {
            double x = sample[i], output = modelOutput[i];
            double x0, epsilon;
            switch (Config.PredictionType)
            {
                case "epsilon": x0 = (x - sqrtBeta * output) / sqrtAlpha; epsilon = output; break;
                case "v_prediction": x0 = sqrtAlpha * x - sqrtBeta * output; epsilon = sqrtAlpha * output + sqrtBeta * x; break;
                default: x0 = output; epsilon = (x - sqrtAlpha * output) / sqrtBeta; break;
            }
            if (clip) x0 = Math.Clamp(x0, -clipRange, clipRange);
            double previous = sqrtAlphaPrevious * x0 + directionScale * epsilon;
            if (sigma > 0) previous += sigma * noise[i];
            sample[i] = (float)previous;
        }
    }

    /// <summary>torch.linspace in float32 (it fills from both ends to stay symmetric), as diffusers does.</summary>
    internal static float[] Linspace(float start, float end, int count)
    {
        var values = new float[count];
        if (count == 1) { values[0] = start; return values; }
        float step = (end - start) / (count - 1);
        int half = count / 2;
        for (int i = 0; i < count; i++)
            values[i] = i < half ? start + step * i : end - step * (count - 1 - i);
        return values;
    }

    internal static float[] Betas(DdimSchedulerConfig config)
    {
        int n = config.NumTrainTimesteps;
        switch (config.BetaSchedule)
        {
            case "linear":
                return Linspace((float)config.BetaStart, (float)config.BetaEnd, n);
            case "scaled_linear":
                var roots = Linspace((float)Math.Sqrt(config.BetaStart), (float)Math.Sqrt(config.BetaEnd), n);
                return roots.Select(r => r * r).ToArray();
            default:
                // betas_for_alpha_bar with the cosine ᾱ(t) of Nichol & Dhariwal, max beta 0.999.
                static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
                return Enumerable.Range(0, n)
                    .Select(i => (float)Math.Min(1 - AlphaBar((i + 1.0) / n) / AlphaBar((double)i / n), 0.999))
                    .ToArray();
        }
    }

    internal static float[] AlphasCumprodFor(float[] betas)
    {
        var cumulative = new float[betas.Length];
        float product = 1f;
        for (int i = 0; i < betas.Length; i++)
        {
            product *= 1f - betas[i];
            cumulative[i] = product;
        }
        return cumulative;
    }

    internal static int[] SpacedTimesteps(DdimSchedulerConfig config, int steps)
    {
        int n = config.NumTrainTimesteps;
        var timesteps = new int[steps];
        switch (config.TimestepSpacing)
        {
            case "linspace":
                // np.linspace(0, N−1, steps).round()[::-1]; numpy rounds half to even.
                for (int i = 0; i < steps; i++)
                {
                    double value = steps == 1 ? 0 : (n - 1) * (double)i / (steps - 1);
                    timesteps[steps - 1 - i] = (int)Math.Round(value, MidpointRounding.ToEven);
                }
                break;
            case "leading":
                int ratio = n / steps;
                for (int i = 0; i < steps; i++) timesteps[steps - 1 - i] = i * ratio + config.StepsOffset;
                break;
            default:
                // np.round(np.arange(N, 0, −N/steps)) − 1
                double trailingRatio = (double)n / steps;
                for (int i = 0; i < steps; i++)
                    timesteps[i] = (int)Math.Round(n - i * trailingRatio, MidpointRounding.ToEven) - 1;
                break;
        }
        // steps_offset can push the first leading timestep to N; clamp to a valid ᾱ index.
        for (int i = 0; i < steps; i++) timesteps[i] = Math.Clamp(timesteps[i], 0, n - 1);
        return timesteps;
    }
}
