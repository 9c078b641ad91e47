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
/// Every blob ends in exactly one of: a job, a failed.json with the reason, or a logged and counted skip (done
/// before, or uploaded by a submitter that starts its own job). A blob whose handling throws is tried again on the
/// next polls and, after <see cref="MaxAttempts"/> failures, gets a failed.json; it never stops the others.
/// </summary>
public sealed class InputWatcher(PortableHost host, ILogger logger, string? prefix = null, int pageSize = 1000, int pagesPerPoll = 5,
    int rememberedBlobs = 100_000)
{
    public const int MaxAttempts = 3;

    private readonly RecentSet _handled = new(rememberedBlobs);
    private readonly Dictionary<string, int> _failedAttempts = new(StringComparer.Ordinal);
    private string? _continuation;

    /// <summary>What became of the blobs seen so far, by outcome.</summary>
    public WatcherCounts Counts { get; } = new();

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
                    await FailedAttemptAsync(blob, e, ct);
                }
            }
            _continuation = next;
            if (next is null) break; // the end of the listing: the next poll starts over, seeing new uploads
        }
        return started;
    }

    private async Task FailedAttemptAsync(StoredBlob blob, Exception e, CancellationToken ct)
    {
        var jobId = BlobNames.JobIdForBlob(blob.Name, blob.ETag);
        int attempts = _failedAttempts[jobId] = _failedAttempts.GetValueOrDefault(jobId) + 1;
        Counts.Errors++;
        if (attempts < MaxAttempts)
        {
            logger.LogWarning(e, "Could not start a job for input blob {Blob} (attempt {Attempt} of {Max}); trying again on the next poll.",
                blob.Name, attempts, MaxAttempts);
            return;
        }
        _failedAttempts.Remove(jobId);
        logger.LogError(e, "Giving up on input blob {Blob} after {Max} attempts; its failed.json says why.", blob.Name, MaxAttempts);
        try
        {
            var rejected = await host.Submitter.RejectBlobAsync(blob, jobId, [$"no job could be started for this upload: {e.Message}"], ct);
            _handled.Add(jobId);
            Counts.Rejected++;
            JobSubmitted?.Invoke(blob, rejected);
        }
        catch (Exception writeFailure) when (writeFailure is not OperationCanceledException)
        {
            logger.LogError(writeFailure, "Could not write failed.json for {Blob}; it is tried again on the next poll.", blob.Name);
        }
    }

    private async Task HandleAsync(StoredBlob blob, List<SubmitResult> started, CancellationToken ct)
    {
        var jobId = BlobNames.JobIdForBlob(blob.Name, blob.ETag);
        if (_handled.Contains(jobId)) return;
        if (await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Failed(jobId), ct))
        {
            _handled.Add(jobId); // rejected or failed before (perhaps by an earlier process): nothing to redo
            Counts.DoneBefore++;
            logger.LogDebug("Skipping {Blob}: it failed before (outputs/{JobId}/failed.json).", blob.Name, jobId);
            return;
        }
        if (BlobNames.Check(blob.Name, "input") is { Count: > 0 } nameProblems)
        {
            // Not silently ignored: the upload gets a failed.json saying why (the derived job id is always safe).
            var rejected = await host.Submitter.RejectBlobAsync(blob, jobId, nameProblems, ct);
            _handled.Add(jobId);
            Counts.Rejected++;
            JobSubmitted?.Invoke(blob, rejected);
            return;
        }
        if (Workflow.Jobs.BlobJobParameters.IsSubmittedExplicitly(blob))
        {
            _handled.Add(jobId);
            Counts.SubmittedElsewhere++;
            logger.LogDebug("Skipping {Blob}: uploaded by {Submitter}, which starts its own job.", blob.Name, blob.Metadata[Workflow.Jobs.BlobJobParameters.SubmittedByKey]);
            return;
        }
        if (await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Manifest(jobId), ct))
        {
            _handled.Add(jobId);
            Counts.DoneBefore++;
            logger.LogDebug("Skipping {Blob}: its job {JobId} completed before.", blob.Name, jobId);
            return;
        }
        var result = await host.Submitter.SubmitUploadAsync(blob, ct);
        _failedAttempts.Remove(jobId);
        // Pending: claimed by a submitter that may have died; look again on the next scan (the claim expires).
        if (result.Outcome != SubmitOutcome.Pending) _handled.Add(jobId);
        switch (result.Outcome)
        {
            case SubmitOutcome.Started: started.Add(result); Counts.Started++; break;
            case SubmitOutcome.Rejected: Counts.Rejected++; break;
            case SubmitOutcome.AlreadyExists: Counts.DoneBefore++; break;
            case SubmitOutcome.Skipped: Counts.Waiting++; break;
        }
        logger.LogInformation("{Blob} -> job {JobId}: {Outcome}{Reason}", blob.Name, result.JobId, result.Outcome, result.Reason is null ? "" : " (" + result.Reason + ")");
        JobSubmitted?.Invoke(blob, result);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}

/// <summary>How many blobs the watcher took each way (each blob version counts once).</summary>
public sealed class WatcherCounts
{
    public int Started { get; internal set; }
    /// <summary>Got a failed.json instead of a job (unusable name, unreadable metadata, repeated errors).</summary>
    public int Rejected { get; internal set; }
    /// <summary>Skipped: their job completed or failed before.</summary>
    public int DoneBefore { get; internal set; }
    /// <summary>Skipped: uploaded by `controlnet run` or the HTTP API, which start their own job.</summary>
    public int SubmittedElsewhere { get; internal set; }
    /// <summary>Skipped for now: a job sidecar before its image, an image waiting for its sidecar.</summary>
    public int Waiting { get; internal set; }
    /// <summary>Attempts that threw (each retried, then rejected).</summary>
    public int Errors { get; internal set; }

    public override string ToString() =>
        $"{Started} started, {Rejected} rejected, {DoneBefore} done before, {SubmittedElsewhere} submitted elsewhere, {Waiting} waiting for a pair, {Errors} errors";
}
