using Microsoft.Extensions.Logging;
using ControlNet.Hosting;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow.Tests;

/// <summary>
/// Starts portable hosts against Azurite (AzureWebJobsStorage, default the development storage) with containers
/// and a task hub of its own, so tests never see each other's blobs or orchestrations.
/// </summary>
public sealed class WorkflowHarness
{
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    public WorkflowHarness(DurableBackend backend)
    {
        Backend = backend;
        var id = Guid.NewGuid().ToString("N")[..10];
        Containers = BlobContainerNames.WithPrefix("t" + id);
        TaskHub = "t" + id + "hub";
    }

    public DurableBackend Backend { get; }
    public BlobContainerNames Containers { get; }
    public string TaskHub { get; }

    public WorkflowOptions Workflow { get; } = new()
    {
        FirstRetryInterval = TimeSpan.FromMilliseconds(500),
        MaxRetryInterval = TimeSpan.FromSeconds(2),
    };

    public Task<PortableHost> StartHostAsync(IImageGenerator generator, Action<PortableHostOptions>? configure = null)
    {
        var options = new PortableHostOptions
        {
            Backend = Backend,
            TaskHubName = TaskHub,
            Containers = Containers,
            Workflow = Workflow,
            CreateGenerator = _ => generator,
            ShutdownTimeout = TimeSpan.FromSeconds(1),
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500),
            // CONTROLNET_TEST_LOGS=1 shows the sidecar's, worker's and DTFx's logs on the console.
            LoggerFactory = Environment.GetEnvironmentVariable("CONTROLNET_TEST_LOGS") == "1"
                ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Information))
                : null,
        };
        configure?.Invoke(options);
        return PortableHost.StartAsync(options);
    }

    public static async Task<string> UploadInputAsync(PortableHost host, string name, byte[]? content = null, IDictionary<string, string>? metadata = null)
    {
        await host.Blobs.UploadAsync(StoreContainer.Inputs, name, BinaryData.FromBytes(content ?? TestImages.SquarePng()), metadata);
        return name;
    }

    public static async Task<OrchestrationMetadata> WaitAsync(PortableHost host, string instanceId)
    {
        using var timeout = new CancellationTokenSource(JobTimeout);
        return await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    public static void AssertCompleted(OrchestrationMetadata state) =>
        Assert.True(state.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{state.InstanceId} ended {state.RuntimeStatus}: {state.FailureDetails?.ErrorType}: {state.FailureDetails?.ErrorMessage}");

    public static JobRequest Job(string input, int count = 1, long? seed = 100) => new()
    {
        Input = input,
        Prompt = "a house",
        Steps = 2,
        Count = count,
        Seed = seed,
        Resolution = 64,
    };
}
