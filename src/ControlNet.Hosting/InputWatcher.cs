using ControlNet.Workflow;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.Logging;

namespace ControlNet.Hosting;

/// <summary>
/// The portable host's blob trigger: lists the inputs container and starts a job for every blob version not
/// seen yet. Exactly once per blob version: the job id comes from name + ETag, and <see cref="JobSubmitter"/>
/// starts nothing for an id that exists; versions with a manifest or failed.json are skipped without asking the
/// backend, so a restart on the in-memory backend does not redo finished work either.
/// Memory stays flat however long it runs: the listing is walked a page at a time (with the prefix, resuming from
/// the continuation token on the next poll), and the handled set is a bounded <see cref="RecentSet"/>.
/// </summary>
public sealed class InputWatcher(PortableHost host, ILogger logger, string? prefix = null, int pageSize = 1000, int pagesPerPoll = 5,
    int rememberedBlobs = 100_000)
{
    private readonly RecentSet _handled = new(rememberedBlobs);
    private string? _continuation;

    /// <summary>Blob versions remembered as handled (bounded by <c>rememberedBlobs</c>).</summary>
    public int Remembered => _handled.Count;

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

    /// <summary>
    /// One poll: up to <c>pagesPerPoll</c> pages of the listing from where the last poll stopped (a container of
    /// any size is covered over successive polls); returns the jobs it started.
    /// </summary>
    public async Task<IReadOnlyList<SubmitResult>> ScanOnceAsync(CancellationToken ct)
    {
        var started = new List<SubmitResult>();
        for (int page = 0; page < pagesPerPoll; page++)
        {
            var (blobs, next) = await host.Blobs.ListPageAsync(StoreContainer.Inputs, prefix, _continuation, pageSize, ct);
            foreach (var blob in blobs)
            {
                // One blob that cannot be handled (storage hiccup, unreadable metadata) must not hold up the rest.
                try { await HandleAsync(blob, started, ct); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not start a job for input blob {Blob}; it is tried again on the next poll.", blob.Name);
                }
            }
            _continuation = next;
            if (next is null) break; // the end of the listing: the next poll starts over, seeing new uploads
        }
        return started;
    }

    private async Task HandleAsync(StoredBlob blob, List<SubmitResult> started, CancellationToken ct)
    {
        var jobId = BlobNames.JobIdForBlob(blob.Name, blob.ETag);
        if (_handled.Contains(jobId)) return;
        if (await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Failed(jobId), ct))
        {
            _handled.Add(jobId); // rejected or failed before (perhaps by an earlier process): nothing to redo
            return;
        }
        if (BlobNames.Check(blob.Name, "input") is { Count: > 0 } nameProblems)
        {
            // Not silently ignored: the upload gets a failed.json saying why (the derived job id is always safe).
            var rejected = await host.Submitter.RejectBlobAsync(blob, jobId, nameProblems, ct);
            _handled.Add(jobId);
            JobSubmitted?.Invoke(blob, rejected);
            return;
        }
        if (Workflow.Jobs.BlobJobParameters.IsSubmittedExplicitly(blob)
            || await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Manifest(jobId), ct))
        {
            _handled.Add(jobId);
            return;
        }
        var result = await host.Submitter.SubmitBlobAsync(blob, ct);
        // Pending: claimed by a submitter that may have died; look again on the next scan (the claim expires).
        if (result.Outcome != SubmitOutcome.Pending) _handled.Add(jobId);
        if (result.Outcome == SubmitOutcome.Started) started.Add(result);
        JobSubmitted?.Invoke(blob, result);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
