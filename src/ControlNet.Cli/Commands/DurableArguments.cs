using ControlNet.Core;
using ControlNet.Hosting;

namespace ControlNet.Cli.Commands;

/// <summary>`--durable memory|azure-storage` and `--queue-poll-ms N`: which durable backend the portable host runs on.</summary>
internal static class DurableArguments
{
    public static readonly CliOption[] Options =
    [
        new("durable", "memory|azure-storage", "durable backend: in-process memory, or Durable Task's Azure Storage provider on AzureWebJobsStorage", "memory"),
        new("queue-poll-ms", "N", "azure-storage: longest wait between polls of an idle queue", "1000"),
        new("task-hub", "NAME", "azure-storage: the task hub (workers and clients of one hub share its jobs)", "controlnet"),
        new("container-prefix", "PREFIX", "prefix of the three container names (PREFIX-inputs, …), to share one account", "none: inputs, outputs, batches"),
    ];

    /// <summary>--task-hub and --container-prefix, read (and checked) with the other flags, applied once the host options exist.</summary>
    public static Action<Hosting.PortableHostOptions> Storage(CommandLineArguments args)
    {
        var hub = args.Optional("task-hub");
        var prefix = args.Optional("container-prefix");
        if (prefix is not null && !System.Text.RegularExpressions.Regex.IsMatch(prefix, "^[a-z0-9]{1,40}$"))
            throw new InvalidInputException($"--container-prefix must be 1-40 lower-case letters and digits, got '{prefix}'.");
        return options =>
        {
            if (hub is not null) options.TaskHubName = hub;
            if (prefix is not null) options.Containers = Workflow.Storage.BlobContainerNames.WithPrefix(prefix);
        };
    }

    /// <summary>For the commands that submit and wait (`run`, `batch`).</summary>
    public static readonly CliOption Work = new("work", null,
        "azure-storage: also act as a worker (else a 'controlnet serve' runs the job); work held at exit is finished first");

    /// <summary>
    /// How a submitting command hosts the workflow: the memory backend lives in this process, so it always works;
    /// on a shared Azure Storage task hub the command is a client unless --work, so it never takes (and, exiting,
    /// abandons) other jobs' work items.
    /// </summary>
    public static void ApplyWorkMode(bool work, Hosting.PortableHostOptions options)
    {
        if (options.Backend == DurableBackend.Memory) return;
        options.RunWorker = work;
        // A worker finishes what it holds before it exits, rather than leaving it to the visibility timeout.
        if (work) options.ShutdownTimeout = TimeSpan.FromMinutes(10);
    }

    public static DurableBackend Backend(CommandLineArguments args) => args.Optional("durable") switch
    {
        null or "memory" => DurableBackend.Memory,
        "azure-storage" => DurableBackend.AzureStorage,
        var other => throw new InvalidInputException($"--durable must be 'memory' or 'azure-storage', got '{other}'."),
    };

    /// <summary>
    /// The longest an idle Azure Storage worker waits between queue polls. Lower means less latency per
    /// orchestration hop and more storage transactions.
    /// </summary>
    public static TimeSpan QueuePolling(CommandLineArguments args) =>
        TimeSpan.FromMilliseconds(args.Int("queue-poll-ms", 1000, 10, 60_000));
}
