using System.Collections.Concurrent;
using System.Diagnostics;

namespace ControlNet.Workflow.Generation;

/// <summary>Time spent inside activities per job, so `bench workflow` can subtract it from job wall time.</summary>
public sealed class ActivityTimings
{
    private readonly ConcurrentDictionary<string, long> _ticksByJob = new(StringComparer.Ordinal);

    public async Task<T> MeasureAsync<T>(string jobId, Func<Task<T>> activity)
    {
        var start = Stopwatch.GetTimestamp();
        try { return await activity(); }
        finally { _ticksByJob.AddOrUpdate(jobId, _ => Elapsed(start), (_, t) => t + Elapsed(start)); }
    }

    public TimeSpan Total(string jobId) =>
        _ticksByJob.TryGetValue(jobId, out var ticks) ? TimeSpan.FromTicks(ticks) : TimeSpan.Zero;

    private static long Elapsed(long start) => Stopwatch.GetElapsedTime(start).Ticks;
}
