using System.Text.Json;
using Azure.Storage.Queues;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Workflow.Generation;

/// <summary>One image's work handed to the GPU workers; the outcome is raised on <paramref name="InstanceId"/> as <paramref name="EventName"/>.</summary>
public sealed record GenerationRequestMessage(string InstanceId, string EventName, GenerateImageInput Input);

/// <summary>An image made, or why not (<paramref name="InputError"/>: the user must fix the job; never retried).</summary>
public sealed record GenerationOutcome(GeneratedImage? Image, string? Error, bool InputError);

public sealed record GenerationResultMessage(string InstanceId, string EventName, GenerationOutcome Outcome);

/// <summary>
/// The queue hand-over between the control plane and the GPU workers: <c>generate-requests</c> (one message per
/// image; a GPU worker takes one at a time), <c>generate-results</c> (outcomes, turned into durable events by the
/// control plane) and <c>generate-requests-poison</c> (requests that failed on every attempt). Messages are JSON,
/// base64-encoded as the Functions queue trigger expects.
/// </summary>
public sealed class GenerationQueue
{
    public const string RequestsName = "generate-requests";
    public const string ResultsName = "generate-results";
    public const string PoisonName = RequestsName + "-poison";
    /// <summary>Deliveries of a request before it counts as poison (host.json <c>queues.maxDequeueCount</c>).</summary>
    public const int MaxDequeueCount = 3;

    public GenerationQueue(QueueServiceClient service, string prefix = "")
    {
        Requests = service.GetQueueClient(prefix + RequestsName);
        Results = service.GetQueueClient(prefix + ResultsName);
        Poison = service.GetQueueClient(prefix + PoisonName);
    }

    public QueueClient Requests { get; }
    public QueueClient Results { get; }
    public QueueClient Poison { get; }

    public static QueueClientOptions ClientOptions => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    /// <summary>Creates the three queues (the poison queue too: an absent one stalls KEDA's scale-down).</summary>
    public async Task EnsureAsync(CancellationToken ct = default)
    {
        foreach (var queue in new[] { Requests, Results, Poison }) await queue.CreateIfNotExistsAsync(cancellationToken: ct);
    }

    public Task SendRequestAsync(GenerationRequestMessage message, CancellationToken ct = default) =>
        Requests.SendMessageAsync(JsonSerializer.Serialize(message, JobRequest.JsonOptions), ct);

    public Task SendResultAsync(GenerationResultMessage message, CancellationToken ct = default) =>
        Results.SendMessageAsync(JsonSerializer.Serialize(message, JobRequest.JsonOptions), ct);

    public static T Read<T>(string text) => JsonSerializer.Deserialize<T>(text, JobRequest.JsonOptions)
        ?? throw new JsonException($"a {typeof(T).Name} message is 'null'");
}
