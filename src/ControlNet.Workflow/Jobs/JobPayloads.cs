using ControlNet.Workflow.Generation;

namespace ControlNet.Workflow.Jobs;

// What travels through durable history: blob names and parameters, never image bytes (DESIGN §6).

public sealed record ExtractControlMapInput(string JobId, string Input, string Control, Dictionary<string, string> ControlParameters, int Resolution, string? InputETag = null);

/// <summary>A control map written to outputs/&lt;jobId&gt;/control.png.</summary>
public sealed record ControlMapResult(string Blob, int Width, int Height);

public sealed record GenerateImageInput(string JobId, int Index, string ControlMapBlob, GenerationSettings Settings);

public sealed record GeneratedImage(int Index, string Blob, long Seed);

public sealed record WriteManifestInput(string JobId, JobRequest Request, string EffectivePrompt, ControlMapResult ControlMap,
    List<GeneratedImage> Images, DateTime StartedUtc);

public sealed record WriteFailureInput(string JobId, string Stage, string Reason, string? Input, DateTime FailedUtc);

/// <summary>Output of a completed job.</summary>
public sealed record JobResult(string JobId, string Manifest, string ControlMap, List<string> Images);

/// <summary>
/// Custom status of a running job: the stage, images done of N, the outputs written so far, and while
/// generating the latest denoising step reported (image k, step i of N).
/// </summary>
public sealed record JobStatus(string Stage, int ImagesDone, int ImagesTotal, List<string> Outputs, StepProgress? Step = null);

public static class JobStages
{
    public const string Validating = "validating";
    public const string ExtractingControlMap = "extracting-control-map";
    public const string Generating = "generating";
    public const string WritingManifest = "writing-manifest";
    public const string Failed = "failed";
    public const string Completed = "completed";
}

/// <summary>Ends a job as failed once failed.json is written; the message is the reason a person can act on.</summary>
public sealed class JobFailedException(string message) : Exception(message);
