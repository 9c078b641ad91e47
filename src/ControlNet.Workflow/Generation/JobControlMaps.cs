using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// Source image → one unit's control map, as the paper's demo does it: <c>resize_image(HWC3(img), resolution)</c>
/// (decoding applies HWC3), then the unit's extractor. The workflow's ExtractControlMap activity and
/// `controlnet generate` both call this, so their maps are the same bytes.
/// </summary>
public static class JobControlMaps
{
    public static ByteImage Make(ByteImage source, ValidatedUnit unit, int resolution)
    {
        var resized = ReferenceResize.ToResolution(source, resolution);
        return ControlMapExtractors.Get(unit.Extractor).Extract(resized, new ControlMapParameters(unit.Parameters));
    }

    /// <summary>The generation's size: the job's width and height, or the first unit's map size.</summary>
    public static (int Width, int Height) OutputSize(JobRequest job, int firstMapWidth, int firstMapHeight) =>
        (job.Width ?? firstMapWidth / 8 * 8, job.Height ?? firstMapHeight / 8 * 8);

    /// <summary>The settings of image <paramref name="seed"/> of a validated job.</summary>
    public static GenerationSettings Settings(ValidatedJob job, long seed, int width, int height) => new(
        job.Request.Model,
        job.Units.Select(u => new UnitSettings(u.Model, u.Scale, u.Mode, u.GuidanceStart, u.GuidanceEnd)).ToList(),
        job.EffectivePrompt,
        job.Request.NegativePrompt ?? "",
        job.Request.Steps,
        job.Request.GuidanceScale,
        job.Request.Eta,
        seed,
        width,
        height,
        job.Noise);
}
