using System.Text.Json;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>
/// Expands a batch manifest into its jobs (written to batches/&lt;id&gt;.jobs.json), each with a deterministic job id (&lt;batchId&gt;-NNNN, or
/// &lt;batchId&gt;-&lt;its own jobId&gt;), so a replayed or re-run batch addresses the same sub-orchestrations.
/// </summary>
public sealed class ReadBatchManifestActivity(BlobStore blobs, WorkflowOptions options) : TaskActivity<BatchInput, int>
{
    public const string Name = "ReadBatchManifest";

    /// <returns>The number of jobs; the jobs themselves go to batches/&lt;id&gt;.jobs.json, not into history.</returns>
    public override async Task<int> RunAsync(TaskActivityContext context, BatchInput input)
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
                jobs.Add(defaults with { Input = blob.Name, InputETag = null, JobId = null });
                if (jobs.Count > options.MaxBatchJobs) break;
            }
            if (jobs.Count == 0)
                throw new ControlNet.Core.InvalidInputException($"No input blobs start with '{prefix}' in '{blobs.Containers.Inputs}'.");
        }
        if (jobs.Count == 0)
            throw new ControlNet.Core.InvalidInputException("The batch manifest lists no jobs.");
        if (jobs.Count > options.MaxBatchJobs)
            throw new ControlNet.Core.InvalidInputException($"The batch has more than {options.MaxBatchJobs} jobs; split it into several batches.");
        // Job ids live under the batch's id, so a batch can never address (and re-run) a job outside it.
        var expanded = jobs.Select((job, i) => job with { JobId = $"{input.BatchId}-{job.JobId ?? i.ToString("D4")}" }).ToList();
        var problems = expanded.SelectMany(job => BlobNames.CheckJobId(job.JobId))
            .Concat(expanded.GroupBy(job => job.JobId).Where(g => g.Count() > 1).Select(g => $"jobId '{g.Key}' appears {g.Count()} times"))
            .ToList();
        if (problems.Count > 0)
            throw new ControlNet.Core.InvalidInputException("The batch manifest's job ids are not usable: " + string.Join("; ", problems) + ".");
        // A batch id run before (e.g. after a restart of the memory backend) must not inherit its old outcomes.
        await blobs.DeletePrefixAsync(StoreContainer.Batches, BlobNames.BatchOutcomesPrefix(input.BatchId));
        await blobs.UploadAsync(StoreContainer.Batches, BlobNames.BatchJobs(input.BatchId),
            BinaryData.FromString(JsonSerializer.Serialize(expanded, JobRequest.JsonOptions)));
        return expanded.Count;
    }
}
