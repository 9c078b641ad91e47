using System.Text.RegularExpressions;
using ControlNet.Core;
using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// The production <see cref="IImageGenerator"/>: the ControlNet pipeline over a models folder laid out as
/// DESIGN §3 (<c>&lt;root&gt;/&lt;model&gt;/</c> for Stable Diffusion, <c>&lt;root&gt;/controlnet/&lt;name&gt;/</c>
/// for ControlNets). Jobs name models; names never become arbitrary paths. Sessions live in the shared
/// <see cref="ModelCache"/>: loaded by the first job, reused by every later one in the process.
/// </summary>
public sealed partial class PipelineImageGenerator(string modelsRoot, ModelCache cache) : IImageGenerator
{
    public string ModelsRoot { get; } = Path.GetFullPath(modelsRoot);

    public Task<ByteImage> GenerateAsync(GenerationSettings settings, ByteImage controlMap, IProgress<int>? stepProgress, CancellationToken ct) =>
        // Sampling is CPU/GPU-bound and synchronous; keep it off the caller's (worker's) thread.
        Task.Run(() =>
        {
            var models = cache.StableDiffusion(ModelFolder(settings.Model));
            var map = controlMap.Width == settings.Width && controlMap.Height == settings.Height
                ? controlMap
                : ReferenceResize.ToSize(controlMap, settings.Width, settings.Height);
            var units = settings.ControlNets
                .Select(name => new ControlUnit(cache.ControlNet(ControlNetFolder(name)), map, settings.ControlScale,
                    settings.ControlMode, settings.GuidanceStart, settings.GuidanceEnd))
                .ToArray();
            var request = new GenerationRequest
            {
                Prompt = settings.Prompt,
                NegativePrompt = settings.NegativePrompt,
                Steps = settings.Steps,
                GuidanceScale = settings.GuidanceScale,
                Seed = settings.Seed,
                Count = 1,
                Width = settings.Width,
                Height = settings.Height,
                Controls = units,
            };
            var result = new ControlNetPipeline(models, maxImagesPerBatch: 1)
                .Generate(request, p => stepProgress?.Report(p.Step), ct);
            return result.Images[0].Image;
        }, ct);

    /// <summary>The folder of a Stable Diffusion model by name, e.g. "sd15" → &lt;root&gt;/sd15.</summary>
    public string ModelFolder(string name)
    {
        var folder = Path.Combine(ModelsRoot, RequireSafeName(name, "model"));
        if (!Directory.Exists(folder))
            throw new InvalidInputException($"Unknown model '{name}': no folder {folder}. Available: {Available(ModelsRoot, exclude: "controlnet")}.");
        return folder;
    }

    public string ControlNetFolder(string name)
    {
        var root = Path.Combine(ModelsRoot, "controlnet");
        var folder = Path.Combine(root, RequireSafeName(name, "ControlNet"));
        if (!Directory.Exists(folder))
            throw new InvalidInputException($"Unknown ControlNet '{name}': no folder {folder}. Available: {Available(root)}.");
        return folder;
    }

    private static string RequireSafeName(string name, string what) =>
        SafeName().IsMatch(name) && name is not ("." or "..")
            ? name
            : throw new InvalidInputException($"The {what} name '{name}' is not allowed: use letters, digits, '.', '-' or '_' (a name, not a path).");

    private static string Available(string root, string? exclude = null)
    {
        if (!Directory.Exists(root)) return "none (the models folder does not exist)";
        var names = Directory.GetDirectories(root).Select(Path.GetFileName).Where(n => n != exclude).Order().ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex SafeName();
}
