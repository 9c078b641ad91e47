using System.Text.Json;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>Writes outputs/&lt;jobId&gt;/failed.json with the reason; the input blob is left where it is.</summary>
public sealed class WriteFailureActivity(BlobStore blobs) : TaskActivity<WriteFailureInput, string>
{
    public const string Name = "WriteFailure";

    public override async Task<string> RunAsync(TaskActivityContext context, WriteFailureInput input)
    {
        var name = BlobNames.Failed(input.JobId);
        var document = new
        {
            schemaVersion = JobRequest.CurrentSchemaVersion,
            jobId = input.JobId,
            status = JobStages.Failed,
            stage = input.Stage,
            reason = input.Reason,
            // "input": the submitter can fix it (and a retry with the same request fails the same way); "fault": ours.
            cause = input.InputError ? "input" : "fault",
            input = input.Input is null ? null : blobs.Describe(StoreContainer.Inputs, input.Input),
            failedUtc = input.FailedUtc,
        };
        await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromString(JsonSerializer.Serialize(document, JobRequest.JsonOptions)));
        return name;
    }
}
