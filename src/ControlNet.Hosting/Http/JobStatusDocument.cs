using ControlNet.Workflow.Jobs;
using Microsoft.DurableTask.Client;

namespace ControlNet.Hosting.Http;

/// <summary>The body of <c>GET /api/jobs/{id}</c>.</summary>
public sealed record JobStatusDocument(
    string Id,
    string Status,
    string? Stage,
    JobProgressDocument Progress,
    string? Input,
    IReadOnlyList<OutputLink> Outputs,
    string? ManifestUrl,
    string? Error);

/// <summary>Image k (1-based) of N and, while it denoises, step i of M.</summary>
public sealed record JobProgressDocument(int Image, int Images, int? Step, int? Steps);

public sealed record OutputLink(string Name, string Url);

public static class JobStatuses
{
    /// <summary>The API's status words for the durable runtime status.</summary>
    public static string Name(OrchestrationRuntimeStatus status) => status switch
    {
        OrchestrationRuntimeStatus.Pending => "pending",
        OrchestrationRuntimeStatus.Completed => "completed",
        OrchestrationRuntimeStatus.Failed => "failed",
        OrchestrationRuntimeStatus.Terminated => "terminated",
        _ => "running", // Running, Suspended, ContinuedAsNew
    };

    /// <summary>Progress from the job's custom status: images done (or the one denoising) and its step.</summary>
    public static JobProgressDocument Progress(JobStatus? status)
    {
        if (status is null) return new JobProgressDocument(0, 0, null, null);
        if (status.Step is { } step && status.Stage == JobStages.Generating)
            return new JobProgressDocument(step.Image + 1, status.ImagesTotal, step.Step, step.Steps);
        return new JobProgressDocument(status.ImagesDone, status.ImagesTotal, null, null);
    }
}
