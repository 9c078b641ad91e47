using System.Diagnostics;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// One unit's source image → its control map (<see cref="JobControlMaps.Make"/>: the reference resize, then the
/// unit's extractor). Writes outputs/&lt;jobId&gt;/control-&lt;unit&gt;.png with the job's PNG parameters
/// (overwrite-safe: a retry writes the same name).
/// </summary>
public sealed class ExtractControlMapActivity(BlobStore blobs, WorkflowOptions options)
    : TaskActivity<ExtractControlMapInput, ControlMapResult>
{
    public const string Name = "ExtractControlMap";

    public override async Task<ControlMapResult> RunAsync(TaskActivityContext context, ExtractControlMapInput input)
    {
        var started = Stopwatch.GetTimestamp();
        var job = JobValidator.Validate(input.Job, options.Limits, input.JobId);
        var unit = job.Units[input.Unit];
        var name = BlobNames.ControlMap(input.JobId, input.Unit);
        var jobText = PngParameters.JobText(job, seed: null);

        // Activities run at least once: a worker that died after writing the map may have reported it too, and the
        // images are pinned to that version's ETag. Writing the same map again would change the ETag under them.
        if (await ExistingAsync(input.Unit, name, jobText) is { } existing)
            return existing with { ExtractMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds };

        var encoded = unit.InputETag is { } etag
            ? await blobs.DownloadVersionAsync(StoreContainer.Inputs, unit.Input, etag)
            : await blobs.DownloadAsync(StoreContainer.Inputs, unit.Input);
        var source = ImageDecoder.Decode(encoded.ToArray(), name: blobs.Describe(StoreContainer.Inputs, unit.Input));
        var controlMap = JobControlMaps.Make(source, unit, job.Request.Resolution);

        var png = PngFile.Encode(controlMap, PngParameters.For(job, seed: null, controlMap.Width, controlMap.Height));
        var written = await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromBytes(png),
            new Dictionary<string, string> { ["jobId"] = input.JobId, ["unit"] = input.Unit.ToString(), ["extractor"] = unit.Extractor });
        return new ControlMapResult(input.Unit, name, written, controlMap.Width, controlMap.Height, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task<ControlMapResult?> ExistingAsync(int unit, string name, string jobText)
    {
        var properties = await blobs.GetPropertiesAsync(StoreContainer.Outputs, name);
        if (properties is null) return null;
        try
        {
            var content = await blobs.DownloadVersionAsync(StoreContainer.Outputs, name, properties.ETag);
            using var png = content.ToStream();
            if (!PngFile.ReadText(png).TryGetValue(PngParameters.JobKey, out var written) || written != jobText) return null;
            var map = ImageDecoder.Decode(content.ToArray(), name: blobs.Describe(StoreContainer.Outputs, name));
            return new ControlMapResult(unit, name, properties.ETag, map.Width, map.Height, 0);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null; // changed or unreadable meanwhile: make it again
        }
    }
}
