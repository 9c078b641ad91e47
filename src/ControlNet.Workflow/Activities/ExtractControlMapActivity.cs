using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// Source image → control map, as the reference annotators do it: decode, resize (short side to the
/// resolution, sides to multiples of 64), extract. Writes outputs/&lt;jobId&gt;/control.png (overwrite-safe).
/// </summary>
public sealed class ExtractControlMapActivity(BlobStore blobs, ActivityTimings timings)
    : TaskActivity<ExtractControlMapInput, ControlMapResult>
{
    public const string Name = "ExtractControlMap";

    public override Task<ControlMapResult> RunAsync(TaskActivityContext context, ExtractControlMapInput input) =>
        timings.MeasureAsync(input.JobId, async () =>
        {
            var encoded = input.InputETag is { } etag
                ? await blobs.DownloadVersionAsync(StoreContainer.Inputs, input.Input, etag)
                : await blobs.DownloadAsync(StoreContainer.Inputs, input.Input);
            var source = ImageDecoder.Decode(encoded.ToArray(), name: blobs.Describe(StoreContainer.Inputs, input.Input));
            var resized = ReferenceResize.ToResolution(source, input.Resolution);
            var extractor = ControlMapExtractors.Get(input.Control);
            var controlMap = extractor.Extract(resized, new ControlMapParameters(input.ControlParameters));

            var name = BlobNames.ControlMap(input.JobId);
            await blobs.UploadAsync(StoreContainer.Outputs, name, BinaryData.FromBytes(PngFile.Encode(controlMap)),
                new Dictionary<string, string> { ["jobId"] = input.JobId, ["control"] = input.Control });
            return new ControlMapResult(name, controlMap.Width, controlMap.Height);
        });
}
