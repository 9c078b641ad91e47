using System.Globalization;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet bench generate --model DIR --controlnet DIR [--steps N] [--width 512 --height 512]`:
/// one warm-up run, then per denoising step the time inside ONNX Runtime's Run versus everything else.
/// Last line: `overhead_pct=&lt;share of step time spent outside ONNX Runtime&gt;`.
/// </summary>
internal static class BenchGenerateCommand
{
    public static int Run(CommandLineArguments args, CancellationToken cancellation)
    {
        int width = args.Int("width", 512, 8, 4096), height = args.Int("height", 512, 8, 4096);
        var settings = GenerationSettings.Read(args, controlImageRequired: false) with { Width = width, Height = height };
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        var sources = settings.ControlImages.Count == 0 ? [SyntheticControlSource(width, height)] : (IReadOnlyList<ByteImage>?)null;
        using var cache = new ModelCache(settings.Runtime, message => Console.Error.WriteLine($"note: {message}"));
        var (pipeline, request) = settings.Build(cache, sources);

        pipeline.Generate(request with { Steps = 2, Count = 1 }, cancellation: cancellation); // load + JIT + ORT warm-up
        var result = pipeline.Generate(request, cancellation: cancellation);

        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine($"size={width}x{height} steps={request.Steps} count={request.Count} guidance={request.GuidanceScale} provider={pipeline.Provider}");
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
