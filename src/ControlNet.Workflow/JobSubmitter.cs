using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Orchestrators;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow;

public enum SubmitOutcome
{
    /// <summary>A new job instance was scheduled.</summary>
    Started,
    /// <summary>An instance with this job id exists (running or finished): nothing was started.</summary>
    AlreadyExists,
    /// <summary>
    /// Another submitter claimed this job id moments ago and is starting it (or died doing so: then the claim
    /// goes stale after <see cref="WorkflowOptions.SubmitClaimTimeout"/> and a later submission takes over).
    /// </summary>
    Pending,
    /// <summary>The job could not be described at all (e.g. unreadable blob metadata); failed.json says why.</summary>
    Rejected,
    /// <summary>An upload that starts no job by itself: a sidecar before its image, an image waiting for its sidecar.</summary>
    Skipped,
}

public sealed record SubmitResult(string JobId, SubmitOutcome Outcome, string? Reason = null);

/// <summary>
/// Starts jobs exactly once per job id. Used by every way in (CLI run, blob watcher, HTTP, timer): validates
/// what a caller can fix before anything is scheduled, and de-duplicates on the instance id.
/// </summary>
public sealed class JobSubmitter(DurableTaskClient client, BlobStore blobs, WorkflowOptions options)
{
    private static readonly OrchestrationRuntimeStatus[] AnyStatus = Enum.GetValues<OrchestrationRuntimeStatus>();
    // Within a host, racing deliveries are serialised here (cheaper than racing on the claim blob); across
    // hosts and processes the submitted.json claim decides (the backends' own dedupe does not, measured).
    private readonly SemaphoreSlim _startLock = new(1, 1);

    /// <summary>Validates and schedules; throws <see cref="JobValidationException"/> for a rejected submission.</summary>
    public async Task<SubmitResult> SubmitAsync(JobRequest request, CancellationToken ct = default)
    {
        var job = JobValidator.Validate(request, options.Limits);
        return await StartOnceAsync(GenerateJobOrchestrator.Name, job.JobId, job.Request with { JobId = job.JobId }, ct);
    }

    /// <summary>
    /// Starts the job for one uploaded input blob version. The same blob event delivered twice (or re-seen after a
    /// restart) maps to the same job id and starts nothing the second time. Validation problems do not reject
    /// here: the orchestration records them in failed.json, as there is no caller to answer.
    /// </summary>
    public async Task<SubmitResult> SubmitBlobAsync(StoredBlob blob, CancellationToken ct = default)
    {
        var jobId = BlobNames.JobIdForBlob(blob.Name, blob.ETag);
        if (await client.GetInstanceAsync(jobId, getInputsAndOutputs: false, ct) is not null)
            return new SubmitResult(jobId, SubmitOutcome.AlreadyExists);
        JobRequest request;
        try
        {
            request = BlobJobParameters.FromMetadata(blob);
        }
        catch (JobValidationException e)
        {
            return await RejectBlobAsync(blob, jobId, e.Errors, ct);
        }
        return await StartOnceAsync(GenerateJobOrchestrator.Name, jobId, request, ct);
    }

    /// <summary>Suffix of a job sidecar: <c>inputs/&lt;image&gt;.json</c> holds the job document for <c>inputs/&lt;image&gt;</c>.</summary>
    public const string SidecarSuffix = ".json";

    /// <summary>Image metadata asking to wait for its sidecar rather than start a job from its metadata at once.</summary>
    public const string WaitForSidecarKey = "waitForSidecar";

    /// <summary>
    /// An upload to <c>inputs</c> as the blob trigger and the watcher see it. An image's job comes from its sidecar
    /// <c>&lt;name&gt;.json</c> when that exists (the sidecar wins; the image's metadata is then ignored), else from its
    /// metadata. Whichever of the pair is seen second with both present starts the job, under the image's id, so the
    /// pair starts one job whatever the order of their events. A sidecar uploaded after its image already started
    /// a job changes nothing — unless the image carries metadata <c>waitForSidecar=true</c>, which holds it until
    /// the sidecar arrives.
    /// </summary>
    public async Task<SubmitResult> SubmitUploadAsync(StoredBlob blob, CancellationToken ct = default)
    {
        if (blob.Name.EndsWith(SidecarSuffix, StringComparison.OrdinalIgnoreCase))
        {
            var imageName = blob.Name[..^SidecarSuffix.Length];
            var image = await blobs.GetPropertiesAsync(StoreContainer.Inputs, imageName, ct);
            if (image is null)
                return new SubmitResult(BlobNames.JobIdForBlob(blob.Name, blob.ETag), SubmitOutcome.Skipped,
                    $"job sidecar of '{imageName}', which is not uploaded yet: the job starts when it is");
            return await SubmitWithSidecarAsync(image, blob, ct);
        }
        var sidecar = await blobs.GetPropertiesAsync(StoreContainer.Inputs, blob.Name + SidecarSuffix, ct);
        if (sidecar is not null) return await SubmitWithSidecarAsync(blob, sidecar, ct);
        if (blob.Metadata.TryGetValue(WaitForSidecarKey, out var wait) && string.Equals(wait, "true", StringComparison.OrdinalIgnoreCase))
            return new SubmitResult(BlobNames.JobIdForBlob(blob.Name, blob.ETag), SubmitOutcome.Skipped,
                $"waits for its job sidecar '{blob.Name}{SidecarSuffix}'");
        return await SubmitBlobAsync(blob, ct);
    }

