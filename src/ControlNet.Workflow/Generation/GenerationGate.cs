namespace ControlNet.Workflow.Generation;

/// <summary>
/// Bounds how many Generate activities run at once in this process (a GPU runs one at a time),
/// however many the durable backend dispatches. One instance per process (a DI singleton).
/// </summary>
public sealed class GenerationGate(WorkflowOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.GenerationConcurrency, options.GenerationConcurrency);

    public int Limit { get; } = options.GenerationConcurrency;

    public async Task<T> RunAsync<T>(Func<Task<T>> generate, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            return await generate();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
