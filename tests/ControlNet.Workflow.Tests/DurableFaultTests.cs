using System.Text.Json;
using ControlNet.Hosting;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow.Tests;

/// <summary>Faults the durable workflow survives, on the Azure Storage backend (Azurite).</summary>
public sealed class DurableFaultTests
{
    [Fact]
    public async Task Job_finishes_on_a_new_host_after_the_host_stops_mid_generate_without_rerunning_completed_activities()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var heldCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var neverReleased = new TaskCompletionSource();
        var first = new ScriptedGenerator
        {
            // Call 1 completes; call 2 is the one "running" when the host goes away.
            BeforeGenerate = (_, call) =>
            {
                if (call < 2) return Task.CompletedTask;
                heldCall.TrySetResult();
                return neverReleased.Task;
            },
        };
        // A short visibility timeout: the activity the stopped host held is handed out again quickly.
        void Configure(PortableHostOptions o) => o.WorkItemVisibilityTimeout = TimeSpan.FromSeconds(6);

        var host1 = await harness.StartHostAsync(first, Configure);
        await WorkflowHarness.UploadInputAsync(host1, "restart/house.png");
        var job = await host1.Submitter.SubmitAsync(WorkflowHarness.Job("restart/house.png", count: 3) with { JobId = "restart-job" });
        await heldCall.Task.WaitAsync(WorkflowHarness.JobTimeout);
        // The first image must be recorded in history (not just written) before the stop.
        var status = await WaitForImagesDoneAsync(host1.Client, job.JobId, 1);
        var controlMapEtag = (await host1.Blobs.GetPropertiesAsync(StoreContainer.Outputs, BlobNames.ControlMap(job.JobId, 0)))!.ETag;
        var firstSeed = Assert.Single(first.CompletedSeeds);
        var firstImageEtag = (await host1.Blobs.GetPropertiesAsync(StoreContainer.Outputs, BlobNames.Image(job.JobId, (int)(firstSeed - 100))))!.ETag;
        await host1.DisposeAsync();

        var second = new ScriptedGenerator();
        await using var host2 = await harness.StartHostAsync(second, Configure);
        var done = await WorkflowHarness.WaitAsync(host2, job.JobId);

