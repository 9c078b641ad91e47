using ControlNet.Workflow;
using ControlNet.Workflow.Activities;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Orchestrators;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ControlNet.Functions.Functions;

/// <summary>
/// The orchestrator and activity shims: each hands its input to the Workflow class the portable host registers under
/// the same name, built from the same services. No logic lives here.
/// </summary>
public sealed class WorkflowFunctions(WorkflowOptions options, IServiceProvider services)
{
    [Function(GenerateJobOrchestrator.Name)]
    public Task<JobResult> GenerateJob([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new GenerateJobOrchestrator(options).RunAsync(context, context.GetInput<JobRequest>()!);

    [Function(BatchOrchestrator.Name)]
    public Task<BatchResult> Batch([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new BatchOrchestrator(options).RunAsync(context, context.GetInput<BatchInput>()!);

    [Function(ExtractControlMapActivity.Name)]
    public Task<ControlMapResult> ExtractControlMap([ActivityTrigger] ExtractControlMapInput input, FunctionContext context) =>
        Activity<ExtractControlMapActivity>(context).RunAsync(Context(ExtractControlMapActivity.Name, input.JobId), input);

    /// <remarks>The activity reports denoising steps to its orchestration through the durable client.</remarks>
    [Function(GenerateImageActivity.Name)]
    public Task<GeneratedImage> GenerateImage([ActivityTrigger] GenerateImageInput input, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        Activity<GenerateImageActivity>(context, client).RunAsync(Context(GenerateImageActivity.Name, input.JobId), input);

    [Function(EnqueueGenerationActivity.Name)]
    public Task<bool> EnqueueGeneration([ActivityTrigger] GenerationRequestMessage input, FunctionContext context) =>
        Activity<EnqueueGenerationActivity>(context).RunAsync(Context(EnqueueGenerationActivity.Name, input.InstanceId), input);

    [Function(WriteManifestActivity.Name)]
    public Task<string> WriteManifest([ActivityTrigger] WriteManifestInput input, FunctionContext context) =>
        Activity<WriteManifestActivity>(context).RunAsync(Context(WriteManifestActivity.Name, input.JobId), input);

    [Function(WriteFailureActivity.Name)]
    public Task<string> WriteFailure([ActivityTrigger] WriteFailureInput input, FunctionContext context) =>
        Activity<WriteFailureActivity>(context).RunAsync(Context(WriteFailureActivity.Name, input.JobId), input);

    [Function(ReadBatchManifestActivity.Name)]
    public Task<int> ReadBatchManifest([ActivityTrigger] BatchInput input, FunctionContext context) =>
        Activity<ReadBatchManifestActivity>(context).RunAsync(Context(ReadBatchManifestActivity.Name, input.BatchId), input);

    [Function(ReadBatchJobsActivity.Name)]
    public Task<List<JobRequest>> ReadBatchJobs([ActivityTrigger] ReadBatchJobsInput input, FunctionContext context) =>
        Activity<ReadBatchJobsActivity>(context).RunAsync(Context(ReadBatchJobsActivity.Name, input.BatchId), input);

    [Function(WriteBatchOutcomesActivity.Name)]
    public Task<string> WriteBatchOutcomes([ActivityTrigger] WriteBatchOutcomesInput input, FunctionContext context) =>
        Activity<WriteBatchOutcomesActivity>(context).RunAsync(Context(WriteBatchOutcomesActivity.Name, input.BatchId), input);

    [Function(WriteBatchResultActivity.Name)]
    public Task<string> WriteBatchResult([ActivityTrigger] WriteBatchResultInput input, FunctionContext context) =>
        Activity<WriteBatchResultActivity>(context).RunAsync(Context(WriteBatchResultActivity.Name, input.BatchId), input);

    private T Activity<T>(FunctionContext? context, params object[] extra) =>
        ActivatorUtilities.CreateInstance<T>(context?.InstanceServices ?? services, extra);

    private static TaskActivityContext Context(string name, string instanceId) => new DetachedActivityContext(name, instanceId);
}
