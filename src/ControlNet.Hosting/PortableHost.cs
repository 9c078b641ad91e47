using Azure.Storage.Queues;
using System.Net;
using ControlNet.Workflow;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Storage;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlNet.Hosting;

/// <summary>
/// The workflow outside Azure Functions (docs/architecture.md, "Hosting"): the Durable Task SDK worker and client, talking over gRPC to
/// an in-process sidecar (<see cref="TaskHubGrpcServer"/>) that runs the orchestrations on an in-memory or an
/// Azure Storage backend. The same orchestrator and activity classes as the Functions app.
/// </summary>
public sealed class PortableHost : IAsyncDisposable
{
    private readonly IHost _sidecar;
    private readonly IHost _worker;
    private readonly GrpcChannel _channel;
    private readonly IOrchestrationService _backend;
    private readonly SidecarStorageAdapter? _adapter;
    private readonly TimeSpan _shutdownTimeout;

    private PortableHost(IHost sidecar, IHost worker, GrpcChannel channel, IOrchestrationService backend,
        SidecarStorageAdapter? adapter, BlobStore blobs, PortableHostOptions options)
    {
        _sidecar = sidecar;
        _worker = worker;
        _channel = channel;
        _backend = backend;
        _adapter = adapter;
        _shutdownTimeout = options.ShutdownTimeout;
        Blobs = blobs;
        Backend = options.Backend;
        Client = worker.Services.GetRequiredService<DurableTaskClient>();
        Workflow = options.Workflow;
        Submitter = new JobSubmitter(Client, blobs, options.Workflow);
    }

    public DurableBackend Backend { get; }

    public DurableTaskClient Client { get; }

    public BlobStore Blobs { get; }

    public JobSubmitter Submitter { get; }

    public WorkflowOptions Workflow { get; }

    /// <summary>The worker's services: <see cref="GenerationGate"/>, <see cref="ControlMapCache"/>, …</summary>
    public IServiceProvider Services => _worker.Services;

    public static async Task<PortableHost> StartAsync(PortableHostOptions options, CancellationToken ct = default)
    {
        if (options.Role == HostRole.Control) options.Workflow.GenerationMode = GenerationMode.Queue;
        if (options.Role == HostRole.Gpu) options.RunWorker = false;
        options.Validate();
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;

        var storage = options.Storage;
        await StorageProbe.EnsureReachableAsync(storage, options.Containers.Inputs, ct);
        var blobs = new BlobStore(storage.CreateBlobServiceClient(), options.Containers);
        await blobs.EnsureContainersAsync(ct);

        GenerationQueue? queue = null;
        if (options.Backend == DurableBackend.AzureStorage)
        {
            queue = new GenerationQueue(storage.CreateQueueServiceClient(), options.QueuePrefix);
            await queue.EnsureAsync(ct);
        }

        IOrchestrationService backend;
        IOrchestrationServiceClient backendClient;
        SidecarStorageAdapter? adapter = null;
        if (options.Backend == DurableBackend.AzureStorage)
        {
            var azure = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
            {
                StorageAccountClientProvider = storage.ConnectionString is { } connection
                    ? new StorageAccountClientProvider(connection)
                    : new StorageAccountClientProvider(storage.BlobServiceUri!, storage.QueueServiceUri
                        ?? throw new ControlNet.Core.InvalidInputException("The durable backend needs AzureWebJobsStorage__queueServiceUri (or __accountName)."),
                        storage.TableServiceUri ?? throw new ControlNet.Core.InvalidInputException("The durable backend needs AzureWebJobsStorage__tableServiceUri (or __accountName)."),
                        storage.Credential!),
                TaskHubName = options.TaskHubName,
                PartitionCount = 1,
                WorkerId = options.WorkerId,
                MaxQueuePollingInterval = options.MaxQueuePollingInterval,
                WorkItemQueueVisibilityTimeout = options.WorkItemVisibilityTimeout,
                ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
                LeaseInterval = options.LeaseInterval,
                LeaseRenewInterval = options.LeaseInterval / 3,
                LeaseAcquireInterval = options.LeaseInterval / 3,
                // One app per task hub here; the app lease only delays a restarted host.
                UseAppLease = false,
                ThrowExceptionOnInvalidDedupeStatus = true,
                LoggerFactory = loggerFactory,
            });
            await azure.CreateIfNotExistsAsync();
            adapter = new SidecarStorageAdapter(azure, options.WorkItemVisibilityTimeout / 3, loggerFactory.CreateLogger<PortableHost>());
            backend = adapter;
            backendClient = azure;
        }
        else
        {
            var memory = new InMemoryOrchestrationService(loggerFactory);
            backend = new InMemoryConcurrency(memory, orchestrations: 100, activities: 32);
            backendClient = memory;
        }

