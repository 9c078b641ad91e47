using System.Diagnostics;
using System.Text.Json;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Cli.Commands;

/// <summary>
/// A job's status line from its durable custom status. On a terminal: "generating image 1/2, step 7/20, ETA 4 s"
/// (1-based, redrawn in place). Piped: only the stage ("generating 2 image(s)"), so a log gets a line per stage.
/// </summary>
internal sealed class JobProgress(bool interactive)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private string? _stage;
    private TimeSpan _stageStarted;

    public string Describe(string? customStatus)
    {
        var status = customStatus is null ? null : JsonSerializer.Deserialize<JobStatus>(customStatus, JobRequest.JsonOptions);
        if (status is null) return "queued";
        if (status.Stage != _stage) { _stage = status.Stage; _stageStarted = _watch.Elapsed; }
        if (!interactive || status.Stage != JobStages.Generating)
            return status.Stage == JobStages.Generating ? $"{status.Stage} {status.ImagesTotal} image(s)" : status.Stage;
        if (status.Step is not { } step)
            return $"{status.Stage} image {Math.Min(status.ImagesDone + 1, status.ImagesTotal)}/{status.ImagesTotal}";
        // Steps done over the whole job (images run one at a time per worker) give the rate and the ETA.
        int total = status.ImagesTotal * step.Steps, done = status.ImagesDone * step.Steps + (step.Image >= status.ImagesDone ? step.Step : 0);
        var elapsed = (_watch.Elapsed - _stageStarted).TotalSeconds;
        var eta = done > 0 ? $", ETA {ProgressReporter.Duration(elapsed / done * (total - done))}" : "";
        return $"{status.Stage} image {step.Image + 1}/{status.ImagesTotal}, step {step.Step}/{step.Steps}{eta}";
    }
}
