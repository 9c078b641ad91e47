using ControlNet.Workflow.Activities;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Orchestrators;

/// <summary>
/// A batch: read the manifest (expanded into batches/&lt;id&gt;.jobs.json) → run its jobs as
/// <see cref="GenerateJobOrchestrator"/> sub-orchestrations, at most <see cref="WorkflowOptions.BatchConcurrency"/>
/// at once, <see cref="WorkflowOptions.BatchChunkSize"/> per generation: each chunk's outcomes go to a blob and the
/// orchestration continues as new, so history stays small for a batch of any size → batches/&lt;id&gt;.result.json.
/// A failed job is recorded, not fatal; an unreadable manifest fails the batch (with a result file saying why).
/// </summary>
public sealed class BatchOrchestrator(WorkflowOptions options) : TaskOrchestrator<BatchInput, BatchResult>
{
    public const string Name = "Batch";

    public override async Task<BatchResult> RunAsync(TaskOrchestrationContext context, BatchInput input)
    {
        var batchId = context.InstanceId;
        var retry = GenerateJobOrchestrator.RetryOptions(options);

        var cursor = input.Cursor;
        if (cursor is null)
        {
            var started = context.CurrentUtcDateTime;
            try
            {
                int jobCount = await context.CallActivityAsync<int>(ReadBatchManifestActivity.Name, input, retry);
                cursor = new BatchCursor(started, jobCount, options.BatchChunkSize, 0, 0, 0);
            }
            catch (TaskFailedException e)
            {
                var reason = FailureClassifier.Reason(e.FailureDetails);
                var blob = await context.CallActivityAsync<string>(WriteBatchResultActivity.Name,
                    new WriteBatchResultInput(batchId, JobStages.Failed, 0, 0, reason, started), retry);
                throw new JobFailedException($"Batch '{batchId}' failed: {reason} (see {blob}).");
            }
        }

        ReportStatus(context, cursor, []);
        int end = Math.Min(cursor.Next + Math.Max(1, cursor.ChunkSize), cursor.JobCount);
        var jobs = await context.CallActivityAsync<List<JobRequest>>(ReadBatchJobsActivity.Name,
            new ReadBatchJobsInput(batchId, cursor.Next, end - cursor.Next), retry);
        var outcomes = await RunChunkAsync(context, jobs, cursor);
        await context.CallActivityAsync<string>(WriteBatchOutcomesActivity.Name, new WriteBatchOutcomesInput(batchId, cursor.Next, outcomes), retry);
        cursor = cursor with
        {
            Next = end,
            Completed = cursor.Completed + outcomes.Count(o => o.Status == JobStages.Completed),
            Failed = cursor.Failed + outcomes.Count(o => o.Status == JobStages.Failed),
        };
        if (cursor.Next < cursor.JobCount)
        {
            context.ContinueAsNew(input with { Cursor = cursor });
            return null!; // the next generation returns the result
        }

        var status = cursor.Failed == 0 ? JobStages.Completed : "completed-with-failures";
        var resultBlob = await context.CallActivityAsync<string>(WriteBatchResultActivity.Name,
            new WriteBatchResultInput(batchId, status, cursor.Completed, cursor.Failed, null, cursor.StartedUtc), retry);
        return new BatchResult(batchId, status, cursor.Completed, cursor.Failed, null, resultBlob);
    }

    /// <summary>Runs one chunk's jobs, at most <see cref="WorkflowOptions.BatchConcurrency"/> at once.</summary>
    private async Task<List<BatchJobOutcome>> RunChunkAsync(TaskOrchestrationContext context, List<JobRequest> jobs, BatchCursor cursor)
    {
        var outcomes = new List<BatchJobOutcome>();
        var inFlight = new Dictionary<Task<JobResult>, string>();
        var next = 0;
        while (next < jobs.Count || inFlight.Count > 0)
        {
            while (next < jobs.Count && inFlight.Count < options.BatchConcurrency)
            {
                var job = jobs[next++];
                var task = context.CallSubOrchestratorAsync<JobResult>(GenerateJobOrchestrator.Name, job,
                    new SubOrchestrationOptions { InstanceId = job.JobId });
                inFlight[task] = job.JobId!;
            }
            var finished = await Task.WhenAny(inFlight.Keys);
            var jobId = inFlight[finished];
            inFlight.Remove(finished);
            try
            {
                var result = await finished;
                outcomes.Add(new BatchJobOutcome(jobId, JobStages.Completed, result.Manifest, null));
            }
            catch (TaskFailedException e)
            {
                outcomes.Add(new BatchJobOutcome(jobId, JobStages.Failed, null, FailureClassifier.Reason(e.FailureDetails)));
            }
            ReportStatus(context, cursor, outcomes);
        }
        return outcomes;
    }

    private static void ReportStatus(TaskOrchestrationContext context, BatchCursor cursor, List<BatchJobOutcome> chunkOutcomes) =>
        context.SetCustomStatus(new
        {
            completed = cursor.Completed + chunkOutcomes.Count(o => o.Status == JobStages.Completed),
            failed = cursor.Failed + chunkOutcomes.Count(o => o.Status == JobStages.Failed),
            total = cursor.JobCount,
        });
}
