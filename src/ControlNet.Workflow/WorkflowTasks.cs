using ControlNet.Workflow.Activities;
using ControlNet.Workflow.Orchestrators;
using Microsoft.DurableTask;

namespace ControlNet.Workflow;

/// <summary>
/// The workflow's orchestrators and activities, registered by name. Activities are built by the host's DI
/// container; orchestrators are not (the SDK creates them without DI), so they get the options here.
/// </summary>
public static class WorkflowTasks
{
    public static DurableTaskRegistry AddControlNetWorkflow(this DurableTaskRegistry registry, WorkflowOptions options)
    {
        registry.AddOrchestrator(GenerateJobOrchestrator.Name, () => new GenerateJobOrchestrator(options));
        registry.AddOrchestrator(BatchOrchestrator.Name, () => new BatchOrchestrator(options));
        registry.AddActivity(ExtractControlMapActivity.Name, typeof(ExtractControlMapActivity));
        registry.AddActivity(GenerateImageActivity.Name, typeof(GenerateImageActivity));
        registry.AddActivity(EnqueueGenerationActivity.Name, typeof(EnqueueGenerationActivity));
        registry.AddActivity(WriteManifestActivity.Name, typeof(WriteManifestActivity));
        registry.AddActivity(WriteFailureActivity.Name, typeof(WriteFailureActivity));
        registry.AddActivity(ReadBatchManifestActivity.Name, typeof(ReadBatchManifestActivity));
        registry.AddActivity(ReadBatchJobsActivity.Name, typeof(ReadBatchJobsActivity));
        registry.AddActivity(WriteBatchOutcomesActivity.Name, typeof(WriteBatchOutcomesActivity));
        registry.AddActivity(WriteBatchResultActivity.Name, typeof(WriteBatchResultActivity));
        return registry;
    }
}
