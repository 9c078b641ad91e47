using ControlNet.Hosting;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlNet.Workflow.Tests;

/// <summary>`serve --watch inputs`: every new input blob version starts one job, once, across restarts.</summary>
public sealed class InputWatcherTests
{
    private static readonly Dictionary<string, string> Parameters = new() { ["prompt"] = "a house", ["steps"] = "2", ["seed"] = "5", ["resolution"] = "64" };

    [Fact]
    public async Task New_upload_starts_one_job_and_rescans_or_a_restarted_host_start_none()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var generator = new ScriptedGenerator();
        string jobId;
        await using (var host = await harness.StartHostAsync(generator))
        {
            await WorkflowHarness.UploadInputAsync(host, "watched/house.png", metadata: Parameters);
            var watcher = new InputWatcher(host, NullLogger.Instance);

            var first = await watcher.ScanOnceAsync(CancellationToken.None);
            var again = await watcher.ScanOnceAsync(CancellationToken.None);

            jobId = Assert.Single(first).JobId;
            Assert.Empty(again);
            var blob = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "watched/house.png"))!;
            Assert.Equal(BlobNames.JobIdForBlob(blob.Name, blob.ETag), jobId);
            WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, jobId));
        }

        // A new process (new watcher, same task hub and containers) sees the same blob version: nothing new.
        await using (var restarted = await harness.StartHostAsync(generator))
        {
            var afterRestart = await new InputWatcher(restarted, NullLogger.Instance).ScanOnceAsync(CancellationToken.None);
            Assert.Empty(afterRestart);
        }
        Assert.Equal(1, generator.Calls);
    }

    [Fact]
    public async Task Reupload_of_the_same_name_is_a_new_job()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        var watcher = new InputWatcher(host, NullLogger.Instance);
        await WorkflowHarness.UploadInputAsync(host, "again.png", metadata: Parameters);
        var first = Assert.Single(await watcher.ScanOnceAsync(CancellationToken.None));
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, first.JobId));

        await WorkflowHarness.UploadInputAsync(host, "again.png", metadata: Parameters);
        var second = Assert.Single(await watcher.ScanOnceAsync(CancellationToken.None));

        Assert.NotEqual(first.JobId, second.JobId);
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, second.JobId));
        Assert.Equal(2, generator.Calls);
    }

    [Fact]
    public async Task Upload_with_an_unusable_name_gets_a_failed_json_instead_of_being_ignored()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        // Azure accepts an empty folder segment; the workflow's name rules do not. Uploaded around the blob store,
        // which would refuse the name, as any other client could.
        var connection = new PortableHostOptions().StorageConnectionString;
        await new Azure.Storage.Blobs.BlobServiceClient(connection).GetBlobContainerClient(host.Blobs.Containers.Inputs)
            .UploadBlobAsync("odd//name.png", BinaryData.FromBytes(TestImages.SquarePng()));

        var rejected = new List<SubmitResult>();
        var watcher = new InputWatcher(host, NullLogger.Instance);
        watcher.JobSubmitted += (_, result) => rejected.Add(result);
        Assert.Empty(await watcher.ScanOnceAsync(CancellationToken.None));

        var result = Assert.Single(rejected);
        Assert.Equal(SubmitOutcome.Rejected, result.Outcome);
        var failed = (await host.Blobs.DownloadAsync(StoreContainer.Outputs, BlobNames.Failed(result.JobId))).ToString();
        Assert.Contains("odd//name.png", failed);
        Assert.Contains("empty folder segment", failed);
        Assert.Equal(0, generator.Calls);
    }

    [Fact]
    public async Task Uploads_submitted_explicitly_are_left_to_their_submitter()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        await WorkflowHarness.UploadInputAsync(host, "cli/photo.png",
            metadata: new Dictionary<string, string> { [BlobJobParameters.SubmittedByKey] = "controlnet-run" });

        Assert.Empty(await new InputWatcher(host, NullLogger.Instance).ScanOnceAsync(CancellationToken.None));
        Assert.Equal(0, generator.Calls);
    }
}
