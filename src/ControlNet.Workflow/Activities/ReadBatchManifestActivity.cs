using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// Expands a batch manifest into its jobs, each with a deterministic job id (&lt;batchId&gt;-NNNN unless the job
/// names one), so a replayed or re-run batch addresses the same sub-orchestrations.
/// </summary>
public sealed class ReadBatchManifestActivity(BlobStore blobs, WorkflowOptions options) : TaskActivity<BatchInput, List<JobRequest>>
{
    public const string Name = "ReadBatchManifest";

    public override async Task<List<JobRequest>> RunAsync(TaskActivityContext context, BatchInput input)
    {
        var json = await blobs.DownloadAsync(StoreContainer.Batches, input.Manifest);
        var manifest = BatchManifest.Parse(json.ToString(), blobs.Describe(StoreContainer.Batches, input.Manifest));

        List<JobRequest> jobs;
        if (manifest.Jobs is not null)
        {
            jobs = manifest.Jobs;
        }
        else
        {
            var prefix = manifest.InputPrefix!;
            if (prefix.Length > 0) BlobNames.Require(prefix.TrimEnd('/') + "/x", "inputPrefix");
            var defaults = manifest.Defaults ?? new JobRequest();
            jobs = [];
            await foreach (var blob in blobs.ListAsync(StoreContainer.Inputs, prefix))
            {
                jobs.Add(defaults with { Input = blob.Name, JobId = null });
                if (jobs.Count > options.MaxBatchJobs) break;
            }
            if (jobs.Count == 0)
                throw new ControlNet.Core.InvalidInputException($"No input blobs start with '{prefix}' in '{blobs.Containers.Inputs}'.");
        }
        if (jobs.Count > options.MaxBatchJobs)
            throw new ControlNet.Core.InvalidInputException($"The batch has more than {options.MaxBatchJobs} jobs; split it into several batches.");
        return jobs.Select((job, i) => job with { JobId = job.JobId ?? $"{input.BatchId}-{i:D4}" }).ToList();
    }
}