        var sidecar = new HostBuilder()
            .ConfigureLogging(logging => ConfigureLogging(logging, options.LoggerFactory))
            .ConfigureServices(services => services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout))
            .ConfigureWebHost(web => web
                .UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2))
                .ConfigureServices(services =>
                {
                    services.AddGrpc();
                    services.AddSingleton(backend);
                    services.AddSingleton(backendClient);
                    services.AddSingleton<TaskHubGrpcServer>();
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseEndpoints(endpoints => endpoints.MapGrpcService<TaskHubGrpcServer>());
                }))
            .Build();
        await sidecar.StartAsync(ct);
        // Port 0: the OS picks a free port, so parallel hosts (tests, several CLIs) never collide.
        var address = sidecar.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var channel = GrpcChannel.ForAddress(address);

        IHost? built = null;
        Func<IServiceProvider> workerServices = () => built?.Services ?? throw new InvalidOperationException("The worker is not built yet.");
        var worker = new HostBuilder()
            .ConfigureLogging(logging => ConfigureLogging(logging, options.LoggerFactory))
            .ConfigureServices(services =>
            {
                services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
                services.AddControlNetWorkflowServices(options.Workflow, blobs, options.CreateGenerator!);
                if (queue is not null) services.AddSingleton(queue);
                // The sidecar starts dispatching (and so taking work from the task hub) only once a worker connects:
                // without one, this host is a pure client.
                if (options.RunWorker)
                {
                    services.AddDurableTaskWorker(builder =>
                    {
                        builder.UseGrpc(channel);
                        builder.AddTasks(registry =>
                        {
                            if (options.RegisterTasks is { } register) register(registry, workerServices);
                            else registry.AddControlNetWorkflow(options.Workflow);
                        });
                    });
                }
                services.AddDurableTaskClient(builder =>
                {
                    builder.UseGrpc(channel);
                    builder.RegisterDirectly();
                });
            })
            .Build();
        built = worker;
        await worker.StartAsync(ct);
        var host = new PortableHost(sidecar, worker, channel, backend, adapter, blobs, options);
        if (queue is not null) host.StartListeners(queue, options, loggerFactory.CreateLogger<QueueListener>());
        return host;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ILoggerFactory? loggerFactory)
    {
        logging.ClearProviders();
        if (loggerFactory is not null) logging.Services.AddSingleton(loggerFactory);
    }

    /// <summary>
    /// Stops the worker and the sidecar without waiting for activities in flight beyond the shutdown timeout.
    /// With the Azure Storage backend, unfinished work is picked up by the next host (activities after the
    /// visibility timeout); completed activities are not run again.
    /// </summary>
    /// <summary>Generate requests this host answered (GPU role) or results it delivered (control role).</summary>
    public int QueueMessagesHandled => _listeners.Sum(l => l.Listener.Handled);

    private readonly List<(QueueListener Listener, Task Running)> _listeners = [];
    private readonly CancellationTokenSource _stopListening = new();

    private void StartListeners(GenerationQueue queue, PortableHostOptions options, ILogger logger)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Min(500, options.MaxQueuePollingInterval.TotalMilliseconds));
        var visibility = options.WorkItemVisibilityTimeout;
        QueueListener? listener = options.Role switch
        {
            HostRole.Gpu => new QueueListener(queue.Requests,
                async (body, _) =>
                {
                    var request = GenerationQueue.Read<GenerationRequestMessage>(body);
                    logger.LogInformation("Taking job {JobId} image {Index} from {Queue}.", request.InstanceId, request.Input.Index, queue.Requests.Name);
                    await queue.SendResultAsync(await GenerationWorker.GenerateAsync(Services, Client, request));
                },
                async body =>
                {
                    try { await queue.SendResultAsync(GenerationWorker.GaveUp(GenerationQueue.Read<GenerationRequestMessage>(body))); }
                    catch (System.Text.Json.JsonException e) { logger.LogError("Dropping an unreadable generate request: {Message}", e.Message); }
                },
                logger, visibility, poll, GenerationQueue.MaxDequeueCount),
            HostRole.Control => new QueueListener(queue.Results,
                (body, ct) => GenerationWorker.DeliverAsync(Client, GenerationQueue.Read<GenerationResultMessage>(body), ct),
                body => { logger.LogError("Dropping a generate result that could not be delivered: {Body}", body); return Task.CompletedTask; },
                logger, visibility, poll, GenerationQueue.MaxDequeueCount),
            _ => null,
        };
        if (listener is not null) _listeners.Add((listener, Task.Run(() => listener.RunAsync(_stopListening.Token))));
    }

    public async ValueTask DisposeAsync()
    {
        _stopListening.Cancel();
        foreach (var (_, running) in _listeners)
            try { await running.WaitAsync(_shutdownTimeout + TimeSpan.FromSeconds(2)); } catch (Exception) { /* stopping anyway */ }
        using var timeout = new CancellationTokenSource(_shutdownTimeout + TimeSpan.FromSeconds(2));
        await StopQuietlyAsync(_worker, timeout.Token);
        if (_adapter is not null) await _adapter.DisposeAsync();
        await StopQuietlyAsync(_sidecar, timeout.Token);
        try { await _channel.ShutdownAsync().WaitAsync(timeout.Token); } catch (Exception) { /* already gone */ }
        _channel.Dispose();
        // The sidecar stops its backend only after every work item in flight answers, which an abandoned
        // activity never does: stop it here, releasing partition leases so the next host takes over at once.
        try { await _backend.StopAsync(isForced: true).WaitAsync(timeout.Token); } catch (Exception) { /* best effort */ }
        _worker.Dispose();
        _sidecar.Dispose();
    }

    private static async Task StopQuietlyAsync(IHost host, CancellationToken ct)
    {
        try { await host.StopAsync(ct); }
        catch (OperationCanceledException) { }
    }
}
