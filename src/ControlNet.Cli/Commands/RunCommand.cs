using System.Text.Json;
using ControlNet.Core;
using ControlNet.Hosting;
using ControlNet.Workflow;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet run --input FILE|blob [job options…]`: one job through the durable workflow. Everything checkable is
/// checked before anything is uploaded (the job, the models, the output folder, storage); local files are uploaded
/// to the inputs container; progress goes to stderr; output blob names to stdout and the files to --output-dir.
/// </summary>
internal static class RunCommand
{
    public static readonly CommandSpec Spec = new("run",
        "--input FILE|BLOB [--control-image FILE|BLOB …] [job options] [--durable memory|azure-storage] [--output-dir DIR]",
        "one job through the durable workflow (blobs on Azurite or AzureWebJobsStorage), outputs downloaded",
        [
            new("input", "FILE|BLOB", "the source image: a local file (uploaded to inputs/cli/…) or a blob name in 'inputs'"),
            new("control-image", "FILE|BLOB", "a unit's own source image, once per --controlnet (default: --input for every unit)", Repeatable: true),
            new("job-id", "ID", "the job's id (letters, digits, '-', '_'); the same id never runs twice", "generated"),
            new("output-dir", "DIR", "where the outputs are downloaded", "./out/<jobId>"),
            .. ModelArguments.Options,
            .. JobArguments.Options,
            .. DurableArguments.Options,
            DurableArguments.Work,
            .. PipelineGeneratorOptions.RuntimeOptions,
        ],
        JobFieldsHelp.WithFields);

    public static async Task<int> RunAsync(string[] raw, Func<CommandLineArguments, ModelFolders, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var args = new CommandLineArguments(raw, Spec);
        var input = args.Required("input");
        var unitInputs = args.All("control-image");
        var backend = DurableArguments.Backend(args);
        var polling = DurableArguments.QueuePolling(args);
        var storage = DurableArguments.Storage(args);
        var outputDir = args.Optional("output-dir");
        var work = args.Flag("work");
        OutputPaths.RequireWritableFolder(outputDir ?? "out", "--output-dir");
        foreach (var value in unitInputs.Prepend(input).Where(v => LooksLikeLocalPath(v) && !File.Exists(v)))
            throw new InvalidInputException($"Local file '{value}' does not exist.");
        var models = ModelArguments.Read(args);
        var job = JobArguments.Read(args, Placeholder(input), models, unitInputs.Select(Placeholder).ToList());
        job = job with { JobId = args.Optional("job-id") ?? job.JobId };
        var generator = createGenerator(args, models.Folders);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        // Everything the user can fix is found here, before anything is uploaded.
        var options = new PortableHostOptions { Backend = backend, CreateGenerator = _ => generator, MaxQueuePollingInterval = polling };
        DurableArguments.ApplyWorkMode(work, options);
        using var loggers = ConsoleLogging.Create(Microsoft.Extensions.Logging.LogLevel.Warning);
        options.LoggerFactory = loggers;
        storage(options);
        var validated = JobValidator.Validate(job, options.Workflow.Limits);
        if (models.Folders.Problems(validated.Request.Model, validated.Units.Select(u => u.Model)) is { Count: > 0 } modelProblems)
            throw new InvalidInputException(string.Join(" ", modelProblems));

        await using var host = await PortableHost.StartAsync(options, ct);
        var uploads = new Dictionary<string, string>(StringComparer.Ordinal);
        async Task<string> BlobFor(string value)
        {
            if (!File.Exists(value))
            {
                if (LooksLikeLocalPath(value))
                    throw new InvalidInputException($"Local file '{value}' does not exist.");
                if (!await host.Blobs.ExistsAsync(StoreContainer.Inputs, BlobNames.Require(value, "--input"), ct))
                    throw new InvalidInputException($"'{value}' is neither a local file nor a blob in '{host.Blobs.Containers.Inputs}'.");
                return value;
            }
            if (uploads.TryGetValue(value, out var uploaded)) return uploaded;
            // Time plus a random part: two runs of same-named files never overwrite each other's input.
            var blobName = $"cli/{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}-{Path.GetFileName(value)}";
            // Marked as submitted: a `serve --watch inputs` on the same storage must not start a second job for it.
            await host.Blobs.UploadAsync(StoreContainer.Inputs, blobName, BinaryData.FromBytes(await File.ReadAllBytesAsync(value, ct)),
                new Dictionary<string, string> { [BlobJobParameters.SubmittedByKey] = "controlnet-run" }, ct);
            Console.Error.WriteLine($"uploaded {value} -> {host.Blobs.Describe(StoreContainer.Inputs, blobName)}");
            return uploads[value] = blobName;
        }
        job = job with { Input = await BlobFor(input) };
        if (job.Controls is { } controls && unitInputs.Count > 0)
        {
            var resolved = new List<ControlUnitRequest>();
            for (int k = 0; k < controls.Count; k++)
                resolved.Add(controls[k] with { Input = await BlobFor(unitInputs.Count == 1 ? unitInputs[0] : unitInputs[k]) });
            job = job with { Controls = resolved };
        }

        var submitted = await host.Submitter.SubmitAsync(job, ct);
        if (submitted.Outcome == SubmitOutcome.Pending) throw new InvalidInputException($"Job not started: {submitted.Reason}.");
        Console.Error.WriteLine($"job {submitted.JobId} ({(submitted.Outcome == SubmitOutcome.Started ? "started" : "already exists")}, durable backend: {backend.ToString().ToLowerInvariant()})");
        var progress = new JobProgress(!Console.IsErrorRedirected);
        var state = await InstanceWaiter.WaitAsync(host, submitted.JobId, progress.Describe, ct, clientOnly: !options.RunWorker);

        if (state.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            Console.WriteLine(host.Blobs.Describe(StoreContainer.Outputs, BlobNames.Failed(submitted.JobId)));
            var failure = await ReadFailureAsync(host, submitted.JobId, ct);
            var reason = failure?.Reason ?? state.FailureDetails?.ErrorMessage ?? state.RuntimeStatus.ToString();
            Console.Error.WriteLine($"error: job {submitted.JobId} failed{(failure?.Stage is { } stage ? $" while {stage}" : "")}: {reason}");
            return failure?.Cause == "input" ? 2 : 1;
        }
        var result = state.ReadOutputAs<JobResult>()!;
        if (validated.Seed is null) Console.Error.WriteLine($"seed {result.Seed} (random)");
        var dir = outputDir ?? Path.Combine("out", submitted.JobId);
        Directory.CreateDirectory(dir);
        foreach (var blob in result.ControlMaps.Concat(result.Images).Append(result.Manifest))
        {
            Console.WriteLine(host.Blobs.Describe(StoreContainer.Outputs, blob));
            var local = Path.Combine(dir, Path.GetFileName(blob));
            await File.WriteAllBytesAsync(local, (await host.Blobs.DownloadAsync(StoreContainer.Outputs, blob, ct)).ToArray(), ct);
        }
        Console.Error.WriteLine($"downloaded {result.ControlMaps.Count + result.Images.Count + 1} files to {Path.GetFullPath(dir)}");
        return 0;
    }

    /// <summary>Absolute or ./ ../ paths are files the user meant, never blob names.</summary>
    private static bool LooksLikeLocalPath(string value) =>
        Path.IsPathRooted(value) || value.StartsWith("./", StringComparison.Ordinal) || value.StartsWith("../", StringComparison.Ordinal);

    /// <summary>The blob name a local file will get, for checking the job before the upload.</summary>
    private static string Placeholder(string value) => File.Exists(value) ? "cli/" + Path.GetFileName(value) : value;

    private sealed record FailureDocument(string? Stage, string? Reason, string? Cause);

    private static async Task<FailureDocument?> ReadFailureAsync(PortableHost host, string jobId, CancellationToken ct)
    {
        var blob = await host.Blobs.TryDownloadAsync(StoreContainer.Outputs, BlobNames.Failed(jobId), ct);
        if (blob is null) return null;
        try { return JsonSerializer.Deserialize<FailureDocument>(blob.ToString(), JsonSerializerOptions.Web); }
        catch (JsonException) { return null; }
    }
}
