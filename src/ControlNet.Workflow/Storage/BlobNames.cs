using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ControlNet.Workflow.Storage;

/// <summary>
/// What a blob name or job id may look like, and the deterministic names the workflow writes.
/// Names come from users (job documents, uploads, batch manifests), so they are checked before any I/O:
/// a name that could climb out of its folder or be read differently by another tool is refused.
/// </summary>
public static partial class BlobNames
{
    /// <summary>Azure's limit is 1024 characters; shorter keeps derived output names within it.</summary>
    public const int MaxNameLength = 512;

    public const int MaxJobIdLength = 80;

    public const string ManifestName = "manifest.json";
    public const string FailedName = "failed.json";
    /// <summary>Control maps are control-0.png, control-1.png, … (one per ControlNet unit).</summary>
    public const string ControlMapPrefix = "control-";

    /// <summary>The problems with <paramref name="name"/> as a blob name; empty when it is safe.</summary>
    public static IReadOnlyList<string> Check(string? name, string what)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(name)) { errors.Add($"{what} is empty; give a blob name such as 'photos/cat.png'."); return errors; }
        if (name.Length > MaxNameLength) errors.Add($"{what} is {name.Length} characters long; the limit is {MaxNameLength}.");
        if (name.Contains('\\')) errors.Add($"{what} '{Shorten(name)}' contains a backslash; use '/' between folders.");
        if (name.StartsWith('/')) errors.Add($"{what} '{Shorten(name)}' is an absolute path; give a name relative to the container.");
        if (name.Contains("://", StringComparison.Ordinal)) errors.Add($"{what} '{Shorten(name)}' is a URL; give a blob name relative to the container.");
        if (name.Any(char.IsControl)) errors.Add($"{what} contains control characters.");
        var segments = name.Split('/');
        if (segments.Any(s => s is ".." or "."))
            errors.Add($"{what} '{Shorten(name)}' contains a '.' or '..' segment; path traversal is not allowed.");
        else if (segments.Skip(name.StartsWith('/') ? 1 : 0).Any(s => s.Length == 0))
            errors.Add($"{what} '{Shorten(name)}' has an empty folder segment ('//' or a trailing '/').");
        if (name.EndsWith('.') ) errors.Add($"{what} '{Shorten(name)}' ends with '.'; Azure strips it, so the name would change.");
        return errors;
    }

    /// <summary>Throws <see cref="ControlNet.Core.InvalidInputException"/> when <paramref name="name"/> is unsafe.</summary>
    public static string Require(string? name, string what)
    {
        var errors = Check(name, what);
        if (errors.Count > 0) throw new ControlNet.Core.InvalidInputException(string.Join(" ", errors));
        return name!;
    }

    public static IReadOnlyList<string> CheckJobId(string? jobId)
    {
        if (jobId is null) return [];
        if (!JobIdPattern().IsMatch(jobId))
            return [$"jobId '{Shorten(jobId)}' must be 1–{MaxJobIdLength} characters of letters, digits, '-' or '_', starting with a letter or digit."];
        return [];
    }

    /// <summary>
    /// The job id of a blob-started job: the same blob version (name + ETag) always gives the same id, so a
    /// duplicate event cannot start a second job, while a re-upload (new ETag) is a new job.
    /// </summary>
    public static string JobIdForBlob(string blobName, string etag)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(blobName + "\n" + etag.Trim('"')));
        var stem = Path.GetFileNameWithoutExtension(blobName);
        var slug = SlugPattern().Replace(stem.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length > 40) slug = slug[..40].TrimEnd('-');
        if (slug.Length == 0) slug = "input";
        return $"blob-{slug}-{Convert.ToHexStringLower(hash, 0, 8)}";
    }

    public static string NewJobId() => "job-" + Guid.NewGuid().ToString("N");

    public static string OutputFolder(string jobId) => jobId + "/";
    public static string ControlMap(string jobId, int unit) => $"{jobId}/{ControlMapPrefix}{unit}.png";
    public static string Image(string jobId, int index) => $"{jobId}/image-{index:D3}.png";
    public static string Manifest(string jobId) => $"{jobId}/{ManifestName}";
    public static string Failed(string jobId) => $"{jobId}/{FailedName}";

    /// <summary>outputs/&lt;id&gt;/submitted.json: the request as submitted, and the claim that makes a start happen once.</summary>
    public static string Submitted(string instanceId) => $"{instanceId}/submitted.json";
    public static string BatchResult(string batchId) => $"{batchId}.result.json";

    /// <summary>batches/&lt;id&gt;.jobs.json: the manifest expanded into one job per line item, ids assigned.</summary>
    public static string BatchJobs(string batchId) => $"{batchId}.jobs.json";

    /// <summary>The outcomes of the batch's jobs from index <paramref name="offset"/> on (one file per chunk).</summary>
    public static string BatchOutcomes(string batchId, int offset) => $"{BatchOutcomesPrefix(batchId)}{offset:D6}.json";

    public static string BatchOutcomesPrefix(string batchId) => $"{batchId}.outcomes/";

    public static string ContentTypeFor(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".bmp" => "image/bmp",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "…";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugPattern();
}
