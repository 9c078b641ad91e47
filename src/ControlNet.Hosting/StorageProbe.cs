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
    public static async Task EnsureReachableAsync(string connectionString, string container, CancellationToken ct)
    {
        BlobServiceClient client;
        try
        {
            var options = new BlobClientOptions();
            options.Retry.MaxRetries = 0;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
            client = new BlobServiceClient(connectionString, options);
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
            throw new InvalidInputException($"Blob storage at {client.Uri} refused the credentials ({e.ErrorCode}); check the {PortableHostOptions.StorageConnectionVariable} setting.");
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
