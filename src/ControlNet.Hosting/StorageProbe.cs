using Azure;
using Azure.Storage.Blobs;
using ControlNet.Core;

namespace ControlNet.Hosting;

/// <summary>
/// One quick request to blob storage before a host starts, so "storage is not there" is a one-line answer with
/// the fix in about a second, not a timeout after the SDK's retries (26 s) ending in a stack of them.
/// </summary>
public static class StorageProbe
{
    public static Task EnsureReachableAsync(string connectionString, string container, CancellationToken ct) =>
        EnsureReachableAsync(new StorageConnection(connectionString, null, null, null, null), container, ct);

    public static async Task EnsureReachableAsync(StorageConnection storage, string container, CancellationToken ct)
    {
        BlobServiceClient client;
        var connectionString = storage.ConnectionString ?? "";
        try
        {
            var options = new BlobClientOptions();
            options.Retry.MaxRetries = 0;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
            client = storage.ConnectionString is not null
                ? new BlobServiceClient(connectionString, options)
                : new BlobServiceClient(storage.BlobServiceUri, storage.Credential, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new InvalidInputException($"The storage connection string is not valid ({e.Message}); check the {PortableHostOptions.StorageConnectionVariable} setting.");
        }
        try
        {
            await client.GetBlobContainerClient(container).ExistsAsync(ct);
        }
        catch (Exception e) when (e is RequestFailedException { Status: 0 } or HttpRequestException or AggregateException
                                      or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new InvalidInputException($"Blob storage is not reachable at {client.Uri} ({Innermost(e).Message}). {Fix(connectionString)}");
        }
        catch (RequestFailedException e) when (e.Status is 401 or 403)
        {
            throw new InvalidInputException(storage.IsIdentityBased
                ? $"Blob storage at {client.Uri} refused the identity ({e.ErrorCode}); give it Storage Blob Data Owner (and Queue/Table Data Contributor for the durable backend) on the account."
                : $"Blob storage at {client.Uri} refused the credentials ({e.ErrorCode}); check the {PortableHostOptions.StorageConnectionVariable} setting.");
        }
        catch (Azure.Identity.AuthenticationFailedException e)
        {
            throw new InvalidInputException($"No identity could sign in to {client.Uri} ({e.Message.Split('\n')[0]}); run 'az login', or set {PortableHostOptions.StorageConnectionVariable}__credential=managedidentity on an Azure host.");
        }
    }

    private static string Fix(string connectionString) =>
        connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) || connectionString.Contains("127.0.0.1")
            ? "Start Azurite: infra/local/azurite.sh start"
            : $"Check the {PortableHostOptions.StorageConnectionVariable} connection setting and the network.";

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
