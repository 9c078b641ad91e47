using System.Text.Json;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>Writes batches/&lt;batchId&gt;.result.json: every job of the batch with its outcome.</summary>
public sealed class WriteBatchResultActivity(BlobStore blobs) : TaskActivity<WriteBatchResultInput, string>
{
    public const string Name = "WriteBatchResult";

    public override async Task<string> RunAsync(TaskActivityContext context, WriteBatchResultInput input)
    {
        var document = new
        {
            schemaVersion = JobRequest.CurrentSchemaVersion,
            batchId = input.BatchId,
            status = input.Status,
            reason = input.Reason,
            startedUtc = input.StartedUtc,
            completedUtc = DateTime.UtcNow,
            completed = input.Jobs.Count(j => j.Status == JobStages.Completed),
            failed = input.Jobs.Count(j => j.Status == JobStages.Failed),
            jobs = input.Jobs,
        };
        var name = BlobNames.BatchResult(input.BatchId);
        await blobs.UploadAsync(StoreContainer.Batches, name, BinaryData.FromString(JsonSerializer.Serialize(document, JobRequest.JsonOptions)));
        return name;
    }
}
