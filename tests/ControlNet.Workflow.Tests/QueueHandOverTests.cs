using ControlNet.Hosting;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow.Tests;

/// <summary>
/// The production split on Azurite: a control host (orchestrations, images handed over the generate-requests queue)
/// and GPU hosts (one request at a time, answers on generate-results), all on one task hub.
/// </summary>
public sealed class QueueHandOverTests
{
    private static Task<PortableHost> StartAsync(WorkflowHarness harness, HostRole role, ScriptedGenerator generator) =>
        harness.StartHostAsync(generator, options =>
        {
            options.Role = role;
            options.QueuePrefix = harness.TaskHub;
            options.WorkItemVisibilityTimeout = TimeSpan.FromSeconds(3);
        });

    [Fact]
    public async Task Jobs_are_generated_by_the_gpu_hosts_each_image_once_and_every_gpu_host_works()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var gpus = new[] { new ScriptedGenerator(), new ScriptedGenerator() };
        // A generation that takes a moment, so one GPU host cannot drain the queue before the other asks.
        foreach (var gpu in gpus) gpu.BeforeGenerate = (_, _) => Task.Delay(150);
        await using var control = await StartAsync(harness, HostRole.Control, new ScriptedGenerator());
        await using var gpu0 = await StartAsync(harness, HostRole.Gpu, gpus[0]);
        await using var gpu1 = await StartAsync(harness, HostRole.Gpu, gpus[1]);
        await WorkflowHarness.UploadInputAsync(control, "split/house.png");

        var submitted = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            control.Submitter.SubmitAsync(WorkflowHarness.Job("split/house.png", count: 2, seed: 10 * i) with { JobId = $"split-{i}" })));
        var finished = await Task.WhenAll(submitted.Select(s => WorkflowHarness.WaitAsync(control, s.JobId)));

        Assert.All(finished, WorkflowHarness.AssertCompleted);
        Assert.Equal(12, gpus.Sum(g => g.Calls));
        Assert.All(gpus, g => Assert.True(g.Calls > 0, "a GPU host did no work"));
        var seeds = gpus.SelectMany(g => g.CompletedSeeds).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 6).SelectMany(i => new long[] { 10 * i, 10 * i + 1 }).Order(), seeds);
        Assert.True(await control.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Image("split-5", 1)));
    }

    [Fact]
    public async Task An_input_error_on_the_gpu_fails_the_job_with_its_reason_at_once()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        await using var control = await StartAsync(harness, HostRole.Control, new ScriptedGenerator());
        await using var gpu = await StartAsync(harness, HostRole.Gpu, new ScriptedGenerator());
        await WorkflowHarness.UploadInputAsync(control, "split/house.png");

        var submitted = await control.Submitter.SubmitAsync(WorkflowHarness.Job("split/house.png") with { JobId = "split-bad-model", Model = "nope" });
        var state = await WorkflowHarness.WaitAsync(control, submitted.JobId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, state.RuntimeStatus);
        using var failed = System.Text.Json.JsonDocument.Parse((await control.Blobs.DownloadAsync(StoreContainer.Outputs, BlobNames.Failed(submitted.JobId))).ToString());
        Assert.Contains("Model 'nope' is not in the models folder", failed.RootElement.GetProperty("reason").GetString());
        Assert.Equal("input", failed.RootElement.GetProperty("cause").GetString());
    }

    [Fact]
    public async Task A_request_that_fails_on_every_delivery_fails_its_job_instead_of_hanging()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var broken = new ScriptedGenerator { BeforeGenerate = (_, _) => throw new IOException("the GPU fell over") };
        await using var control = await StartAsync(harness, HostRole.Control, new ScriptedGenerator());
        await using var gpu = await StartAsync(harness, HostRole.Gpu, broken);
        await WorkflowHarness.UploadInputAsync(control, "split/house.png");

        var submitted = await control.Submitter.SubmitAsync(WorkflowHarness.Job("split/house.png") with { JobId = "split-poison" });
        var state = await WorkflowHarness.WaitAsync(control, submitted.JobId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Equal(3, broken.Calls);
        var failed = (await control.Blobs.DownloadAsync(StoreContainer.Outputs, BlobNames.Failed(submitted.JobId))).ToString();
        Assert.Contains("failed on the GPU workers 3 times", failed);
    }
}