    private async Task<SubmitResult> SubmitWithSidecarAsync(StoredBlob image, StoredBlob sidecar, CancellationToken ct)
    {
        var jobId = BlobNames.JobIdForBlob(image.Name, image.ETag);
        if (await client.GetInstanceAsync(jobId, getInputsAndOutputs: false, ct) is not null)
            return new SubmitResult(jobId, SubmitOutcome.AlreadyExists);
        JobRequest request;
        try
        {
            var text = await blobs.DownloadVersionAsync(StoreContainer.Inputs, sidecar.Name, sidecar.ETag, ct);
            request = JobRequest.Parse(text.ToString(), $"job sidecar '{blobs.Describe(StoreContainer.Inputs, sidecar.Name)}'")
                with { JobId = jobId, Input = image.Name, InputETag = image.ETag };
        }
        catch (JobValidationException e)
        {
            return await RejectBlobAsync(image, jobId, e.Errors, ct);
        }
        return await StartOnceAsync(GenerateJobOrchestrator.Name, jobId, request, ct);
    }

    /// <summary>Records why an uploaded blob starts no job: outputs/&lt;jobId&gt;/failed.json, the input untouched.</summary>
    public async Task<SubmitResult> RejectBlobAsync(StoredBlob blob, string jobId, IReadOnlyList<string> problems, CancellationToken ct = default)
    {
        var reason = string.Join(" ", problems);
        var failure = new { jobId, status = JobStages.Failed, stage = JobStages.Validating, reason, cause = "input", input = $"{blobs.Containers.Inputs}/{blob.Name}" };
        await blobs.UploadAsync(StoreContainer.Outputs, BlobNames.Failed(jobId), BinaryData.FromObjectAsJson(failure, JobRequest.JsonOptions), ct: ct);
        return new SubmitResult(jobId, SubmitOutcome.Rejected, reason);
    }

    /// <summary>Leaves room for "-NNNN" within a job id's 80 characters.</summary>
    public const int MaxBatchIdLength = BlobNames.MaxJobIdLength - 5;

    public async Task<SubmitResult> SubmitBatchAsync(string batchId, string manifestBlob, CancellationToken ct = default)
    {
        var errors = BlobNames.CheckJobId(batchId).Concat(BlobNames.Check(manifestBlob, "batch manifest")).ToList();
        if (batchId.Length > MaxBatchIdLength)
            errors.Add($"batch id '{batchId}' is longer than {MaxBatchIdLength} characters (its jobs are named <batchId>-NNNN).");
        if (errors.Count > 0) throw new JobValidationException(errors);
        return await StartOnceAsync(BatchOrchestrator.Name, batchId, new BatchInput(batchId, manifestBlob), ct);
    }

    private async Task<SubmitResult> StartOnceAsync(string orchestrator, string instanceId, object input, CancellationToken ct)
    {
        await _startLock.WaitAsync(ct);
        try
        {
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
                return new SubmitResult(instanceId, SubmitOutcome.AlreadyExists);
            // The backends do not refuse a second start of a running instance id from another host (measured:
            // two hosts on one Azure Storage task hub both "start" it). A conditional blob write does: the
            // submitter that creates submitted.json starts the instance, every other one sees it exists.
            var claimName = BlobNames.Submitted(instanceId);
            var claim = BinaryData.FromObjectAsJson(new { instanceId, orchestrator, input }, JobRequest.JsonOptions);
            if (await blobs.TryClaimAsync(StoreContainer.Outputs, claimName, claim, options.SubmitClaimTimeout, ct) is not { } claimEtag)
            {
                // Claimed by someone else: it may have started the instance by now.
                return await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null
                    ? new SubmitResult(instanceId, SubmitOutcome.AlreadyExists)
                    : new SubmitResult(instanceId, SubmitOutcome.Pending,
                        $"another submitter is starting '{instanceId}' (outputs/{claimName}); if it died, the claim expires after {options.SubmitClaimTimeout.TotalMinutes:0.#} min");
            }
            try
            {
                var startOptions = new StartOrchestrationOptions(instanceId).WithDedupeStatuses(AnyStatus);
                await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, startOptions, CancellationToken.None);
                return new SubmitResult(instanceId, SubmitOutcome.Started);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, CancellationToken.None) is not null)
                    return new SubmitResult(instanceId, SubmitOutcome.AlreadyExists);
                // Nothing started: give the claim back so the next delivery or retry can start the job at once.
                await blobs.DeleteIfUnchangedAsync(StoreContainer.Outputs, claimName, claimEtag, CancellationToken.None);
                throw;
            }
        }
        finally
        {
            _startLock.Release();
        }
    }
}
