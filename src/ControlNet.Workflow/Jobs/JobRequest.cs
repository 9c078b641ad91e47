using System.Text.Json;
using System.Text.Json.Serialization;
using ControlNet.Core;

namespace ControlNet.Workflow.Jobs;

/// <summary>
/// One generation job as a caller submits it (JSON, camelCase). <see cref="SchemaVersion"/> lets the
/// contract evolve: a document with a version this build does not know is rejected, never guessed at.
/// Optional fields left out take the paper's experiment settings (DDIM, 20 steps, CFG 9.0).
/// </summary>
public sealed record JobRequest
{
    public const int CurrentSchemaVersion = 1;

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

    /// <summary>Control map extractor ("canny", "scribble", …; "none" = the input already is a control map).</summary>
    public string Control { get; init; } = "canny";

    public Dictionary<string, string> ControlParameters { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Short side of the control map before generation (reference annotators' resize rule).</summary>
    public int Resolution { get; init; } = 512;

    /// <summary>"user", "none", "default" ("auto" = BLIP captioning, not in this build). Absent: "user" when a prompt is given, else "default".</summary>
    public string? PromptMode { get; init; }

    public string Prompt { get; init; } = "";

    public string NegativePrompt { get; init; } = "";

    public int Steps { get; init; } = 20;

    public double GuidanceScale { get; init; } = 9.0;

    public double ControlScale { get; init; } = 1.0;

    /// <summary>"balanced", "prompt", "control" or "unbalanced" (DESIGN §4).</summary>
    public string ControlMode { get; init; } = "balanced";

    public double GuidanceStart { get; init; }

    public double GuidanceEnd { get; init; } = 1.0;

    /// <summary>Seed of image 0; image i uses Seed + i. Absent: chosen by the orchestrator (recorded in the manifest).</summary>
    public long? Seed { get; init; }

    public int Count { get; init; } = 1;

    /// <summary>Output size; absent = the control map's size.</summary>
    public int? Width { get; init; }

    public int? Height { get; init; }

    public string Model { get; init; } = "sd15";

    public List<string> ControlNets { get; init; } = ["canny"];

    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        return options;
    }

    /// <summary>Parses a job document; malformed JSON or unknown fields become one actionable error.</summary>
    public static JobRequest Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<JobRequest>(json, JsonOptions)
                ?? throw new JobValidationException(["The job document is 'null'; expected a JSON object."]);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw new JobValidationException([$"The job document is not valid JSON{where}: {e.Message}"]);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>Every problem with a job, listed at once, so a user fixes them in one go.</summary>
public sealed class JobValidationException(IReadOnlyList<string> errors)
    : InvalidInputException("The job is invalid:\n  - " + string.Join("\n  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
