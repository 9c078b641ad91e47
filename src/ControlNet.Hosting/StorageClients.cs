using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ControlNet.Workflow.Generation;
using ControlNet.Core;
using Microsoft.Extensions.Configuration;

namespace ControlNet.Hosting;

/// <summary>
/// A storage connection read exactly as the Functions host reads <c>AzureWebJobsStorage</c>: either a connection
/// string under the name itself, or identity-based settings under <c>&lt;name&gt;__…</c> (<c>&lt;name&gt;:…</c> in
/// configuration): <c>blobServiceUri</c> (with <c>queueServiceUri</c>, <c>tableServiceUri</c>) or <c>accountName</c>,
/// and <c>credential=managedidentity</c> with an optional <c>clientId</c> for a user-assigned identity. Without
/// <c>credential</c>, <see cref="DefaultAzureCredential"/> (az login, environment, workload or managed identity).
/// </summary>
public sealed record StorageConnection(string? ConnectionString, Uri? BlobServiceUri, Uri? QueueServiceUri, Uri? TableServiceUri, TokenCredential? Credential)
{
    public bool IsIdentityBased => ConnectionString is null;

    /// <summary>From environment variables (<c>AzureWebJobsStorage</c>, <c>AzureWebJobsStorage__…</c>); Azurite when none is set.</summary>
    public static StorageConnection FromEnvironment()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        return configuration["AzureWebJobsStorage"] is { Length: > 0 } || configuration.GetSection("AzureWebJobsStorage").GetChildren().Any()
            ? Read(configuration)
            : new StorageConnection(PortableHostOptions.DevelopmentStorage, null, null, null, null);
    }

    public static StorageConnection Read(IConfiguration configuration, string name = "AzureWebJobsStorage")
    {
        if (configuration[name] is { Length: > 0 } connectionString)
            return new StorageConnection(connectionString, null, null, null, null);
        var section = configuration.GetSection(name);
        var account = section["accountName"];
        Uri? Endpoint(string key, string service) =>
            section[key] is { Length: > 0 } uri ? new Uri(uri)
            : account is { Length: > 0 } ? new Uri($"https://{account}.{service}.core.windows.net")
            : null;
        var blob = Endpoint("blobServiceUri", "blob")
            ?? throw new InvalidInputException(
                $"Storage is not configured: set {name} to a connection string, or {name}__blobServiceUri (or {name}__accountName) " +
                $"with {name}__credential=managedidentity for an identity.");
        TokenCredential credential = section["credential"]?.Equals("managedidentity", StringComparison.OrdinalIgnoreCase) == true
            ? (section["clientId"] is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned))
            : new DefaultAzureCredential();
        return new StorageConnection(null, blob, Endpoint("queueServiceUri", "queue"), Endpoint("tableServiceUri", "table"), credential);
    }

    public BlobServiceClient CreateBlobServiceClient() => ConnectionString is not null
        ? new BlobServiceClient(ConnectionString)
        : new BlobServiceClient(BlobServiceUri, Credential);

    /// <summary>Queues with the message encoding the Functions queue trigger expects (base64).</summary>
    public QueueServiceClient CreateQueueServiceClient() => ConnectionString is not null
        ? new QueueServiceClient(ConnectionString, GenerationQueue.ClientOptions)
        : new QueueServiceClient(QueueServiceUri ?? throw new InvalidInputException("Set AzureWebJobsStorage__queueServiceUri (or __accountName) for the generation queues."),
            Credential, GenerationQueue.ClientOptions);
}
