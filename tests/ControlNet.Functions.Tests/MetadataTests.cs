using System.Text.Json;
using ControlNet.Functions.Functions;

namespace ControlNet.Functions.Tests;

/// <summary>
/// What the Functions host will index: the <c>functions.metadata</c> the Worker SDK writes into the app's build output
/// (the host cannot run here; this is the file it reads).
/// </summary>
public class MetadataTests
{
    public static TheoryData<string, string, string?> Triggers => new()
    {
        { "PostJob", "httpTrigger", "jobs" },
        { "GetJob", "httpTrigger", "jobs/{id}" },
        { "DeleteJob", "httpTrigger", "jobs/{id}" },
        { "PostBatch", "httpTrigger", "batches" },
        { "GetBatch", "httpTrigger", "batches/{id}" },
        { UploadFunctions.PollingName, "blobTrigger", "inputs/{name}" },
        { UploadFunctions.EventGridName, "blobTrigger", "inputs/{name}" },
        { ScheduleFunctions.Name, "timerTrigger", "%CONTROLNET_BATCH_SCHEDULE%" },
        { "GenerateJob", "orchestrationTrigger", null },
        { "Batch", "orchestrationTrigger", null },
        { "ExtractControlMap", "activityTrigger", null },
        { "GenerateImage", "activityTrigger", null },
        { "WriteManifest", "activityTrigger", null },
        { "WriteFailure", "activityTrigger", null },
        { "ReadBatchManifest", "activityTrigger", null },
        { "ReadBatchJobs", "activityTrigger", null },
        { "WriteBatchOutcomes", "activityTrigger", null },
        { "WriteBatchResult", "activityTrigger", null },
        { "EnqueueGeneration", "activityTrigger", null },
        { GenerationQueueFunctions.GenerateName, "queueTrigger", "generate-requests" },
        { GenerationQueueFunctions.GaveUpName, "queueTrigger", "generate-requests-poison" },
        { GenerationQueueFunctions.DeliverName, "queueTrigger", "generate-results" },
    };

    [Theory]
    [MemberData(nameof(Triggers))]
    public void Every_function_is_listed_with_its_trigger_and_route(string function, string trigger, string? where)
    {
        var binding = TriggerOf(function);
        Assert.Equal(trigger, binding.GetProperty("type").GetString());
        if (where is not null)
        {
            var key = trigger switch { "httpTrigger" => "route", "blobTrigger" => "path", "queueTrigger" => "queueName", _ => "schedule" };
            Assert.Equal(where, binding.GetProperty(key).GetString());
        }
    }

    [Fact]
    public void Http_functions_need_a_function_key_and_blob_triggers_differ_only_in_their_source()
    {
        Assert.All(new[] { "PostJob", "GetJob", "DeleteJob", "PostBatch", "GetBatch" },
            name => Assert.Equal("Function", TriggerOf(name).GetProperty("authLevel").GetString()));
        Assert.Equal("EventGrid", TriggerOf(UploadFunctions.EventGridName).GetProperty("source").GetString());
        Assert.False(TriggerOf(UploadFunctions.PollingName).TryGetProperty("source", out var source) && source.GetString() == "EventGrid");
    }

    [Fact]
    public void Nothing_unexpected_is_listed()
    {
        var listed = Metadata().EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order().ToList();
        Assert.Equal(Triggers.Select(row => (string)row[0]).Order().ToList(), listed);
    }

    private static JsonElement TriggerOf(string function) => Metadata().EnumerateArray()
        .Single(f => f.GetProperty("name").GetString() == function)
        .GetProperty("bindings").EnumerateArray()
        .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static JsonElement Metadata() => Repository.FunctionsMetadata();
}
