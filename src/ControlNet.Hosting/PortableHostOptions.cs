using ControlNet.Core;
using ControlNet.Workflow;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.Logging;

namespace ControlNet.Hosting;

public enum DurableBackend
{
    /// <summary>In-process, in-memory orchestration state: nothing survives the process (the embedded default).</summary>
    Memory,
    /// <summary>DTFx Azure Storage provider (queues, tables, blobs) on Azurite or a real account: survives restarts.</summary>
    AzureStorage,
}

/// <summary>How to start a <see cref="PortableHost"/>; <see cref="Validate"/> runs once at start-up.</summary>
/// <summary>Which part of the production split a portable host plays (<c>controlnet serve --role</c>).</summary>
public enum HostRole
{
    /// <summary>Everything in one process, images generated in process.</summary>
    All,
    /// <summary>Orchestrations and CPU activities; images go to the GPU workers on the generate-requests queue.</summary>
    Control,
    /// <summary>A GPU worker: takes one generate request at a time and answers on generate-results. Runs no orchestrations.</summary>
    Gpu,
}

public sealed class PortableHostOptions
{
    /// <summary>The environment variable the Functions app reads too.</summary>
    public const string StorageConnectionVariable = "AzureWebJobsStorage";

    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public DurableBackend Backend { get; set; } = DurableBackend.Memory;

    /// <summary>Blob storage (and, for <see cref="DurableBackend.AzureStorage"/>, the durable state).</summary>
    public string StorageConnectionString { get; set; } =
        Environment.GetEnvironmentVariable(StorageConnectionVariable) is { Length: > 0 } s ? s : DevelopmentStorage;

    /// <summary>
    /// Identity-based storage (<c>AzureWebJobsStorage__blobServiceUri</c>/<c>__queueServiceUri</c>/<c>__tableServiceUri</c>
    /// or <c>__accountName</c>, with <c>__credential</c> and <c>__clientId</c>), read from the environment as the
    /// Functions host reads it; when set, <see cref="StorageConnectionString"/> is not used.
    /// </summary>
    public StorageConnection? IdentityStorage { get; set; } = StorageConnection.FromEnvironment() is { IsIdentityBased: true } identity ? identity : null;

    /// <summary>The connection every storage client of the host is made from.</summary>
    public StorageConnection Storage => IdentityStorage ?? new StorageConnection(StorageConnectionString, null, null, null, null);

    /// <summary>Durable task hub name (Azure Storage backend): 3–45 letters and digits.</summary>
    public string TaskHubName { get; set; } = "controlnet";

    public BlobContainerNames Containers { get; set; } = new();

    public WorkflowOptions Workflow { get; set; } = new();

    /// <summary>Makes the generator the Generate activity runs (the ControlNet pipeline in production).</summary>
    public Func<IServiceProvider, IImageGenerator>? CreateGenerator { get; set; }

    /// <summary>Logs of the sidecar, worker and DTFx; none when null (Kestrel is chatty).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>How long stopping waits for work in flight; unfinished work resumes on the next start.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Whether this host also runs work (orchestrations and activities). False makes a pure client: it submits and
    /// watches, and never takes a work item another process should run (`run`/`batch` on a shared task hub).
    /// </summary>
    public bool RunWorker { get; set; } = true;

    public HostRole Role { get; set; } = HostRole.All;

    /// <summary>Prepended to the generation queues' names (tests keep theirs apart).</summary>
    public string QueuePrefix { get; set; } = "";

    /// <summary>
    /// Registers the orchestrators and activities the worker runs; default: the Workflow classes
    /// (<c>AddControlNetWorkflow</c>). The Functions app's tests register its shims here instead, so the same
    /// orchestrations run through them. The services argument is the worker's, once it is built.
    /// </summary>
    public Action<Microsoft.DurableTask.DurableTaskRegistry, Func<IServiceProvider>>? RegisterTasks { get; set; }

    /// <summary>
    /// Azure Storage: how long a dequeued activity stays hidden from other workers unless renewed. Running
    /// activities are renewed every third of it (a generation may take minutes), so this is how long an activity
    /// held by a crashed worker waits before another worker runs it (DTFx's default is 5 minutes).
    /// </summary>
    public TimeSpan WorkItemVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Azure Storage: how long a dequeued orchestration message stays hidden. An orchestration step takes
    /// milliseconds, so a short timeout costs nothing and bounds the wait after a crash (DTFx's default: 5 minutes).
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Azure Storage: longest wait between polls of an idle queue (lower = less latency, more requests).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Azure Storage: partition lease length; a crashed host's partition moves after this long.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Azure Storage: identifies this host in partition leases.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    public void Validate()
    {
        Workflow.Validate();
        var errors = new List<string>();
        if (Role != HostRole.All && Backend != DurableBackend.AzureStorage)
            errors.Add($"role '{Role.ToString().ToLowerInvariant()}' hands images over Azure Storage queues: use the azure-storage backend.");
        if (Workflow.GenerationMode == GenerationMode.Queue && Backend != DurableBackend.AzureStorage)
            errors.Add("queue generation mode needs the azure-storage backend (its queues carry the hand-over).");
        if (CreateGenerator is null) errors.Add("no image generator is configured (CreateGenerator).");
        if (string.IsNullOrWhiteSpace(StorageConnectionString)) errors.Add($"the storage connection string is empty (set {StorageConnectionVariable}).");
        if (Backend == DurableBackend.AzureStorage && !System.Text.RegularExpressions.Regex.IsMatch(TaskHubName, "^[A-Za-z][A-Za-z0-9]{2,44}$"))
            errors.Add($"task hub name '{TaskHubName}' must be 3–45 letters and digits, starting with a letter.");
        if (WorkItemVisibilityTimeout < TimeSpan.FromSeconds(3)) errors.Add("WorkItemVisibilityTimeout must be at least 3 seconds.");
        if (!RunWorker && Backend == DurableBackend.Memory) errors.Add("the memory backend lives in this process: it needs its worker (RunWorker).");
        if (ControlQueueVisibilityTimeout < TimeSpan.FromSeconds(3)) errors.Add("ControlQueueVisibilityTimeout must be at least 3 seconds.");
        if (ShutdownTimeout < TimeSpan.Zero) errors.Add("ShutdownTimeout must not be negative.");
        if (LeaseInterval < TimeSpan.FromSeconds(6)) errors.Add("LeaseInterval must be at least 6 seconds.");
        if (errors.Count > 0) throw new InvalidInputException("Invalid host options: " + string.Join(" ", errors));
    }
}
