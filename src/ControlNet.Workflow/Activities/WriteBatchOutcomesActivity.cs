using System.Text.Json;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>Records the outcomes of one chunk of a batch's jobs (overwrite-safe: same chunk, same name).</summary>
public sealed class WriteBatchOutcomesActivity(BlobStore blobs) : TaskActivity<WriteBatchOutcomesInput, string>
{
    public const string Name = "WriteBatchOutcomes";

    public override async Task<string> RunAsync(TaskActivityContext context, WriteBatchOutcomesInput input)
    {
        var name = BlobNames.BatchOutcomes(input.BatchId, input.Offset);
        await blobs.UploadAsync(StoreContainer.Batches, name, BinaryData.FromString(JsonSerializer.Serialize(input.Outcomes, JobRequest.JsonOptions)));
        return name;
    }
}
