using Azure.Storage.Blobs;
using ControlNet.Workflow;
using ControlNet.Workflow.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace ControlNet.Functions.Functions;

/// <summary>
/// A blob written to <c>inputs</c> starts its job (id from name + ETag: a repeated event starts nothing twice). Two
/// triggers over one handler: <see cref="PollingName"/> scans the container (Azurite, Premium/Elastic plans) and
/// <see cref="EventGridName"/> takes Event Grid's BlobCreated events (the only source Flex Consumption supports).
/// Disable the one a deployment does not use with <c>AzureWebJobs.&lt;name&gt;.Disabled=true</c>.
/// </summary>
public sealed class UploadFunctions(BlobStore blobs, WorkflowOptions options, ILogger<UploadFunctions> logger)
{
    public const string PollingName = "OnInputBlob";
    public const string EventGridName = "OnInputBlobEventGrid";

    [Function(PollingName)]
    public Task OnInputBlob(
        [BlobTrigger("inputs/{name}", Connection = "AzureWebJobsStorage")] BlobClient blob,
        [DurableClient] DurableTaskClient client, CancellationToken ct) => HandleAsync(blob.Name, client, ct);

    [Function(EventGridName)]
    public Task OnInputBlobEventGrid(
        [BlobTrigger("inputs/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] BlobClient blob,
        [DurableClient] DurableTaskClient client, CancellationToken ct) => HandleAsync(blob.Name, client, ct);

    /// <summary>
    /// Input problems (unreadable metadata, an unusable name, a bad sidecar) end in failed.json, not an exception,
    /// so they never reach the poison queue; only storage and scheduling faults throw and are retried.
    /// </summary>
    internal async Task HandleAsync(string name, DurableTaskClient client, CancellationToken ct)
    {
        var stored = await blobs.GetPropertiesAsync(StoreContainer.Inputs, name, ct);
        if (stored is null)
        {
            logger.LogInformation("{Blob} was deleted before its job could start; nothing to do.", name);
            return;
        }
        var result = await new JobSubmitter(client, blobs, options).SubmitUploadAsync(stored, ct);
        logger.LogInformation("{Blob} -> job {JobId}: {Outcome}{Reason}", name, result.JobId, result.Outcome,
            result.Reason is null ? "" : " (" + result.Reason + ")");
    }
}
