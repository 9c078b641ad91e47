using ControlNet.Core.Imaging;
using ControlNet.Hosting;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlNet.Workflow.Tests;

/// <summary>Several ControlNet units per job: each its own map, each map decoded once per job.</summary>
public sealed class MultiControlTests
{
    [Fact]
    public async Task Each_controlnet_receives_the_map_made_from_its_own_input_and_extractor()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        var photo = TestImages.SquarePng(96, 64);
        var sketch = TestImages.SquarePng(64, 96);
        await WorkflowHarness.UploadInputAsync(host, "multi/photo.png", photo);
        await WorkflowHarness.UploadInputAsync(host, "multi/sketch.png", sketch);
        var job = WorkflowHarness.Job("multi/photo.png", count: 2) with
        {
            JobId = "two-units",
            Controls =
            [
                new ControlUnitRequest { Model = "canny", Extractor = "canny", Parameters = new() { ["low"] = "50" } },
                new ControlUnitRequest { Model = "scribble", Extractor = "scribble", Input = "multi/sketch.png", Scale = 0.5, Mode = "control" },
            ],
        };

        await host.Submitter.SubmitAsync(job);
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, "two-units"));

        var validated = JobValidator.Validate(job, harness.Workflow.Limits);
        var expectedCanny = JobControlMaps.Make(ImageDecoder.Decode(photo), validated.Units[0], job.Resolution);
        var expectedScribble = JobControlMaps.Make(ImageDecoder.Decode(sketch), validated.Units[1], job.Resolution);
        Assert.NotEqual(expectedCanny.Data, expectedScribble.Data);
        Assert.Equal(2, generator.ReceivedMaps.Count);
        foreach (var call in generator.ReceivedMaps)
        {
            Assert.Equal(["canny", "scribble"], call.Select(c => c.ControlNet));
            // A map comes back from its PNG as 3 channels; compare the first channel with the extractor's output.
            Assert.Equal(expectedCanny.Data, FirstChannel(call[0].Map));
            Assert.Equal(expectedScribble.Data, FirstChannel(call[1].Map));
        }
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.ControlMap("two-units", 0)));
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.ControlMap("two-units", 1)));
    }

    [Fact]
    public async Task Control_maps_are_decoded_once_per_job_not_once_per_image()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        await using var host = await harness.StartHostAsync(new ScriptedGenerator());
        await WorkflowHarness.UploadInputAsync(host, "cache/house.png");

        await host.Submitter.SubmitAsync(WorkflowHarness.Job("cache/house.png", count: 4) with { JobId = "four-images" });
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, "four-images"));

        Assert.Equal(1, host.Services.GetRequiredService<ControlMapCache>().Decodes);
    }

    [Fact]
    public async Task Watcher_walks_the_listing_a_page_at_a_time_and_remembers_a_bounded_number_of_blobs()
    {
        var harness = new WorkflowHarness(DurableBackend.Memory);
        await using var host = await harness.StartHostAsync(new ScriptedGenerator());
        for (int i = 0; i < 5; i++)
            await WorkflowHarness.UploadInputAsync(host, $"paged/{i}.png", metadata: new Dictionary<string, string> { ["steps"] = "1", ["resolution"] = "64" });
        await WorkflowHarness.UploadInputAsync(host, "elsewhere/x.png");
        var watcher = new InputWatcher(host, NullLogger.Instance, prefix: "paged/", pageSize: 2, pagesPerPoll: 1, rememberedBlobs: 3);

        var started = new List<string>();
        for (int poll = 0; poll < 3; poll++) started.AddRange((await watcher.ScanOnceAsync(CancellationToken.None)).Select(s => s.JobId));

        // Two blobs per poll, resuming from the continuation token; nothing outside the prefix.
        Assert.Equal(5, started.Distinct().Count());
        Assert.True(watcher.Remembered <= 3);
        foreach (var id in started) WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, id));
        // Forgotten blobs are recognised by their outputs: a full pass starts nothing again.
        for (int poll = 0; poll < 3; poll++) Assert.Empty(await watcher.ScanOnceAsync(CancellationToken.None));
    }

    [Fact]
    public void Recent_set_forgets_the_oldest_first()
    {
        var set = new RecentSet(2);
        set.Add("a"); set.Add("b"); set.Add("c");
        Assert.False(set.Contains("a"));
        Assert.True(set.Contains("b") && set.Contains("c"));
        Assert.Equal(2, set.Count);
    }

    private static byte[] FirstChannel(ByteImage image)
    {
        var result = new byte[image.Width * image.Height];
        for (int i = 0; i < result.Length; i++) result[i] = image.Data[i * image.Channels];
        return result;
    }
}
