using ControlNet.Core.Scheduling;

namespace ControlNet.Core.Tests.Scheduling;

/// <summary>
/// Expected values come from diffusers' formulas (written out here in double precision) or from numpy
/// runs of diffusers' set_timesteps expressions — never from the scheduler under test.
/// </summary>
public class DdimSchedulerTests
{
    private static DdimScheduler Sd15(int steps, string spacing = "leading") =>
        new(DdimSchedulerConfig.StableDiffusion15 with { TimestepSpacing = spacing }, steps);

    [Theory]
    [InlineData(10, 100)]
    [InlineData(20, 50)]
    [InlineData(50, 20)]
    public void Leading_spacing_is_offset_multiples_of_the_step_ratio(int steps, int ratio)
    {
        // (arange(steps) · (1000 // steps))[::-1] + steps_offset
        var expected = Enumerable.Range(0, steps).Reverse().Select(i => i * ratio + 1).ToArray();
        Assert.Equal(expected, Sd15(steps).Timesteps);
        if (steps == 20) Assert.Equal([951, 901, 851], Sd15(steps).Timesteps.Take(3));
    }

    // numpy: np.round(np.arange(1000, 0, -1000/n)).astype(np.int64) - 1
    [Theory]
    [InlineData(10, new[] { 999, 899, 799, 699, 599, 499, 399, 299, 199, 99 })]
    [InlineData(20, new[] { 999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 499, 449, 399, 349, 299, 249, 199, 149, 99, 49 })]
    public void Trailing_spacing_matches_diffusers(int steps, int[] expected)
    {
        Assert.Equal(expected, Sd15(steps, "trailing").Timesteps);
    }

    [Fact]
    public void Trailing_spacing_for_50_steps_counts_down_by_20_from_999()
    {
        Assert.Equal(Enumerable.Range(0, 50).Select(i => 999 - 20 * i), Sd15(50, "trailing").Timesteps);
    }

    // numpy: np.linspace(0, 999, n).round()[::-1].astype(np.int64)
    [Theory]
    [InlineData(10, new[] { 999, 888, 777, 666, 555, 444, 333, 222, 111, 0 })]
    [InlineData(20, new[] { 999, 946, 894, 841, 789, 736, 684, 631, 578, 526, 473, 421, 368, 315, 263, 210, 158, 105, 53, 0 })]
    [InlineData(50, new[] { 999, 979, 958, 938, 917, 897, 877, 856, 836, 816, 795, 775, 754, 734, 714, 693, 673, 652, 632, 612, 591, 571, 550, 530, 510, 489, 469, 449, 428, 408, 387, 367, 347, 326, 306, 285, 265, 245, 224, 204, 183, 163, 143, 122, 102, 82, 61, 41, 20, 0 })]
    public void Linspace_spacing_matches_diffusers(int steps, int[] expected)
    {
        Assert.Equal(expected, Sd15(steps, "linspace").Timesteps);
    }

    /// <summary>ᾱ_t = Π_{i≤t} (1 − β_i), β_i = (√β₀ + i·(√β₁ − √β₀)/(N − 1))².</summary>
    private static double[] ScaledLinearAlphasCumprod(double betaStart = 0.00085, double betaEnd = 0.012, int n = 1000)
    {
        var result = new double[n];
        double product = 1;
        for (int i = 0; i < n; i++)
        {
            double root = Math.Sqrt(betaStart) + i * (Math.Sqrt(betaEnd) - Math.Sqrt(betaStart)) / (n - 1);
            product *= 1 - root * root;
            result[i] = product;
        }
        return result;
    }

    [Fact]
    public void Alphas_cumprod_follow_the_scaled_linear_formula()
    {
        var expected = ScaledLinearAlphasCumprod();
        var actual = Sd15(20).AlphasCumprod;
        for (int t = 0; t < 1000; t++)
            Assert.True(Math.Abs(actual[t] - expected[t]) <= 2e-6 * Math.Max(1, expected[t] * 10),
                $"t={t}: {actual[t]} vs {expected[t]}");
        Assert.Equal(0.99915, actual[0], 6);
        Assert.InRange(actual[999], 0.00465, 0.00467); // the well-known SD1.5 ᾱ at t = 999 (≈ 0.00466)
    }

