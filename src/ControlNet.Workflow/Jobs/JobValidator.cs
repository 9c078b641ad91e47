using System.Globalization;
using System.Text.RegularExpressions;
using ControlNet.Core;
using ControlNet.Core.ControlMaps;
using ControlNet.Core.Diffusion;
using ControlNet.Workflow.Storage;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// Checks a job against the contract and the workflow's limits, collecting every error before reporting,
/// and resolves defaults (prompt mode) into a <see cref="ValidatedJob"/>. Pure: the orchestrator runs it too.
/// </summary>
public static partial class JobValidator
{
    public const int MaxPromptLength = 2000;
    public const int MaxControlNets = 3;

    public static ValidatedJob Validate(JobRequest job, WorkflowOptions limits, string? jobIdOverride = null)
    {
        var errors = new List<string>();
        var c = CultureInfo.InvariantCulture;

        if (job.SchemaVersion != JobRequest.CurrentSchemaVersion)
            errors.Add($"schemaVersion {job.SchemaVersion} is not supported by this build; use {JobRequest.CurrentSchemaVersion}.");
        var jobId = jobIdOverride ?? job.JobId;
        errors.AddRange(BlobNames.CheckJobId(jobId));
        errors.AddRange(BlobNames.Check(job.Input, "input"));

        IControlMapExtractor? extractor = null;
        try { extractor = ControlMapExtractors.Get(job.Control ?? ""); }
        catch (InvalidInputException e) { errors.Add($"control: {e.Message}"); }
        if (extractor is not null)
        {
            var unknown = (job.ControlParameters ?? []).Keys.Where(k => !extractor.ParameterNames.Contains(k)).ToList();
            if (unknown.Count > 0)
                errors.Add($"controlParameters: {string.Join(", ", unknown.Select(u => $"'{u}'"))} not known to '{extractor.Name}'"
                    + (extractor.ParameterNames.Count > 0 ? $" (it reads {string.Join(", ", extractor.ParameterNames)})." : " (it takes no parameters)."));
        }
        if (job.Resolution < 64 || job.Resolution > limits.MaxImageSide)
            errors.Add($"resolution must be between 64 and {limits.MaxImageSide}, got {job.Resolution}.");

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
        if (prompt.Length > MaxPromptLength) errors.Add($"prompt is {prompt.Length} characters; the limit is {MaxPromptLength}.");
        if ((job.NegativePrompt ?? "").Length > MaxPromptLength) errors.Add($"negativePrompt is longer than {MaxPromptLength} characters.");

        ControlMode controlMode = ControlMode.Balanced;
        try { controlMode = ControlModes.Parse(job.ControlMode ?? ""); }
        catch (InvalidInputException e) { errors.Add($"controlMode: {e.Message}"); }

        if (job.Steps < 1 || job.Steps > limits.MaxSteps) errors.Add($"steps must be between 1 and {limits.MaxSteps}, got {job.Steps}.");
        if (!double.IsFinite(job.GuidanceScale) || job.GuidanceScale < 0 || job.GuidanceScale > 50)
            errors.Add($"guidanceScale must be between 0 and 50, got {job.GuidanceScale.ToString(c)}.");
        if (!double.IsFinite(job.ControlScale) || job.ControlScale < 0 || job.ControlScale > 5)
            errors.Add($"controlScale must be between 0 and 5, got {job.ControlScale.ToString(c)}.");
        if (!(job.GuidanceStart >= 0 && job.GuidanceStart <= 1) || !(job.GuidanceEnd >= 0 && job.GuidanceEnd <= 1) || job.GuidanceStart >= job.GuidanceEnd)
            errors.Add($"guidanceStart and guidanceEnd must satisfy 0 <= start < end <= 1, got {job.GuidanceStart.ToString(c)} and {job.GuidanceEnd.ToString(c)}.");
        if (job.Seed is < 0) errors.Add($"seed must be zero or positive, got {job.Seed}.");
        if (job.Count < 1 || job.Count > limits.MaxCount)
            errors.Add($"count must be between 1 and {limits.MaxCount} images per job, got {job.Count}; split larger runs into a batch.");
        if (job.Width.HasValue != job.Height.HasValue)
            errors.Add("width and height must be given together (or both left out to use the control map's size).");
        foreach (var (name, value) in new[] { ("width", job.Width), ("height", job.Height) })
        {
            if (value is { } v && (v < 64 || v > limits.MaxImageSide || v % 8 != 0))
                errors.Add($"{name} must be a multiple of 8 between 64 and {limits.MaxImageSide}, got {v}.");
        }

        if (!ModelNamePattern().IsMatch(job.Model ?? ""))
            errors.Add($"model '{job.Model}' is not a valid model folder name (letters, digits, '.', '-', '_'; no paths).");
        var controlNets = job.ControlNets ?? [];
        if (controlNets.Count is < 1 or > MaxControlNets)
            errors.Add($"controlNets must name 1 to {MaxControlNets} ControlNet models, got {controlNets.Count}.");
        foreach (var net in controlNets.Where(n => !ModelNamePattern().IsMatch(n ?? "")))
            errors.Add($"controlNets entry '{net}' is not a valid model folder name (letters, digits, '.', '-', '_'; no paths).");

        if (errors.Count > 0) throw new JobValidationException(errors);

        var effectivePrompt = mode == PromptMode.Default ? limits.DefaultPrompt : PromptModes.Resolve(mode!.Value, prompt);
        return new ValidatedJob(jobId ?? BlobNames.NewJobId(), job, effectivePrompt, controlMode);
    }

    [GeneratedRegex("^(?!\\.+$)[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ModelNamePattern();
}

/// <summary>A job that passed validation, with its id fixed and its prompt resolved.</summary>
public sealed record ValidatedJob(string JobId, JobRequest Request, string EffectivePrompt, ControlMode ControlMode);
