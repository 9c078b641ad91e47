using System.Diagnostics;
using System.Globalization;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// One image of a job: control maps + settings → PNG at outputs/&lt;jobId&gt;/image-NNN.png carrying the job's PNG
/// parameters. Maps come from the process's <see cref="ControlMapCache"/> (decoded once per job, not per image).
/// Runs under the process-wide <see cref="GenerationGate"/>; a retry rewrites the same name, so a re-run never
/// leaves a second copy.
/// </summary>
public sealed class GenerateImageActivity(
    BlobStore blobs, IImageGenerator generator, GenerationGate gate, ControlMapCache maps, DurableTaskClient client, WorkflowOptions options,
    ILogger<GenerateImageActivity> logger)
    : TaskActivity<GenerateImageInput, GeneratedImage>
{
    public const string Name = "GenerateImage";

    public override async Task<GeneratedImage> RunAsync(TaskActivityContext context, GenerateImageInput input)
    {
        var job = JobValidator.Validate(input.Job, options.Limits, input.JobId);
        var settings = JobControlMaps.Settings(job, input.Seed, input.Width, input.Height);
        var name = BlobNames.Image(input.JobId, input.Index);
        var jobText = PngParameters.JobText(job, settings.Seed);

        // A worker that died after writing this image but before its completion was recorded: the image is
        // done (same job, seed and parameters, as its PNG says), so return it rather than pay for it again.
        if (await AlreadyWrittenAsync(name, jobText))
        {
            logger.LogInformation("Job {JobId} image {Index}: already written by this job, reused (not generated again).", input.JobId, input.Index);
            return new GeneratedImage(input.Index, name, settings.Seed, 0, 0, input.Index == 0 ? generator.Identify(settings) : null, Reused: true);
        }

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
        var png = PngFile.Encode(image, PngParameters.For(job, settings.Seed, image.Width, image.Height, models));
        await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromBytes(png),
            new Dictionary<string, string>
            {
                ["jobId"] = input.JobId,
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["index"] = input.Index.ToString(CultureInfo.InvariantCulture),
            });
        var uploadMs = Stopwatch.GetElapsedTime(uploading).TotalMilliseconds;
        logger.LogInformation("Job {JobId} image {Index}: generated in {GenerateMs:0} ms, uploaded in {UploadMs:0} ms.", input.JobId, input.Index, generateMs, uploadMs);
        return new GeneratedImage(input.Index, name, settings.Seed, generateMs, uploadMs, input.Index == 0 ? models : null);
    }

    private async Task<bool> AlreadyWrittenAsync(string name, string jobText)
    {
        var existing = await blobs.TryDownloadAsync(StoreContainer.Outputs, name);
        if (existing is null) return false;
        try
        {
            using var png = existing.ToStream();
            return PngFile.ReadText(png).TryGetValue(PngParameters.JobKey, out var written) && written == jobText;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false; // not a complete PNG of ours: generate it again
        }
    }
}
