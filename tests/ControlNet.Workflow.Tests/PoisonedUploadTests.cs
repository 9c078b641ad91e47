using System.Text.Json;
using ControlNet.Hosting;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlNet.Workflow.Tests;

/// <summary>
/// Bad uploads among good ones, on real Azurite with the durable Azure Storage backend: no bad upload holds up
/// the others, and every upload ends in exactly one job or one failed.json with a reason.
/// </summary>
public sealed class PoisonedUploadTests
{
    private static readonly Dictionary<string, string> Good = new() { ["steps"] = "1", ["resolution"] = "64", ["seed"] = "3", ["promptMode"] = "none" };

    [Fact]
    public async Task Fifty_uploads_with_five_poisoned_interleaved_all_good_ones_complete_and_bad_ones_fail_with_reasons()
    {
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        var poisoned = new Dictionary<string, (byte[] Content, Dictionary<string, string> Metadata, string Reason)>
        {
            ["up/10-nan.png"] = (TestImages.SquarePng(), new(Good) { ["guidanceScale"] = "NaN" }, "guidanceScale' must be a finite number"),
            ["up/20-infinity.png"] = (TestImages.SquarePng(), new(Good) { ["controlScale"] = "Infinity" }, "controlScale' must be a finite number"),
            ["up/30-huge-count.png"] = (TestImages.SquarePng(), new(Good) { ["count"] = "100000" }, "count must be between 1 and 16"),
            ["up/40-text.png"] = ("just some text, not an image"u8.ToArray(), Good, "not a supported image format"),
            ["up/45-empty.png"] = ([], Good, "empty"),
        };
        var names = new List<string>();
        for (int i = 0; i < 50; i++)
        {
            var bad = poisoned.Keys.FirstOrDefault(k => k.StartsWith($"up/{i:D2}-", StringComparison.Ordinal));
            var name = bad ?? $"up/{i:D2}-good.png";
            var (content, metadata, _) = bad is null ? (TestImages.SquarePng(), Good, "") : poisoned[bad];
            await host.Blobs.UploadAsync(StoreContainer.Inputs, name, BinaryData.FromBytes(content), metadata);
            names.Add(name);
        }

        var watcher = new InputWatcher(host, NullLogger.Instance, prefix: "up/", pageSize: 20);
        var started = new List<string>();
        for (int poll = 0; poll < 3; poll++) started.AddRange((await watcher.ScanOnceAsync(CancellationToken.None)).Select(s => s.JobId));

        var outcomes = new Dictionary<string, string>();
        foreach (var name in names)
        {
            var blob = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, name))!;
            var jobId = BlobNames.JobIdForBlob(blob.Name, blob.ETag);
            if (started.Contains(jobId)) await WorkflowHarness.WaitAsync(host, jobId);
            bool manifest = await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Manifest(jobId));
            var failed = await host.Blobs.TryDownloadAsync(StoreContainer.Outputs, BlobNames.Failed(jobId));
            Assert.True(manifest != (failed is not null), $"{name}: expected exactly one of manifest.json and failed.json");
            outcomes[name] = failed is null ? "completed" : JsonDocument.Parse(failed.ToString()).RootElement.GetProperty("reason").GetString()!;
        }

        Assert.Equal(45, outcomes.Count(o => o.Value == "completed"));
        foreach (var (name, (_, _, reason)) in poisoned) Assert.Contains(reason, outcomes[name]);
        Assert.Equal(45, generator.Calls); // each good upload generated once, none twice
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Inputs, "up/40-text.png")); // inputs are never deleted
    }
}
