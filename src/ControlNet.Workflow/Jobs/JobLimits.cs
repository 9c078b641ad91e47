using System.Globalization;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// The one table of limits a job must respect, whichever way it came in (`generate`, `run`, `batch`, an upload,
/// HTTP). <see cref="JobValidator"/> enforces it; the CLI's help and README print it. The three sizes a
/// deployment may want to change (steps, images per job, largest side) are settings (<c>Workflow:Limits:…</c>);
/// the rest are fixed by what the models and the paper's sampler accept.
/// </summary>
public sealed class JobLimits
{
    public int MaxSteps { get; set; } = 150;

    /// <summary>Images per job (the fan-out width); larger runs are batches.</summary>
    public int MaxCount { get; set; } = 16;

    /// <summary>Largest output side and control-map resolution, in pixels.</summary>
    public int MaxImageSide { get; set; } = 2048;

    public const int MinSide = 64;
    /// <summary>The paper demo's image_resolution default.</summary>
    public const int DefaultResolution = 512;
    public const double MaxGuidanceScale = 50;
    public const double MaxControlScale = 5;
    public const double MaxEta = 1;
    public const int MaxControls = 4;
    public const int MaxPromptLength = 2000;
    public const long RandomSeed = -1;

    public IReadOnlyList<string> Problems()
    {
        var errors = new List<string>();
        if (MaxSteps is < 1 or > Core.Scheduling.DdimScheduler.MaxSteps)
            errors.Add($"MaxSteps must be between 1 and {Core.Scheduling.DdimScheduler.MaxSteps}, got {MaxSteps}.");
        if (MaxCount < 1) errors.Add($"MaxCount must be at least 1, got {MaxCount}.");
        if (MaxImageSide < MinSide) errors.Add($"MaxImageSide must be at least {MinSide}, got {MaxImageSide}.");
        return errors;
    }

    /// <summary>One row per job field: what it is, its default, and the values it accepts.</summary>
    public IReadOnlyList<JobField> Fields()
    {
        var c = CultureInfo.InvariantCulture;
        return
        [
            new("input", "blob name of the source image in 'inputs'", "-", "required; no '..', no leading '/'"),
            new("model", "Stable Diffusion model folder under the models root", "sd15", "a folder name"),
            new("controls", "ControlNet units: [{model, extractor, parameters, input, scale, mode, guidanceStart, guidanceEnd}]", "one canny unit", $"1 to {MaxControls} units"),
            new("control", "shorthand: extractor of the single unit", "canny", "canny, scribble, shuffle, tile, invert, none"),
            new("controlParameters", "shorthand: extractor parameters of the single unit", "{}", "names the extractor reads"),
            new("controlNets", "shorthand: ControlNet folder names sharing the single unit's map", "[\"canny\"]", $"1 to {MaxControls} names"),
            new("controlScale", "shorthand: conditioning scale of the single unit", "1.0", $"0 to {MaxControlScale.ToString(c)}"),
            new("controlMode", "balanced | prompt | control | unbalanced (default for every unit)", "balanced", "a name"),
            new("guidanceStart", "fraction of steps before control starts (default for every unit)", "0", "0 <= start < end"),
            new("guidanceEnd", "fraction of steps after which control stops (default for every unit)", "1", "start < end <= 1"),
            new("resolution", "short side of the control map (reference resize_image)", DefaultResolution.ToString(c), $"{MinSide} to {MaxImageSide}"),
            new("promptMode", "user | none | default", "user with a prompt, else default", "a name"),
            new("prompt", "the prompt", "\"\"", $"at most {MaxPromptLength} characters"),
            new("negativePrompt", "the negative prompt", "\"\"", $"at most {MaxPromptLength} characters"),
            new("steps", "DDIM steps", "20", $"1 to {MaxSteps}"),
            new("guidanceScale", "classifier-free guidance scale", "9.0", $"0 to {MaxGuidanceScale.ToString(c)}"),
            new("eta", "DDIM eta (0 = deterministic)", "0", $"0 to {MaxEta.ToString(c)}"),
            new("seed", "seed of image 0 (image i uses seed + i, each with a fresh generator)", "random", "0 to 2^53; -1 = random"),
            new("rng", "noise source: cpu = torch CPU generator (diffusers, A1111 CPU), nv = A1111 NV (Philox), portable", "cpu", "cpu, nv, portable"),
            new("count", "images to generate", "1", $"1 to {MaxCount}"),
            new("width", "output width (with height)", "the control map's", $"multiple of 8, {MinSide} to {MaxImageSide}"),
            new("height", "output height (with width)", "the control map's", $"multiple of 8, {MinSide} to {MaxImageSide}"),
        ];
    }
}

/// <summary>A row of the limits table: a job field, what it means, its default and what it accepts.</summary>
public sealed record JobField(string Name, string Description, string Default, string Accepts);
