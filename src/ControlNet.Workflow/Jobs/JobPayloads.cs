using ControlNet.Workflow.Generation;

namespace ControlNet.Workflow.Jobs;

// What travels through durable history: blob names and parameters, never image bytes (docs/architecture.md, "Durable history").

/// <summary>Make unit <paramref name="Unit"/>'s control map of a job (the job travels normalized; the activity re-validates it).</summary>
public sealed record ExtractControlMapInput(string JobId, int Unit, JobRequest Job);

/// <summary>A control map written to outputs/&lt;jobId&gt;/control-&lt;unit&gt;.png, pinned by its ETag.</summary>
public sealed record ControlMapResult(int Unit, string Blob, string ETag, int Width, int Height, double ExtractMs);

public sealed record GenerateImageInput(string JobId, int Index, JobRequest Job, List<ControlMapResult> ControlMaps, long Seed, int Width, int Height);

/// <param name="Models">The model files used (fingerprints, scheduler), reported by image 0 only: history stays small.</param>
/// <param name="Reused">The image was found already written by this job (a retry after a crash) and not generated again.</param>
public sealed record GeneratedImage(int Index, string Blob, long Seed, double GenerateMs, double UploadMs, ModelsUsed? Models = null, bool Reused = false);

public sealed record WriteManifestInput(string JobId, JobRequest Job, string EffectivePrompt, List<ControlMapResult> ControlMaps,
    List<GeneratedImage> Images, DateTime StartedUtc, bool RandomSeed, StageTimes Stages);

/// <summary>Wall time of each stage as the orchestration saw it (activity time plus queueing), in milliseconds.</summary>
public sealed record StageTimes(double ExtractMs, double GenerateMs);

/// <param name="InputError">True when the user can fix the cause (bad parameters, unreadable image, unknown model).</param>
public sealed record WriteFailureInput(string JobId, string Stage, string Reason, string? Input, DateTime FailedUtc, bool InputError = false);

/// <summary>Output of a completed job.</summary>
/// <param name="ActivityMs">Time spent inside its activities (extract, generate, upload), so a bench can tell orchestration overhead apart.</param>
public sealed record JobResult(string JobId, string Manifest, List<string> ControlMaps, List<string> Images, long Seed, double ActivityMs);

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

/// <summary>Queue mode: the GPU workers' answer for an image was a failure (or never came).</summary>
public sealed class GenerationFailedException(string message, bool inputError) : Exception(message)
{
    public bool InputError { get; } = inputError;
}
