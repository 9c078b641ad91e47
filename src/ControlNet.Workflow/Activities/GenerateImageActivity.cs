using System.Diagnostics;
using System.Globalization;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// One image of a job: control maps + settings → PNG at outputs/&lt;jobId&gt;/image-NNN.png carrying the job's PNG
/// parameters. Maps come from the process's <see cref="ControlMapCache"/> (decoded once per job, not per image).
/// Runs under the process-wide <see cref="GenerationGate"/>; a retry rewrites the same name, so a re-run never
/// leaves a second copy.
/// </summary>
public sealed class GenerateImageActivity(
    BlobStore blobs, IImageGenerator generator, GenerationGate gate, ControlMapCache maps, DurableTaskClient client, WorkflowOptions options)
    : TaskActivity<GenerateImageInput, GeneratedImage>
{
    public const string Name = "GenerateImage";

    public override async Task<GeneratedImage> RunAsync(TaskActivityContext context, GenerateImageInput input)
    {
        var job = JobValidator.Validate(input.Job, options.Limits, input.JobId);
        var settings = JobControlMaps.Settings(job, input.Seed, input.Width, input.Height);
        var controlMaps = new List<ByteImage>();
        foreach (var map in input.ControlMaps.OrderBy(m => m.Unit))
        {
            controlMaps.Add(await maps.GetAsync(map.Blob, map.ETag, async () =>
            {
                var encoded = await blobs.DownloadVersionAsync(StoreContainer.Outputs, map.Blob, map.ETag);
                return ImageDecoder.Decode(encoded.ToArray(), name: blobs.Describe(StoreContainer.Outputs, map.Blob));
            }));
        }
        var steps = new StepEventReporter(client, input.JobId, input.Index, settings.Steps, options.StepProgressInterval);

        var generating = Stopwatch.GetTimestamp();
        var image = await gate.RunAsync(() => generator.GenerateAsync(settings, controlMaps, steps, CancellationToken.None), CancellationToken.None);
        var generateMs = Stopwatch.GetElapsedTime(generating).TotalMilliseconds;
        var models = generator.Identify(settings);

        var uploading = Stopwatch.GetTimestamp();
        var name = BlobNames.Image(input.JobId, input.Index);
        var png = PngFile.Encode(image, PngParameters.For(job, settings.Seed, image.Width, image.Height, models));
        await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromBytes(png),
            new Dictionary<string, string>
            {
                ["jobId"] = input.JobId,
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["index"] = input.Index.ToString(CultureInfo.InvariantCulture),
            });
        var uploadMs = Stopwatch.GetElapsedTime(uploading).TotalMilliseconds;
        return new GeneratedImage(input.Index, name, settings.Seed, generateMs, uploadMs, input.Index == 0 ? models : null);
    }
}
