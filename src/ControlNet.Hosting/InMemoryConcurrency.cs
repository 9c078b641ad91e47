using DurableTask.Core;

namespace ControlNet.Hosting;

/// <summary>
/// The in-memory backend allows as many orchestration and activity work items in flight as the machine has
/// cores, and the sidecar then polls every 500 ms for a free slot. With generations waiting their turn at the
/// generation gate (each holding a slot), a 2-core machine ran 50 concurrent jobs about five times slower than
/// the Azure Storage backend. Orchestration steps are cheap and generation is bounded by the gate anyway, so
/// the embedded host allows more of both in flight.
/// </summary>
internal sealed class InMemoryConcurrency(IOrchestrationService inner, int orchestrations, int activities)
    : DelegatingOrchestrationService(inner)
{
    public override int MaxConcurrentTaskOrchestrationWorkItems => orchestrations;
    public override int MaxConcurrentTaskActivityWorkItems => activities;
}
