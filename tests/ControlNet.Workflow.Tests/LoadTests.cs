using ControlNet.Hosting;
using ControlNet.Core.Onnx;
using ControlNet.TinyModels;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ControlNet.Workflow.Tests;

public sealed class LoadTests
{
    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Fifty_jobs_at_once_all_complete_with_no_lost_or_duplicated_outputs_and_generation_bounded_to_one(DurableBackend backend)
    {
        const int jobs = 50;
        var harness = new WorkflowHarness(backend);
        // The real pipeline on tiny models: every job runs the ONNX sessions, loaded once for all 50.
        var models = Directory.CreateTempSubdirectory("load-models-").FullName;
        TinyModelSet.Write(models, new TinyModelOptions());
        using var cache = new ModelCache(new OnnxRuntimeOptions { Provider = ExecutionProviderChoice.Cpu, IntraOpThreads = 1 });
        var generator = new CountingGenerator(new PipelineImageGenerator(models, cache));
        await using var host = await harness.StartHostAsync(generator);
        await WorkflowHarness.UploadInputAsync(host, "load/house.png");

        var submitted = await Task.WhenAll(Enumerable.Range(0, jobs).Select(i =>
            host.Submitter.SubmitAsync(WorkflowHarness.Job("load/house.png", seed: 100) with { JobId = $"load-{i:D2}" })));
        var finished = await Task.WhenAll(submitted.Select(s => WorkflowHarness.WaitAsync(host, s.JobId)));

        Assert.All(finished, WorkflowHarness.AssertCompleted);
        Assert.Equal(2, cache.LoadCount); // sd15 + canny, once each
        Assert.Equal(jobs, generator.Calls); // no image generated twice (a re-run would overwrite the same name)
        var images = new List<string>();
        await foreach (var blob in host.Blobs.ListAsync(StoreContainer.Outputs))
            if (blob.Name.EndsWith(".png") && !Path.GetFileName(blob.Name).StartsWith(BlobNames.ControlMapPrefix)) images.Add(blob.Name);
        Assert.Equal(Enumerable.Range(0, jobs).Select(i => BlobNames.Image($"load-{i:D2}", 0)).Order(), images.Order());
        Assert.Equal(1, generator.PeakConcurrency); // measured outside the gate, around the real pipeline
        Directory.Delete(models, recursive: true);
    }
}
