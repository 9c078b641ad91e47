using System.Text.Json;
using System.Text.Json.Serialization;
using ControlNet.Core;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// One generation job: the contract every way in fills (the CLI's flags, blob metadata, batch manifests, HTTP).
/// JSON, camelCase. Optional fields left out take the paper's experiment settings (DDIM, 20 steps, CFG 9.0).
/// Version 2 added <see cref="Controls"/> (several ControlNets, each with its own map), <see cref="Eta"/> and
/// seed −1; version-1 documents (one control, <see cref="ControlNets"/> sharing its map) still read, as the
/// shorthand for one unit per named net. <see cref="JobValidator"/> turns a request into a <see cref="ValidatedJob"/>.
/// </summary>
public sealed record JobRequest
{
    public const int CurrentSchemaVersion = 2;

    public static IReadOnlyList<int> SupportedSchemaVersions { get; } = [1, 2];

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Instance id of the durable job; generated when absent. Letters, digits, '-', '_'.</summary>
    public string? JobId { get; init; }

    /// <summary>Blob name of the source image inside the inputs container (e.g. "photos/cat.png").</summary>
    public string Input { get; init; } = "";

    /// <summary>
    /// The version (ETag) of the input blob the job is for; set for jobs started by an upload. The job then
    /// fails rather than process a newer upload of the same name (that one gets its own job).
    /// </summary>
    public string? InputETag { get; init; }

    /// <summary>The ControlNet units; absent = one unit per <see cref="ControlNets"/> from the shorthand fields.</summary>
    public List<ControlUnitRequest>? Controls { get; init; }

    /// <summary>Shorthand: the extractor of the job's one control map ("canny", …; "none" = the input is a control map).</summary>
    public string? Control { get; init; }

    /// <summary>Shorthand: that extractor's parameters.</summary>
    public Dictionary<string, string>? ControlParameters { get; init; }

    /// <summary>Shorthand: the ControlNet folders that share that one map (version 1's meaning).</summary>
    public List<string>? ControlNets { get; init; }

    /// <summary>Shorthand: the conditioning scale of every shorthand unit.</summary>
    public double? ControlScale { get; init; }

    /// <summary>"balanced", "prompt", "control" or "unbalanced": every unit's mode unless the unit names its own.</summary>
    public string ControlMode { get; init; } = "balanced";

    /// <summary>Every unit's guidance window unless the unit gives its own (diffusers' control_guidance_start/end).</summary>
    public double GuidanceStart { get; init; }

    public double GuidanceEnd { get; init; } = 1.0;

    /// <summary>Short side of the control maps before generation (the reference annotators' resize rule).</summary>
    public int Resolution { get; init; } = JobLimits.DefaultResolution;

    /// <summary>"user", "none", "default" ("auto" = BLIP captioning, not in this build). Absent: "user" when a prompt is given, else "default".</summary>
    public string? PromptMode { get; init; }

    public string Prompt { get; init; } = "";

    public string NegativePrompt { get; init; } = "";

    public int Steps { get; init; } = 20;

    public double GuidanceScale { get; init; } = 9.0;

    /// <summary>DDIM η; 0 is deterministic DDIM (the paper's setting).</summary>
    public double Eta { get; init; }

    /// <summary>Seed of image 0; image i uses Seed + i. Absent or −1: picked at random and recorded.</summary>
    public long? Seed { get; init; }

    /// <summary>Noise source that turns a seed into latents: "cpu" (torch's CPU generator, as diffusers; the default),
    /// "nv" (A1111's Philox imitation of CUDA) or "portable" (this project's own). Absent: "cpu".</summary>
    public string? Rng { get; init; }

    public int Count { get; init; } = 1;

    /// <summary>Output size; absent = the first control map's size.</summary>
    public int? Width { get; init; }

    public int? Height { get; init; }

    public string Model { get; init; } = "sd15";

    /// <summary>The units as written: <see cref="Controls"/>, or the shorthand expanded to one unit per named ControlNet.</summary>
    public List<ControlUnitRequest> UnitRequests() => Controls ?? (ControlNets ?? ["canny"]).Select(net => new ControlUnitRequest
    {
        Model = net,
        Extractor = Control ?? "canny",
        Parameters = ControlParameters,
        Scale = ControlScale ?? 1.0,
    }).ToList();

    /// <summary>Whether any single-control shorthand field is set.</summary>
    [JsonIgnore]
    public bool UsesShorthand => Control is not null || ControlParameters is not null || ControlNets is not null || ControlScale is not null;

    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        // Enumerations travel as names ("balanced", "user"), never numbers.
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }

    /// <summary>Parses a job document; malformed JSON or unknown fields become one actionable error.</summary>
    public static JobRequest Parse(string json, string what = "the job document")
    {
        try
        {
            return JsonSerializer.Deserialize<JobRequest>(json, JsonOptions)
                ?? throw new JobValidationException([$"{what} is 'null'; expected a JSON object."]);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw new JobValidationException([$"{what} is not valid JSON{where}: {e.Message}"]);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>
/// One ControlNet of a job, as diffusers' Multi-ControlNet and the A1111 extension's units: its own net, its own
/// control map (from the job's input or its own), its own strength and window. Fields left out take the job's.
/// </summary>
public sealed record ControlUnitRequest
{
    /// <summary>ControlNet folder name under models/controlnet/.</summary>
    public string Model { get; init; } = "canny";

    /// <summary>Control-map extractor; "none" = the unit's input already is a control map.</summary>
    public string Extractor { get; init; } = "canny";

    public Dictionary<string, string>? Parameters { get; init; }

    /// <summary>Another blob in 'inputs' to make this unit's map from; absent = the job's input.</summary>
    public string? Input { get; init; }

    public double Scale { get; init; } = 1.0;

    /// <summary>Absent = the job's <see cref="JobRequest.ControlMode"/>.</summary>
    public string? Mode { get; init; }

    public double? GuidanceStart { get; init; }

    public double? GuidanceEnd { get; init; }
}

/// <summary>Every problem with a job, listed at once, so a user fixes them in one go. One problem reads as one line; several as a list.</summary>
public sealed class JobValidationException(IReadOnlyList<string> errors)
    : InvalidInputException(errors.Count == 1 ? "The job is invalid: " + errors[0] : "The job is invalid:\n  - " + string.Join("\n  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