    [Fact]
    public void Linear_betas_follow_their_formula()
    {
        var config = DdimSchedulerConfig.StableDiffusion15 with { BetaSchedule = "linear", BetaStart = 0.0001, BetaEnd = 0.02 };
        var actual = new DdimScheduler(config, 10).AlphasCumprod;
        double product = 1;
        for (int t = 0; t < 1000; t++)
        {
            product *= 1 - (0.0001 + t * (0.02 - 0.0001) / 999);
            Assert.True(Math.Abs(actual[t] - product) < 1e-5, $"t={t}: {actual[t]} vs {product}");
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    [InlineData(50)]
    public void Final_step_uses_alpha_zero_when_set_alpha_to_one_is_false(int steps)
    {
        var scheduler = Sd15(steps);
        Assert.Equal(scheduler.AlphasCumprod[0], scheduler.AlphaCumprodBefore(1));
        var one = new DdimScheduler(DdimSchedulerConfig.StableDiffusion15 with { SetAlphaToOne = true }, steps);
        Assert.Equal(1f, one.AlphaCumprodBefore(1));
    }

    [Fact]
    public void Epsilon_step_matches_ddim_equation()
    {
        var alphas = ScaledLinearAlphasCumprod();
        var scheduler = Sd15(20);
        float[] sample = [1.0f, -0.5f, 2.0f];
        float[] epsilon = [0.5f, 0.25f, -1.0f];
        var expected = new double[3];
        for (int i = 0; i < 3; i++)
        {
            double a = alphas[951], ap = alphas[901];
            double x0 = (sample[i] - Math.Sqrt(1 - a) * epsilon[i]) / Math.Sqrt(a);
            expected[i] = Math.Sqrt(ap) * x0 + Math.Sqrt(1 - ap) * epsilon[i];
        }
        scheduler.Step(epsilon, 951, sample);
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], sample[i], 4);
    }

    [Fact]
    public void V_prediction_step_matches_its_equation()
    {
        var alphas = ScaledLinearAlphasCumprod();
        var scheduler = new DdimScheduler(DdimSchedulerConfig.StableDiffusion15 with { PredictionType = "v_prediction" }, 20);
        float[] sample = [0.8f];
        float[] v = [0.3f];
        double a = alphas[501], ap = alphas[451];
        double x0 = Math.Sqrt(a) * 0.8 - Math.Sqrt(1 - a) * 0.3;
        double eps = Math.Sqrt(a) * 0.3 + Math.Sqrt(1 - a) * 0.8;
        scheduler.Step(v, 501, sample);
        Assert.Equal(Math.Sqrt(ap) * x0 + Math.Sqrt(1 - ap) * eps, sample[0], 5);
    }

    [Fact]
    public void Clip_sample_bounds_the_predicted_original()
    {
        var alphas = ScaledLinearAlphasCumprod();
        var scheduler = new DdimScheduler(DdimSchedulerConfig.StableDiffusion15 with { ClipSample = true }, 20);
        float[] sample = [50f];
        float[] epsilon = [0f];
        scheduler.Step(epsilon, 951, sample);
        Assert.Equal(Math.Sqrt(alphas[901]) * 1.0, sample[0], 5); // x̂₀ clipped to 1, ε = 0
    }

    [Fact]
    public void Eta_adds_scaled_noise_with_ddim_sigma()
    {
        var alphas = ScaledLinearAlphasCumprod();
        var scheduler = Sd15(20);
        float[] sample = [0f];
        scheduler.Step([0f], 951, sample, eta: 1f, noise: [1f]);
        double a = alphas[951], ap = alphas[901];
        double sigma = Math.Sqrt((1 - ap) / (1 - a) * (1 - a / ap));
        Assert.Equal(sigma, sample[0], 5);
    }

    [Fact]
    public void Config_file_overrides_defaults_and_missing_file_means_sd15()
    {
        var directory = Directory.CreateTempSubdirectory("sched-");
        var path = Path.Combine(directory.FullName, "scheduler_config.json");
        Assert.Same(DdimSchedulerConfig.StableDiffusion15, DdimSchedulerConfig.Load(path));

        File.WriteAllText(path, """{"_class_name":"DDIMScheduler","timestep_spacing":"trailing","prediction_type":"v_prediction","steps_offset":0,"clip_sample":false}""");
        var config = DdimSchedulerConfig.Load(path);
        Assert.Equal(("trailing", "v_prediction", 0, "scaled_linear"), (config.TimestepSpacing, config.PredictionType, config.StepsOffset, config.BetaSchedule));
    }

    [Fact]
    public void Unsupported_config_values_are_named()
    {
        var directory = Directory.CreateTempSubdirectory("sched-");
        var path = Path.Combine(directory.FullName, "scheduler_config.json");
        File.WriteAllText(path, """{"timestep_spacing":"karras"}""");
        var error = Assert.Throws<InvalidInputException>(() => DdimSchedulerConfig.Load(path));
        Assert.Contains("timestep_spacing 'karras'", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(1001)]
    public void Step_counts_outside_1_to_1000_are_rejected(int steps)
    {
        var error = Assert.Throws<InvalidInputException>(() => Sd15(steps));
        Assert.Contains("Steps must be between 1 and 1000", error.Message);
    }
}
