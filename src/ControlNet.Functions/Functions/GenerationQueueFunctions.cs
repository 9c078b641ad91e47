using ControlNet.Workflow.Generation;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace ControlNet.Functions.Functions;

/// <summary>
/// The queue hand-over of <c>Generation__Mode=Queue</c>. In the GPU app (Container Apps, scales on the
/// generate-requests queue, batch size 1): <see cref="GenerateFromQueue"/> makes one image and answers on
/// generate-results; <see cref="GenerationGaveUp"/> answers for a request that failed on every delivery, so its job
/// fails with a reason instead of waiting. In the control-plane app: <see cref="DeliverGenerationResult"/> raises the
/// answer as the event the orchestration waits for. Each app disables the others' functions with
/// <c>AzureWebJobs.&lt;name&gt;.Disabled=true</c>.
/// </summary>
public sealed class GenerationQueueFunctions(IServiceProvider services, GenerationQueue queue, ILogger<GenerationQueueFunctions> logger)
{
    public const string GenerateName = "GenerateFromQueue";
    public const string GaveUpName = "GenerationGaveUp";
    public const string DeliverName = "DeliverGenerationResult";

    [Function(GenerateName)]
    public async Task GenerateFromQueue(
        [QueueTrigger(GenerationQueue.RequestsName, Connection = "AzureWebJobsStorage")] string message,
        [DurableClient] DurableTaskClient client)
    {
        var request = GenerationQueue.Read<GenerationRequestMessage>(message);
        var result = await GenerationWorker.GenerateAsync(services, client, request);
        await queue.SendResultAsync(result);
        logger.LogInformation("Job {JobId} image {Index}: {Outcome}.", request.InstanceId, request.Input.Index,
            result.Outcome.Image is not null ? "generated" : "refused: " + result.Outcome.Error);
    }

    [Function(GaveUpName)]
    public async Task GenerationGaveUp([QueueTrigger(GenerationQueue.PoisonName, Connection = "AzureWebJobsStorage")] string message)
    {
        var request = GenerationQueue.Read<GenerationRequestMessage>(message);
        logger.LogError("Job {JobId} image {Index} failed on every delivery; failing the job.", request.InstanceId, request.Input.Index);
        await queue.SendResultAsync(GenerationWorker.GaveUp(request));
    }

    [Function(DeliverName)]
    public Task DeliverGenerationResult(
        [QueueTrigger(GenerationQueue.ResultsName, Connection = "AzureWebJobsStorage")] string message,
        [DurableClient] DurableTaskClient client, CancellationToken ct) =>
        GenerationWorker.DeliverAsync(client, GenerationQueue.Read<GenerationResultMessage>(message), ct);
}
