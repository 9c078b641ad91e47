using System.Globalization;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet bench generate [--model NAME|DIR] [--controlnet NAME|DIR] [job options]`: one warm-up run, then per
/// denoising step the time inside ONNX Runtime's Run versus everything else, on a synthetic 512×512 control source
/// unless --control-image is given. Last line: `overhead_pct=&lt;share of step time spent outside ONNX Runtime&gt;`.
/// </summary>
internal static class BenchGenerateCommand
{
    public static readonly CommandSpec Spec = new("bench generate",
        "[--model NAME|DIR] [--controlnet NAME|DIR] [--control-image IMG] [job options]",
        "time per denoising step inside ONNX Runtime vs outside it; last line overhead_pct=",
        [
            new("control-image", "IMG", "control source", "synthetic rings at --width x --height"),
            .. ModelArguments.Options,
            .. JobArguments.Options,
            .. PipelineGeneratorOptions.RuntimeOptions,
        ]);

    public static int Run(string[] raw, CancellationToken cancellation)
    {
        var args = new CommandLineArguments(raw, Spec);
        var image = args.Optional("control-image");
        var models = ModelArguments.Read(args);
        var request = JobArguments.Read(args, "bench.png", models, []);
        var runtime = PipelineGeneratorOptions.ReadRuntime(args);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        int width = request.Width ?? 512, height = request.Height ?? 512;
        var job = JobValidator.Validate(request with { Width = width, Height = height, Seed = request.Seed ?? 0 }, new JobLimits(), "bench");
        var source = image is null ? SyntheticControlSource(width, height) : ImageDecoder.DecodeFile(image);
        var maps = job.Units.Select(unit => JobControlMaps.Make(source, unit, job.Request.Resolution)).ToList();
        using var cache = new ModelCache(runtime, message => Console.Error.WriteLine($"note: {message}"));
        var generator = new PipelineImageGenerator(models.Folders, cache);
        var (pipeline, pipelineRequest) = generator.Prepare(JobControlMaps.Settings(job, job.Seed ?? 0, width, height), maps, job.Request.Count, 4);
        
        pipeline.Generate(pipelineRequest with { Steps = 2, Count = 1 }, cancellation: cancellation); // load + JIT + ORT warm-up
        var result = pipeline.Generate(pipelineRequest, cancellation: cancellation);

        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine($"size={width}x{height} steps={pipelineRequest.Steps} count={pipelineRequest.Count} guidance={pipelineRequest.GuidanceScale} provider={pipeline.Provider}");
        for (int i = 0; i < result.Timings.Steps.Count; i++)
        {
            var step = result.Timings.Steps[i];
            Console.WriteLine(string.Create(invariant, $"step {i + 1}: total_ms={step.TotalMs:0.000} run_ms={step.InferenceMs:0.000} other_ms={step.OverheadMs:0.000}"));
        }
        var steps = result.Timings.Steps;
        Console.WriteLine(string.Create(invariant,
            $"mean_step_ms={steps.Average(s => s.TotalMs):0.000} mean_run_ms={steps.Average(s => s.InferenceMs):0.000} mean_other_ms={steps.Average(s => s.OverheadMs):0.000}"));
        Console.WriteLine(string.Create(invariant, $"overhead_pct={result.Timings.OverheadPercent:0.000}"));
        return 0;
    }

    /// <summary>Concentric rings: a control source with edges everywhere, so Canny has work to do.</summary>
    private static ByteImage SyntheticControlSource(int width, int height)
    {
        var image = new ByteImage(width, height, 3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double r = Math.Sqrt((x - width / 2.0) * (x - width / 2.0) + (y - height / 2.0) * (y - height / 2.0));
                byte v = (int)(r / 24) % 2 == 0 ? (byte)230 : (byte)20;
                image.Data[(y * width + x) * 3] = v;
                image.Data[(y * width + x) * 3 + 1] = (byte)(255 - v);
                image.Data[(y * width + x) * 3 + 2] = v;
            }
        return image;
    }
}
