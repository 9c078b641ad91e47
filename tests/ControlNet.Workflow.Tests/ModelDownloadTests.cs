using Azure.Storage.Blobs;
using ControlNet.Hosting;
using ControlNet.TinyModels;
using Microsoft.Extensions.Logging.Abstractions;

namespace ControlNet.Workflow.Tests;

/// <summary>Models from blob on Azurite: mirrored once, resumed from a partial file, a corrupt copy refused, a changed blob fetched again.</summary>
public sealed class ModelDownloadTests : IDisposable
{
    private readonly string _models = Directory.CreateTempSubdirectory("download-source-").FullName;
    private readonly string _cache = Directory.CreateTempSubdirectory("download-cache-").FullName;
    private readonly BlobContainerClient _container;
    private readonly StorageConnection _storage = new(PortableHostOptions.DevelopmentStorage, null, null, null, null);

    public ModelDownloadTests()
    {
        TinyModelSet.Write(_models, new TinyModelOptions());
        _container = new BlobServiceClient(PortableHostOptions.DevelopmentStorage).GetBlobContainerClient("m" + Guid.NewGuid().ToString("N")[..12]);
        _container.CreateIfNotExists();
        foreach (var file in Directory.GetFiles(_models, "*", SearchOption.AllDirectories))
            _container.GetBlobClient("set1/" + Path.GetRelativePath(_models, file).Replace('\\', '/')).Upload(file);
    }

    private string Url => $"{_container.Uri}/set1";

    private Task<string> ResolveAsync() => ModelSource.ResolveAsync(Url, _storage, _cache, NullLogger.Instance);

    [Fact]
    public async Task A_blob_url_is_mirrored_to_the_cache_once()
    {
        var root = await ResolveAsync();

        foreach (var file in Directory.GetFiles(_models, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(root, Path.GetRelativePath(_models, file))));
        var download = ModelDownload.For(new Uri(Url), _cache, null, PortableHostOptions.DevelopmentStorage, NullLogger.Instance);
        Assert.Equal(0, await download.RunAsync()); // up to date: nothing read again
        Assert.Equal("set1", Path.GetFileName(root));
    }

    [Fact]
    public async Task A_partial_file_is_continued_and_a_corrupt_one_refused_then_fetched_again()
    {
        var root = await ResolveAsync();
        var unet = Path.Combine(root, "sd15", "unet", "model.onnx");
        var original = File.ReadAllBytes(unet);
        var etag = File.ReadAllText(unet + ".etag");

        // Interrupted half way: the next start continues the partial file.
        File.Delete(unet);
        File.Delete(unet + ".etag");
        File.WriteAllBytes(unet + ".partial", original[..(original.Length / 2)]);
        File.WriteAllText(unet + ".partial.etag", etag);
        await ResolveAsync();
        Assert.Equal(original, File.ReadAllBytes(unet));
        Assert.False(File.Exists(unet + ".partial"));

        // A partial file with wrong bytes: the checksum catches it, the file is dropped, the next start is clean.
        File.Delete(unet);
        File.Delete(unet + ".etag");
        File.WriteAllBytes(unet + ".partial", new byte[original.Length / 2]);
        File.WriteAllText(unet + ".partial.etag", etag);
        var error = await Assert.ThrowsAsync<InvalidDataException>(ResolveAsync);
        Assert.Contains("set1/sd15/unet/model.onnx", error.Message);
        await ResolveAsync();
        Assert.Equal(original, File.ReadAllBytes(unet));
    }

    [Fact]
    public async Task A_changed_blob_is_fetched_again_and_an_empty_folder_is_an_error()
    {
        var root = await ResolveAsync();
        _container.GetBlobClient("set1/sd15/scheduler/scheduler_config.json").Upload(BinaryData.FromString("{\"changed\": true}"), overwrite: true);
        await ResolveAsync();
        Assert.Equal("{\"changed\": true}", File.ReadAllText(Path.Combine(root, "sd15", "scheduler", "scheduler_config.json")));

        var error = await Assert.ThrowsAsync<Core.InvalidInputException>(() =>
            ModelSource.ResolveAsync($"{_container.Uri}/nothing-here", _storage, _cache, NullLogger.Instance));
        Assert.Contains("No model files", error.Message);
    }

    public void Dispose()
    {
        _container.DeleteIfExists();
        Directory.Delete(_models, recursive: true);
        Directory.Delete(_cache, recursive: true);
    }
}
