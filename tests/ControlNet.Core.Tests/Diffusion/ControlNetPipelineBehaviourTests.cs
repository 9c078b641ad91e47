using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.TinyModels;

namespace ControlNet.Core.Tests.Diffusion;

public class ControlNetPipelineBehaviourTests(TinyModelFixture models) : IClassFixture<TinyModelFixture>
{
    private ControlNetPipeline Pipeline(TinyModelPaths? set = null) =>
        new(models.Cache.StableDiffusion((set ?? models.Linear).Sd15Directory));

    private GenerationRequest Request(int width = 64, int height = 64, TinyModelPaths? set = null) => new()
    {
        Prompt = "p", Steps = 4, Width = width, Height = height,
        Controls = [new ControlUnit(models.Cache.ControlNet((set ?? models.Linear).ControlNetDirectory), TestImages.Pattern(width, height))],
    };

    [Fact]
    public void Every_problem_of_a_request_is_listed_at_once()
    {
        var request = Request() with { Steps = 0, GuidanceScale = -1, Width = 60, Count = 0 };
        var error = Assert.Throws<InvalidInputException>(() => Pipeline().Generate(request));
        Assert.Contains("steps must be between 1 and 1000, got 0", error.Message);
        Assert.Contains("guidance must be between 0 and 100, got -1", error.Message);
        Assert.Contains("width must be a positive multiple of 8", error.Message);
        Assert.Contains("count must be between 1 and 16, got 0", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void Steps_outside_1_to_1000_are_rejected(int steps)
    {
        var error = Assert.Throws<InvalidInputException>(() => Pipeline().Generate(Request() with { Steps = steps }));
        Assert.Contains("steps must be between 1 and 1000", error.Message);
    }

    [Fact]
    public void Control_map_of_another_size_is_rejected()
    {
        var request = Request() with { Width = 128 };
        var error = Assert.Throws<InvalidInputException>(() => Pipeline().Generate(request));
        Assert.Contains("control map is 64x64 but the output is 128x64", error.Message);
    }

    [Fact]
    public void Bad_guidance_window_is_rejected()
    {
        var request = Request();
        request = request with { Controls = [request.Controls[0] with { GuidanceStart = 0.8, GuidanceEnd = 0.2 }] };
        var error = Assert.Throws<InvalidInputException>(() => Pipeline().Generate(request));
        Assert.Contains("guidance window needs 0 ≤ start < end ≤ 1", error.Message);
    }

    [Fact]
    public void Controlnet_of_another_precision_than_the_unet_is_rejected()
    {
        var fp16 = models.Set("fp16", new TinyModelOptions { FloatType = TinyFloatType.Float16 });
        var request = Request() with
        {
            Controls = [new ControlUnit(models.Cache.ControlNet(fp16.ControlNetDirectory), TestImages.Pattern(64, 64))],
        };
        var error = Assert.Throws<InvalidInputException>(() => Pipeline().Generate(request));
        Assert.Contains("same precision", error.Message);
    }

    [Fact]
    public void Progress_is_reported_for_every_step_of_every_batch()
    {
        var seen = new List<GenerationProgress>();
        var pipeline = new ControlNetPipeline(models.Cache.StableDiffusion(models.Linear.Sd15Directory), maxImagesPerBatch: 2);
        pipeline.Generate(Request() with { Count = 3 }, seen.Add);
        Assert.Equal(Enumerable.Range(1, 8), seen.Select(p => p.CompletedSteps));
        Assert.All(seen, p => Assert.Equal(8, p.TotalSteps));
        Assert.Equal([1, 2, 3, 4, 1, 2, 3, 4], seen.Select(p => p.Step));
    }

    [Fact]
    public void Cancellation_stops_between_steps()
    {
        using var cancellation = new CancellationTokenSource();
        int steps = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => Pipeline().Generate(Request() with { Steps = 50 }, p =>
        {
            if (++steps == 3) cancellation.Cancel();
        }, cancellation.Token));
        Assert.Equal(3, steps);
    }

    [Fact]
    public void Cancellation_while_a_model_runs_is_reported_as_cancellation()
    {
        // Bench models spend nearly all of a step inside ONNX Runtime: cancelling after the first step has
        // started lands inside a Run, which RunOptions.Terminate aborts.
        var bench = models.Set("bench", new TinyModelOptions { Kind = TinyModelKind.Bench });
        using var cancellation = new CancellationTokenSource();
        var request = Request(256, 256, bench) with { Steps = 50 };
        var pipeline = Pipeline(bench);
        int steps = 0;
        // A dedicated thread, not CancelAfter: the thread-pool timer can fire late while parallel tests load both cores.
        var canceller = new Thread(() => { Thread.Sleep(20); cancellation.Cancel(); }) { IsBackground = true };
        var error = Record.Exception(() => pipeline.Generate(request, _ =>
        {
            if (++steps == 1) canceller.Start();
        }, cancellation.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.True(steps < 50, "the generation ran to the end");
    }

    [Fact]
    public void Eta_above_zero_adds_seeded_noise()
    {
        var pipeline = Pipeline();
        var deterministic = pipeline.Generate(Request()).Images[0].Image.Data;
        var stochastic = pipeline.Generate(Request() with { Eta = 1.0 }).Images[0].Image.Data;
        var again = pipeline.Generate(Request() with { Eta = 1.0 }).Images[0].Image.Data;
        Assert.NotEqual(deterministic, stochastic);
        Assert.Equal(stochastic, again);
    }

    [Fact]
    public void Timings_split_step_time_into_inference_and_overhead()
    {
        var result = Pipeline().Generate(Request() with { Steps = 3 });
        Assert.Equal(3, result.Timings.Steps.Count);
        Assert.All(result.Timings.Steps, s => Assert.InRange(s.InferenceMs, 0, s.TotalMs));
        Assert.InRange(result.Timings.OverheadPercent, 0, 100);
    }

    [Fact]
    public void Managed_allocations_per_step_scale_with_the_latent_not_the_residuals()
    {
        // 256×256: the latent is 4·32·32 floats (16 KiB); one step's 13 residuals for the CFG batch are
        // ~700 KiB of native memory. Extra steps may allocate a little per step, never residual-sized buffers.
        var pipeline = Pipeline();
        var request = Request(256, 256);
        pipeline.Generate(request with { Steps = 2 }); // warm-up: JIT, ORT first-run allocations
        long Allocated(int steps)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            pipeline.Generate(request with { Steps = steps });
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long perStep = (Allocated(22) - Allocated(2)) / 20;
        const long latentBytes = 4 * 32 * 32 * sizeof(float);
        Assert.True(perStep < 2 * latentBytes, $"{perStep} bytes allocated per step (latent is {latentBytes} bytes)");
    }
}
