using System.Text.Json;
using ControlNet.Hosting;
using ControlNet.Core;
using ControlNet.Workflow;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet batch --manifest FILE|blob [--batch-id ID] [--durable memory|azure-storage] [--output-dir DIR]`:
/// a batch manifest (a list of jobs, or an input prefix plus shared parameters) through the batch orchestrator,
/// which runs its jobs as sub-orchestrations with bounded concurrency and writes batches/&lt;id&gt;.result.json.
/// A local manifest file is uploaded to the batches container first; the result file is downloaded.
/// </summary>
internal static class BatchCommand
{
    public static async Task<int> RunAsync(CommandLineArguments args, Func<CommandLineArguments, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var manifest = args.Required("manifest");
        var backend = JobArguments.Backend(args);
        var outputDir = args.Optional("output-dir") ?? "out";
        var batchId = args.Optional("batch-id") ?? $"batch-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var polling = JobArguments.QueuePolling(args);
        var generator = createGenerator(args);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        string manifestBlob;
        BinaryData? localManifest = null;
        if (File.Exists(manifest))
        {
            // Parse before starting anything: a broken manifest is the user's to fix, with its position.
            var text = await File.ReadAllTextAsync(manifest, ct);
            BatchManifest.Parse(text, manifest);
            localManifest = BinaryData.FromString(text);
            manifestBlob = $"{batchId}.json";
        }
        else
        {
            manifestBlob = manifest;
        }

        await using var host = await PortableHost.StartAsync(
            new PortableHostOptions { Backend = backend, CreateGenerator = _ => generator, MaxQueuePollingInterval = polling }, ct);
        if (localManifest is not null)
        {
            await host.Blobs.UploadAsync(StoreContainer.Batches, manifestBlob, localManifest, ct: ct);
            Console.Error.WriteLine($"uploaded {manifest} -> {host.Blobs.Describe(StoreContainer.Batches, manifestBlob)}");
        }
        else if (!await host.Blobs.ExistsAsync(StoreContainer.Batches, BlobNames.Require(manifestBlob, "--manifest"), ct))
        {
            throw new InvalidInputException($"--manifest '{manifest}' is neither a local file nor a blob in '{host.Blobs.Containers.Batches}'.");
        }

        var submitted = await host.Submitter.SubmitBatchAsync(batchId, manifestBlob, ct);
        if (submitted.Outcome == SubmitOutcome.Pending) throw new InvalidInputException($"Batch not started: {submitted.Reason}.");
        Console.Error.WriteLine($"batch {batchId} ({(submitted.Outcome == SubmitOutcome.Started ? "started" : "already exists")}, durable backend: {backend.ToString().ToLowerInvariant()})");
        var state = await InstanceWaiter.WaitAsync(host, batchId, Describe, ct, pollMilliseconds: 500);

        var resultBlob = $"{batchId}.result.json";
        var result = await host.Blobs.TryDownloadAsync(StoreContainer.Batches, resultBlob, ct);
        Console.WriteLine(host.Blobs.Describe(StoreContainer.Batches, resultBlob));
        if (result is not null)
        {
            Directory.CreateDirectory(outputDir);
            var local = Path.Combine(outputDir, resultBlob);
            await File.WriteAllBytesAsync(local, result.ToArray(), ct);
            Console.Error.WriteLine($"downloaded {Path.GetFullPath(local)}");
        }
        if (state.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            Console.Error.WriteLine($"batch {batchId} failed: {state.FailureDetails?.ErrorMessage ?? state.RuntimeStatus.ToString()}");
            return 1;
        }
        var outcome = state.ReadOutputAs<BatchResult>()!;
        Console.Error.WriteLine($"batch {batchId}: {outcome.Completed} job(s) completed, {outcome.Failed} failed");
        return outcome.Failed == 0 ? 0 : 1;
    }

    /// <summary>"3 completed, 1 failed of 10 jobs" from a batch's custom status.</summary>
    private static string Describe(string? customStatus)
    {
        if (customStatus is null) return "queued";
        using var status = JsonDocument.Parse(customStatus);
        var root = status.RootElement;
        return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("total", out var total)
            ? $"{root.GetProperty("completed").GetInt32()} completed, {root.GetProperty("failed").GetInt32()} failed of {total.GetInt32()} jobs"
            : "reading the manifest";
    }
}
