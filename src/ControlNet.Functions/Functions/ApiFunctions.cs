using ControlNet.Hosting.Http;
using ControlNet.Workflow;
using ControlNet.Workflow.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace ControlNet.Functions.Functions;

/// <summary>
/// The HTTP API (<c>AuthorizationLevel.Function</c>: clients send a function or host key as <c>x-functions-key</c>).
/// The handlers are <see cref="JobsApi"/>'s, the very ones <c>controlnet serve --http</c> serves.
/// </summary>
public sealed class ApiFunctions(BlobStore blobs, WorkflowOptions options)
{
    [Function("PostJob")]
    public Task<IResult> PostJob(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "jobs")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken ct) => Api(client).PostJobAsync(request, ct);

    [Function("GetJob")]
    public Task<IResult> GetJob(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken ct) => Api(client).GetJobAsync(id, ct);

    [Function("DeleteJob")]
    public Task<IResult> DeleteJob(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "jobs/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken ct) => Api(client).DeleteJobAsync(id, ct);

    [Function("PostBatch")]
    public Task<IResult> PostBatch(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "batches")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken ct) => Api(client).PostBatchAsync(request, ct);

    [Function("GetBatch")]
    public Task<IResult> GetBatch(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "batches/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken ct) => Api(client).GetBatchAsync(id, ct);

    private JobsApi Api(DurableTaskClient client) => new(new JobSubmitter(client, blobs, options), client, blobs, options);
}
