using ControlNet.Core.Imaging;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// A generator whose models are still being fetched (models from blob): the host starts at once, and a generation
/// waits until the download has finished — or fails with the download's error, retried like any fault.
/// </summary>
public sealed class DeferredImageGenerator(Task<IImageGenerator> ready) : IImageGenerator
{
    public async Task<ByteImage> GenerateAsync(GenerationSettings settings, IReadOnlyList<ByteImage> controlMaps, IProgress<int>? stepProgress, CancellationToken ct) =>
        await (await ready.WaitAsync(ct)).GenerateAsync(settings, controlMaps, stepProgress, ct);

    public ModelsUsed? Identify(GenerationSettings settings) =>
        ready.IsCompletedSuccessfully ? ready.Result.Identify(settings) : null;
}
