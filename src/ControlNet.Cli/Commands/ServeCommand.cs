using ControlNet.Hosting;
using ControlNet.Core;
using ControlNet.Workflow.Generation;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet serve [--durable memory|azure-storage] [--watch inputs] [--poll-seconds N]`: runs the workflow
/// worker until Ctrl+C. With --watch inputs, every new blob version in the inputs container starts one job
/// (ETag-derived id: a duplicate event or a restart starts nothing twice). With azure-storage, jobs in flight when
/// the process stops resume on the next start.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(CommandLineArguments args, Func<CommandLineArguments, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var backend = JobArguments.Backend(args);
        var watch = args.Optional("watch");
        if (watch is not null and not "inputs")
            throw new InvalidInputException($"--watch only knows 'inputs' (the uploads container), got '{watch}'.");
        var poll = TimeSpan.FromSeconds(args.Int("poll-seconds", 2, 1, 3600));
        var concurrency = args.Int("generation-concurrency", 1, 1, 64);
        var polling = JobArguments.QueuePolling(args);
        var generator = createGenerator(args);
        args.RejectUnused();

        var options = new PortableHostOptions
        {
            Backend = backend,
            CreateGenerator = _ => generator,
            MaxQueuePollingInterval = polling,
            Workflow = new ControlNet.Workflow.WorkflowOptions { GenerationConcurrency = concurrency },
        };
        await using var host = await PortableHost.StartAsync(options, ct);
        Console.Error.WriteLine($"serving (durable backend: {backend.ToString().ToLowerInvariant()}, containers: {host.Blobs.Containers.Inputs}, {host.Blobs.Containers.Outputs}, {host.Blobs.Containers.Batches}); Ctrl+C stops");
        if (backend == DurableBackend.Memory)
            Console.Error.WriteLine("note: the memory backend forgets jobs in flight when stopped; use --durable azure-storage to resume them");

        if (watch is null)
        {
            try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
            return 0;
        }
        var watcher = new InputWatcher(host, NullLogger.Instance);
        watcher.JobSubmitted += (blob, result) =>
            Console.Error.WriteLine($"{host.Blobs.Describe(ControlNet.Workflow.Storage.StoreContainer.Inputs, blob.Name)} -> job {result.JobId} ({result.Outcome.ToString().ToLowerInvariant()}{(result.Reason is null ? "" : ": " + result.Reason)})");
        await watcher.RunAsync(poll, ct);
        return 0;
    }
}
