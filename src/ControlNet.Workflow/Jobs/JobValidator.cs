using ControlNet.Core.Randomness;
using System.Globalization;
using System.Text.RegularExpressions;
using ControlNet.Core;
using ControlNet.Core.ControlMaps;
using ControlNet.Core.Diffusion;
using ControlNet.Workflow.Storage;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// The one validator: checks a job against the contract and <see cref="JobLimits"/>, collecting every error
/// before reporting, and resolves defaults and the single-control shorthand into a <see cref="ValidatedJob"/>.
/// Pure (the orchestrator runs it too). Messages name the JSON field, so a user sees the same words whether the
/// value came from a flag, a job file, blob metadata or HTTP.
/// </summary>
public static partial class JobValidator
{
    public static ValidatedJob Validate(JobRequest job, JobLimits limits, string? jobIdOverride = null)
    {
        var errors = new List<string>();
        var c = CultureInfo.InvariantCulture;

        if (!JobRequest.SupportedSchemaVersions.Contains(job.SchemaVersion))
            errors.Add($"schemaVersion {job.SchemaVersion} is not supported by this build; use {JobRequest.CurrentSchemaVersion} (1 is still read).");
        var jobId = jobIdOverride ?? job.JobId;
        errors.AddRange(BlobNames.CheckJobId(jobId));
        errors.AddRange(BlobNames.Check(job.Input, "input"));

        var prompt = job.Prompt ?? "";
        PromptMode? mode = job.PromptMode is null ? (prompt.Length > 0 ? PromptMode.User : PromptMode.Default) : null;
        if (job.PromptMode is { } modeText)
        {
            try { mode = PromptModes.Parse(modeText); }
            catch (InvalidInputException e) { errors.Add($"promptMode: {e.Message}"); }
        }
        switch (mode)
        {
            case PromptMode.User when string.IsNullOrWhiteSpace(prompt):
                errors.Add("promptMode 'user' needs a prompt; give one, or use promptMode 'default' or 'none'.");
                break;
            case PromptMode.None or PromptMode.Default when prompt.Length > 0:
                errors.Add($"prompt is given but promptMode is '{mode?.ToString().ToLowerInvariant()}', which ignores it; remove the prompt or use promptMode 'user'.");
                break;
        }
        if (prompt.Length > JobLimits.MaxPromptLength) errors.Add($"prompt is {prompt.Length} characters; the limit is {JobLimits.MaxPromptLength}.");
        if ((job.NegativePrompt ?? "").Length > JobLimits.MaxPromptLength) errors.Add($"negativePrompt is longer than {JobLimits.MaxPromptLength} characters.");

        if (job.Resolution < JobLimits.MinSide || job.Resolution > limits.MaxImageSide)
            errors.Add($"resolution must be between {JobLimits.MinSide} and {limits.MaxImageSide}, got {job.Resolution}.");
        if (job.Steps < 1 || job.Steps > limits.MaxSteps) errors.Add($"steps must be between 1 and {limits.MaxSteps}, got {job.Steps}.");
        if (!InRange(job.GuidanceScale, 0, JobLimits.MaxGuidanceScale))
            errors.Add($"guidanceScale must be between 0 and {JobLimits.MaxGuidanceScale.ToString(c)}, got {job.GuidanceScale.ToString(c)}.");
        if (!InRange(job.Eta, 0, JobLimits.MaxEta))
            errors.Add($"eta must be between 0 and {JobLimits.MaxEta.ToString(c)}, got {job.Eta.ToString(c)}.");
        if (job.Seed is { } seed && seed != JobLimits.RandomSeed && (seed < 0 || seed > MaxSeed))
            errors.Add($"seed must be between 0 and {MaxSeed} (or -1 for a random seed), got {seed}.");
        if (job.Rng is { } rng && NoiseSources.TryParse(rng) is null)
            errors.Add($"rng must be one of {string.Join(", ", NoiseSources.Names)}, got '{rng}'.");
        if (job.Count < 1 || job.Count > limits.MaxCount)
            errors.Add($"count must be between 1 and {limits.MaxCount} images per job, got {job.Count}; split larger runs into a batch.");
        if (job.Width.HasValue != job.Height.HasValue)
            errors.Add("width and height must be given together (or both left out to use the control map's size).");
        foreach (var (name, value) in new[] { ("width", job.Width), ("height", job.Height) })
        {
            if (value is { } v && (v < JobLimits.MinSide || v > limits.MaxImageSide || v % 8 != 0))
                errors.Add($"{name} must be a multiple of 8 between {JobLimits.MinSide} and {limits.MaxImageSide}, got {v}.");
        }
        if (!ModelNamePattern().IsMatch(job.Model ?? ""))
            errors.Add($"model '{job.Model}' is not a valid model folder name (letters, digits, '.', '-', '_'; no paths).");

        ControlMode? jobMode = ParseMode(job.ControlMode, "controlMode", errors);
        if (!WindowIsValid(job.GuidanceStart, job.GuidanceEnd))
            errors.Add($"guidanceStart and guidanceEnd must satisfy 0 <= start < end <= 1, got {job.GuidanceStart.ToString(c)} and {job.GuidanceEnd.ToString(c)}.");

        var units = Units(job, jobMode ?? ControlMode.Balanced, errors);

        if (errors.Count > 0) throw new JobValidationException(errors);
        var effectivePrompt = PromptModes.Resolve(mode!.Value, prompt);
        return new ValidatedJob(jobId ?? BlobNames.NewJobId(), job, mode.Value, effectivePrompt, units);
    }

