using System.Text.Json;
using ControlNet.Workflow;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Orchestrators;
using ControlNet.Workflow.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace ControlNet.Hosting.Http;

/// <summary>
/// The HTTP API's handlers on ASP.NET Core types, shared by <c>controlnet serve --http</c> and the Functions app's
/// HTTP triggers. Jobs go through the same <see cref="JobSubmitter"/> (validation, exactly-once start) as every
/// other way in; status comes from the durable instance and its custom status; output links are time-limited SAS URLs.
/// </summary>
public sealed class JobsApi(JobSubmitter submitter, DurableTaskClient client, BlobStore blobs, WorkflowOptions options)
{
    public const string JobsRoute = "/api/jobs";
    public const string BatchesRoute = "/api/batches";
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);
    /// <summary>Largest uploaded image accepted by <c>POST /api/jobs</c> (multipart).</summary>
    public const long MaxUploadBytes = 64L * 1024 * 1024;

    /// <summary><c>POST /api/jobs</c>: a job document, or multipart with a file part 'image' and an optional JSON part 'job'.</summary>
    public async Task<IResult> PostJobAsync(HttpRequest request, CancellationToken ct)
    {
        JobRequest job;
        try
        {
            if (request.HasFormContentType) job = await ReadMultipartAsync(request, ct);
            else if (request.HasJsonContentType()) job = JobRequest.Parse(await ReadBodyAsync(request, ct), "the posted job");
            else return Problems.UnsupportedMediaType(request.ContentType);
            // Every problem at once: the contract's validator, and (for JSON, which names its inputs) inputs not uploaded.
            var problems = new List<string>();
            try { JobValidator.Validate(job, options.Limits); }
            catch (JobValidationException e) { problems.AddRange(e.Errors); }
            if (!request.HasFormContentType) problems.AddRange(await MissingInputsAsync(job, ct));
            if (problems.Count > 0) return Problems.Validation(problems);
            var result = await submitter.SubmitAsync(job, ct);
            return Results.Accepted($"{JobsRoute}/{result.JobId}", new { id = result.JobId, statusUri = $"{JobsRoute}/{result.JobId}" });
        }
        catch (JobValidationException e)
        {
            return Problems.Validation(e.Errors);
        }
    }

    /// <summary><c>GET /api/jobs/{id}</c>.</summary>
    public async Task<IResult> GetJobAsync(string id, CancellationToken ct)
    {
        var instance = await FindAsync(id, GenerateJobOrchestrator.Name, ct);
        if (instance is null) return Problems.NotFound($"There is no job '{id}'.");
        var status = Quietly(() => instance.ReadCustomStatusAs<JobStatus>());
        var input = Quietly(() => instance.ReadInputAs<JobRequest>())?.Input;
        var result = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? Quietly(() => instance.ReadOutputAs<JobResult>()) : null;
        var names = result is not null ? result.ControlMaps.Concat(result.Images).ToList() : status?.Outputs ?? [];
        var outputs = new List<OutputLink>(names.Count);
        foreach (var name in names) outputs.Add(new OutputLink(name, (await blobs.ReadUrlAsync(StoreContainer.Outputs, name, LinkLifetime, ct)).ToString()));
        string? manifestUrl = result is null ? null : (await blobs.ReadUrlAsync(StoreContainer.Outputs, result.Manifest, LinkLifetime, ct)).ToString();
        string? error = instance.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Failed => instance.FailureDetails is { } f ? FailureClassifier.Reason(f) : "the job failed",
            OrchestrationRuntimeStatus.Terminated => "terminated: " + (Quietly(() => instance.ReadOutputAs<string>()) ?? "by request"),
            _ => null,
        };
        return Results.Ok(new JobStatusDocument(id, JobStatuses.Name(instance.RuntimeStatus), status?.Stage ?? (instance.RuntimeStatus == OrchestrationRuntimeStatus.Pending ? "queued" : null),
            JobStatuses.Progress(status), input is null ? null : blobs.Describe(StoreContainer.Inputs, input), outputs, manifestUrl, error));
    }

    /// <summary><c>DELETE /api/jobs/{id}</c>: ends a running job as terminated; what it already wrote stays.</summary>
    public async Task<IResult> DeleteJobAsync(string id, CancellationToken ct)
    {
        var instance = await FindAsync(id, GenerateJobOrchestrator.Name, ct);
        if (instance is null) return Problems.NotFound($"There is no job '{id}'.");
        if (instance.IsCompleted)
            return Problems.Conflict($"Job '{id}' has already ended ({JobStatuses.Name(instance.RuntimeStatus)}); there is nothing to stop.");
        await client.TerminateInstanceAsync(id, new TerminateInstanceOptions { Output = "cancelled through the API" }, ct);
        return Results.Accepted($"{JobsRoute}/{id}", new { id, statusUri = $"{JobsRoute}/{id}" });
    }

    /// <summary><c>POST /api/batches</c>: a batch manifest, stored as batches/&lt;id&gt;.json and started once.</summary>
    public async Task<IResult> PostBatchAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasJsonContentType()) return Problems.UnsupportedMediaType(request.ContentType);
        try
        {
            var json = await ReadBodyAsync(request, ct);
            BatchManifest.Parse(json, "the posted batch");
            var batchId = "batch-" + Guid.NewGuid().ToString("N")[..20];
            var manifest = batchId + ".json";
            await blobs.UploadAsync(StoreContainer.Batches, manifest, BinaryData.FromString(json), ct: ct);
            var result = await submitter.SubmitBatchAsync(batchId, manifest, ct);
            return Results.Accepted($"{BatchesRoute}/{result.JobId}", new { id = result.JobId, statusUri = $"{BatchesRoute}/{result.JobId}" });
        }
        catch (JobValidationException e)
        {
            return Problems.Validation(e.Errors);
        }
    }

    /// <summary><c>GET /api/batches/{id}</c>: the batch's status, counts and each job's status.</summary>
    public async Task<IResult> GetBatchAsync(string id, CancellationToken ct)
    {
        var instance = await FindAsync(id, BatchOrchestrator.Name, ct);
        if (instance is null) return Problems.NotFound($"There is no batch '{id}'.");
        // Running: the orchestrator's custom status; finished: its result (custom status is per generation).
        var result = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? Quietly(() => instance.ReadOutputAs<BatchResult>()) : null;
        var counts = result is not null
            ? new BatchCounts(result.Completed, result.Failed, result.Completed + result.Failed)
            : Quietly(() => instance.ReadCustomStatusAs<BatchCounts>());
        var jobs = new List<object>();
        if (await blobs.TryDownloadAsync(StoreContainer.Batches, BlobNames.BatchJobs(id), ct) is { } listed)
        {
            foreach (var job in JsonSerializer.Deserialize<List<JobRequest>>(listed.ToString(), JobRequest.JsonOptions) ?? [])
            {
                if (job.JobId is not { } jobId) continue;
                var state = await client.GetInstanceAsync(jobId, getInputsAndOutputs: false, ct);
                jobs.Add(new { id = jobId, status = state is null ? "pending" : JobStatuses.Name(state.RuntimeStatus), statusUri = $"{JobsRoute}/{jobId}" });
            }
        }
        return Results.Ok(new
        {
            id,
            status = JobStatuses.Name(instance.RuntimeStatus),
            completed = counts?.Completed ?? 0,
            failed = counts?.Failed ?? 0,
            total = counts?.Total ?? jobs.Count,
            jobs,
        });
    }

    private sealed record BatchCounts(int Completed, int Failed, int Total);

    private async Task<OrchestrationMetadata?> FindAsync(string id, string orchestrator, CancellationToken ct)
    {
        if (BlobNames.CheckJobId(id).Count > 0) return null;
        var instance = await client.GetInstanceAsync(id, getInputsAndOutputs: true, ct);
        return instance is not null && instance.Name == orchestrator ? instance : null;
    }

    private async Task<JobRequest> ReadMultipartAsync(HttpRequest request, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        var image = form.Files.GetFile("image")
            ?? throw new JobValidationException(["image: a multipart post needs a file part named 'image' (or post the job as JSON naming an uploaded input)."]);
        if (image.Length == 0) throw new JobValidationException(["image: the uploaded file is empty."]);
        if (image.Length > MaxUploadBytes) throw new JobValidationException([$"image: the upload is {image.Length} bytes; the limit is {MaxUploadBytes}."]);
        string? jobText = form.TryGetValue("job", out var values) && values.Count > 0 ? values[0] : null;
        if (jobText is null && form.Files.GetFile("job") is { } jobFile)
        {
            using var reader = new StreamReader(jobFile.OpenReadStream());
            jobText = await reader.ReadToEndAsync(ct);
        }
        var job = jobText is null ? new JobRequest() : JobRequest.Parse(jobText, "the 'job' part");
        var name = $"api/{Guid.NewGuid():N}/{SafeFileName(image.FileName)}";
        await using var stream = image.OpenReadStream();
        await blobs.UploadAsync(StoreContainer.Inputs, name, await BinaryData.FromStreamAsync(stream, ct), ct: ct);
        return job with { Input = name };
    }

    private async Task<List<string>> MissingInputsAsync(JobRequest job, CancellationToken ct)
    {
        var names = new[] { job.Input }.Concat(job.Controls?.Select(c => c.Input) ?? []).OfType<string>()
            .Where(n => BlobNames.Check(n, "input").Count == 0).Distinct(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var name in names)
            if (!await blobs.ExistsAsync(StoreContainer.Inputs, name, ct))
                missing.Add($"input '{blobs.Describe(StoreContainer.Inputs, name)}' does not exist; upload it first, or post multipart with the image.");
        return missing;
    }

    private static string SafeFileName(string? fileName)
    {
        var name = Path.GetFileName(fileName ?? "");
        var safe = new string(name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray()).Trim('.');
        return safe.Length is 0 or > 100 ? "upload" : safe;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(ct);
    }

    // Statuses and payloads come from whichever host version wrote them: anything unreadable counts as absent.
    private static T? Quietly<T>(Func<T?> read) where T : class
    {
        try { return read(); }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException) { return null; }
    }
}
