using System.Text.Json;
using ControlNet.Hosting;
using ControlNet.Core;
using ControlNet.Workflow;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet run --input FILE|blob-name [job options…] [--durable memory|azure-storage] [--output-dir DIR]`:
/// one job through the durable workflow. A local file is uploaded to the inputs container first; progress is
/// one live line on stderr; output blob names go to stdout and the files to --output-dir (default ./out/&lt;jobId&gt;).
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(CommandLineArguments args, Func<CommandLineArguments, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var input = args.Required("input");
        var backend = JobArguments.Backend(args);
        var outputDir = args.Optional("output-dir");
        var job = JobArguments.Read(args, input);
        var polling = JobArguments.QueuePolling(args);
        var generator = createGenerator(args);
        args.RejectUnused();
        var options = new PortableHostOptions { Backend = backend, CreateGenerator = _ => generator, MaxQueuePollingInterval = polling };
        // Reject a bad job before uploading anything.
        JobValidator.Validate(job with { Input = File.Exists(input) ? "cli/" + Path.GetFileName(input) : input }, options.Workflow);

        await using var host = await PortableHost.StartAsync(options, ct);
        if (File.Exists(input))
        {
            // Time plus a random part: two runs of same-named files never overwrite each other's input.
            var blobName = $"cli/{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}-{Path.GetFileName(input)}";
            // Marked as submitted: a `serve --watch inputs` on the same storage must not start a second job for it.
            await host.Blobs.UploadAsync(StoreContainer.Inputs, blobName, BinaryData.FromBytes(await File.ReadAllBytesAsync(input, ct)),
                new Dictionary<string, string> { [BlobJobParameters.SubmittedByKey] = "controlnet-run" }, ct);
            Console.Error.WriteLine($"uploaded {input} -> {host.Blobs.Describe(StoreContainer.Inputs, blobName)}");
            job = job with { Input = blobName };
        }
        else if (BlobNames.Check(input, "--input").Count == 0 && !await host.Blobs.ExistsAsync(StoreContainer.Inputs, input, ct))
        {
            throw new InvalidInputException($"--input '{input}' is neither a local file nor a blob in '{host.Blobs.Containers.Inputs}'.");
        }

        var submitted = await host.Submitter.SubmitAsync(job, ct);
        if (submitted.Outcome == SubmitOutcome.Pending) throw new InvalidInputException($"Job not started: {submitted.Reason}.");
        Console.Error.WriteLine($"job {submitted.JobId} ({(submitted.Outcome == SubmitOutcome.Started ? "started" : "already exists")}, durable backend: {backend.ToString().ToLowerInvariant()})");
        var state = await InstanceWaiter.WaitAsync(host, submitted.JobId, DescribeStatus, ct);

        if (state.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            var reason = state.FailureDetails?.ErrorMessage ?? state.RuntimeStatus.ToString();
            Console.Error.WriteLine($"job {submitted.JobId} failed: {reason}");
            Console.WriteLine(host.Blobs.Describe(StoreContainer.Outputs, BlobNames.Failed(submitted.JobId)));
            return 1;
        }
        var result = state.ReadOutputAs<JobResult>()!;
        var dir = outputDir ?? Path.Combine("out", submitted.JobId);
        Directory.CreateDirectory(dir);
        foreach (var blob in result.Images.Prepend(result.ControlMap).Append(result.Manifest))
        {
            Console.WriteLine(host.Blobs.Describe(StoreContainer.Outputs, blob));
            var local = Path.Combine(dir, Path.GetFileName(blob));
            await File.WriteAllBytesAsync(local, (await host.Blobs.DownloadAsync(StoreContainer.Outputs, blob, ct)).ToArray(), ct);
        }
        Console.Error.WriteLine($"downloaded {result.Images.Count + 2} files to {Path.GetFullPath(dir)}");
        return 0;
    }

    /// <summary>"generating image 1/2, step 7/20 of image 1" from a job's custom status.</summary>
    internal static string DescribeStatus(string? customStatus)
    {
        var status = customStatus is null ? null : JsonSerializer.Deserialize<JobStatus>(customStatus);
        if (status is null) return "queued";
        var line = $"{status.Stage} image {status.ImagesDone}/{status.ImagesTotal}";
        return status.Stage == JobStages.Generating && status.Step is { } p ? line + $", step {p.Step}/{p.Steps} of image {p.Image}" : line;
    }
}
