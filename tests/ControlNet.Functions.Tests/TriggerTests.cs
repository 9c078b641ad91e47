using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using ControlNet.Functions.Functions;
using ControlNet.Hosting;
using ControlNet.Workflow;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using ControlNet.Workflow.Tests;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlNet.Functions.Tests;

/// <summary>
/// Each trigger method of the Functions app called as the host calls it, with real Azurite blobs and a real durable
/// client; the orchestrations they start run to completion through the app's own shims on the tiny models.
/// </summary>
public sealed class TriggerTests(TinyModelsFixture models) : IClassFixture<TinyModelsFixture>
{
    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Http_functions_post_a_job_report_it_and_refuse_to_delete_a_finished_one(DurableBackend backend)
    {
        var harness = new WorkflowHarness(backend);
        await using var host = await FunctionsHost.StartAsync(harness, models.Generator);
        await WorkflowHarness.UploadInputAsync(host, "http/house.png");
        var api = new ApiFunctions(host.Blobs, harness.Workflow);

        var posted = await ExecuteAsync(await api.PostJob(JsonRequest("""{"input": "http/house.png", "steps": 2, "resolution": 64, "seed": 3}"""), host.Client, default));

        Assert.Equal(StatusCodes.Status202Accepted, posted.Status);
        var id = posted.Body.GetProperty("id").GetString()!;
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, id));
        var status = await ExecuteAsync(await api.GetJob(EmptyRequest(), id, host.Client, default));
        Assert.Equal("completed", status.Body.GetProperty("status").GetString());
        Assert.Equal(2, status.Body.GetProperty("outputs").GetArrayLength());
        var deleted = await ExecuteAsync(await api.DeleteJob(EmptyRequest(), id, host.Client, default));
        Assert.Equal(StatusCodes.Status409Conflict, deleted.Status);
        var missing = await ExecuteAsync(await api.GetBatch(EmptyRequest(), "no-such-batch", host.Client, default));
        Assert.Equal(StatusCodes.Status404NotFound, missing.Status);
    }

    [Fact]
    public async Task Http_batch_function_starts_a_batch_that_completes()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        await using var host = await FunctionsHost.StartAsync(harness, models.Generator);
        await WorkflowHarness.UploadInputAsync(host, "night/a.png");
        await WorkflowHarness.UploadInputAsync(host, "night/b.png");
        var api = new ApiFunctions(host.Blobs, harness.Workflow);

        var posted = await ExecuteAsync(await api.PostBatch(
            JsonRequest("""{"inputPrefix": "night/", "defaults": {"steps": 2, "resolution": 64}}"""), host.Client, default));

        Assert.Equal(StatusCodes.Status202Accepted, posted.Status);
        var id = posted.Body.GetProperty("id").GetString()!;
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, id));
        var batch = await ExecuteAsync(await api.GetBatch(EmptyRequest(), id, host.Client, default));
        Assert.Equal((2, 0), (batch.Body.GetProperty("completed").GetInt32(), batch.Body.GetProperty("failed").GetInt32()));
    }

    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Both_blob_triggers_start_one_job_per_upload_version(DurableBackend backend)
    {
        var harness = new WorkflowHarness(backend);
        await using var host = await FunctionsHost.StartAsync(harness, models.Generator);
        await WorkflowHarness.UploadInputAsync(host, "uploads/cat.png", metadata: new Dictionary<string, string> { ["steps"] = "2", ["resolution"] = "64" });
        var uploads = Uploads(host, harness);
        var blob = BlobFor(host, "uploads/cat.png");

        await uploads.OnInputBlob(blob, host.Client, default);
        await uploads.OnInputBlobEventGrid(blob, host.Client, default); // the same version seen again: nothing new

        var stored = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "uploads/cat.png"))!;
        var jobId = BlobNames.JobIdForBlob(stored.Name, stored.ETag);
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, jobId));
        var instances = await InstancesAsync(host);
        Assert.Single(instances);
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Manifest(jobId)));
    }

    [Fact]
    public async Task A_sidecar_gives_the_job_whichever_of_the_pair_arrives_first_and_a_bad_one_fails_the_upload()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        await using var host = await FunctionsHost.StartAsync(harness, models.Generator);
        var uploads = Uploads(host, harness);

        // Sidecar first: it waits; the image starts the job with the sidecar's parameters.
        await Upload(host, "pair/a.png.json", """{"prompt": "from the sidecar", "steps": 2, "resolution": 64, "seed": 9}""");
        await uploads.HandleAsync("pair/a.png.json", host.Client, default);
        Assert.Empty(await InstancesAsync(host));
        await WorkflowHarness.UploadInputAsync(host, "pair/a.png", metadata: new Dictionary<string, string> { ["prompt"] = "from metadata" });
        await uploads.HandleAsync("pair/a.png", host.Client, default);
        await uploads.HandleAsync("pair/a.png.json", host.Client, default); // a late event for the sidecar: same job

        var image = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "pair/a.png"))!;
        var state = await WorkflowHarness.WaitAsync(host, BlobNames.JobIdForBlob(image.Name, image.ETag));
        WorkflowHarness.AssertCompleted(state);
        Assert.Equal("from the sidecar", state.ReadInputAs<JobRequest>()!.Prompt);
        Assert.Single(await InstancesAsync(host));

        // An image that waits for its sidecar starts nothing until the sidecar arrives.
        await WorkflowHarness.UploadInputAsync(host, "pair/b.png", metadata: new Dictionary<string, string> { [JobSubmitter.WaitForSidecarKey] = "true" });
        await uploads.HandleAsync("pair/b.png", host.Client, default);
        Assert.Single(await InstancesAsync(host));
        await Upload(host, "pair/b.png.json", """{"steps": 500}""");
        await uploads.HandleAsync("pair/b.png.json", host.Client, default);
        var b = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "pair/b.png"))!;
        var failed = await host.Blobs.TryDownloadAsync(StoreContainer.Outputs, BlobNames.Failed(BlobNames.JobIdForBlob(b.Name, b.ETag)));
        if (failed is null)
        {
            var bState = await WorkflowHarness.WaitAsync(host, BlobNames.JobIdForBlob(b.Name, b.ETag));
            Assert.Equal(OrchestrationRuntimeStatus.Failed, bState.RuntimeStatus);
            failed = await host.Blobs.TryDownloadAsync(StoreContainer.Outputs, BlobNames.Failed(BlobNames.JobIdForBlob(b.Name, b.ETag)));
        }
        Assert.Contains("steps must be between 1 and 150", failed!.ToString());
    }

    [Fact]
    public async Task Timer_starts_each_waiting_batch_once_however_often_it_fires()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        await using var host = await FunctionsHost.StartAsync(harness, models.Generator);
        await WorkflowHarness.UploadInputAsync(host, "nightly/a.png");
        await Upload(host, "nightly.json", """{"inputPrefix": "nightly/", "defaults": {"steps": 2, "resolution": 64}}""", StoreContainer.Batches);
        await Upload(host, "notes.txt", "not a manifest", StoreContainer.Batches);
        var schedule = new ScheduleFunctions(host.Blobs, harness.Workflow, NullLogger<ScheduleFunctions>.Instance);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => schedule.StartScheduledBatches(new TimerInfo(), host.Client, default)));
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, "nightly"));
        await schedule.StartScheduledBatches(new TimerInfo(), host.Client, default); // after it finished: nothing new

        var batches = (await InstancesAsync(host)).Where(i => i.Name == "Batch").ToList();
        Assert.Single(batches);
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Batches, BlobNames.BatchResult("nightly")));
    }

    private static async Task<List<OrchestrationMetadata>> InstancesAsync(PortableHost host)
    {
        var all = new List<OrchestrationMetadata>();
        await foreach (var instance in host.Client.GetAllInstancesAsync(new OrchestrationQuery { FetchInputsAndOutputs = false })) all.Add(instance);
        return all;
    }

    private static UploadFunctions Uploads(PortableHost host, WorkflowHarness harness) =>
        new(host.Blobs, harness.Workflow, NullLogger<UploadFunctions>.Instance);

    private static BlobClient BlobFor(PortableHost host, string name) =>
        new BlobServiceClient(PortableHostOptions.DevelopmentStorage).GetBlobContainerClient(host.Blobs.Containers.Inputs).GetBlobClient(name);

    private static Task Upload(PortableHost host, string name, string text, StoreContainer container = StoreContainer.Inputs) =>
        host.Blobs.UploadAsync(container, name, BinaryData.FromString(text));

    private static HttpRequest JsonRequest(string json)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return context.Request;
    }

    private static HttpRequest EmptyRequest() => JsonRequest("");

    /// <summary>Runs an endpoint result as ASP.NET Core would and reads back the status and JSON body.</summary>
    private static async Task<(int Status, JsonElement Body)> ExecuteAsync(IResult result)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        body.Position = 0;
        var text = Encoding.UTF8.GetString(body.ToArray());
        return (context.Response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}

