using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ControlNet.Core;

namespace ControlNet.Workflow.Storage;

/// <summary>The three containers (docs/architecture.md, "Storage layout"), by role; their real names come from <see cref="BlobContainerNames"/>.</summary>
public enum StoreContainer
{
    Inputs,
    Outputs,
    Batches,
}

/// <summary>Real container names. Tests give each run its own prefix so runs never see each other's blobs.</summary>
public sealed record BlobContainerNames(string Inputs = "inputs", string Outputs = "outputs", string Batches = "batches")
{
    public static BlobContainerNames WithPrefix(string prefix) =>
        new($"{prefix}-inputs", $"{prefix}-outputs", $"{prefix}-batches");

    public string this[StoreContainer container] => container switch
    {
        StoreContainer.Inputs => Inputs,
        StoreContainer.Outputs => Outputs,
        StoreContainer.Batches => Batches,
        _ => throw new ArgumentOutOfRangeException(nameof(container)),
    };
}

public sealed record StoredBlob(string Name, string ETag, string? ContentType, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Blob I/O of the workflow. Every name is checked by <see cref="BlobNames"/> before it reaches storage; a
/// missing blob is the caller's mistake (<see cref="InvalidInputException"/>, not retried); any other storage
/// failure propagates as possibly transient.
/// </summary>
public sealed class BlobStore
{
    private readonly BlobServiceClient _service;

    public BlobStore(BlobServiceClient service, BlobContainerNames? containers = null)
    {
        _service = service;
        Containers = containers ?? new BlobContainerNames();
    }

    public BlobStore(string connectionString, BlobContainerNames? containers = null)
        : this(new BlobServiceClient(connectionString), containers) { }

    public BlobContainerNames Containers { get; }

    /// <summary>"inputs/photos/cat.png" style name for messages and manifests.</summary>
    public string Describe(StoreContainer container, string name) => $"{Containers[container]}/{name}";

    /// <summary>
    /// A time-limited read link to one blob: a service SAS signed with the account key where the client has one
    /// (connection strings, Azurite), otherwise a user-delegation SAS from the managed identity (the identity needs
    /// "Storage Blob Delegator", which Storage Blob Data Contributor includes).
    /// </summary>
    public async Task<Uri> ReadUrlAsync(StoreContainer container, string name, TimeSpan validFor, CancellationToken ct = default)
    {
        var blob = Container(container).GetBlobClient(name);
        var expires = DateTimeOffset.UtcNow.Add(validFor);
        if (blob.CanGenerateSasUri) return blob.GenerateSasUri(Azure.Storage.Sas.BlobSasPermissions.Read, expires);
        var start = DateTimeOffset.UtcNow.AddMinutes(-5); // clock skew between this host and the storage service
        var key = (await _service.GetUserDelegationKeyAsync(start, expires, ct)).Value;
        var sas = new Azure.Storage.Sas.BlobSasBuilder(Azure.Storage.Sas.BlobSasPermissions.Read, expires)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = start,
        };
        return new UriBuilder(blob.Uri) { Query = sas.ToSasQueryParameters(key, _service.AccountName).ToString() }.Uri;
    }

    public async Task EnsureContainersAsync(CancellationToken ct = default)
    {
        foreach (var container in Enum.GetValues<StoreContainer>())
            await Container(container).CreateIfNotExistsAsync(cancellationToken: ct);
    }

    /// <summary>Writes (or overwrites) a blob; returns its ETag.</summary>
    public async Task<string> UploadAsync(StoreContainer container, string name, BinaryData content,
        IDictionary<string, string>? metadata = null, CancellationToken ct = default)
    {
        BlobNames.Require(name, "Blob name");
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = BlobNames.ContentTypeFor(name) },
            Metadata = metadata,
        };
        var response = await Blob(container, name).UploadAsync(content, options, ct);
        return response.Value.ETag.ToString();
    }

    /// <summary>
    /// Claims <paramref name="name"/> for this caller: creates it if absent, or takes it over when its last write is
    /// older than <paramref name="staleAfter"/> (the previous claimer died before finishing). Both are conditional
    /// writes, so of any number of concurrent callers — in any process — exactly one wins. Staleness compares this
    /// machine's clock with the service's last-modified time: a few seconds of skew are immaterial at minutes.
    /// </summary>
    /// <returns>The claim's ETag when this caller holds it (for <see cref="DeleteIfUnchangedAsync"/>), else null.</returns>
    public async Task<string?> TryClaimAsync(StoreContainer container, string name, BinaryData content, TimeSpan staleAfter, CancellationToken ct = default)
    {
        BlobNames.Require(name, "Blob name");
        var blob = Blob(container, name);
        var headers = new BlobHttpHeaders { ContentType = BlobNames.ContentTypeFor(name) };
        try
        {
            var created = await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = headers, Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct);
            return created.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412) { }

        BlobProperties existing;
        try
        {
            existing = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null; // released in between: its holder gave up; the next attempt will claim it
        }
        if (DateTimeOffset.UtcNow - existing.LastModified < staleAfter) return null;
        try
        {
            var taken = await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = headers, Conditions = new BlobRequestConditions { IfMatch = existing.ETag } }, ct);
            return taken.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return null; // someone else took it over first
        }
    }

    /// <summary>Deletes a blob only if it is still the version <paramref name="etag"/> (e.g. releasing one's own claim).</summary>
    public async Task DeleteIfUnchangedAsync(StoreContainer container, string name, string etag, CancellationToken ct = default)
    {
        try
        {
            await Blob(container, name).DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = new ETag(etag) }, cancellationToken: ct);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412) { }
    }

    /// <summary>Deletes every blob whose name starts with <paramref name="prefix"/> (output of an earlier run of the same id).</summary>
    public async Task DeletePrefixAsync(StoreContainer container, string prefix, CancellationToken ct = default)
    {
        await foreach (var blob in ListAsync(container, prefix, ct))
            await Blob(container, blob.Name).DeleteIfExistsAsync(cancellationToken: ct);
    }

    /// <summary>Uploads only when the blob does not exist yet; returns false when it already did.</summary>
    public async Task<bool> TryCreateAsync(StoreContainer container, string name, BinaryData content, CancellationToken ct = default)
    {
        BlobNames.Require(name, "Blob name");
        try
        {
            await Blob(container, name).UploadAsync(content, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = BlobNames.ContentTypeFor(name) },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task<BinaryData> DownloadAsync(StoreContainer container, string name, CancellationToken ct = default) =>
        await TryDownloadAsync(container, name, ct)
        ?? throw new InvalidInputException($"The blob '{Describe(container, name)}' does not exist. Upload it first, or check the name (names are case-sensitive).");

    /// <summary>Downloads exactly the version <paramref name="etag"/>; a blob replaced since is an input error.</summary>
    public async Task<BinaryData> DownloadVersionAsync(StoreContainer container, string name, string etag, CancellationToken ct = default)
    {
        BlobNames.Require(name, "Blob name");
        try
        {
            var options = new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) } };
            return (await Blob(container, name).DownloadContentAsync(options, ct)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InvalidInputException($"The blob '{Describe(container, name)}' does not exist any more; it was deleted after the job started.");
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // A condition on a blob that is gone also fails with 412: tell deleted from replaced.
            if (!await ExistsAsync(container, name, ct))
                throw new InvalidInputException($"The blob '{Describe(container, name)}' does not exist any more; it was deleted after the job started.");
            throw new InvalidInputException(
                $"The blob '{Describe(container, name)}' was replaced after this job started; the new upload is processed by its own job.");
        }
    }

    public async Task<BinaryData?> TryDownloadAsync(StoreContainer container, string name, CancellationToken ct = default)
    {
        BlobNames.Require(name, "Blob name");
        try
        {
            var response = await Blob(container, name).DownloadContentAsync(ct);
            return response.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<StoredBlob?> GetPropertiesAsync(StoreContainer container, string name, CancellationToken ct = default)
    {
        BlobNames.Require(name, "Blob name");
        try
        {
            var p = (await Blob(container, name).GetPropertiesAsync(cancellationToken: ct)).Value;
            return new StoredBlob(name, p.ETag.ToString(), p.ContentType, new Dictionary<string, string>(p.Metadata, StringComparer.OrdinalIgnoreCase));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(StoreContainer container, string name, CancellationToken ct = default) =>
        (await Blob(container, name).ExistsAsync(ct)).Value;

    public async IAsyncEnumerable<StoredBlob> ListAsync(StoreContainer container, string? prefix = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var item in Container(container).GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, ct))
        {
            yield return new StoredBlob(item.Name, item.Properties.ETag?.ToString() ?? "", item.Properties.ContentType,
                new Dictionary<string, string>(item.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase));
        }
    }

    /// <summary>
    /// One page of a listing: at most <paramref name="pageSize"/> blobs after <paramref name="continuationToken"/>
    /// (null = from the start), and the token of the next page (null = the listing is done). Lets a poller walk a
    /// large container a page at a time, holding one page in memory, and resume where it stopped.
    /// </summary>
    public async Task<(IReadOnlyList<StoredBlob> Blobs, string? ContinuationToken)> ListPageAsync(StoreContainer container, string? prefix,
        string? continuationToken, int pageSize, CancellationToken ct = default)
    {
        await foreach (var page in Container(container).GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, ct)
            .AsPages(continuationToken, pageSize))
        {
            var blobs = page.Values.Select(item => new StoredBlob(item.Name, item.Properties.ETag?.ToString() ?? "", item.Properties.ContentType,
                new Dictionary<string, string>(item.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase))).ToList();
            return (blobs, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }
        return ([], null);
    }

    private BlobContainerClient Container(StoreContainer container) => _service.GetBlobContainerClient(Containers[container]);

    private BlobClient Blob(StoreContainer container, string name) => Container(container).GetBlobClient(name);
}
