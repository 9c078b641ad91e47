using System.Text.Json;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Activities;

/// <summary>One chunk of a batch's expanded jobs (batches/&lt;id&gt;.jobs.json), for the orchestration's current generation.</summary>
public sealed class ReadBatchJobsActivity(BlobStore blobs) : TaskActivity<ReadBatchJobsInput, List<JobRequest>>
{
    public const string Name = "ReadBatchJobs";

    public override async Task<List<JobRequest>> RunAsync(TaskActivityContext context, ReadBatchJobsInput input)
    {
        var json = await blobs.DownloadAsync(StoreContainer.Batches, BlobNames.BatchJobs(input.BatchId));
        var jobs = JsonSerializer.Deserialize<List<JobRequest>>(json.ToString(), JobRequest.JsonOptions) ?? [];
        return jobs.Skip(input.Offset).Take(input.Count).ToList();
    }
}
