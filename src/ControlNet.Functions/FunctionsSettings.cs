using ControlNet.Core.Onnx;
using ControlNet.Hosting;
using ControlNet.Workflow;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlNet.Functions;

/// <summary>
/// The app settings the function app reads (local.settings.sample.json documents each) and the one service
/// registration it shares with the portable host (<see cref="WorkflowServices.AddControlNetWorkflowServices"/>).
/// </summary>
public static class FunctionsSettings
{
    /// <summary>Models root: a folder with <c>&lt;model&gt;/</c> and <c>controlnet/&lt;name&gt;/</c>.</summary>
    public const string ModelsSetting = "CONTROLNET_MODELS";
    /// <summary><c>auto</c> (CUDA, else CPU), <c>cuda</c> or <c>cpu</c>.</summary>
    public const string ProviderSetting = "CONTROLNET_PROVIDER";
    /// <summary>Section bound onto <see cref="WorkflowOptions"/> (<c>Workflow__GenerationConcurrency</c>, …).</summary>
    public const string WorkflowSection = "Workflow";
    /// <summary><c>InProcess</c> (images are activities here) or <c>Queue</c> (handed to the GPU app).</summary>
    public const string GenerationModeSetting = "Generation:Mode";
    /// <summary>How long a queued image may take before its job fails (a TimeSpan, default 00:30:00).</summary>
    public const string GenerationTimeoutSetting = "Generation:Timeout";

    /// <summary>Where blob-hosted models are cached (default: the temp folder's controlnet-models).</summary>
    public const string ModelsCacheSetting = "CONTROLNET_MODELS_CACHE";

    /// <summary>The timer's CRON (binding expression <c>%CONTROLNET_BATCH_SCHEDULE%</c>); every app needs it to index.</summary>
    public const string BatchScheduleSetting = "CONTROLNET_BATCH_SCHEDULE";

    /// <summary>
    /// Every setting this app's code reads, in app-settings form (<c>__</c> for <c>:</c>); <c>Workflow__*</c> binds onto
    /// <see cref="WorkflowOptions"/> by property name. The deployment may set nothing else but <see cref="HostSettings"/>
    /// and <c>AzureWebJobs.&lt;function&gt;.Disabled</c> (a test holds bicep/ to this).
    /// </summary>
    public static readonly IReadOnlyList<string> AppSettings =
    [
        "AzureWebJobsStorage",
        "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri",
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        ModelsSetting,
        ModelsCacheSetting,
        ProviderSetting,
        BatchScheduleSetting,
        GenerationModeSetting.Replace(":", "__"),
        GenerationTimeoutSetting.Replace(":", "__"),
    ];

    /// <summary>Settings the Functions host reads for this app (runtime, telemetry); the storage ones are in both lists' reach.</summary>
    public static readonly IReadOnlyList<string> HostSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        var workflow = new WorkflowOptions();
        configuration.GetSection(WorkflowSection).Bind(workflow);
        if (configuration[GenerationModeSetting] is { Length: > 0 } mode)
            workflow.GenerationMode = Enum.TryParse<GenerationMode>(mode, ignoreCase: true, out var parsed) ? parsed
                : throw new InvalidOperationException($"{GenerationModeSetting} must be InProcess or Queue, got '{mode}'.");
        if (configuration[GenerationTimeoutSetting] is { Length: > 0 } timeout) workflow.GenerationTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);
        var storage = StorageConnection.Read(configuration);
        var blobs = new BlobStore(storage.CreateBlobServiceClient());
        services.AddSingleton(new GenerationQueue(storage.CreateQueueServiceClient()));
        var runtime = new OnnxRuntimeOptions { Provider = OnnxRuntimeOptions.ParseProvider(configuration[ProviderSetting] ?? "auto") }.Validated();
        services.AddSingleton(_ => new ModelCache(runtime));
        var modelsSetting = configuration[ModelsSetting] ?? "models";
        if (!ModelDownload.IsBlobUrl(modelsSetting))
        {
            var models = new ModelFolders(modelsSetting);
            services.AddControlNetWorkflowServices(workflow, blobs, sp => new PipelineImageGenerator(models, sp.GetRequiredService<ModelCache>()));
            return;
        }
        // Models from blob: the mirror starts with the app; the first generation waits for it (the host's own start
        // is not held up, so it never times out waiting for this worker), later ones find it done.
        var cacheRoot = configuration[ModelsCacheSetting] is { Length: > 0 } root ? root : ModelSource.DefaultCacheRoot;
        var download = new Lazy<Task<string>>(() => Task.Run(async () =>
        {
            using var loggers = LoggerFactory.Create(logging => logging.AddConsole());
            return await ModelSource.ResolveAsync(modelsSetting, storage, cacheRoot, loggers.CreateLogger("ControlNet.Functions.Models"));
        }));
        services.AddHostedService(_ => new ModelMirrorStart(download));
        services.AddControlNetWorkflowServices(workflow, blobs, sp => new DeferredImageGenerator(download.Value.ContinueWith(
            folder => (IImageGenerator)new PipelineImageGenerator(new ModelFolders(folder.Result), sp.GetRequiredService<ModelCache>()),
            TaskScheduler.Default)));
    }

    /// <summary>Starts the models mirror when the host starts, rather than at the first request.</summary>
    private sealed class ModelMirrorStart(Lazy<Task<string>> download) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            _ = download.Value;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
