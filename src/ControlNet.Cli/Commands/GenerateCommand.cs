using System.Globalization;
using ControlNet.Core;
using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet generate …`: control image → control map → ControlNet-conditioned DDIM → PNGs carrying
/// their parameters. Nothing is written unless every image was generated.
/// </summary>
internal static class GenerateCommand
{
    public static int Run(string[] raw, CancellationToken cancellation)
    {
        var args = new CommandLineArguments(raw);
        var output = OutputPaths.RequirePng(args.Required("output"));
        var settings = GenerationSettings.Read(args);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        using var cache = new ModelCache(settings.Runtime, message => Console.Error.WriteLine($"note: {message}"));
        var loadWatch = System.Diagnostics.Stopwatch.StartNew();
        var (pipeline, request) = settings.Build(cache);
        loadWatch.Stop();

        using var bar = new ProgressBar(Console.Error);
        var result = pipeline.Generate(request, p => bar.Report(p.CompletedSteps, p.TotalSteps), cancellation);
        bar.Finish();

        if (result.PromptTokens.TruncatedTokenCount > 0)
            Console.Error.WriteLine($"warning: prompt truncated: {result.PromptTokens.TruncatedTokenCount} token(s) beyond CLIP's 75 were dropped");
        var paths = OutputNames(output, result.Images.Count);
        for (int i = 0; i < result.Images.Count; i++)
        {
            var image = result.Images[i];
            PngFile.WriteFile(image.Image, paths[i], new Dictionary<string, string> { ["parameters"] = settings.Describe(request, image.Seed) });
            Console.WriteLine($"wrote {paths[i]} ({image.Image.Width}x{image.Image.Height}, seed {image.Seed})");
        }
        var t = result.Timings;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timings: load {loadWatch.Elapsed.TotalMilliseconds:0} ms, text {t.TextEncodingMs:0} ms, " +
            $"denoise {t.Steps.Sum(s => s.TotalMs):0} ms ({t.Steps.Count} steps, {t.Steps.Average(s => s.TotalMs):0.0} ms/step), " +
            $"decode {t.DecodingMs:0} ms, total {t.TotalMs:0} ms, outside ONNX Runtime {t.OverheadPercent:0.0}% of step time, " +
            $"provider {pipeline.Provider}"));
        return 0;
    }

    /// <summary>OUT.png for one image; OUT-0.png, OUT-1.png, … for several.</summary>
    public static IReadOnlyList<string> OutputNames(string output, int count)
    {
        if (count == 1) return [output];
        var stem = output[..^4];
        return Enumerable.Range(0, count).Select(i => $"{stem}-{i}.png").ToArray();
    }
}
