using ControlNet.Hosting;
using Microsoft.Extensions.Configuration;

namespace ControlNet.Functions.Tests;

/// <summary><c>AzureWebJobsStorage</c> read as the Functions host reads it: a connection string, or identity-based settings.</summary>
public class StorageConnectionTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void A_connection_string_is_used_as_is()
    {
        var connection = StorageConnection.Read(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")));
        Assert.False(connection.IsIdentityBased);
        Assert.Equal("devstoreaccount1", connection.CreateBlobServiceClient().AccountName);
    }

    [Fact]
    public void Service_uris_with_a_managed_identity_need_no_key()
    {
        var connection = StorageConnection.Read(Settings(
            ("AzureWebJobsStorage:blobServiceUri", "https://acct.blob.core.windows.net"),
            ("AzureWebJobsStorage:queueServiceUri", "https://acct.queue.core.windows.net"),
            ("AzureWebJobsStorage:tableServiceUri", "https://acct.table.core.windows.net"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")));
        Assert.True(connection.IsIdentityBased);
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(connection.Credential);
        Assert.Equal("https://acct.queue.core.windows.net/", connection.QueueServiceUri!.ToString());
        Assert.Equal("acct", connection.CreateBlobServiceClient().AccountName);
    }

    [Fact]
    public void An_account_name_gives_the_public_cloud_endpoints()
    {
        var connection = StorageConnection.Read(Settings(("AzureWebJobsStorage:accountName", "acct")));
        Assert.Equal("https://acct.blob.core.windows.net/", connection.BlobServiceUri!.ToString());
        Assert.Equal("https://acct.table.core.windows.net/", connection.TableServiceUri!.ToString());
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(connection.Credential);
    }

    [Fact]
    public void Nothing_configured_says_what_to_set()
    {
        var error = Assert.Throws<Core.InvalidInputException>(() => StorageConnection.Read(Settings()));
        Assert.Contains("AzureWebJobsStorage__blobServiceUri", error.Message);
    }
}
