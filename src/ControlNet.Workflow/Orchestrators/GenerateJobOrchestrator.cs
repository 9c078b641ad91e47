using ControlNet.Workflow.Activities;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Orchestrators;

/// <summary>
/// One job: validate → ExtractControlMap → Generate (one activity per image, all in flight) → WriteManifest.
/// Custom status: stage, images done, outputs so far, and the denoising step the activities last reported.
/// The instance id is the job id. Any failure writes failed.json and ends the instance as failed with the
/// reason; input errors are not retried, other faults are (with backoff).
/// </summary>
public sealed class GenerateJobOrchestrator(WorkflowOptions options) : TaskOrchestrator<JobRequest, JobResult>
{
    public const string Name = "GenerateJob";

    public override async Task<JobResult> RunAsync(TaskOrchestrationContext context, JobRequest request)
    {
        var jobId = context.InstanceId;
        var started = context.CurrentUtcDateTime;
        var retry = RetryOptions(options);
        var stage = JobStages.Validating;
        var outputs = new List<string>();
        try
        {
            context.SetCustomStatus(new JobStatus(stage, 0, 0, outputs));
            var job = JobValidator.Validate(request, options, jobId);
            var r = job.Request;

            stage = JobStages.ExtractingControlMap;
            context.SetCustomStatus(new JobStatus(stage, 0, r.Count, outputs));
            var controlMap = await context.CallActivityAsync<ControlMapResult>(ExtractControlMapActivity.Name,
                new ExtractControlMapInput(jobId, r.Input, r.Control, r.ControlParameters ?? [], r.Resolution, r.InputETag), retry);
            outputs.Add(controlMap.Blob);

            stage = JobStages.Generating;
            int width = r.Width ?? controlMap.Width, height = r.Height ?? controlMap.Height;
            if (width > options.MaxImageSide || height > options.MaxImageSide)
                throw new JobValidationException([
                    $"the control map is {controlMap.Width}x{controlMap.Height}, so the images would be {width}x{height}, over the " +
                    $"{options.MaxImageSide}-pixel limit per side; lower 'resolution' or give 'width' and 'height'."]);
            context.SetCustomStatus(new JobStatus(stage, 0, r.Count, outputs));
            // A seed left out is drawn once from the replay-safe GUID source and recorded in the manifest.
            long firstSeed = r.Seed ?? (BitConverter.ToUInt32(context.NewGuid().ToByteArray(), 0) & 0x7FFFFFFF);
            var pending = Enumerable.Range(0, r.Count)
                .Select(i => context.CallActivityAsync<GeneratedImage>(GenerateImageActivity.Name,
                    new GenerateImageInput(jobId, i, controlMap.Blob, Settings(job, controlMap, firstSeed + i)), retry))
                .ToList();
            var images = new List<GeneratedImage>();
            StepProgress? step = null;
            var stepReport = context.WaitForExternalEvent<StepProgress>(StepEventReporter.EventName);
            try
            {
                while (pending.Count > 0)
                {
                    var finished = await Task.WhenAny(pending.Cast<Task>().Append(stepReport));
                    if (finished == stepReport)
                    {
                        // A GenerateImage activity's denoising progress (throttled by the activity). Reports are
                        // raised fire-and-forget and queues do not keep order: an older step never overwrites a newer one.
                        StepProgress? report;
                        try { report = stepReport.Result; }
                        catch (Exception) { report = null; } // a malformed event from any client must not fail the job
                        if (report is not null && (step is null || report.Image != step.Image || report.Step > step.Step))
                        {
                            step = report;
                            context.SetCustomStatus(new JobStatus(stage, images.Count, r.Count, outputs, step));
                        }
                        stepReport = context.WaitForExternalEvent<StepProgress>(StepEventReporter.EventName);
                        continue;
                    }
                    var done = (Task<GeneratedImage>)finished;
                    pending.Remove(done);
                    var image = await done;
                    images.Add(image);
                    outputs.Add(image.Blob);
                    context.SetCustomStatus(new JobStatus(stage, images.Count, r.Count, outputs, step));
                }
            }
            catch (TaskFailedException)
            {
                // Let the sibling images finish first, so no image is written after failed.json.
                foreach (var sibling in pending)
                {
                    try { await sibling; }
                    catch (TaskFailedException) { }
                }
                throw;
            }

            stage = JobStages.WritingManifest;
            context.SetCustomStatus(new JobStatus(stage, images.Count, r.Count, outputs));
            var manifest = await context.CallActivityAsync<string>(WriteManifestActivity.Name,
                new WriteManifestInput(jobId, r, job.EffectivePrompt, controlMap, images, started), retry);
            outputs.Add(manifest);
            context.SetCustomStatus(new JobStatus(JobStages.Completed, images.Count, r.Count, outputs));
            return new JobResult(jobId, manifest, controlMap.Blob, images.OrderBy(i => i.Index).Select(i => i.Blob).ToList());
        }
        catch (JobValidationException e)
        {
            throw await FailAsync(context, stage, e.Message, request, retry);
        }
        catch (TaskFailedException e)
        {
            var kind = FailureClassifier.IsInvalidInput(e.FailureDetails) ? "invalid input" : "gave up after retries";
            throw await FailAsync(context, stage, $"{e.TaskName} failed ({kind}): {FailureClassifier.Reason(e.FailureDetails)}", request, retry);
        }
    }

    private static async Task<JobFailedException> FailAsync(TaskOrchestrationContext context, string stage, string reason,
        JobRequest request, TaskOptions retry)
    {
        var input = BlobNames.Check(request.Input, "input").Count == 0 ? request.Input : null;
        var failed = await context.CallActivityAsync<string>(WriteFailureActivity.Name,
            new WriteFailureInput(context.InstanceId, stage, reason, input, context.CurrentUtcDateTime), retry);
        context.SetCustomStatus(new JobStatus(JobStages.Failed, 0, request.Count, [failed]));
        return new JobFailedException($"Job '{context.InstanceId}' failed while {stage}: {reason}");
    }

    private static GenerationSettings Settings(ValidatedJob job, ControlMapResult controlMap, long seed)
    {
        var r = job.Request;
        return new GenerationSettings(r.Model, r.ControlNets, job.EffectivePrompt, r.NegativePrompt ?? "", r.Steps, r.GuidanceScale,
            r.ControlScale, job.ControlMode, r.GuidanceStart, r.GuidanceEnd, seed, r.Width ?? controlMap.Width, r.Height ?? controlMap.Height);
    }

    /// <summary>Exponential backoff for transient faults; an <see cref="ControlNet.Core.InvalidInputException"/> fails at once.</summary>
    public static TaskOptions RetryOptions(WorkflowOptions options) =>
        TaskOptions.FromRetryPolicy(new RetryPolicy(options.MaxAttempts, options.FirstRetryInterval,
            options.RetryBackoffCoefficient, options.MaxRetryInterval)
        {
            HandleFailure = failure => !FailureClassifier.IsInvalidInput(failure),
        });
}
