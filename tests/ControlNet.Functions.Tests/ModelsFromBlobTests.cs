using Azure.Storage.Blobs;
using ControlNet.Core.Diffusion;
using ControlNet.Core.Imaging;
using ControlNet.Hosting;
using ControlNet.TinyModels;
using ControlNet.Workflow.Generation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ControlNet.Functions.Tests;

/// <summary>The app's registration with CONTROLNET_MODELS as a blob URL (Azurite): models mirrored at start, then used.</summary>
public sealed class ModelsFromBlobTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("functions-model-cache-").FullName;
    private readonly BlobContainerClient _container =
        new BlobServiceClient(PortableHostOptions.DevelopmentStorage).GetBlobContainerClient("fm" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task A_blob_url_models_setting_is_mirrored_when_the_app_starts_and_generation_uses_the_copy()
    {
        var source = Directory.CreateTempSubdirectory("functions-model-source-").FullName;
        TinyModelSet.Write(source, new TinyModelOptions());
        await _container.CreateIfNotExistsAsync();
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            await _container.GetBlobClient("v1/" + Path.GetRelativePath(source, file)).UploadAsync(file);
        Directory.Delete(source, recursive: true);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = PortableHostOptions.DevelopmentStorage,
            [FunctionsSettings.ModelsSetting] = $"{_container.Uri}/v1",
            [FunctionsSettings.ModelsCacheSetting] = _cache,
            [FunctionsSettings.ProviderSetting] = "cpu",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        FunctionsSettings.Register(services, configuration);
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(default);
        var generator = provider.GetRequiredService<IImageGenerator>();
        var map = new ByteImage(64, 64, 3);
        var image = await generator.GenerateAsync(new GenerationSettings("sd15", [new UnitSettings("canny", 1, ControlMode.Balanced, 0, 1)],
            "a house", "", 2, 7.5, 0, 1, 64, 64), [map], null, default);

        Assert.IsType<DeferredImageGenerator>(generator);
        Assert.Equal((64, 64), (image.Width, image.Height));
        Assert.NotEmpty(Directory.GetFiles(_cache, "model.onnx", SearchOption.AllDirectories));
        Assert.NotNull(generator.Identify(new GenerationSettings("sd15", [new UnitSettings("canny", 1, ControlMode.Balanced, 0, 1)], "", "", 2, 7.5, 0, 1, 64, 64)));
    }

    public void Dispose()
    {
        _container.DeleteIfExists();
        Directory.Delete(_cache, recursive: true);
    }
}
