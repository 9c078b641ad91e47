using System.Text.Json;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// Writes outputs/&lt;jobId&gt;/manifest.json: what was asked (the normalized job), what was used (model
/// fingerprints, scheduler config, seeds), what was made (control maps, images) and how long each stage took.
/// </summary>
public sealed class WriteManifestActivity(BlobStore blobs) : TaskActivity<WriteManifestInput, string>
{
    public const string Name = "WriteManifest";

    public override async Task<string> RunAsync(TaskActivityContext context, WriteManifestInput input)
    {
        var images = input.Images.OrderBy(i => i.Index).ToList();
        var models = images.Select(i => i.Models).FirstOrDefault(m => m is not null);
        var manifest = new
        {
            schemaVersion = JobRequest.CurrentSchemaVersion,
            jobId = input.JobId,
            status = JobStages.Completed,
            input = blobs.Describe(StoreContainer.Inputs, input.Job.Input),
            startedUtc = input.StartedUtc,
            completedUtc = DateTime.UtcNow,
            effectivePrompt = input.EffectivePrompt,
            request = input.Job,
            rng = input.Job.Rng,
            seeds = new { first = images.Count > 0 ? images[0].Seed : (long?)null, random = input.RandomSeed, perImage = images.Select(i => i.Seed) },
            model = models is null ? null : new
            {
                stableDiffusion = models.StableDiffusion,
                controlNets = models.ControlNets,
                isTinyTestModel = models.StableDiffusion.IsTinyTestModel || models.ControlNets.Any(c => c.IsTinyTestModel),
            },
            scheduler = models?.Scheduler,
            controlMaps = input.ControlMaps.OrderBy(m => m.Unit)
                .Select(m => new { m.Unit, blob = blobs.Describe(StoreContainer.Outputs, m.Blob), m.Width, m.Height }),
            images = images.Select(i => new { i.Index, blob = blobs.Describe(StoreContainer.Outputs, i.Blob), i.Seed }),
            timingsMs = new
            {
                extract = new { stage = input.Stages.ExtractMs, perUnit = input.ControlMaps.OrderBy(m => m.Unit).Select(m => Round(m.ExtractMs)) },
                generate = new
                {
                    stage = input.Stages.GenerateMs,
                    perImage = images.Select(i => new { i.Index, generate = Round(i.GenerateMs), upload = Round(i.UploadMs) }),
                },
            },
        };
        var name = BlobNames.Manifest(input.JobId);
        await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromString(JsonSerializer.Serialize(manifest, JobRequest.JsonOptions)));
        return name;
    }

    private static double Round(double ms) => Math.Round(ms, 1);
}
