using System.Collections.Concurrent;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// Denoising progress of the generations running in this process, for a live progress line. Durable custom
/// status only changes between activities (stage, images done); steps inside an activity are reported here.
/// </summary>
public sealed class JobProgress
{
    private readonly ConcurrentDictionary<string, (int Image, int Step, int Steps)> _byJob = new(StringComparer.Ordinal);

    public void Report(string jobId, int image, int step, int steps) => _byJob[jobId] = (image, step, steps);

    public (int Image, int Step, int Steps)? Get(string jobId) => _byJob.TryGetValue(jobId, out var p) ? p : null;

    public void Clear(string jobId) => _byJob.TryRemove(jobId, out _);
}
