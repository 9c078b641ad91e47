using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace ControlNet.Hosting;

/// <summary>
/// The portable host's queue trigger: one message at a time (so N workers share a queue evenly instead of one
/// hoarding a batch), kept invisible while it is handled by renewing its visibility, deleted when handled. A handler
/// that throws leaves the message to reappear after the visibility timeout; a worker killed mid-message does the
/// same, so another worker takes it over. On its delivery after <paramref name="maxDequeueCount"/> failed ones the
/// message goes to <paramref name="onPoison"/> instead, as the Functions host moves it to the poison queue.
/// </summary>
public sealed class QueueListener(QueueClient queue, Func<string, CancellationToken, Task> handle, Func<string, Task> onPoison,
    ILogger logger, TimeSpan visibility, TimeSpan poll, int maxDequeueCount)
{
    public int Handled => Volatile.Read(ref _handled);
    private int _handled;

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            QueueMessage? message;
            try { message = (await queue.ReceiveMessageAsync(visibility, ct)).Value; }
            catch (OperationCanceledException) { return; }
            catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException)
            {
                logger.LogWarning("Queue {Queue} not reachable ({Message}); retrying.", queue.Name, e.Message);
                await DelayAsync(poll * 4, ct);
                continue;
            }
            if (message is null)
            {
                await DelayAsync(poll, ct);
                continue;
            }
            await HandleAsync(message, ct);
        }
    }

    private async Task HandleAsync(QueueMessage message, CancellationToken ct)
    {
        var receipt = message.PopReceipt;
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = Task.Run(async () =>
        {
            while (!renewing.IsCancellationRequested)
            {
                await DelayAsync(visibility / 3, renewing.Token);
                if (renewing.IsCancellationRequested) return;
                try { receipt = (await queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: visibility, cancellationToken: renewing.Token)).Value.PopReceipt; }
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning("Could not extend message {Id}: {Message}", message.MessageId, e.Message); }
            }
        });
        try
        {
            if (message.DequeueCount > maxDequeueCount)
            {
                logger.LogError("Message {Id} on {Queue} failed {Count} times; handing it to the poison handler.", message.MessageId, queue.Name, maxDequeueCount);
                await onPoison(message.Body.ToString());
            }
            else await handle(message.Body.ToString(), ct);
            renewing.Cancel();
            await renewal;
            await queue.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None);
            Interlocked.Increment(ref _handled);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogError(e, "Message {Id} on {Queue} failed (delivery {Count} of {Max}); it is delivered again after {Visibility}.",
                message.MessageId, queue.Name, message.DequeueCount, maxDequeueCount, visibility);
        }
        finally
        {
            renewing.Cancel();
            try { await renewal; } catch (OperationCanceledException) { }
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try { await Task.Delay(delay, ct); }
        catch (OperationCanceledException) { }
    }
}