        WorkflowHarness.AssertCompleted(done);
        Assert.Equal(2, second.Calls);
        Assert.DoesNotContain(firstSeed, second.CompletedSeeds);
        Assert.Equal(controlMapEtag, (await host2.Blobs.GetPropertiesAsync(StoreContainer.Outputs, BlobNames.ControlMap(job.JobId, 0)))!.ETag);
        Assert.Equal(firstImageEtag, (await host2.Blobs.GetPropertiesAsync(StoreContainer.Outputs, BlobNames.Image(job.JobId, (int)(firstSeed - 100))))!.ETag);
        var result = done.ReadOutputAs<JobResult>()!;
        Assert.Equal([BlobNames.Image(job.JobId, 0), BlobNames.Image(job.JobId, 1), BlobNames.Image(job.JobId, 2)], result.Images);
        Assert.True(await host2.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Manifest(job.JobId)));
        // Before the stop the job was generating with exactly one image recorded (image 2 held, image 3 queued).
        Assert.Equal((JobStages.Generating, 1), (status!.Stage, status.ImagesDone));
    }

    [Fact]
    public async Task Generate_that_fails_transiently_twice_succeeds_on_retry()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var generator = new ScriptedGenerator
        {
            BeforeGenerate = (_, call) => call <= 2 ? throw new IOException($"GPU device lost (simulated, call {call})") : Task.CompletedTask,
        };
        await using var host = await harness.StartHostAsync(generator);
        await WorkflowHarness.UploadInputAsync(host, "retry/house.png");

        var job = await host.Submitter.SubmitAsync(WorkflowHarness.Job("retry/house.png"));
        var done = await WorkflowHarness.WaitAsync(host, job.JobId);

        WorkflowHarness.AssertCompleted(done);
        Assert.Equal(3, generator.Calls);
        Assert.False(await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Failed(job.JobId)));
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Image(job.JobId, 0)));
    }

    [Fact]
    public async Task Same_blob_event_delivered_twice_starts_one_job()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        await WorkflowHarness.UploadInputAsync(host, "events/house.png", metadata: new Dictionary<string, string> { ["prompt"] = "a house", ["steps"] = "2", ["seed"] = "7", ["resolution"] = "64" });
        var blob = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "events/house.png"))!;

        var deliveries = await Task.WhenAll(host.Submitter.SubmitBlobAsync(blob), host.Submitter.SubmitBlobAsync(blob));
        var done = await WorkflowHarness.WaitAsync(host, deliveries[0].JobId);
        var late = await host.Submitter.SubmitBlobAsync(blob);

        Assert.Equal(deliveries[0].JobId, deliveries[1].JobId);
        Assert.Equal(BlobNames.JobIdForBlob(blob.Name, blob.ETag), deliveries[0].JobId);
        Assert.Single(deliveries, d => d.Outcome == SubmitOutcome.Started);
        Assert.Equal(SubmitOutcome.AlreadyExists, late.Outcome);
        WorkflowHarness.AssertCompleted(done);
        Assert.Equal(1, generator.Calls);
    }

    [Fact]
    public async Task Same_blob_event_delivered_to_two_hosts_at_once_starts_one_job()
    {
        // Two workers on one task hub (as two `serve` processes would be) both see the upload.
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var generator = new ScriptedGenerator();
        await using var first = await harness.StartHostAsync(generator);
        await using var second = await harness.StartHostAsync(generator);
        await WorkflowHarness.UploadInputAsync(first, "events/shared.png", metadata: new Dictionary<string, string> { ["prompt"] = "a house", ["steps"] = "2", ["seed"] = "3", ["resolution"] = "64" });
        var blob = (await first.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "events/shared.png"))!;

        var deliveries = await Task.WhenAll(first.Submitter.SubmitBlobAsync(blob), second.Submitter.SubmitBlobAsync(blob));
        var done = await WorkflowHarness.WaitAsync(first, deliveries[0].JobId);

        Assert.Single(deliveries, d => d.Outcome == SubmitOutcome.Started);
        WorkflowHarness.AssertCompleted(done);
        Assert.Equal(1, generator.Calls);
    }

    [Fact]
    public async Task A_start_claimed_by_a_submitter_that_died_is_taken_over_once_stale()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        await WorkflowHarness.UploadInputAsync(host, "claims/house.png");
        // A submitter claimed the id and died before starting the instance.
        await host.Blobs.UploadAsync(StoreContainer.Outputs, BlobNames.Submitted("claimed-job"), BinaryData.FromString("{}"));
        var job = WorkflowHarness.Job("claims/house.png") with { JobId = "claimed-job" };

        var whileFresh = await host.Submitter.SubmitAsync(job);
        harness.Workflow.SubmitClaimTimeout = TimeSpan.Zero; // the claim is now stale
        var afterTimeout = await host.Submitter.SubmitAsync(job);

        Assert.Equal(SubmitOutcome.Pending, whileFresh.Outcome);
        Assert.Contains("another submitter is starting 'claimed-job'", whileFresh.Reason);
        Assert.Equal(SubmitOutcome.Started, afterTimeout.Outcome);
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, "claimed-job"));
    }

    private static async Task<JobStatus?> WaitForImagesDoneAsync(DurableTaskClient client, string jobId, int images)
    {
        // Custom status has no wait API; poll it, bounded by the job timeout.
        using var timeout = new CancellationTokenSource(WorkflowHarness.JobTimeout);
        while (true)
        {
            var state = await client.GetInstanceAsync(jobId, getInputsAndOutputs: true, timeout.Token);
            var status = state?.SerializedCustomStatus is { } json ? JsonSerializer.Deserialize<JobStatus>(json) : null;
            if (status?.ImagesDone >= images) return status;
            await Task.Delay(200, timeout.Token);
        }
    }
}
