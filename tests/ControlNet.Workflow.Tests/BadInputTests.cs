using System.Text.Json;
using ControlNet.Hosting;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow.Tests;

/// <summary>Bad input ends as a failed job with failed.json, or as a rejected submission — never stuck, never retried forever.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)] // where a poison message would loop if the fault were retried forever
    public async Task Corrupt_image_ends_as_failed_job_with_reason_in_failed_json_and_input_kept(DurableBackend backend)
    {
        var (host, generator) = await StartAsync(backend);
        await using var _ = host;
        await WorkflowHarness.UploadInputAsync(host, "bad/corrupt.png", "this is not a PNG"u8.ToArray());

        var job = await host.Submitter.SubmitAsync(WorkflowHarness.Job("bad/corrupt.png"));
        var failed = await AssertFailedAsync(host, job.JobId, "ExtractControlMap");

        Assert.Equal(JobStages.ExtractingControlMap, failed.GetProperty("stage").GetString());
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Inputs, "bad/corrupt.png"));
        Assert.Equal(0, generator.Calls);
    }

    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Missing_input_blob_ends_as_failed_job_naming_the_blob(DurableBackend backend)
    {
        var (host, _) = await StartAsync(backend);
        await using var __ = host;

        var job = await host.Submitter.SubmitAsync(WorkflowHarness.Job("bad/nowhere.png"));
        var failed = await AssertFailedAsync(host, job.JobId, "does not exist");

        Assert.Contains("nowhere.png", failed.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Unknown_model_name_ends_as_failed_job_without_retries()
    {
        var (host, generator) = await StartAsync();
        await using var _ = host;
        await WorkflowHarness.UploadInputAsync(host, "bad/house.png");

        var job = await host.Submitter.SubmitAsync(WorkflowHarness.Job("bad/house.png") with { Model = "sd99" });
        await AssertFailedAsync(host, job.JobId, "sd99");

        Assert.Equal(1, generator.Calls);
    }

    [Fact]
    public async Task Count_above_the_limit_is_rejected_at_submission()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;

        var e = await Assert.ThrowsAsync<JobValidationException>(() => host.Submitter.SubmitAsync(WorkflowHarness.Job("bad/house.png", count: 17)));
        Assert.Contains(e.Errors, m => m.Contains("count must be between 1 and 16"));
    }

    [Fact]
    public async Task Count_above_the_limit_started_without_submission_checks_ends_as_failed_job()
    {
        var (host, generator) = await StartAsync();
        await using var _ = host;

        // As a batch or an old client would: straight to the orchestrator, which validates again.
        await host.Client.ScheduleNewOrchestrationInstanceAsync(Orchestrators.GenerateJobOrchestrator.Name,
            WorkflowHarness.Job("bad/house.png", count: 99), new Microsoft.DurableTask.StartOrchestrationOptions("too-many"));
        var failed = await AssertFailedAsync(host, "too-many", "count must be between 1 and 16");

        Assert.Equal(JobStages.Validating, failed.GetProperty("stage").GetString());
        Assert.Equal(0, generator.Calls);
    }

    [Theory]
    [InlineData("../secrets/key.png")]
    [InlineData("/etc/passwd")]
    [InlineData("photos\\..\\key.png")]
    [InlineData("photos/./cat.png")]
    public async Task Path_traversal_in_the_input_name_is_rejected_at_submission(string input)
    {
        var (host, _) = await StartAsync();
        await using var _h = host;

        var e = await Assert.ThrowsAsync<JobValidationException>(() => host.Submitter.SubmitAsync(WorkflowHarness.Job(input)));
        Assert.Contains(e.Errors, m => m.StartsWith("input"));
    }

    [Fact]
    public void Invalid_json_is_rejected_with_its_position()
    {
        var e = Assert.Throws<JobValidationException>(() => JobRequest.Parse("{ \"input\": \"a.png\", \"steps\": }"));
        Assert.Contains("not valid JSON at line 1", Assert.Single(e.Errors));
    }

    [Fact]
    public void Unknown_fields_are_rejected_rather_than_ignored()
    {
        var e = Assert.Throws<JobValidationException>(() => JobRequest.Parse("{ \"input\": \"a.png\", \"stepz\": 20 }"));
        Assert.Contains("stepz", Assert.Single(e.Errors));
    }

    [Fact]
    public void Validation_lists_every_error_at_once()
    {
        var job = new JobRequest { Input = "../x.png", Steps = 0, Count = 100, Model = "../models", PromptMode = "auto", GuidanceStart = 0.9, GuidanceEnd = 0.1 };

        var e = Assert.Throws<JobValidationException>(() => JobValidator.Validate(job, new JobLimits()));

        Assert.Contains(e.Errors, m => m.StartsWith("input"));
        Assert.Contains(e.Errors, m => m.StartsWith("steps"));
        Assert.Contains(e.Errors, m => m.StartsWith("count"));
        Assert.Contains(e.Errors, m => m.StartsWith("model"));
        Assert.Contains(e.Errors, m => m.StartsWith("promptMode") && m.Contains("BLIP"));
        Assert.Contains(e.Errors, m => m.StartsWith("guidanceStart"));
    }

    [Fact]
    public void Prompt_mode_auto_is_rejected_as_not_available_in_this_build()
    {
        var e = Assert.Throws<JobValidationException>(() =>
            JobValidator.Validate(new JobRequest { Input = "a.png", PromptMode = "auto" }, new JobLimits()));
        Assert.Contains("BLIP", Assert.Single(e.Errors));
    }

    [Fact]
    public void Blob_job_id_is_the_same_for_the_same_blob_version_and_new_for_a_reupload()
    {
        var id = BlobNames.JobIdForBlob("photos/My Cat.png", "\"0x8DC1\"");

        Assert.Equal(id, BlobNames.JobIdForBlob("photos/My Cat.png", "\"0x8DC1\""));
        Assert.NotEqual(id, BlobNames.JobIdForBlob("photos/My Cat.png", "\"0x8DC2\""));
        Assert.Empty(BlobNames.CheckJobId(id));
        Assert.StartsWith("blob-my-cat-", id);
    }

    [Fact]
    public async Task Batch_runs_its_jobs_records_each_outcome_and_writes_the_result()
    {
        var (host, generator) = await StartAsync();
        await using var _ = host;
        await WorkflowHarness.UploadInputAsync(host, "batch/a.png");
        await WorkflowHarness.UploadInputAsync(host, "batch/b.png");
        await WorkflowHarness.UploadInputAsync(host, "batch/c.png", "broken"u8.ToArray());
        var manifest = new BatchManifest { InputPrefix = "batch/", Defaults = WorkflowHarness.Job("ignored") };
        await host.Blobs.UploadAsync(StoreContainer.Batches, "nightly.json", BinaryData.FromString(JsonSerializer.Serialize(manifest, JobRequest.JsonOptions)));

        var batch = await host.Submitter.SubmitBatchAsync("nightly", "nightly.json");
        var done = await WorkflowHarness.WaitAsync(host, batch.JobId);

        WorkflowHarness.AssertCompleted(done);
        var result = done.ReadOutputAs<BatchResult>()!;
        Assert.Equal((2, 1), (result.Completed, result.Failed));
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Batches, "nightly.result.json"));
        Assert.Equal(2, generator.Calls);
    }

    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Batch_larger_than_a_chunk_continues_as_new_and_reports_every_job(DurableBackend backend)
    {
        var harness = new WorkflowHarness(backend);
        harness.Workflow.BatchChunkSize = 2;
        harness.Workflow.BatchConcurrency = 2;
        var generator = new ScriptedGenerator();
        await using var host = await harness.StartHostAsync(generator);
        for (int i = 0; i < 5; i++) await WorkflowHarness.UploadInputAsync(host, $"chunks/{i}.png");
        var manifest = new BatchManifest { InputPrefix = "chunks/", Defaults = WorkflowHarness.Job("ignored") };
        await host.Blobs.UploadAsync(StoreContainer.Batches, "big.json", BinaryData.FromString(JsonSerializer.Serialize(manifest, JobRequest.JsonOptions)));

        var batch = await host.Submitter.SubmitBatchAsync("big", "big.json");
        var done = await WorkflowHarness.WaitAsync(host, batch.JobId);

        WorkflowHarness.AssertCompleted(done);
        Assert.Equal((5, 0), (done.ReadOutputAs<BatchResult>()!.Completed, done.ReadOutputAs<BatchResult>()!.Failed));
        using var result = JsonDocument.Parse((await host.Blobs.DownloadAsync(StoreContainer.Batches, "big.result.json")).ToString());
        var ids = result.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"big-{i:D4}"), ids.Order());
        Assert.Equal(5, generator.Calls);
    }

    [Fact]
    public async Task Outcomes_of_an_earlier_run_of_the_same_batch_id_are_not_merged_in()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        await WorkflowHarness.UploadInputAsync(host, "again/a.png");
        // Left over from an earlier, larger run of this batch id (e.g. before a memory-backend restart).
        await host.Blobs.UploadAsync(StoreContainer.Batches, BlobNames.BatchOutcomes("rerun", 50),
            BinaryData.FromString("""[{"jobId":"rerun-0050","status":"completed","manifest":"old","reason":null}]"""));
        var manifest = new BatchManifest { InputPrefix = "again/", Defaults = WorkflowHarness.Job("ignored") };
        await host.Blobs.UploadAsync(StoreContainer.Batches, "rerun.json", BinaryData.FromString(JsonSerializer.Serialize(manifest, JobRequest.JsonOptions)));

        var batch = await host.Submitter.SubmitBatchAsync("rerun", "rerun.json");
        WorkflowHarness.AssertCompleted(await WorkflowHarness.WaitAsync(host, batch.JobId));

        using var result = JsonDocument.Parse((await host.Blobs.DownloadAsync(StoreContainer.Batches, "rerun.result.json")).ToString());
        Assert.Equal(["rerun-0000"], result.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
    }

    [Fact]
    public async Task Batch_with_an_unreadable_manifest_fails_and_says_why_in_its_result()
    {
        var (host, _) = await StartAsync();
        await using var _h = host;
        await host.Blobs.UploadAsync(StoreContainer.Batches, "broken.json", BinaryData.FromString("{ \"jobs\": [ }"));

        var batch = await host.Submitter.SubmitBatchAsync("broken", "broken.json");
        var done = await WorkflowHarness.WaitAsync(host, batch.JobId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        var result = JsonDocument.Parse((await host.Blobs.DownloadAsync(StoreContainer.Batches, "broken.result.json")).ToString());
        Assert.Contains("not valid JSON", result.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Input_replaced_after_the_job_started_is_not_processed_under_the_old_id()
    {
        var (host, generator) = await StartAsync();
        await using var _ = host;
        await WorkflowHarness.UploadInputAsync(host, "bad/version.png");
        var first = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "bad/version.png"))!;
        await WorkflowHarness.UploadInputAsync(host, "bad/version.png"); // a new version: new ETag

        var job = await host.Submitter.SubmitAsync(BlobJobParameters.FromMetadata(first) with { Steps = 2, Resolution = 64, PromptMode = "none" });
        await AssertFailedAsync(host, job.JobId, "was replaced after this job started");
        Assert.Equal(0, generator.Calls);
    }

    [Fact]
    public async Task Input_deleted_after_the_job_started_is_reported_as_deleted_not_replaced()
    {
        var (host, generator) = await StartAsync();
        await using var _ = host;
        await WorkflowHarness.UploadInputAsync(host, "bad/gone.png");
        var uploaded = (await host.Blobs.GetPropertiesAsync(StoreContainer.Inputs, "bad/gone.png"))!;
        await host.Blobs.DeletePrefixAsync(StoreContainer.Inputs, "bad/gone.png");

        var job = await host.Submitter.SubmitAsync(BlobJobParameters.FromMetadata(uploaded) with { Steps = 2, Resolution = 64, PromptMode = "none" });
        var failed = await AssertFailedAsync(host, job.JobId, "was deleted after the job started");
        Assert.DoesNotContain("replaced", failed.GetProperty("reason").GetString());
        Assert.Equal("input", failed.GetProperty("cause").GetString());
        Assert.Equal(0, generator.Calls);
    }

    [Fact]
    public async Task Control_map_larger_than_the_size_limit_fails_before_generating()
    {
        var (host, generator) = await StartAsync();
        await using var _ = host;
        var panorama = ControlNet.Core.Imaging.PngFile.Encode(new ControlNet.Core.Imaging.ByteImage(3000, 400, 3));
        await WorkflowHarness.UploadInputAsync(host, "bad/panorama.png", panorama);

        // 3000×400 at resolution 512 gives a 3840×512 map: a valid resize, but over the 2048-pixel job limit.
        var job = await host.Submitter.SubmitAsync(WorkflowHarness.Job("bad/panorama.png") with { Resolution = 512 });
        await AssertFailedAsync(host, job.JobId, "over the 2048-pixel limit per side");
        Assert.Equal(0, generator.Calls);
    }

    [Fact]
    public async Task Batch_with_duplicate_job_ids_fails_and_lists_them()
    {
        var (host, generator) = await StartAsync();
        await using var _h = host;
        var job = WorkflowHarness.Job("bad/house.png");
        await host.Blobs.UploadAsync(StoreContainer.Batches, "dupes.json",
            BinaryData.FromString(JsonSerializer.Serialize(new { jobs = new[] { job with { JobId = "same" }, job with { JobId = "same" } } }, JobRequest.JsonOptions)));

        var batch = await host.Submitter.SubmitBatchAsync("dupes", "dupes.json");
        var done = await WorkflowHarness.WaitAsync(host, batch.JobId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        var result = JsonDocument.Parse((await host.Blobs.DownloadAsync(StoreContainer.Batches, "dupes.result.json")).ToString());
        Assert.Contains("'dupes-same' appears 2 times", result.RootElement.GetProperty("reason").GetString());
        Assert.Equal(0, generator.Calls);
    }

    private static async Task<(PortableHost, ScriptedGenerator)> StartAsync(DurableBackend backend = DurableBackend.Memory)
    {
        var generator = new ScriptedGenerator();
        var host = await new WorkflowHarness(backend).StartHostAsync(generator);
        return (host, generator);
    }

    private static async Task<JsonElement> AssertFailedAsync(PortableHost host, string jobId, string reasonContains)
    {
        var done = await WorkflowHarness.WaitAsync(host, jobId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        var failed = JsonDocument.Parse((await host.Blobs.DownloadAsync(StoreContainer.Outputs, BlobNames.Failed(jobId))).ToString()).RootElement;
        Assert.Contains(reasonContains, failed.GetProperty("reason").GetString());
        return failed;
    }
}
