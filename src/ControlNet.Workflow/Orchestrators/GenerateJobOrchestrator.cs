using ControlNet.Workflow.Activities;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask;

namespace ControlNet.Workflow.Orchestrators;

/// <summary>
/// One job: validate → ExtractControlMap (one per ControlNet unit) → Generate (one activity per image, all in flight) → WriteManifest.
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
            var job = JobValidator.Validate(request, options.Limits, jobId);
            var r = job.Request;
            var normalized = job.Normalized;

            // One map per unit, all extracted at once; each is used by its own ControlNet only.
            stage = JobStages.ExtractingControlMap;
            context.SetCustomStatus(new JobStatus(stage, 0, r.Count, outputs));
            var extracting = context.CurrentUtcDateTime;
            var controlMaps = (await Task.WhenAll(job.Units.Select(unit => context.CallActivityAsync<ControlMapResult>(
                ExtractControlMapActivity.Name, new ExtractControlMapInput(jobId, unit.Index, normalized), retry)))).ToList();
            outputs.AddRange(controlMaps.Select(m => m.Blob));
            var extractMs = (context.CurrentUtcDateTime - extracting).TotalMilliseconds;

            stage = JobStages.Generating;
            var (width, height) = JobControlMaps.OutputSize(r, controlMaps[0].Width, controlMaps[0].Height);
            if (width > options.Limits.MaxImageSide || height > options.Limits.MaxImageSide)
                throw new JobValidationException([
                    $"the control map is {controlMaps[0].Width}x{controlMaps[0].Height}, so the images would be {width}x{height}, over the " +
                    $"{options.Limits.MaxImageSide}-pixel limit per side; lower 'resolution' or give 'width' and 'height'."]);
            context.SetCustomStatus(new JobStatus(stage, 0, r.Count, outputs));
            var generating = context.CurrentUtcDateTime;
            // A seed left out (or -1) is drawn once from the replay-safe GUID source and recorded in the manifest.
            long firstSeed = job.Seed ?? (BitConverter.ToUInt32(context.NewGuid().ToByteArray(), 0) & 0x7FFFFFFF);
            var pending = Enumerable.Range(0, r.Count)
                .Select(i => GenerateAsync(context, new GenerateImageInput(jobId, i, normalized, controlMaps, firstSeed + i, width, height), retry))
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
            catch (Exception e) when (e is TaskFailedException or GenerationFailedException)
            {
                // Let the sibling images finish first, so no image is written after failed.json.
                foreach (var sibling in pending)
                {
                    try { await sibling; }
                    catch (Exception) when (sibling.IsFaulted || sibling.IsCanceled) { }
                }
                throw;
            }

            var generateMs = (context.CurrentUtcDateTime - generating).TotalMilliseconds;

            stage = JobStages.WritingManifest;
            context.SetCustomStatus(new JobStatus(stage, images.Count, r.Count, outputs));
            var manifest = await context.CallActivityAsync<string>(WriteManifestActivity.Name,
                new WriteManifestInput(jobId, normalized, job.EffectivePrompt, controlMaps, images, started, job.Seed is null,
                    new StageTimes(extractMs, generateMs)), retry);
            outputs.Add(manifest);
            context.SetCustomStatus(new JobStatus(JobStages.Completed, images.Count, r.Count, outputs));
            var activityMs = controlMaps.Sum(m => m.ExtractMs) + images.Sum(i => i.GenerateMs + i.UploadMs);
            return new JobResult(jobId, manifest, controlMaps.Select(m => m.Blob).ToList(),
                images.OrderBy(i => i.Index).Select(i => i.Blob).ToList(), firstSeed, activityMs);
        }
        catch (JobValidationException e)
        {
            throw await FailAsync(context, stage, e.Message, request, retry, inputError: true);
        }
        catch (GenerationFailedException e)
        {
            var kind = e.InputError ? "invalid input" : "on the GPU workers";
            throw await FailAsync(context, stage, $"{GenerateImageActivity.Name} failed ({kind}): {e.Message}", request, retry, e.InputError);
        }
        catch (TaskFailedException e)
        {
            bool inputError = FailureClassifier.IsInvalidInput(e.FailureDetails);
            var kind = inputError ? "invalid input" : "gave up after retries";
            throw await FailAsync(context, stage, $"{e.TaskName} failed ({kind}): {FailureClassifier.Reason(e.FailureDetails)}", request, retry, inputError);
        }
    }

    /// <summary>One image: a GenerateImage activity here, or (queue mode) a request to the GPU workers and the event they answer with.</summary>
    private Task<GeneratedImage> GenerateAsync(TaskOrchestrationContext context, GenerateImageInput input, TaskOptions retry) =>
        options.GenerationMode == GenerationMode.Queue
            ? GenerateThroughQueueAsync(context, input, retry)
            : context.CallActivityAsync<GeneratedImage>(GenerateImageActivity.Name, input, retry);

    private async Task<GeneratedImage> GenerateThroughQueueAsync(TaskOrchestrationContext context, GenerateImageInput input, TaskOptions retry)
    {
        var eventName = $"generated-{input.Index}";
        var answer = context.WaitForExternalEvent<GenerationOutcome>(eventName, options.GenerationTimeout);
        await context.CallActivityAsync<bool>(EnqueueGenerationActivity.Name, new GenerationRequestMessage(context.InstanceId, eventName, input), retry);
        GenerationOutcome outcome;
        try { outcome = await answer; }
        catch (TaskCanceledException)
        {
            throw new GenerationFailedException($"no GPU worker answered for image {input.Index} within {options.GenerationTimeout}", inputError: false);
        }
        return outcome.Image ?? throw new GenerationFailedException(outcome.Error ?? $"image {input.Index} failed", outcome.InputError);
    }

    private static async Task<JobFailedException> FailAsync(TaskOrchestrationContext context, string stage, string reason,
        JobRequest request, TaskOptions retry, bool inputError)
    {
        var input = BlobNames.Check(request.Input, "input").Count == 0 ? request.Input : null;
        var failed = await context.CallActivityAsync<string>(WriteFailureActivity.Name,
            new WriteFailureInput(context.InstanceId, stage, reason, input, context.CurrentUtcDateTime, inputError), retry);
        context.SetCustomStatus(new JobStatus(JobStages.Failed, 0, request.Count, [failed]));
        return new JobFailedException($"Job '{context.InstanceId}' failed while {stage}: {reason}");
    }

    /// <summary>Exponential backoff for transient faults; an <see cref="ControlNet.Core.InvalidInputException"/> fails at once.</summary>
    public static TaskOptions RetryOptions(WorkflowOptions options) =>
        TaskOptions.FromRetryPolicy(new RetryPolicy(options.MaxAttempts, options.FirstRetryInterval,
            options.RetryBackoffCoefficient, options.MaxRetryInterval)
        {
            HandleFailure = failure => !FailureClassifier.IsInvalidInput(failure),
        });
}
