using System.Text.Json;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>Writes batches/&lt;batchId&gt;.result.json: every job of the batch with its outcome, gathered from the chunks.</summary>
public sealed class WriteBatchResultActivity(BlobStore blobs) : TaskActivity<WriteBatchResultInput, string>
{
    public const string Name = "WriteBatchResult";

    public override async Task<string> RunAsync(TaskActivityContext context, WriteBatchResultInput input)
    {
        var jobs = new List<BatchJobOutcome>();
        await foreach (var chunk in blobs.ListAsync(StoreContainer.Batches, BlobNames.BatchOutcomesPrefix(input.BatchId)))
        {
            var json = await blobs.DownloadAsync(StoreContainer.Batches, chunk.Name);
            jobs.AddRange(JsonSerializer.Deserialize<List<BatchJobOutcome>>(json.ToString(), JobRequest.JsonOptions) ?? []);
        }
        var document = new
        {
            schemaVersion = JobRequest.CurrentSchemaVersion,
            batchId = input.BatchId,
            status = input.Status,
            reason = input.Reason,
            startedUtc = input.StartedUtc,
            completedUtc = DateTime.UtcNow,
            completed = input.Completed,
            failed = input.Failed,
            jobs,
        };
        var name = BlobNames.BatchResult(input.BatchId);
        await blobs.UploadAsync(StoreContainer.Batches, name, BinaryData.FromString(JsonSerializer.Serialize(document, JobRequest.JsonOptions)));
        return name;
    }
}
