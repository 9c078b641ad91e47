namespace ControlNet.Workflow.Generation;

/// <summary>
/// Bounds how many Generate activities run at once in this process (DESIGN §7: a GPU runs one at a time),
/// however many the durable backend dispatches. One instance per process (a DI singleton).
/// </summary>
public sealed class GenerationGate(WorkflowOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.GenerationConcurrency, options.GenerationConcurrency);
    private int _running;
    private int _peak;

    public int Limit { get; } = options.GenerationConcurrency;

    /// <summary>Most generations seen running at the same time since start-up.</summary>
    public int PeakConcurrency => Volatile.Read(ref _peak);

    public async Task<T> RunAsync<T>(Func<Task<T>> generate, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            var running = Interlocked.Increment(ref _running);
            int peak;
            while (running > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, running, peak) != peak) { }
            return await generate();
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