    /// <summary>Largest seed: integers above 2^53 do not survive a JSON round trip through JavaScript clients.</summary>
    public const long MaxSeed = (1L << 53) - 1;

    /// <summary>The units of a job: its <c>controls</c>, or the shorthand fields as one unit per named ControlNet.</summary>
    private static List<ValidatedUnit> Units(JobRequest job, ControlMode jobMode, List<string> errors)
    {
        if (job.Controls is not null && job.UsesShorthand)
        {
            errors.Add("give either 'controls' (one entry per ControlNet) or the single-control fields 'control', 'controlParameters', 'controlNets', 'controlScale', not both.");
            return [];
        }
        var requests = job.UnitRequests();
        string field = job.Controls is not null ? "controls" : "controlNets";
        if (requests.Count is < 1 or > JobLimits.MaxControls)
        {
            errors.Add($"{field} must name 1 to {JobLimits.MaxControls} ControlNets, got {requests.Count}.");
            return [];
        }

        var c = CultureInfo.InvariantCulture;
        var units = new List<ValidatedUnit>();
        for (int k = 0; k < requests.Count; k++)
        {
            var unit = requests[k];
            if (unit is null) { errors.Add($"controls[{k}] is null; give an object."); continue; }
            // Shorthand errors keep the version-1 field names the user wrote.
            string Field(string unitField, string shorthandField) => job.Controls is not null ? $"controls[{k}].{unitField}" : shorthandField;

            if (!ModelNamePattern().IsMatch(unit.Model ?? ""))
                errors.Add($"{Field("model", "controlNets")} entry '{unit.Model}' is not a valid model folder name (letters, digits, '.', '-', '_'; no paths).");
            var parameters = new Dictionary<string, string>(unit.Parameters ?? [], StringComparer.Ordinal);
            IControlMapExtractor? extractor = null;
            try { extractor = ControlMapExtractors.Get(unit.Extractor ?? ""); }
            catch (InvalidInputException e) { errors.Add($"{Field("extractor", "control")}: {e.Message}"); }
            if (extractor is not null)
            {
                var unknown = parameters.Keys.Where(key => !extractor.ParameterNames.Contains(key, StringComparer.OrdinalIgnoreCase)).ToList();
                if (unknown.Count > 0)
                    errors.Add($"{Field("parameters", "controlParameters")}: {string.Join(", ", unknown.Select(u => $"'{u}'"))} not known to '{extractor.Name}'"
                        + (extractor.ParameterNames.Count > 0 ? $" (it reads {string.Join(", ", extractor.ParameterNames)})." : " (it takes no parameters)."));
                else
                {
                    try { extractor.CheckParameters(new ControlMapParameters(parameters)); }
                    catch (InvalidInputException e) { errors.Add($"{Field("parameters", "controlParameters")}: {e.Message}"); }
                }
            }
            if (unit.Input is not null) errors.AddRange(BlobNames.Check(unit.Input, $"controls[{k}].input"));
            if (!InRange(unit.Scale, 0, JobLimits.MaxControlScale))
                errors.Add($"{Field("scale", "controlScale")} must be between 0 and {JobLimits.MaxControlScale.ToString(c)}, got {unit.Scale.ToString(c)}.");
            var mode = unit.Mode is null ? jobMode : ParseMode(unit.Mode, $"controls[{k}].mode", errors);
            double start = unit.GuidanceStart ?? job.GuidanceStart, end = unit.GuidanceEnd ?? job.GuidanceEnd;
            if ((unit.GuidanceStart is not null || unit.GuidanceEnd is not null) && !WindowIsValid(start, end))
                errors.Add($"controls[{k}].guidanceStart and guidanceEnd must satisfy 0 <= start < end <= 1, got {start.ToString(c)} and {end.ToString(c)}.");
            units.Add(new ValidatedUnit(k, unit.Model ?? "", extractor?.Name ?? unit.Extractor ?? "", parameters,
                unit.Input ?? job.Input, unit.Input is null ? job.InputETag : null, unit.Scale, mode ?? jobMode, start, end));
        }
        return units;
    }

    private static ControlMode? ParseMode(string? text, string field, List<string> errors)
    {
        try { return ControlModes.Parse(text ?? ""); }
        catch (InvalidInputException e) { errors.Add($"{field}: {e.Message}"); return null; }
    }

    private static bool InRange(double value, double min, double max) => double.IsFinite(value) && value >= min && value <= max;

    private static bool WindowIsValid(double start, double end) => start >= 0 && start <= 1 && end >= 0 && end <= 1 && start < end;

    [GeneratedRegex("^(?!\\.+$)[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ModelNamePattern();
}
