using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;
using ControlNet.Core.Scheduling;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// The production <see cref="IImageGenerator"/>: the ControlNet pipeline over the models a job names. Sessions
/// live in the shared <see cref="ModelCache"/>: loaded by the first job, reused by every later one in the process.
/// </summary>
public sealed class PipelineImageGenerator(ModelFolders folders, ModelCache cache) : IImageGenerator
{
    public PipelineImageGenerator(string modelsRoot, ModelCache cache) : this(new ModelFolders(modelsRoot), cache) { }

    public ModelFolders Folders { get; } = folders;

    public Task<ByteImage> GenerateAsync(GenerationSettings settings, IReadOnlyList<ByteImage> controlMaps, IProgress<int>? stepProgress, CancellationToken ct) =>
        // Sampling is CPU/GPU-bound and synchronous; keep it off the caller's (worker's) thread.
        Task.Run(() =>
        {
            var (pipeline, request) = Prepare(settings, controlMaps, count: 1, maxImagesPerBatch: 1);
            var result = pipeline.Generate(request, p => stepProgress?.Report(p.Step), ct);
            return result.Images[0].Image;
        }, ct);

    /// <summary>
    /// Loads (or reuses) the models and makes the pipeline request: the one path from settings and control maps to
    /// the sampler, shared by the workflow and `controlnet generate`, so both make the same pixels.
    /// </summary>
    public (ControlNetPipeline Pipeline, GenerationRequest Request) Prepare(
        GenerationSettings settings, IReadOnlyList<ByteImage> controlMaps, int count, int maxImagesPerBatch)
    {
        if (controlMaps.Count != settings.Units.Count)
            throw new ArgumentException($"{settings.Units.Count} units need as many control maps, got {controlMaps.Count}.", nameof(controlMaps));
        var models = cache.StableDiffusion(Folders.StableDiffusion(settings.Model));
        var units = settings.Units.Select((unit, k) => new ControlUnit(
            cache.ControlNet(Folders.ControlNet(unit.ControlNet)),
            FitToOutput(controlMaps[k], settings.Width, settings.Height),
            unit.Scale, unit.Mode, unit.GuidanceStart, unit.GuidanceEnd)).ToArray();
        var request = new GenerationRequest
        {
            Prompt = settings.Prompt,
            NegativePrompt = settings.NegativePrompt,
            Steps = settings.Steps,
            GuidanceScale = settings.GuidanceScale,
            Eta = settings.Eta,
            Noise = settings.Noise,
            Seed = settings.Seed,
            Count = count,
            Width = settings.Width,
            Height = settings.Height,
            Controls = units,
        };
        request.Validate();
        return (new ControlNetPipeline(models, maxImagesPerBatch), request);
    }

    public ModelsUsed Identify(GenerationSettings settings)
    {
        var sdFolder = Folders.StableDiffusion(settings.Model);
        return new ModelsUsed(
            ModelIdentity.Of(settings.Model, sdFolder),
            settings.Units.Select(u => u.ControlNet).Distinct().Select(n => ModelIdentity.Of(n, Folders.ControlNet(n))).ToList(),
            // Read from the folder, not from loaded sessions: identifying a model must not load it.
            DdimSchedulerConfig.Load(Path.Combine(sdFolder, "scheduler", "scheduler_config.json")));
    }

    /// <summary>A map whose size differs from the output is resized to it with the reference rule (INTER_AREA / LANCZOS4).</summary>
    public static ByteImage FitToOutput(ByteImage map, int width, int height) =>
        map.Width == width && map.Height == height ? map : ReferenceResize.ToSize(map, width, height);
}
