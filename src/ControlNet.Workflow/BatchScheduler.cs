using ControlNet.Workflow.Storage;

namespace ControlNet.Workflow;

/// <summary>
/// Starts the batch manifests waiting in <c>batches/</c> — the scheduled-batch use case: drop <c>batches/&lt;id&gt;.json</c>
/// during the day, a timer starts it at night. A manifest is waiting while it has no result, no start claim and no
/// instance; <see cref="JobSubmitter.SubmitBatchAsync"/> claims the start (a live claim is respected, one left by a
/// starter that died expires), so concurrent or repeated timers start it once.
/// </summary>
public sealed class BatchScheduler(BlobStore blobs, JobSubmitter submitter)
{
    /// <summary>Starts every waiting manifest; returns the batch ids started now.</summary>
    public async Task<List<string>> StartPendingAsync(CancellationToken ct = default)
    {
        var started = new List<string>();
        await foreach (var blob in blobs.ListAsync(StoreContainer.Batches, ct: ct))
        {
            if (ManifestBatchId(blob.Name) is not { } batchId) continue;
            if (await blobs.ExistsAsync(StoreContainer.Batches, BlobNames.BatchResult(batchId), ct)) continue;
            var result = await submitter.SubmitBatchAsync(batchId, blob.Name, ct);
            if (result.Outcome == SubmitOutcome.Started) started.Add(batchId);
        }
        return started;
    }

    /// <summary>"nightly.json" → "nightly"; null for the batch's own files (results, job lists, outcomes) and for
    /// names that cannot be a batch id.</summary>
    public static string? ManifestBatchId(string name)
    {
        if (!name.EndsWith(".json", StringComparison.Ordinal) || name.Contains('/')) return null;
        var id = name[..^".json".Length];
        if (id.EndsWith(".result", StringComparison.Ordinal) || id.EndsWith(".jobs", StringComparison.Ordinal)) return null;
        return BlobNames.CheckJobId(id).Count == 0 && id.Length <= JobSubmitter.MaxBatchIdLength ? id : null;
    }
}
