using System.Diagnostics;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace ControlNet.Workflow.Generation;

/// <summary>Denoising progress of one image of a job: step <see cref="Step"/> of <see cref="Steps"/>.</summary>
public sealed record StepProgress(int Image, int Step, int Steps);

/// <summary>
/// Carries denoising steps from a running GenerateImage activity to its job's orchestration as the external
/// event <see cref="EventName"/>, which puts them in the durable custom status — visible to every client, in
/// any process. An activity cannot set its orchestration's status itself, and one event per step would grow
/// history and cost a replay each, so reports are throttled: at most one per interval, plus the last step.
/// Raising is fire-and-forget: progress must never fail or slow a generation.
/// </summary>
public sealed class StepEventReporter(DurableTaskClient client, string jobId, int image, int steps, TimeSpan interval, ILogger? logger = null)
    : IProgress<int>
{
    public const string EventName = "step-progress";

    private long _lastReport;

    public void Report(int step)
    {
        long now = Stopwatch.GetTimestamp();
        if (step < steps && _lastReport != 0 && Stopwatch.GetElapsedTime(_lastReport, now) < interval) return;
        _lastReport = now;
        _ = RaiseAsync(new StepProgress(image, step, steps));
    }

    private async Task RaiseAsync(StepProgress progress)
    {
        try
        {
            await client.RaiseEventAsync(jobId, EventName, progress);
        }
        catch (Exception e)
        {
            logger?.LogDebug(e, "Step progress for job {JobId} was not delivered.", jobId);
        }
    }
}
