using System.Text.Json;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>Writes outputs/&lt;jobId&gt;/manifest.json: what was asked, what was used, what was made.</summary>
public sealed class WriteManifestActivity(BlobStore blobs, ActivityTimings timings) : TaskActivity<WriteManifestInput, string>
{
    public const string Name = "WriteManifest";

    public override Task<string> RunAsync(TaskActivityContext context, WriteManifestInput input) =>
        timings.MeasureAsync(input.JobId, async () =>
        {
            var manifest = new
            {
                schemaVersion = JobRequest.CurrentSchemaVersion,
                jobId = input.JobId,
                status = JobStages.Completed,
                input = blobs.Describe(StoreContainer.Inputs, input.Request.Input),
                startedUtc = input.StartedUtc,
                completedUtc = DateTime.UtcNow,
                effectivePrompt = input.EffectivePrompt,
                request = input.Request,
                controlMap = new { blob = blobs.Describe(StoreContainer.Outputs, input.ControlMap.Blob), input.ControlMap.Width, input.ControlMap.Height },
                images = input.Images.OrderBy(i => i.Index)
                    .Select(i => new { i.Index, blob = blobs.Describe(StoreContainer.Outputs, i.Blob), i.Seed }),
            };
            var name = BlobNames.Manifest(input.JobId);
            await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromString(JsonSerializer.Serialize(manifest, JobRequest.JsonOptions)));
            return name;
        });
}
