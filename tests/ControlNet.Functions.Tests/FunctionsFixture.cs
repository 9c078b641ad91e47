using ControlNet.Core.Onnx;
using ControlNet.Functions.Functions;
using ControlNet.Hosting;
using ControlNet.TinyModels;
using ControlNet.Workflow.Activities;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Orchestrators;
using ControlNet.Workflow.Tests;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ControlNet.Functions.Tests;

/// <summary>Tiny models (written once for the test class) and the real pipeline over them.</summary>
public sealed class TinyModelsFixture : IDisposable
{
    public TinyModelsFixture()
    {
        Root = Directory.CreateTempSubdirectory("functions-models-").FullName;
        TinyModelSet.Write(Root, new TinyModelOptions());
        Cache = new ModelCache(new OnnxRuntimeOptions { Provider = ExecutionProviderChoice.Cpu, IntraOpThreads = 1 });
    }

    public string Root { get; }
    public ModelCache Cache { get; }
    public IImageGenerator Generator => new PipelineImageGenerator(Root, Cache);

    public void Dispose()
    {
        Cache.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// A portable host on Azurite whose worker runs the Functions app's orchestrator and activity shims (not the Workflow
/// classes directly), so every orchestration a test starts goes through <see cref="WorkflowFunctions"/>.
/// </summary>
public static class FunctionsHost
{
    public static Task<PortableHost> StartAsync(WorkflowHarness harness, IImageGenerator generator, Action<PortableHostOptions>? configure = null) =>
        harness.StartHostAsync(generator, options =>
        {
            configure?.Invoke(options);
            options.RegisterTasks = (registry, services) => Register(registry, services, options);
        });

    private static void Register(DurableTaskRegistry registry, Func<IServiceProvider> services, PortableHostOptions options)
    {
        WorkflowFunctions Shims() => new(options.Workflow, services());
        DurableTaskClient Client() => services().GetRequiredService<DurableTaskClient>();
        registry.AddOrchestratorFunc<JobRequest, JobResult>(GenerateJobOrchestrator.Name, (context, _) => Shims().GenerateJob(context));
        registry.AddOrchestratorFunc<BatchInput, BatchResult>(BatchOrchestrator.Name, (context, _) => Shims().Batch(context));
        registry.AddActivityFunc<ExtractControlMapInput, ControlMapResult>(ExtractControlMapActivity.Name, (_, input) => Shims().ExtractControlMap(input, null!));
        registry.AddActivityFunc<GenerateImageInput, GeneratedImage>(GenerateImageActivity.Name, (_, input) => Shims().GenerateImage(input, Client(), null!));
        registry.AddActivityFunc<GenerationRequestMessage, bool>(EnqueueGenerationActivity.Name, (_, input) => Shims().EnqueueGeneration(input, null!));
        registry.AddActivityFunc<WriteManifestInput, string>(WriteManifestActivity.Name, (_, input) => Shims().WriteManifest(input, null!));
        registry.AddActivityFunc<WriteFailureInput, string>(WriteFailureActivity.Name, (_, input) => Shims().WriteFailure(input, null!));
        registry.AddActivityFunc<BatchInput, int>(ReadBatchManifestActivity.Name, (_, input) => Shims().ReadBatchManifest(input, null!));
        registry.AddActivityFunc<ReadBatchJobsInput, List<JobRequest>>(ReadBatchJobsActivity.Name, (_, input) => Shims().ReadBatchJobs(input, null!));
        registry.AddActivityFunc<WriteBatchOutcomesInput, string>(WriteBatchOutcomesActivity.Name, (_, input) => Shims().WriteBatchOutcomes(input, null!));
        registry.AddActivityFunc<WriteBatchResultInput, string>(WriteBatchResultActivity.Name, (_, input) => Shims().WriteBatchResult(input, null!));
    }
}
