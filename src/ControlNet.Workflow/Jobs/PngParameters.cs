using System.Globalization;
using System.Text;
using System.Text.Json;
using ControlNet.Core.ControlMaps;
using ControlNet.Core.Diffusion;
using ControlNet.Core.Randomness;
using ControlNet.Workflow.Generation;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// What every PNG the product writes carries (generated images and control maps, from `generate` and from the
/// workflow alike), in two tEXt chunks:
/// <list type="bullet">
/// <item><c>parameters</c>: AUTOMATIC1111's "infotext" — the prompt, then <c>Negative prompt: …</c>, then one line
/// of <c>Key: value</c> pairs (<c>Steps: 20, Sampler: DDIM, CFG scale: 9, Seed: …, Size: WxH, Model hash: …,
/// Model: …</c>) with one <c>ControlNet k: "…"</c> entry per unit in the sd-webui-controlnet extension's form, so
/// A1111's "PNG Info" tab and civitai read it;</item>
/// <item><c>controlnet-job</c>: the whole job as a version-2 document (with this image's seed), which
/// <c>controlnet run --job</c> takes back to make the same image again.</item>
/// </list>
/// </summary>
public static class PngParameters
{
    public const string ParametersKey = "parameters";
    public const string JobKey = "controlnet-job";

    /// <param name="seed">The image's seed; null for a control map (no seed made it).</param>
    /// <param name="models">The models used, for the hashes; null where they are not known (control maps).</param>
    public static Dictionary<string, string> For(ValidatedJob job, long? seed, int width, int height, ModelsUsed? models = null)
    {
        return new Dictionary<string, string>
        {
            [ParametersKey] = Infotext(job, seed, width, height, models),
            [JobKey] = JobText(job, seed),
        };
    }

    /// <summary>The <c>controlnet-job</c> text: the normalized job with this image's seed (what identifies an image).</summary>
    public static string JobText(ValidatedJob job, long? seed) =>
        JsonSerializer.Serialize(job.Normalized with { Seed = seed ?? job.Seed }, JobRequest.JsonOptions);

    public static string Infotext(ValidatedJob job, long? seed, int width, int height, ModelsUsed? models)
    {
        var c = CultureInfo.InvariantCulture;
        var r = job.Request;
        var pairs = new List<(string Key, string Value)>
        {
            ("Steps", r.Steps.ToString(c)),
            ("Sampler", "DDIM"),
            ("CFG scale", r.GuidanceScale.ToString(c)),
        };
        if (seed is { } s)
        {
            pairs.Add(("Seed", s.ToString(c)));
            pairs.Add(("RNG", NoiseSources.InfotextName(job.Noise)));
        }
        pairs.Add(("Size", $"{width}x{height}"));
        if (models is not null && ShortHash(models.StableDiffusion) is { } hash) pairs.Add(("Model hash", hash));
        pairs.Add(("Model", r.Model));
        if (r.Eta != 0) pairs.Add(("Eta DDIM", r.Eta.ToString(c)));
        pairs.Add(("Prompt mode", job.PromptMode.ToString().ToLowerInvariant()));
        foreach (var unit in job.Units)
            pairs.Add(($"ControlNet {unit.Index}", Quote(Unit(unit, r.Resolution, models))));

        var text = new StringBuilder();
        text.Append(job.EffectivePrompt).Append('\n');
        if (!string.IsNullOrEmpty(r.NegativePrompt)) text.Append("Negative prompt: ").Append(r.NegativePrompt).Append('\n');
        text.Append(string.Join(", ", pairs.Select(p => $"{p.Key}: {p.Value}")));
        return text.ToString();
    }

    /// <summary>One unit as the sd-webui-controlnet extension writes it: its parameters as Threshold A/B, in order.</summary>
    private static string Unit(ValidatedUnit unit, int resolution, ModelsUsed? models)
    {
        var c = CultureInfo.InvariantCulture;
        var identity = models?.ControlNets.FirstOrDefault(m => m.Name == unit.Model);
        var model = identity is not null && ShortHash(identity) is { } hash ? $"{unit.Model} [{hash[..8]}]" : unit.Model;
        var pairs = new List<string>
        {
            $"Module: {unit.Extractor}",
            $"Model: {model}",
            $"Weight: {unit.Scale.ToString(c)}",
            $"Processor Res: {resolution.ToString(c)}",
        };
        var extractor = ControlMapExtractors.Get(unit.Extractor);
        var parameters = new ControlMapParameters(unit.Parameters);
        foreach (var (parameter, label) in extractor.Parameters.Zip(new[] { "Threshold A", "Threshold B" }))
            pairs.Add($"{label}: {parameters.Read(parameter).ToString(c)}");
        pairs.Add($"Guidance Start: {unit.GuidanceStart.ToString(c)}");
        pairs.Add($"Guidance End: {unit.GuidanceEnd.ToString(c)}");
        pairs.Add($"Control Mode: {ControlModes.A1111Label(unit.Mode)}");
        return string.Join(", ", pairs);
    }

    /// <summary>A1111's short hash: the first 10 hex digits, here of the UNet's fingerprint (or the only ONNX file).</summary>
    private static string? ShortHash(ModelIdentity model)
    {
        var main = model.Files.FirstOrDefault(f => f.Path.StartsWith("unet/", StringComparison.Ordinal) && f.Path.EndsWith(".onnx", StringComparison.Ordinal))
            ?? model.Files.FirstOrDefault(f => f.Path.EndsWith(".onnx", StringComparison.Ordinal));
        return main?.Sha256[..10];
    }

    /// <summary>Quotes a value containing ',' or ':' as A1111 does (json.dumps), so its parser keeps it whole.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
