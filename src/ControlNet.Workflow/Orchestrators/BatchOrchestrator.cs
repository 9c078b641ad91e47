using ControlNet.Workflow.Activities;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Orchestrators;

/// <summary>
/// A batch: read the manifest → run its jobs as <see cref="GenerateJobOrchestrator"/> sub-orchestrations, at
/// most <see cref="WorkflowOptions.BatchConcurrency"/> at once → write batches/&lt;batchId&gt;.result.json.
/// A failed job is recorded, not fatal; an unreadable manifest fails the batch (with a result file saying why).
/// </summary>
public sealed class BatchOrchestrator(WorkflowOptions options) : TaskOrchestrator<BatchInput, BatchResult>
{
    public const string Name = "Batch";

    public override async Task<BatchResult> RunAsync(TaskOrchestrationContext context, BatchInput input)
    {
        var batchId = context.InstanceId;
        var started = context.CurrentUtcDateTime;
        var retry = GenerateJobOrchestrator.RetryOptions(options);

        List<JobRequest> jobs;
        try
        {
            jobs = await context.CallActivityAsync<List<JobRequest>>(ReadBatchManifestActivity.Name, input, retry);
        }
        catch (TaskFailedException e)
        {
            var reason = FailureClassifier.Reason(e.FailureDetails);
            var blob = await context.CallActivityAsync<string>(WriteBatchResultActivity.Name,
                new WriteBatchResultInput(batchId, JobStages.Failed, [], reason, started), retry);
            throw new JobFailedException($"Batch '{batchId}' failed: {reason} (see {blob}).");
        }

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
            context.SetCustomStatus(new { completed = outcomes.Count(o => o.Status == JobStages.Completed), failed = outcomes.Count(o => o.Status == JobStages.Failed), total = jobs.Count });
        }

        var status = outcomes.All(o => o.Status == JobStages.Completed) ? JobStages.Completed : "completed-with-failures";
        var resultBlob = await context.CallActivityAsync<string>(WriteBatchResultActivity.Name,
            new WriteBatchResultInput(batchId, status, outcomes, null, started), retry);
        return new BatchResult(batchId, status, outcomes.Count(o => o.Status == JobStages.Completed),
            outcomes.Count(o => o.Status == JobStages.Failed), outcomes, null, resultBlob);
    }
}
