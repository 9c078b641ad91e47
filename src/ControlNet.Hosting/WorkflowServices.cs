using ControlNet.Workflow;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ControlNet.Hosting;

/// <summary>
/// The services the workflow's activities are built from, registered the same way by every host (the portable
/// host here; an Azure Functions app calls the same method): options, blob store, the per-process generation
/// gate and control-map cache, and the image generator.
/// </summary>
public static class WorkflowServices
{
    public static IServiceCollection AddControlNetWorkflowServices(this IServiceCollection services, WorkflowOptions options,
        BlobStore blobs, Func<IServiceProvider, IImageGenerator> createGenerator)
    {
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(blobs);
        services.AddSingleton<GenerationGate>();
        services.AddSingleton<ControlMapCache>();
        services.AddSingleton(createGenerator);
        return services;
    }
}