/// <summary>
/// Queue mode: the orchestration hands images over the generate-requests queue; the test plays the Functions host,
/// delivering each queue message to the app's queue functions, so both ends of the hand-over run as deployed.
/// </summary>
public sealed class QueueFunctionTests(TinyModelsFixture models) : IClassFixture<TinyModelsFixture>
{
    [Fact]
    public async Task Generate_and_deliver_functions_complete_a_job_and_the_poison_function_fails_one()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        harness.Workflow.GenerationMode = GenerationMode.Queue;
        await using var host = await FunctionsHost.StartAsync(harness, models.Generator, options => options.QueuePrefix = harness.TaskHub);
        var queue = host.Services.GetRequiredService<Workflow.Generation.GenerationQueue>();
        var functions = new GenerationQueueFunctions(host.Services, queue, NullLogger<GenerationQueueFunctions>.Instance);
        await WorkflowHarness.UploadInputAsync(host, "queue/house.png");

        var good = await host.Submitter.SubmitAsync(WorkflowHarness.Job("queue/house.png", count: 2) with { JobId = "queued-good" });
        await PumpAsync(host, queue, body => functions.GenerateFromQueue(body, host.Client), functions, requests: 2);
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, good.JobId));
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Image(good.JobId, 1)));

        var poisoned = await host.Submitter.SubmitAsync(WorkflowHarness.Job("queue/house.png") with { JobId = "queued-poison" });
        await PumpAsync(host, queue, functions.GenerationGaveUp, functions, requests: 1); // as if every delivery had failed
        var state = await WorkflowHarness.WaitAsync(host, poisoned.JobId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, state.RuntimeStatus);
        var failed = (await host.Blobs.DownloadAsync(StoreContainer.Outputs, BlobNames.Failed(poisoned.JobId))).ToString();
        Assert.Contains("failed on the GPU workers 3 times", failed);
    }

    /// <summary>Hands <paramref name="requests"/> request messages to <paramref name="onRequest"/>, then their results to the deliver function.</summary>
    private static async Task PumpAsync(PortableHost host, Workflow.Generation.GenerationQueue queue, Func<string, Task> onRequest,
        GenerationQueueFunctions functions, int requests)
    {
        for (int handled = 0, delivered = 0; delivered < requests;)
        {
            var request = handled < requests ? (await queue.Requests.ReceiveMessageAsync()).Value : null;
            if (request is not null)
            {
                await onRequest(request.Body.ToString());
                await queue.Requests.DeleteMessageAsync(request.MessageId, request.PopReceipt);
                handled++;
            }
            var result = (await queue.Results.ReceiveMessageAsync()).Value;
            if (result is not null)
            {
                await functions.DeliverGenerationResult(result.Body.ToString(), host.Client, default);
                await queue.Results.DeleteMessageAsync(result.MessageId, result.PopReceipt);
                delivered++;
            }
            if (request is null && result is null) await Task.Delay(100);
        }
    }
}
