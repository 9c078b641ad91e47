using ControlNet.Core.Imaging;
using ControlNet.Core.Diffusion;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// The diffusion step seen from the workflow: one image from a control map and settings. The production
/// implementation runs the ControlNet pipeline; tests inject their own to simulate faults.
/// Throw <see cref="ControlNet.Core.InvalidInputException"/> for anything the caller must fix (unknown model,
/// size the model cannot do): the workflow fails the job without retrying. Anything else is retried.
/// </summary>
public interface IImageGenerator
{
    /// <param name="stepProgress">Reports the number of denoising steps done (1…Steps).</param>
    Task<ByteImage> GenerateAsync(GenerationSettings settings, ByteImage controlMap, IProgress<int>? stepProgress, CancellationToken ct);
}

/// <summary>Everything that determines one generated image (the job's parameters with image i's seed).</summary>
public sealed record GenerationSettings(
    string Model,
    IReadOnlyList<string> ControlNets,
    string Prompt,
    string NegativePrompt,
    int Steps,
    double GuidanceScale,
    double ControlScale,
    ControlMode ControlMode,
    double GuidanceStart,
    double GuidanceEnd,
    long Seed,
    int Width,
    int Height);
