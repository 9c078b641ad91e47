using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.Logging;

namespace ControlNet.Hosting;

/// <summary>
/// Sits between the in-process gRPC sidecar (<c>TaskHubGrpcServer</c>) and a DTFx storage backend such as
/// <c>AzureStorageOrchestrationService</c>, fixing what the sidecar hands over that a serializing backend cannot
/// store (both measured; docs/architecture.md, "Portable host"):
/// <list type="bullet">
/// <item>the sidecar copies a sub-orchestration's tags as a protobuf <c>MapField</c> into
///   <see cref="ExecutionStartedEvent.Tags"/>; DTFx's JSON message serializer fails on it → a plain dictionary;</item>
/// <item>it records its own subclass of <see cref="SubOrchestrationInstanceCreatedEvent"/> in history, which the
///   history table cannot read back → the base event with the same fields.</item>
/// </list>
/// It also renews the lock of every activity work item while it runs: the sidecar never renews, so an activity
/// longer than the queue's visibility timeout (a queued GPU generation) would otherwise be run a second time.
/// </summary>
internal sealed class SidecarStorageAdapter(IOrchestrationService inner, TimeSpan renewInterval, ILogger logger)
    : DelegatingOrchestrationService(inner), IAsyncDisposable
{
    private readonly ConcurrentDictionary<TaskActivityWorkItem, CancellationTokenSource> _renewals = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _stopLock = new();
    private Task? _stopped;

    public override async Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState, IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        foreach (var message in orchestratorMessages.Append(continuedAsNewMessage))
        {
            if (message?.Event is ExecutionStartedEvent { Tags: not null and not Dictionary<string, string> } started)
                started.Tags = new Dictionary<string, string>(started.Tags);
        }
        ReplaceGrpcEvents(newOrchestrationRuntimeState.Events);
        ReplaceGrpcEvents(newOrchestrationRuntimeState.NewEvents);
        await Inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages,
            orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    private static void ReplaceGrpcEvents(IList<HistoryEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = new SubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                    ClientSpanId = created.ClientSpanId,
                    Tags = created.Tags is null ? null : new Dictionary<string, string>(created.Tags),
                    Timestamp = created.Timestamp,
                    IsPlayed = created.IsPlayed,
                };
            }
        }
    }

    public override async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await Inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (workItem is not null && !_stopping.IsCancellationRequested)
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _renewals[workItem] = cts;
            _ = RenewUntilDoneAsync(workItem, cts.Token);
        }
        return workItem!;
    }

    private async Task RenewUntilDoneAsync(TaskActivityWorkItem workItem, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(renewInterval, done);
                await Inner.RenewTaskActivityWorkItemLockAsync(workItem);
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // One failed renewal is not the end: keep trying, the lock still has the rest of its timeout.
                logger.LogWarning(e, "Could not renew the lock of activity work item {WorkItem}; retrying at the next interval.", workItem.Id);
            }
        }
    }

    private void StopRenewing(TaskActivityWorkItem workItem)
    {
        if (_renewals.TryRemove(workItem, out var cts)) { cts.Cancel(); cts.Dispose(); }
    }

    public override async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        StopRenewing(workItem);
        await Inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    public override async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        StopRenewing(workItem);
        await Inner.AbandonTaskActivityWorkItemAsync(workItem);
    }

    /// <summary>Stops every renewal, so the backend hands unfinished activities to the next host after the visibility timeout.</summary>
    public ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        foreach (var workItem in _renewals.Keys.ToList()) StopRenewing(workItem);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Stops the backend once. Both the host (to release leases promptly) and the sidecar's shutdown hook call
    /// this; DTFx's StopAsync is not safe to run twice, and the sidecar calls it from a fire-and-forget
    /// callback where an exception would crash the process.
    /// </summary>
    public override Task StopAsync(bool isForced)
    {
        lock (_stopLock) return _stopped ??= StopInnerAsync(isForced);
    }

    private async Task StopInnerAsync(bool isForced)
    {
        try { await Inner.StopAsync(isForced); }
        catch (Exception e) { logger.LogWarning(e, "Stopping the Azure Storage backend failed; its leases expire on their own."); }
    }

    public override Task StopAsync() => StopAsync(isForced: false);
}
