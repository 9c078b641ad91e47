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
    public static readonly CommandSpec Spec = new("batch", "--manifest FILE|BLOB [--batch-id ID] [--durable memory|azure-storage] [--output-dir DIR]",
        "a batch manifest through the batch orchestrator; writes batches/<id>.result.json",
        [
            new("manifest", "FILE|BLOB", "{\"jobs\": [job, …]} or {\"inputPrefix\": \"photos/\", \"defaults\": {job fields}}: a local file (uploaded) or a blob in 'batches'"),
            new("batch-id", "ID", "the batch's id; its jobs are <ID>-NNNN", "batch-<time>-<random>"),
            new("output-dir", "DIR", "where the result file is downloaded", "./out"),
            .. DurableArguments.Options,
            DurableArguments.Work,
            new("models", "DIR", "models root: <DIR>/<model>/ and <DIR>/controlnet/<name>/", "$CONTROLNET_MODELS, else ./models"),
            .. PipelineGeneratorOptions.RuntimeOptions,
        ],
        JobFieldsHelp.WithFields);

    public static async Task<int> RunAsync(string[] raw, Func<CommandLineArguments, ModelFolders, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var args = new CommandLineArguments(raw, Spec);
        var manifest = args.Required("manifest");
        var backend = DurableArguments.Backend(args);
        var outputDir = OutputPaths.RequireWritableFolder(args.Optional("output-dir") ?? "out", "--output-dir");
        var batchId = args.Optional("batch-id") ?? $"batch-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var polling = DurableArguments.QueuePolling(args);
        var storage = DurableArguments.Storage(args);
        var work = args.Flag("work");
        var folders = new ModelFolders(args.Optional("models") ?? ModelArguments.DefaultRoot);
        var generator = createGenerator(args, folders);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        string manifestBlob;
        BinaryData? localManifest = null;
        if (File.Exists(manifest))
        {
            // Parse before starting anything: a broken manifest is the user's to fix, with its position.
            var text = await File.ReadAllTextAsync(manifest, ct);
            var parsed = BatchManifest.Parse(text, manifest);
            // Every listed job is checked now, as `run` checks its one: a batch must not fail job by job on a typo.
            var limits = new ControlNet.Workflow.WorkflowOptions().Limits;
            var problems = (parsed.Jobs ?? [parsed.Defaults ?? new JobRequest()]).SelectMany((job, i) =>
            {
                var label = parsed.Jobs is null ? "defaults" : $"jobs[{i}]";
                try
                {
                    var valid = JobValidator.Validate(parsed.Jobs is null ? job with { Input = "prefix/x.png" } : job with { JobId = null }, limits);
                    return folders.Problems(valid.Request.Model, valid.Units.Select(u => u.Model)).Select(p => $"{label}: {p}");
                }
                catch (JobValidationException e) { return e.Errors.Select(p => $"{label}: {p}"); }
            }).ToList();
            if (problems.Count > 0) throw new JobValidationException(problems);
            localManifest = BinaryData.FromString(text);
            manifestBlob = $"{batchId}.json";
        }
        else
        {
            manifestBlob = manifest;
        }

        var options = new PortableHostOptions { Backend = backend, CreateGenerator = _ => generator, MaxQueuePollingInterval = polling };
        DurableArguments.ApplyWorkMode(work, options);
        using var loggers = ConsoleLogging.Create(Microsoft.Extensions.Logging.LogLevel.Warning);
        options.LoggerFactory = loggers;
        storage(options);
        await using var host = await PortableHost.StartAsync(options, ct);
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
        var state = await InstanceWaiter.WaitAsync(host, batchId, Describe, ct, pollMilliseconds: 500, clientOnly: !options.RunWorker);

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
