using ControlNet.Core;
using ControlNet.Hosting;
using ControlNet.Hosting.Http;
using ControlNet.Workflow.Generation;
using Microsoft.Extensions.Logging;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet serve [--durable memory|azure-storage] [--watch inputs[/PREFIX]] [--http HOST:PORT]`: runs the workflow
/// worker until Ctrl+C. With --watch inputs, every new blob version in the inputs container starts one job
/// (ETag-derived id: a duplicate event or a restart starts nothing twice); with --http, the HTTP API (jobs, batches)
/// is served too. With azure-storage, jobs in flight when the process stops resume on the next start.
/// </summary>
internal static class ServeCommand
{
    public static readonly CommandSpec Spec = new("serve", "[--durable memory|azure-storage] [--watch inputs[/PREFIX]] [--http HOST:PORT [--api-key KEY]] [--models DIR]",
        "the workflow worker until Ctrl+C or SIGTERM; with --watch, every new upload to 'inputs' starts one job; with --http, the HTTP API",
        [
            new("watch", "inputs[/PREFIX]", "start a job for every new blob version in the inputs container (under PREFIX)"),
            new("http", "HOST:PORT", "serve the HTTP API (POST/GET/DELETE /api/jobs, POST/GET /api/batches), e.g. 127.0.0.1:7071"),
            new("api-key", "KEY", $"required from clients in the {HttpApi.KeyHeader} header; needed when --http is not loopback", "$CONTROLNET_API_KEY, else none"),
            new("poll-seconds", "N", "seconds between polls of the inputs container", "2"),
            new("role", "all|control|gpu", "all: everything here; control: orchestrations, images handed to GPU workers over the generate-requests queue; gpu: a GPU worker taking one request at a time (control and gpu need --durable azure-storage)", "all"),
            new("queue-prefix", "TEXT", "prefix of the generation queues' names (several deployments on one account)", "none"),
            new("generation-concurrency", "N", "GenerateImage activities at once in this process (a GPU runs one)", "1"),
            new("log-level", "LEVEL", "trace|debug|information|warning|error: this program's log lines on stderr (the libraries' at warning or above)", "information"),
            .. DurableArguments.Options,
            new("models", "DIR|URL", "models root: <DIR>/<model>/ and <DIR>/controlnet/<name>/; a blob URL (https://ACCOUNT.blob.core.windows.net/models) is mirrored to $CONTROLNET_MODELS_CACHE first", "$CONTROLNET_MODELS, else ./models"),
            .. PipelineGeneratorOptions.RuntimeOptions,
        ],
        "uploads: the job's fields come from the blob's metadata (same names as the job JSON; extractor parameters as\n" +
        "control_<name>, e.g. control_low=50; units as JSON text under 'controls').\n\n" + JobFieldsHelp.WithFields);

    public static async Task<int> RunAsync(string[] raw, Func<CommandLineArguments, ModelFolders, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var args = new CommandLineArguments(raw, Spec);
        var backend = DurableArguments.Backend(args);
        var watch = args.Optional("watch");
        string? prefix = null;
        if (watch is not null)
        {
            if (watch != "inputs" && !watch.StartsWith("inputs/", StringComparison.Ordinal))
                throw new InvalidInputException($"--watch takes 'inputs' (the uploads container) or 'inputs/PREFIX', got '{watch}'.");
            prefix = watch.Length > "inputs/".Length ? watch["inputs/".Length..] : null;
        }
        var http = args.Optional("http");
        var apiKey = args.Optional("api-key") ?? NullIfEmpty(Environment.GetEnvironmentVariable("CONTROLNET_API_KEY"));
        if (apiKey is not null && http is null) throw new InvalidInputException("--api-key protects the HTTP API: give --http HOST:PORT too.");
        var poll = TimeSpan.FromSeconds(args.Int("poll-seconds", 2, 1, 3600));
        var role = (args.Optional("role") ?? "all") switch
        {
            "all" => HostRole.All,
            "control" => HostRole.Control,
            "gpu" => HostRole.Gpu,
            var other => throw new InvalidInputException($"--role takes all, control or gpu, got '{other}'."),
        };
        if (role == HostRole.Gpu && (watch is not null || http is not null))
            throw new InvalidInputException("--role gpu only generates images: run --watch and --http on the control process.");
        var queuePrefix = args.Optional("queue-prefix") ?? "";
        if (!System.Text.RegularExpressions.Regex.IsMatch(queuePrefix, "^[a-z0-9]{0,30}$"))
            throw new InvalidInputException($"--queue-prefix must be up to 30 lower-case letters and digits, got '{queuePrefix}'.");
        var concurrency = args.Int("generation-concurrency", 1, 1, 64);
        var polling = DurableArguments.QueuePolling(args);
        var storage = DurableArguments.Storage(args);
        var level = ConsoleLogging.ParseLevel(args.Optional("log-level") ?? "information");
        var modelsSetting = args.Optional("models") ?? ModelArguments.DefaultRoot;
        if (ModelDownload.IsBlobUrl(modelsSetting))
        {
            // Models from blob: mirrored to the local cache (resumable, verified) before this worker takes any work.
            using var downloadLogs = ConsoleLogging.Create(level);
            modelsSetting = await ModelSource.ResolveAsync(modelsSetting, StorageConnection.FromEnvironment(), ModelSource.DefaultCacheRoot,
                downloadLogs.CreateLogger("ControlNet.Hosting.ModelDownload"), ct);
        }
        var generator = createGenerator(args, new ModelFolders(modelsSetting));
        args.RejectUnused();

        using var loggers = ConsoleLogging.Create(level);

        var options = new PortableHostOptions
        {
            Backend = backend,
            CreateGenerator = _ => generator,
            MaxQueuePollingInterval = polling,
            Workflow = new ControlNet.Workflow.WorkflowOptions { GenerationConcurrency = concurrency },
            LoggerFactory = loggers,
            Role = role,
            QueuePrefix = queuePrefix,
        };
        storage(options);
        await using var host = await PortableHost.StartAsync(options, ct);
        Console.Error.WriteLine($"serving as role {role.ToString().ToLowerInvariant()} (durable backend: {backend.ToString().ToLowerInvariant()}, containers: {host.Blobs.Containers.Inputs}, {host.Blobs.Containers.Outputs}, {host.Blobs.Containers.Batches}); Ctrl+C stops");
        if (backend == DurableBackend.Memory)
            Console.Error.WriteLine("note: the memory backend forgets jobs in flight when stopped; use --durable azure-storage to resume them");
        await using var api = http is null ? null : await HttpApiServer.StartAsync(host, http, apiKey, loggers, ct);
        if (api is not null)
            Console.Error.WriteLine($"HTTP API on {api.Address}api/jobs{(apiKey is null ? "" : $" (clients send {HttpApi.KeyHeader})")}");

        if (watch is null)
        {
            try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
            return 0;
        }
        var logger = loggers.CreateLogger<InputWatcher>();
        var watcher = new InputWatcher(host, logger, prefix);
        await watcher.RunAsync(poll, ct);
        logger.LogInformation("Watcher stopped: {Counts}.", watcher.Counts);
        return 0;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
