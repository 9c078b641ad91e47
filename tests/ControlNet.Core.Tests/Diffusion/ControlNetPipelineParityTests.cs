using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Core.Randomness;
using ControlNet.TinyModels;
using ControlNet.Core.Text;

namespace ControlNet.Core.Tests.Diffusion;

/// <summary>
/// Parity is proven on models whose output is known in closed form (<see cref="ClosedFormPipeline"/>):
/// every pixel the pipeline produces must equal the paper-and-pencil result (±1 for float32 rounding).
/// A pipeline that is off by one timestep, swaps CFG branches, mis-scales residuals or applies the
/// control modes wrongly fails these tests.
/// </summary>
public class ControlNetPipelineParityTests(TinyModelFixture models) : IClassFixture<TinyModelFixture>
{
    private const int Width = 64, Height = 48;

    private static ByteImage Map(int variant = 0) => TestImages.Pattern(Width, Height, variant == 0 ? 3 : 1);

    private GenerationResult Run(TinyModelPaths set, GenerationRequest request, int maxImagesPerBatch = 4)
    {
        var pipeline = new ControlNetPipeline(models.Cache.StableDiffusion(set.Sd15Directory), maxImagesPerBatch);
        return pipeline.Generate(request);
    }

    private ControlUnit Unit(TinyModelPaths set, ByteImage map, double scale = 1, ControlMode mode = ControlMode.Balanced, double start = 0, double end = 1) =>
        new(models.Cache.ControlNet(set.ControlNetDirectory), map, scale, mode, start, end);

