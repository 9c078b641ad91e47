using ControlNet.Hosting;
using Microsoft.Extensions.Configuration;

namespace ControlNet.Workflow.Tests;

/// <summary>
/// The portable host on identity-based storage settings (as the Functions host reads AzureWebJobsStorage__*): here
/// there is no identity and no account, so the host must refuse to start with one actionable line, not a timeout.
/// </summary>
public sealed class IdentityStorageTests
{
    [Fact]
    public async Task Identity_storage_without_a_usable_identity_is_a_one_line_error()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://controlnetnoaccount.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://controlnetnoaccount.queue.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://controlnetnoaccount.table.core.windows.net",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
        }).Build();
        var options = new PortableHostOptions
        {
            Backend = DurableBackend.AzureStorage,
            IdentityStorage = StorageConnection.Read(settings),
            CreateGenerator = _ => new ScriptedGenerator(),
        };
        Assert.True(options.Storage.IsIdentityBased);

        var error = await Assert.ThrowsAsync<Core.InvalidInputException>(() => PortableHost.StartAsync(options));

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("controlnetnoaccount.blob.core.windows.net", error.Message);
    }
}
