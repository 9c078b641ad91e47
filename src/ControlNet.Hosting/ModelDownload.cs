using System.Security.Cryptography;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace ControlNet.Hosting;

/// <summary>
/// Models from blob storage: when the models setting is a blob URL (<c>https://ACCOUNT.blob.core.windows.net/models</c>,
/// optionally with a folder after the container), a worker copies that folder to a local cache before it takes work.
/// <list type="bullet">
/// <item>Resumable: a file is written as <c>NAME.partial</c>, continued from its length on the next start if the blob's
/// ETag is unchanged (kept in <c>NAME.partial.etag</c>), and renamed only when complete.</item>
/// <item>Verified: the size always; the content MD5 the service keeps for the blob, or a <c>sha256</c> metadata value
/// the uploader set, when either exists. A mismatch deletes the file and fails the start, naming the blob.</item>
/// <item>Up to date: a finished file records the blob's ETag (<c>NAME.etag</c>); a changed blob is fetched again, an
/// unchanged one is not read at all.</item>
/// </list>
/// </summary>
public sealed class ModelDownload(BlobContainerClient container, string prefix, string cacheRoot, ILogger logger)
{
    /// <summary>Block size of a resumable download.</summary>
    public const int ChunkBytes = 8 * 1024 * 1024;

    public static bool IsBlobUrl(string modelsSetting) =>
        Uri.TryCreate(modelsSetting, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.AbsolutePath.Trim('/').Length > 0;

    /// <summary>The local folder a blob URL is mirrored into: <paramref name="cacheRoot"/>/&lt;account&gt;/&lt;container&gt;/&lt;folder&gt;.</summary>
    public static string LocalFolder(Uri url, string cacheRoot) =>
        Path.Combine([cacheRoot, url.Host.Split('.')[0], .. url.AbsolutePath.Trim('/').Split('/')]);

    /// <summary>A download for a models URL, signed in with <paramref name="credential"/> (null: a connection string's key or Azurite).</summary>
    public static ModelDownload For(Uri url, string cacheRoot, TokenCredential? credential, string? connectionString, ILogger logger)
    {
        var parts = url.AbsolutePath.Trim('/').Split('/', 2);
        // Azurite's path-style URLs carry the account first: http://127.0.0.1:10000/devstoreaccount1/models/...
        bool pathStyle = url.Host is "127.0.0.1" or "localhost";
        if (pathStyle) parts = parts.Length > 1 ? parts[1].Split('/', 2) : [];
        if (parts.Length == 0 || parts[0].Length == 0) throw new Core.InvalidInputException($"The models URL '{url}' names no container.");
        var containerName = parts[0];
        var prefix = parts.Length > 1 ? parts[1].TrimEnd('/') + "/" : "";
        var service = connectionString is not null ? new BlobServiceClient(connectionString)
            : new BlobServiceClient(new Uri(url.GetLeftPart(UriPartial.Authority) + (pathStyle ? "/" + url.AbsolutePath.Trim('/').Split('/')[0] : "")), credential);
        return new ModelDownload(service.GetBlobContainerClient(containerName), prefix, LocalFolder(url, cacheRoot), logger);
    }

    public string LocalRoot => cacheRoot;

    /// <summary>Mirrors the folder; returns the number of files fetched (0 when the cache was up to date).</summary>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        int fetched = 0, total = 0;
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix.Length == 0 ? null : prefix, ct))
        {
            total++;
            var relative = item.Name[prefix.Length..];
            var path = Path.Combine([cacheRoot, .. relative.Split('/')]);
            if (await FetchAsync(item, path, ct)) fetched++;
        }
        if (total == 0) throw new Core.InvalidInputException($"No model files under '{container.Uri}/{prefix}'; upload the models folder there first.");
        logger.LogInformation("Models: {Fetched} of {Total} files fetched from {Source} into {Cache}.", fetched, total, $"{container.Uri}/{prefix}", cacheRoot);
        return fetched;
    }

    private async Task<bool> FetchAsync(BlobItem item, string path, CancellationToken ct)
    {
        var etag = item.Properties.ETag?.ToString() ?? "";
        long size = item.Properties.ContentLength ?? 0;
        if (File.Exists(path) && new FileInfo(path).Length == size && ReadMarker(path + ".etag") == etag) return false;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".partial";
        if (ReadMarker(partial + ".etag") != etag || (File.Exists(partial) && new FileInfo(partial).Length > size))
        {
            File.Delete(partial);
            await File.WriteAllTextAsync(partial + ".etag", etag, ct);
        }
        var blob = container.GetBlobClient(item.Name);
        await using (var output = new FileStream(partial, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
        {
            var conditions = new BlobRequestConditions { IfMatch = item.Properties.ETag };
            while (output.Length < size)
            {
                long length = Math.Min(ChunkBytes, size - output.Length);
                var part = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new Azure.HttpRange(output.Length, length), Conditions = conditions }, ct);
                await part.Value.Content.CopyToAsync(output, ct);
            }
        }
        Verify(item, partial);
        File.Move(partial, path, overwrite: true);
        await File.WriteAllTextAsync(path + ".etag", etag, ct);
        File.Delete(partial + ".etag");
        logger.LogInformation("Models: fetched {Blob} ({Size:N0} bytes).", item.Name, size);
        return true;
    }

    private static void Verify(BlobItem item, string file)
    {
        var actualSize = new FileInfo(file).Length;
        string? problem = null;
        if (actualSize != (item.Properties.ContentLength ?? 0)) problem = $"{actualSize} bytes instead of {item.Properties.ContentLength}";
        else if (item.Properties.ContentHash is { Length: > 0 } md5 && !HashOf(file, MD5.Create()).SequenceEqual(md5)) problem = "its MD5 differs from the blob's";
        else if (item.Metadata.TryGetValue("sha256", out var sha) && !Convert.ToHexString(HashOf(file, SHA256.Create())).Equals(sha, StringComparison.OrdinalIgnoreCase))
            problem = "its SHA-256 differs from the blob's 'sha256' metadata";
        if (problem is null) return;
        File.Delete(file);
        File.Delete(file + ".etag");
        throw new InvalidDataException($"Downloaded model file '{item.Name}' is corrupt ({problem}); it was deleted and is fetched again on the next start.");
    }

    private static byte[] HashOf(string file, HashAlgorithm algorithm)
    {
        using (algorithm)
        using (var stream = File.OpenRead(file))
            return algorithm.ComputeHash(stream);
    }

    private static string? ReadMarker(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
}

/// <summary>The models setting of either host: a local folder as is, or a blob URL mirrored by <see cref="ModelDownload"/> first.</summary>
public static class ModelSource
{
    /// <summary>Where blob-hosted models are cached unless <c>CONTROLNET_MODELS_CACHE</c> says otherwise.</summary>
    public static string DefaultCacheRoot =>
        Environment.GetEnvironmentVariable("CONTROLNET_MODELS_CACHE") is { Length: > 0 } cache ? cache : Path.Combine(Path.GetTempPath(), "controlnet-models");

    /// <summary>The local models root for <paramref name="setting"/>, downloading it first when it is a blob URL.</summary>
    public static async Task<string> ResolveAsync(string setting, StorageConnection storage, string cacheRoot, ILogger logger, CancellationToken ct = default)
    {
        if (!ModelDownload.IsBlobUrl(setting)) return setting;
        var download = ModelDownload.For(new Uri(setting), cacheRoot, storage.Credential, storage.ConnectionString, logger);
        await download.RunAsync(ct);
        return download.LocalRoot;
    }
}
