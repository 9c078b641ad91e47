using System.Globalization;
using ControlNet.Workflow.Storage;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// A job for an uploaded input blob: its parameters come from the blob's metadata, the same names as the JSON
/// contract (case-insensitive): prompt, negativePrompt, promptMode, control, controlScale, controlNets
/// (comma-separated), controlMode, guidanceStart, guidanceEnd, resolution, steps, guidanceScale, eta, seed, count,
/// width, height, model, and <c>controls</c> (the units as JSON text); extractor parameters of the single-control
/// shorthand as <c>control_&lt;name&gt;</c> (e.g. control_low=50, control_high=150: metadata names must be
/// identifiers). Anything not given takes the contract's defaults; the one validator checks the result.
/// </summary>
public static class BlobJobParameters
{
    /// <summary>
    /// Metadata key marking an upload whose job was submitted explicitly (by `controlnet run` or the HTTP API):
    /// blob watchers leave such blobs alone, so one upload never becomes two jobs.
    /// </summary>
    public const string SubmittedByKey = "submittedBy";

    /// <summary>Metadata names starting with this carry extractor parameters: control_low → "low".</summary>
    public const string ControlParameterPrefix = "control_";

    public static bool IsSubmittedExplicitly(StoredBlob blob) => blob.Metadata.ContainsKey(SubmittedByKey);

    public static JobRequest FromMetadata(StoredBlob blob)
    {
        var m = blob.Metadata;
        var errors = new List<string>();
        string? Text(string key) => m.TryGetValue(key, out var v) ? v : null;
        int? Int(string key)
        {
            if (Text(key) is not { } v) return null;
            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return i;
            errors.Add($"metadata '{key}' must be an integer, got '{v}'."); return null;
        }
        double? Double(string key)
        {
            if (Text(key) is not { } v) return null;
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
            errors.Add($"metadata '{key}' must be a finite number, got '{v}'."); return null;
        }
        var defaults = new JobRequest();
        long? seed = null;
        if (Text("seed") is { } seedText)
        {
            if (long.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)) seed = s;
            else errors.Add($"metadata 'seed' must be an integer, got '{seedText}'.");
        }
        List<ControlUnitRequest>? controls = null;
        if (Text("controls") is { } controlsJson)
        {
            try { controls = System.Text.Json.JsonSerializer.Deserialize<List<ControlUnitRequest>>(controlsJson, JobRequest.JsonOptions); }
            catch (System.Text.Json.JsonException e) { errors.Add($"metadata 'controls' must be a JSON list of units: {e.Message}"); }
        }
        var controlParameters = m.Where(p => p.Key.StartsWith(ControlParameterPrefix, StringComparison.OrdinalIgnoreCase) && p.Key.Length > ControlParameterPrefix.Length)
            .ToDictionary(p => p.Key[ControlParameterPrefix.Length..].ToLowerInvariant(), p => p.Value, StringComparer.Ordinal);
        var job = new JobRequest
        {
            JobId = BlobNames.JobIdForBlob(blob.Name, blob.ETag),
            Input = blob.Name,
            InputETag = blob.ETag,
            Controls = controls,
            Control = Text("control"),
            ControlParameters = controlParameters.Count > 0 ? controlParameters : null,
            ControlScale = Double("controlScale"),
            ControlNets = Text("controlNets")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
            ControlMode = Text("controlMode") ?? defaults.ControlMode,
            GuidanceStart = Double("guidanceStart") ?? defaults.GuidanceStart,
            GuidanceEnd = Double("guidanceEnd") ?? defaults.GuidanceEnd,
            Resolution = Int("resolution") ?? defaults.Resolution,
            PromptMode = Text("promptMode"),
            Prompt = Text("prompt") ?? "",
            NegativePrompt = Text("negativePrompt") ?? "",
            Steps = Int("steps") ?? defaults.Steps,
            GuidanceScale = Double("guidanceScale") ?? defaults.GuidanceScale,
            Eta = Double("eta") ?? defaults.Eta,
            Seed = seed,
            Rng = Text("rng"),
            Count = Int("count") ?? defaults.Count,
            Width = Int("width"),
            Height = Int("height"),
            Model = Text("model") ?? defaults.Model,
        };
        if (errors.Count > 0) throw new JobValidationException(errors);
        return job;
    }
}
