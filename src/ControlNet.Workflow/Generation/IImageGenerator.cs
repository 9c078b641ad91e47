using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Core.Randomness;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// The diffusion step seen from the workflow: one image from its control maps (one per unit, in unit order) and
/// settings. The production implementation runs the ControlNet pipeline; tests inject their own to simulate faults.
/// Throw <see cref="ControlNet.Core.InvalidInputException"/> for anything the caller must fix (unknown model,
/// size the model cannot do): the workflow fails the job without retrying. Anything else is retried.
/// </summary>
public interface IImageGenerator
{
    /// <param name="stepProgress">Reports the number of denoising steps done (1…Steps).</param>
    Task<ByteImage> GenerateAsync(GenerationSettings settings, IReadOnlyList<ByteImage> controlMaps, IProgress<int>? stepProgress, CancellationToken ct);

    /// <summary>Which model files the settings name (for the manifest); null when the generator has no files.</summary>
    ModelsUsed? Identify(GenerationSettings settings) => null;
}

/// <summary>Everything that determines one generated image: the job's parameters with image i's seed.</summary>
public sealed record GenerationSettings(
    string Model,
    IReadOnlyList<UnitSettings> Units,
    string Prompt,
    string NegativePrompt,
    int Steps,
    double GuidanceScale,
    double Eta,
    long Seed,
    int Width,
    int Height,
    NoiseSource Noise = NoiseSources.Default);

/// <summary>One ControlNet of <see cref="GenerationSettings"/>; its map is passed beside the settings.</summary>
public sealed record UnitSettings(string ControlNet, double Scale, ControlMode Mode, double GuidanceStart, double GuidanceEnd);