    private static void AssertMatches(ByteImage[] expected, GenerationResult result, int tolerance = 1)
    {
        Assert.Equal(expected.Length, result.Images.Count);
        for (int j = 0; j < expected.Length; j++)
        {
            var actual = result.Images[j].Image.Data;
            int worst = 0, differing = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                int d = Math.Abs(actual[i] - expected[j].Data[i]);
                worst = Math.Max(worst, d);
                if (d > tolerance) differing++;
            }
            Assert.True(differing == 0, $"image {j}: {differing} of {actual.Length} values differ by more than {tolerance} (worst {worst})");
            // The check must not be vacuous: the expected image has real dynamic range, not just clamped pixels.
            int unsaturated = expected[j].Data.Count(b => b is > 0 and < 255);
            Assert.True(unsaturated > actual.Length / 2, $"expected image is mostly saturated ({unsaturated} of {actual.Length} unsaturated; mean {expected[j].Data.Average(b => (double)b):0.0}, zeros {expected[j].Data.Count(b => b == 0)})");
        }
    }

    private ByteImage[] Expected(TinyModelPaths set, GenerationRequest request, IReadOnlyList<ClosedFormPipeline.Unit> units, int[] timesteps)
    {
        var tokenizer = ClipTokenizer.FromDirectory(Path.Combine(set.Sd15Directory, "tokenizer"));
        return ClosedFormPipeline.Expected(
            tokenizer.Encode(request.Prompt).InputIds, tokenizer.Encode(request.NegativePrompt).InputIds, 32, units,
            request.GuidanceScale, request.Steps, request.Seed, request.Count, request.Width, request.Height, timesteps, request.Noise, request.Eta);
    }

    // Cond-only modes put the whole residual into CFG's difference, which the guidance scale multiplies:
    // their guidance is kept low enough that the tiny models' images stay mostly unsaturated.
    public static TheoryData<ControlMode, double, double> Modes => new()
    {
        { ControlMode.Balanced, 1.0, 9.0 },
        { ControlMode.Prompt, 0.7, 9.0 },
        { ControlMode.Control, 1.3, 2.5 },
        { ControlMode.Unbalanced, 0.5, 9.0 },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Pipeline_matches_closed_form_in_every_control_mode(ControlMode mode, double scale, double guidance)
    {
        var set = models.Linear;
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "a red house", NegativePrompt = "blurry", Steps = 20, GuidanceScale = guidance, Seed = 1234,
            Width = Width, Height = Height, Controls = [Unit(set, map, scale, mode)],
        };
        var expected = Expected(set, request, [new(scale, mode, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(20));
        AssertMatches(expected, Run(set, request));
    }

    [Fact]
    public void Guidance_window_controls_only_the_steps_inside_it()
    {
        var set = models.Linear;
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "a boat", Steps = 10, GuidanceScale = 7.5, Seed = 5, Width = Width, Height = Height,
            Controls = [Unit(set, map, 2.0, ControlMode.Balanced, 0.3, 0.8)],
        };
        var expected = Expected(set, request, [new(2.0, ControlMode.Balanced, 0.3, 0.8, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(10));
        AssertMatches(expected, Run(set, request));
    }

    [Fact]
    public void Window_starting_late_feeds_zero_residuals_first()
    {
        var set = models.Linear;
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "x", Steps = 8, GuidanceScale = 3, Seed = 9, Width = Width, Height = Height,
            Controls = [Unit(set, map, 1.0, ControlMode.Balanced, 0.5, 1.0)],
        };
        var expected = Expected(set, request, [new(1.0, ControlMode.Balanced, 0.5, 1.0, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(8));
        AssertMatches(expected, Run(set, request));
    }

    [Fact]
    public void Several_controlnets_are_summed_each_with_its_own_mode()
    {
        var set = models.Linear;
        var colour = Map(0);
        var gray = Map(1);
        var request = new GenerationRequest
        {
            Prompt = "two nets", NegativePrompt = "bad", Steps = 12, GuidanceScale = 3, Seed = 77, Width = Width, Height = Height,
            Controls = [Unit(set, colour, 0.8), Unit(set, gray, 0.6, ControlMode.Control)],
        };
        var expected = Expected(set, request,
            [new(0.8, ControlMode.Balanced, 0, 1, ClosedFormPipeline.ControlMean(colour)), new(0.6, ControlMode.Control, 0, 1, ClosedFormPipeline.ControlMean(gray))],
            ClosedFormPipeline.Leading(12));
        AssertMatches(expected, Run(set, request));
    }

    [Fact]
    public void Guidance_of_one_or_less_runs_without_the_unconditional_branch()
    {
        var set = models.Linear;
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "no cfg", NegativePrompt = "ignored", Steps = 10, GuidanceScale = 1.0, Seed = 3, Width = Width, Height = Height,
            Controls = [Unit(set, map)],
        };
        var expected = Expected(set, request, [new(1, ControlMode.Balanced, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(10));
        AssertMatches(expected, Run(set, request));
    }

    [Fact]
    public void Count_gives_one_image_per_seed_across_batches()
    {
        var set = models.Linear;
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "many", Steps = 5, GuidanceScale = 9, Seed = 100, Count = 3, Width = Width, Height = Height,
            Controls = [Unit(set, map)],
        };
        var result = Run(set, request, maxImagesPerBatch: 2);
        var expected = Expected(set, request, [new(1, ControlMode.Balanced, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(5));
        AssertMatches(expected, result);
        Assert.Equal([100L, 101L, 102L], result.Images.Select(i => i.Seed));
    }

    [Theory]
    [InlineData(NoiseSource.Cpu)]
    [InlineData(NoiseSource.Nv)]
    [InlineData(NoiseSource.Portable)]
    public void Each_noise_source_seeds_the_latents_of_every_image(NoiseSource source)
    {
        var set = models.Linear;
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "noise", Steps = 4, GuidanceScale = 9, Seed = 5, Count = 2, Width = Width, Height = Height,
            Noise = source, Controls = [Unit(set, map)],
        };
        var result = Run(set, request);
        var expected = Expected(set, request, [new(1, ControlMode.Balanced, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(4));
        AssertMatches(expected, result);
    }

    [Theory]
    [InlineData(NoiseSource.Cpu)]
    [InlineData(NoiseSource.Nv)]
    public void Ddim_eta_noise_continues_each_images_generator_after_its_latents(NoiseSource source)
    {
        var set = models.Linear;
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "eta", Steps = 5, GuidanceScale = 9, Seed = 21, Count = 2, Width = Width, Height = Height, Eta = 0.7,
            Noise = source, Controls = [Unit(set, map)],
        };
        var result = Run(set, request);
        var expected = Expected(set, request, [new(1, ControlMode.Balanced, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(5));
        AssertMatches(expected, result);
    }

    [Fact]
    public void Same_seed_gives_the_same_image_and_image_k_equals_a_single_run_at_seed_plus_k()
    {
        var set = models.Linear;
        var map = Map();
        var batch = Run(set, new GenerationRequest { Steps = 4, Seed = 10, Count = 2, Width = Width, Height = Height, Controls = [Unit(set, map)] });
        var single = Run(set, new GenerationRequest { Steps = 4, Seed = 11, Count = 1, Width = Width, Height = Height, Controls = [Unit(set, map)] });
        Assert.Equal(single.Images[0].Image.Data, batch.Images[1].Image.Data);
        Assert.NotEqual(batch.Images[0].Image.Data, batch.Images[1].Image.Data);
    }

    [Fact]
    public void Fp16_exports_follow_the_same_closed_form()
    {
        var set = models.Set("fp16", new TinyModelOptions { FloatType = TinyFloatType.Float16 });
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "half precision", Steps = 10, GuidanceScale = 5, Seed = 8, Width = Width, Height = Height,
            Controls = [Unit(set, map, 0.9, ControlMode.Prompt)],
        };
        var expected = Expected(set, request, [new(0.9, ControlMode.Prompt, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(10));
        AssertMatches(expected, Run(set, request), tolerance: 4);
    }

    [Fact]
    public void Int64_ids_int64_timesteps_and_no_scale_input_give_the_same_result()
    {
        var set = models.Set("int64", new TinyModelOptions
        {
            InputIdsType = TinyInputIdsType.Int64, TimestepType = TinyTimestepType.Int64,
            ConditioningScaleInput = TinyConditioningScaleInput.None,
        });
        var map = Map();
        var request = new GenerationRequest
        {
            Prompt = "variant", Steps = 10, GuidanceScale = 4, Seed = 4, Width = Width, Height = Height,
            Controls = [Unit(set, map, 0.6, ControlMode.Unbalanced)],
        };
        var expected = Expected(set, request, [new(0.6, ControlMode.Unbalanced, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Leading(10));
        AssertMatches(expected, Run(set, request));
    }

    [Fact]
    public void Scheduler_config_in_the_model_folder_is_honoured()
    {
        var set = models.Set("trailing", new TinyModelOptions());
        File.WriteAllText(Path.Combine(set.Sd15Directory, "scheduler", "scheduler_config.json"),
            TinyModelSet.SchedulerConfigJson.Replace("\"leading\"", "\"trailing\""));
        var map = Map();
        var request = new GenerationRequest { Prompt = "t", Steps = 10, GuidanceScale = 4, Seed = 2, Width = Width, Height = Height, Controls = [Unit(set, map)] };
        var expected = Expected(set, request, [new(1, ControlMode.Balanced, 0, 1, ClosedFormPipeline.ControlMean(map))], ClosedFormPipeline.Trailing(10));
        AssertMatches(expected, Run(set, request));
    }
}
