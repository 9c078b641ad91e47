using ControlNet.Workflow;
using ControlNet.Workflow.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace ControlNet.Functions.Functions;

/// <summary>
/// Scheduled batches: on the CRON in <c>CONTROLNET_BATCH_SCHEDULE</c> (e.g. <c>0 0 2 * * *</c>, 02:00 UTC daily),
/// every manifest in <c>batches/</c> that has neither a result nor a claim is started. A manifest is started once,
/// however often the timer fires: the start is claimed, and a batch with a claim, an instance or a result is left alone.
/// </summary>
public sealed class ScheduleFunctions(BlobStore blobs, WorkflowOptions options, ILogger<ScheduleFunctions> logger)
{
    public const string Name = "StartScheduledBatches";

    [Function(Name)]
    public async Task StartScheduledBatches(
        [TimerTrigger("%CONTROLNET_BATCH_SCHEDULE%")] TimerInfo timer,
        [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        var started = await new BatchScheduler(blobs, new JobSubmitter(client, blobs, options)).StartPendingAsync(ct);
        logger.LogInformation("Scheduled batches: started {Started}.", started.Count == 0 ? "none" : string.Join(", ", started));
    }
}
