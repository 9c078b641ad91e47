using ControlNet.Core.Imaging;
using ControlNet.Core.Text;

namespace ControlNet.Core.Diffusion;

public sealed record GeneratedImage(ByteImage Image, long Seed);

/// <param name="Step">1-based step within the current batch of images.</param>
/// <param name="CompletedSteps">Steps done over the whole request (all batches).</param>
public sealed record GenerationProgress(int Step, int Steps, int CompletedSteps, int TotalSteps);

/// <summary>Milliseconds of one denoising step: all of it, and the part spent inside ONNX Runtime's Run.</summary>
public readonly record struct StepTiming(double TotalMs, double InferenceMs)
{
    public double OverheadMs => TotalMs - InferenceMs;
}

public sealed record GenerationTimings(double TextEncodingMs, IReadOnlyList<StepTiming> Steps, double DecodingMs, double TotalMs)
{
    /// <summary>Share of step time spent outside ONNX Runtime, in percent.</summary>
    public double OverheadPercent => Steps.Sum(s => s.TotalMs) is var total and > 0 ? 100 * Steps.Sum(s => s.OverheadMs) / total : 0;
}

public sealed record GenerationResult(
    IReadOnlyList<GeneratedImage> Images,
    TokenizedPrompt PromptTokens,
    TokenizedPrompt NegativePromptTokens,
    GenerationTimings Timings);
