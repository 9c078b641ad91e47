using System.Globalization;
using System.Text.Json;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// One image of a job: control map + settings → PNG at outputs/&lt;jobId&gt;/image-NNN.png, its generation
/// parameters in a tEXt chunk. Runs under the process-wide <see cref="GenerationGate"/>; a retry rewrites the
/// same name, so a re-run never leaves a second copy.
/// </summary>
public sealed class GenerateImageActivity(
    BlobStore blobs, IImageGenerator generator, GenerationGate gate, DurableTaskClient client, WorkflowOptions options, ActivityTimings timings)
    : TaskActivity<GenerateImageInput, GeneratedImage>
{
    public const string Name = "GenerateImage";

    public override Task<GeneratedImage> RunAsync(TaskActivityContext context, GenerateImageInput input) =>
        timings.MeasureAsync(input.JobId, async () =>
        {
            var encoded = await blobs.DownloadAsync(StoreContainer.Outputs, input.ControlMapBlob);
            var controlMap = ImageDecoder.Decode(encoded.ToArray(), name: blobs.Describe(StoreContainer.Outputs, input.ControlMapBlob));
            var settings = input.Settings;
            var steps = new StepEventReporter(client, input.JobId, input.Index, settings.Steps, options.StepProgressInterval);

            var image = await gate.RunAsync(() => generator.GenerateAsync(settings, controlMap, steps, CancellationToken.None), CancellationToken.None);

            var parameters = new Dictionary<string, string>
            {
                ["parameters"] = JsonSerializer.Serialize(settings, JobRequest.JsonOptions),
                ["jobId"] = input.JobId,
            };
            var name = BlobNames.Image(input.JobId, input.Index);
            await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromBytes(PngFile.Encode(image, parameters)),
                new Dictionary<string, string>
                {
                    ["jobId"] = input.JobId,
                    ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                    ["index"] = input.Index.ToString(CultureInfo.InvariantCulture),
                });
            return new GeneratedImage(input.Index, name, settings.Seed);
        });
}
