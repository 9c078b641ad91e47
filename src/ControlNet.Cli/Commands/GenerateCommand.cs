using System.Globalization;
using ControlNet.Core;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet generate …`: one job, locally, without storage or the workflow — but the same job contract, the
/// same validator, the same control-map and pipeline code as the workflow, so the same job makes the same pixels.
/// Nothing is written unless every image was generated.
/// </summary>
internal static class GenerateCommand
{
    public static readonly CommandSpec Spec = new("generate",
        "--control-image IMG [--control-image IMG …] --output OUT.png [--model NAME|DIR] [--controlnet NAME|DIR …] [job options]",
        "one generation, locally: control image(s) → control map per unit → ControlNet-conditioned DDIM → PNG(s)",
        [
            new("control-image", "IMG", "source image: once for every unit, or once per --controlnet", Repeatable: true),
            new("output", "OUT.png", "where to write the image; several images are OUT-0.png, OUT-1.png, …"),
            .. ModelArguments.Options,
            .. JobArguments.Options,
            new("batch", "N", "images sampled together in one batch (memory vs speed)", "4"),
            .. PipelineGeneratorOptions.RuntimeOptions,
        ],
        JobFieldsHelp.ExitCodes);

    public static int Run(string[] raw, CancellationToken cancellation)
    {
        var args = new CommandLineArguments(raw, Spec);
        var output = OutputPaths.RequireWritablePng(args.Required("output"));
        var images = args.All("control-image");
        if (images.Count == 0) throw new InvalidInputException("Missing required option --control-image.");
        foreach (var image in images)
            if (!File.Exists(image)) throw new InvalidInputException($"Control image '{image}' does not exist.");
        var models = ModelArguments.Read(args);
        // The job records file names where the workflow records blob names.
        // Two different files may share a name (a/x.png, b/x.png): then each is told apart by its position.
        var names = images.Select(Path.GetFileName).Select(n => n!).ToList();
        if (names.Distinct().Count() < images.Distinct().Count()) names = names.Select((n, k) => $"{k}-{n}").ToList();
        var request = JobArguments.Read(args, names[0], models, images.Count > 1 ? names : []);
        int batch = args.Int("batch", 4, 1, 64);
        var runtime = PipelineGeneratorOptions.ReadRuntime(args);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        var job = JobValidator.Validate(request, new JobLimits(), "generate");
        if (models.Folders.Problems(job.Request.Model, job.Units.Select(u => u.Model)) is { Count: > 0 } modelProblems)
            throw new InvalidInputException(string.Join(" ", modelProblems));

        // Decode and check the inputs before loading models: bad input fails fast and cheaply.
        var byName = names.Zip(images).DistinctBy(p => p.First).ToDictionary(p => p.First, p => p.Second);
        var sources = byName.ToDictionary(p => p.Key, p => ImageDecoder.DecodeFile(p.Value));
        var maps = job.Units.Select(unit => JobControlMaps.Make(sources[unit.Input], unit, job.Request.Resolution)).ToList();
        var (width, height) = JobControlMaps.OutputSize(job.Request, maps[0].Width, maps[0].Height);
        long seed = job.Seed ?? Random.Shared.NextInt64(0, 1L << 32);
        if (job.Seed is null) Console.Error.WriteLine($"seed {seed} (random)");
        var settings = JobControlMaps.Settings(job, seed, width, height);

        using var cache = new ModelCache(runtime, message => Console.Error.WriteLine($"note: {message}"));
        var generator = new PipelineImageGenerator(models.Folders, cache);
        var loadWatch = System.Diagnostics.Stopwatch.StartNew();
        var (pipeline, pipelineRequest) = generator.Prepare(settings, maps, job.Request.Count, batch);
        loadWatch.Stop();

        using var progress = new ProgressReporter(Console.Error, "generating", job.Request.Count * job.Request.Steps, "steps");
        var result = pipeline.Generate(pipelineRequest, p => progress.Report(p.CompletedSteps), cancellation);
        progress.Finish();

        if (result.PromptTokens.TruncatedTokenCount > 0)
            Console.Error.WriteLine($"warning: prompt truncated: {result.PromptTokens.TruncatedTokenCount} token(s) beyond CLIP's 75 were dropped");
        var identity = generator.Identify(settings);
        var paths = OutputNames(output, result.Images.Count);
        for (int i = 0; i < result.Images.Count; i++)
        {
            var image = result.Images[i];
            PngFile.WriteFile(image.Image, paths[i], PngParameters.For(job, image.Seed, image.Image.Width, image.Image.Height, identity));
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
