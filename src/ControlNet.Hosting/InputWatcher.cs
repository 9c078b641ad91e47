using ControlNet.Workflow;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.Logging;

namespace ControlNet.Hosting;

/// <summary>
/// The portable host's blob trigger: lists the inputs container and starts a job for every blob version not
/// seen yet. Exactly once per blob version: the job id comes from name + ETag, and <see cref="JobSubmitter"/>
/// starts nothing for an id that exists; versions with a manifest or failed.json are skipped without asking the
/// backend, so a restart on the in-memory backend does not redo finished work either.
/// </summary>
public sealed class InputWatcher(PortableHost host, ILogger logger, string? prefix = null)
{
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);

    public event Action<StoredBlob, SubmitResult>? JobSubmitted;

    public async Task RunAsync(TimeSpan pollInterval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(pollInterval);
        do
        {
            try { await ScanOnceAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) { logger.LogWarning(e, "Scanning the inputs container failed; retrying on the next poll."); }
        }
        while (await WaitAsync(timer, ct));
    }

    /// <summary>One pass over the container; returns the jobs it started.</summary>
    public async Task<IReadOnlyList<SubmitResult>> ScanOnceAsync(CancellationToken ct)
    {
        var started = new List<SubmitResult>();
        await foreach (var blob in host.Blobs.ListAsync(StoreContainer.Inputs, prefix, ct))
        {
            var jobId = BlobNames.JobIdForBlob(blob.Name, blob.ETag);
            if (_handled.Contains(jobId)) continue;
            if (await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Failed(jobId), ct))
            {
                _handled.Add(jobId); // rejected or failed before (perhaps by an earlier process): nothing to redo
                continue;
            }
            if (BlobNames.Check(blob.Name, "input") is { Count: > 0 } nameProblems)
            {
                // Not silently ignored: the upload gets a failed.json saying why (the derived job id is always safe).
                var rejected = await host.Submitter.RejectBlobAsync(blob, jobId, nameProblems, ct);
                _handled.Add(jobId);
                JobSubmitted?.Invoke(blob, rejected);
                continue;
            }
            if (Workflow.Jobs.BlobJobParameters.IsSubmittedExplicitly(blob)
                || await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Manifest(jobId), ct))
            {
                _handled.Add(jobId);
                continue;
            }
            var result = await host.Submitter.SubmitBlobAsync(blob, ct);
            // Pending: claimed by a submitter that may have died; look again on the next scan (the claim expires).
            if (result.Outcome != SubmitOutcome.Pending) _handled.Add(jobId);
            if (result.Outcome == SubmitOutcome.Started) started.Add(result);
            JobSubmitted?.Invoke(blob, result);
        }
        return started;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
