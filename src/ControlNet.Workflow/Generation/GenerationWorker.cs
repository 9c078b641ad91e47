using ControlNet.Core;
using ControlNet.Workflow.Activities;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// Both ends of the queue hand-over, shared by the Functions app's queue triggers and the portable host's roles. The
/// GPU end runs the very GenerateImage activity of in-process mode (so an image already written is reused, not made
/// again); the control end turns an outcome into the durable event its orchestration waits for.
/// </summary>
public static class GenerationWorker
{
    /// <summary>
    /// GPU end: makes one image. Input problems become an outcome (the job fails with the reason); any other fault
    /// throws, so the message is delivered again — to this or another worker — up to <see cref="GenerationQueue.MaxDequeueCount"/> times.
    /// </summary>
    public static async Task<GenerationResultMessage> GenerateAsync(IServiceProvider services, DurableTaskClient client, GenerationRequestMessage request)
    {
        var activity = ActivatorUtilities.CreateInstance<GenerateImageActivity>(services, client);
        try
        {
            var image = await activity.RunAsync(new DetachedActivityContext(GenerateImageActivity.Name, request.InstanceId), request.Input);
            return new GenerationResultMessage(request.InstanceId, request.EventName, new GenerationOutcome(image, null, false));
        }
        catch (InvalidInputException e)
        {
            return new GenerationResultMessage(request.InstanceId, request.EventName, new GenerationOutcome(null, e.Message, true));
        }
    }

    /// <summary>GPU end, for a request that failed on every delivery: the job fails with this reason instead of waiting.</summary>
    public static GenerationResultMessage GaveUp(GenerationRequestMessage request) => new(request.InstanceId, request.EventName,
        new GenerationOutcome(null, $"image {request.Input.Index} failed on the GPU workers {GenerationQueue.MaxDequeueCount} times " +
            "(see their logs)", false));

    /// <summary>Control end: the outcome becomes the event the orchestration waits for.</summary>
    public static Task DeliverAsync(DurableTaskClient client, GenerationResultMessage result, CancellationToken ct = default) =>
        client.RaiseEventAsync(result.InstanceId, result.EventName, result.Outcome, ct);
}
