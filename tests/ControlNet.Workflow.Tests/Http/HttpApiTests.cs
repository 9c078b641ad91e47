using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ControlNet.Core.Onnx;
using ControlNet.Hosting;
using ControlNet.Hosting.Http;
using ControlNet.TinyModels;
using ControlNet.Workflow.Generation;

namespace ControlNet.Workflow.Tests.Http;

/// <summary>
/// The HTTP API as <c>controlnet serve --http</c> serves it: real Kestrel, real Azurite blobs, the real pipeline on
/// tiny models, over both durable backends.
/// </summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    private string _models = "";
    private ModelCache? _cache;

    public Task InitializeAsync()
    {
        _models = Directory.CreateTempSubdirectory("http-models-").FullName;
        TinyModelSet.Write(_models, new TinyModelOptions());
        _cache = new ModelCache(new OnnxRuntimeOptions { Provider = ExecutionProviderChoice.Cpu, IntraOpThreads = 1 });
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _cache?.Dispose();
        Directory.Delete(_models, recursive: true);
        return Task.CompletedTask;
    }

    private sealed record Served(PortableHost Host, HttpApiServer Server, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Server.DisposeAsync();
            await Host.DisposeAsync();
        }
    }

    private async Task<Served> ServeAsync(DurableBackend backend, string? apiKey = null, IImageGenerator? generator = null)
    {
        var host = await new WorkflowHarness(backend).StartHostAsync(generator ?? new PipelineImageGenerator(_models, _cache!));
        var server = await HttpApiServer.StartAsync(host, "127.0.0.1:0", apiKey, null, CancellationToken.None);
        return new Served(host, server, new HttpClient { BaseAddress = server.Address });
    }

    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Multipart_post_runs_the_job_and_status_links_its_outputs(DurableBackend backend)
    {
        await using var served = await ServeAsync(backend);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestImages.SquarePng()) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, "image", "house.png" },
            { new StringContent("""{"prompt": "a house", "steps": 2, "count": 2, "seed": 5, "resolution": 64}""", Encoding.UTF8, "application/json"), "job" },
        };

        var posted = await served.Http.PostAsync("/api/jobs", form);

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var body = await posted.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/jobs/{id}", posted.Headers.Location!.OriginalString);
        Assert.Equal($"/api/jobs/{id}", body.GetProperty("statusUri").GetString());

        var status = await WaitForStatusAsync(served.Http, id, "completed");
        Assert.Equal("completed", status.GetProperty("stage").GetString());
        Assert.Contains("inputs/api/", status.GetProperty("input").GetString());
        var outputs = status.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal([$"{id}/control-0.png", $"{id}/image-000.png", $"{id}/image-001.png"], outputs.Select(o => o.GetProperty("name").GetString()));
        // The links are read-only SAS URLs that work without any other credential.
        using var anonymous = new HttpClient();
        var image = await anonymous.GetByteArrayAsync(outputs[1].GetProperty("url").GetString());
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
        var manifest = await anonymous.GetFromJsonAsync<JsonElement>(status.GetProperty("manifestUrl").GetString());
        Assert.Equal(id, manifest.GetProperty("jobId").GetString());
    }

    [Fact]
    public async Task Json_post_with_several_invalid_fields_lists_every_one_as_a_validation_problem()
    {
        await using var served = await ServeAsync(DurableBackend.Memory);
        var posted = await served.Http.PostAsync("/api/jobs", Json("""{"input": "missing.png", "steps": 500, "guidanceScale": 99, "rng": "gpu"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Equal("application/problem+json", posted.Content.Headers.ContentType!.MediaType);
        var problem = await posted.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.Equal(["guidanceScale", "input", "rng", "steps"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("does not exist", errors.GetProperty("input")[0].GetString());
        Assert.Contains("between 1 and 150", errors.GetProperty("steps")[0].GetString());
    }

    [Fact]
    public async Task Unknown_ids_are_404_problems_and_other_media_types_415()
    {
        await using var served = await ServeAsync(DurableBackend.Memory);
        var job = await served.Http.GetAsync("/api/jobs/no-such-job");
        var batch = await served.Http.GetAsync("/api/batches/no-such-batch");
        var delete = await served.Http.DeleteAsync("/api/jobs/no-such-job");
        var text = await served.Http.PostAsync("/api/jobs", new StringContent("steps=2"));

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.UnsupportedMediaType],
            new[] { job, batch, delete, text }.Select(r => r.StatusCode));
        Assert.All(new[] { job, batch, delete, text }, r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType));
        Assert.Contains("no-such-job", (await job.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Delete_terminates_a_running_job_and_keeps_what_it_wrote()
    {
        var hold = new TaskCompletionSource();
        var generator = new ScriptedGenerator { BeforeGenerate = (_, call) => call == 2 ? hold.Task : Task.CompletedTask };
        await using var served = await ServeAsync(DurableBackend.Memory, generator: generator);
        await WorkflowHarness.UploadInputAsync(served.Host, "api/house.png");
        var posted = await served.Http.PostAsync("/api/jobs", Json("""{"input": "api/house.png", "steps": 2, "count": 2, "resolution": 64}"""));
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await WaitUntilAsync(() => generator.Calls >= 2 && generator.CompletedSeeds.Count >= 1);

        var deleted = await served.Http.DeleteAsync($"/api/jobs/{id}");

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        var status = await WaitForStatusAsync(served.Http, id, "terminated");
        Assert.Contains("terminated", status.GetProperty("error").GetString());
        hold.SetResult();
        Assert.True(await served.Host.Blobs.ExistsAsync(Storage.StoreContainer.Outputs, $"{id}/control-0.png"));
        var again = await served.Http.DeleteAsync($"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Batch_post_starts_every_job_and_reports_each()
    {
        await using var served = await ServeAsync(DurableBackend.Memory, generator: new ScriptedGenerator());
        await WorkflowHarness.UploadInputAsync(served.Host, "batch/a.png");
        await WorkflowHarness.UploadInputAsync(served.Host, "batch/b.png");
        var posted = await served.Http.PostAsync("/api/batches",
            Json("""{"inputPrefix": "batch/", "defaults": {"prompt": "a house", "steps": 2, "resolution": 64}}"""));

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/batches/{id}", posted.Headers.Location!.OriginalString);
        JsonElement batch = default;
        await WaitUntilAsync(async () =>
        {
            batch = await served.Http.GetFromJsonAsync<JsonElement>($"/api/batches/{id}");
            return batch.GetProperty("status").GetString() == "completed";
        });
        Assert.Equal((2, 0), (batch.GetProperty("completed").GetInt32(), batch.GetProperty("failed").GetInt32()));
        var jobs = batch.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Equal("completed", j.GetProperty("status").GetString()));
        Assert.All(jobs, j => Assert.Equal("/api/jobs/" + j.GetProperty("id").GetString(), j.GetProperty("statusUri").GetString()));
    }

    [Fact]
    public async Task With_an_api_key_requests_without_it_are_refused()
    {
        const string key = "0123456789abcdef-test-key";
        await using var served = await ServeAsync(DurableBackend.Memory, apiKey: key, generator: new ScriptedGenerator());
        var without = await served.Http.GetAsync("/api/jobs/anything");
        served.Http.DefaultRequestHeaders.Add(HttpApi.KeyHeader, "wrong-key-wrong-key");
        var wrong = await served.Http.GetAsync("/api/jobs/anything");
        served.Http.DefaultRequestHeaders.Remove(HttpApi.KeyHeader);
        served.Http.DefaultRequestHeaders.Add(HttpApi.KeyHeader, key);
        var right = await served.Http.GetAsync("/api/jobs/anything");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound],
            new[] { without, wrong, right }.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task A_non_loopback_address_needs_a_key()
    {
        await using var host = await new WorkflowHarness(DurableBackend.Memory).StartHostAsync(new ScriptedGenerator());
        var error = await Assert.ThrowsAsync<Core.InvalidInputException>(() => HttpApiServer.StartAsync(host, "0.0.0.0:0", null, null, CancellationToken.None));
        Assert.Contains("--api-key", error.Message);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> WaitForStatusAsync(HttpClient http, string id, string wanted)
    {
        JsonElement status = default;
        await WaitUntilAsync(async () =>
        {
            status = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            var now = status.GetProperty("status").GetString();
            Assert.True(now == wanted || now is "pending" or "running", $"job {id} ended {now}: {status}");
            return now == wanted;
        });
        return status;
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + WorkflowHarness.JobTimeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(100);
        }
    }
}
