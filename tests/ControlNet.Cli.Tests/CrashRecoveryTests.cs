using System.Diagnostics;
using System.Text.Json;
using ControlNet.Hosting;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;

namespace ControlNet.Cli.Tests;

/// <summary>
/// A worker SIGKILLed at each point of a job, on real Azurite with the durable Azure Storage backend: a new worker
/// resumes the job within 30 s, nothing is lost, nothing done is done again.
/// </summary>
public class CrashRecoveryTests : IClassFixture<CrashRecoveryTests.BenchModels>
{
    /// <summary>Tiny models sized like real convolutions (≈ 90 ms a step at 256 px here), so each stage lasts long enough to hit.</summary>
    public sealed class BenchModels : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("cli-crash-models-").FullName;

        public BenchModels()
        {
            var result = CliRunner.Run("models", "tiny", "--kind", "bench", "--output", Root);
            if (result.ExitCode != 0) throw new InvalidOperationException(result.Stderr);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    public static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(30);

    private readonly string _id = "c" + Guid.NewGuid().ToString("N")[..10];
    private readonly ITestOutputHelper _output;
    private readonly BenchModels _models;

    public CrashRecoveryTests(ITestOutputHelper output, BenchModels models) => (_output, _models) = (output, models);

    private string[] ServeArgs(string models) =>
        ["--durable", "azure-storage", "--task-hub", _id + "hub", "--container-prefix", _id, "--models", models,
         "--provider", "cpu", "--queue-poll-ms", "100", "--threads", "1"];

    private Task<PortableHost> ClientAsync() => ClientAsync(_id);

    /// <summary>A client (no worker) on the task hub and containers that `serve` processes started with <paramref name="id"/> use.</summary>
    internal static Task<PortableHost> ClientAsync(string id) => PortableHost.StartAsync(new PortableHostOptions
    {
        Backend = DurableBackend.AzureStorage,
        RunWorker = false,
        TaskHubName = id + "hub",
        Containers = BlobContainerNames.WithPrefix(id),
        CreateGenerator = _ => throw new InvalidOperationException("a client runs no work"),
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(100),
    });

    public enum KillPoint { DuringExtract, DuringDenoise, BetweenImages, BeforeManifest }

    [Theory]
    [InlineData(KillPoint.DuringExtract)]
    [InlineData(KillPoint.DuringDenoise)]
    [InlineData(KillPoint.BetweenImages)]
    [InlineData(KillPoint.BeforeManifest)]
    public async Task Worker_killed_mid_job_is_replaced_and_the_job_resumes_without_loss_or_repeat(KillPoint point)
    {
        var models = _models.Root;
        await using var client = await ClientAsync();
        await client.Blobs.UploadAsync(StoreContainer.Inputs, "crash.png", BinaryData.FromBytes(File.ReadAllBytes(CliRunner.Photo)));
        var job = new JobRequest { JobId = "crash-" + point, Input = "crash.png", Resolution = 512, Steps = 40, Count = 2, Seed = 9, PromptMode = "none" };

        using var first = new ServeProcess(ServeArgs(models));
        first.WaitUntilServing();
        await client.Submitter.SubmitAsync(job);

        var image0 = BlobNames.Image(job.JobId!, 0);
        var image1 = BlobNames.Image(job.JobId!, 1);
        await WaitForAsync(client, job.JobId!, async status => point switch
        {
            KillPoint.DuringExtract => status?.Stage == JobStages.ExtractingControlMap,
            KillPoint.DuringDenoise => status?.Step is { Image: 0, Step: >= 5 },
            // The two images may be generated in either order: "between" is when one of them is written.
            KillPoint.BetweenImages => (await WrittenAsync(client, image0, image1)).Count == 1,
            KillPoint.BeforeManifest => (await WrittenAsync(client, image0, image1)).Count == 2,
            _ => false,
        });
        var writtenBeforeKill = await WrittenAsync(client, image0, image1);
        first.Kill();
        var killed = Stopwatch.StartNew();
        // Where the job stood when its worker died (it may have moved on between the check above and the kill).
        var (atKill, completedBeforeKill) = await StatusAsync(client, job.JobId!);

        using var second = new ServeProcess(ServeArgs(models));
        if (completedBeforeKill)
        {
            _output.WriteLine($"{point}: the job completed before the kill landed; no resume to time");
        }
        else
        {
            // Resumed: the job shows progress beyond where it stood at the kill (or completes).
            var (_, resumedAfter) = await WaitForAsync(client, job.JobId!, status => Task.FromResult(
                status is null || Progress(status) != Progress(atKill)), killed);
            _output.WriteLine($"{point}: resumed {resumedAfter.TotalSeconds:0.0} s after the kill (stood at {Progress(atKill)})");
            Assert.True(resumedAfter < ResumeLimit, $"{point}: resumed only after {resumedAfter.TotalSeconds:0.0} s");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var state = await client.Client.WaitForInstanceCompletionAsync(job.JobId!, getInputsAndOutputs: true, timeout.Token);
        Assert.True(state.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{state.RuntimeStatus}: {state.FailureDetails?.ErrorMessage}\n{string.Join("\n", second.Log)}");
        var result = state.ReadOutputAs<JobResult>()!;
        Assert.Equal([image0, image1], result.Images); // none lost
        using var manifest = JsonDocument.Parse((await client.Blobs.DownloadAsync(StoreContainer.Outputs, result.Manifest)).ToString());
        Assert.Equal(2, manifest.RootElement.GetProperty("images").GetArrayLength()); // none duplicated
        if (point is KillPoint.BetweenImages or KillPoint.BeforeManifest) Assert.NotEmpty(writtenBeforeKill);
        foreach (var (blob, etag) in writtenBeforeKill)
        {
            // Written before the kill: the same blob afterwards (never generated again), and the new worker did not generate it.
            Assert.Equal(etag, (await client.Blobs.GetPropertiesAsync(StoreContainer.Outputs, blob))!.ETag);
            var index = blob == image0 ? 0 : 1;
            Assert.DoesNotContain(second.Log, line => line.Contains($"Job {job.JobId} image {index}: generated"));
        }
        foreach (var index in new[] { 0, 1 }.Where(i => !writtenBeforeKill.ContainsKey(i == 0 ? image0 : image1)))
            Assert.Contains(first.Log.Concat(second.Log), line => line.Contains($"Job {job.JobId} image {index}: generated"));
    }

    /// <summary>The images of the job written so far, with their ETags.</summary>
    /// <remarks>Images not written before the kill are generated by one of the two workers, which log it.</remarks>
    private static async Task<Dictionary<string, string>> WrittenAsync(PortableHost client, params string[] images)
    {
        var written = new Dictionary<string, string>();
        foreach (var image in images)
            if (await client.Blobs.GetPropertiesAsync(StoreContainer.Outputs, image) is { } blob) written[image] = blob.ETag;
        return written;
    }

    [Fact]
    public async Task Fifty_uploads_with_one_worker_kill_drain_within_a_minute_of_the_same_load_without_one()
    {
        var quiet = await DrainAsync(_id + "a", killAfter: null);
        var killed = await DrainAsync(_id + "b", killAfter: 20);
        _output.WriteLine($"50 uploads: drained in {quiet.TotalSeconds:0.0} s without a kill, {killed.TotalSeconds:0.0} s with one");
        Assert.True(killed < quiet + TimeSpan.FromSeconds(60), $"with a kill {killed.TotalSeconds:0.0} s, without {quiet.TotalSeconds:0.0} s");
    }

    /// <summary>50 uploads through `serve --watch`; optionally SIGKILLs the worker after some jobs and starts another. Every job completes once.</summary>
    private async Task<TimeSpan> DrainAsync(string id, int? killAfter)
    {
        var args = new[] { "--durable", "azure-storage", "--task-hub", id + "hub", "--container-prefix", id, "--models", _models.Root,
            "--provider", "cpu", "--queue-poll-ms", "100", "--watch", "inputs", "--poll-seconds", "1", "--threads", "1" };
        var blobs = new BlobStore(PortableHostOptions.DevelopmentStorage, BlobContainerNames.WithPrefix(id));
        await blobs.EnsureContainersAsync();
        var metadata = new Dictionary<string, string> { ["steps"] = "1", ["resolution"] = "64", ["control"] = "none", ["promptMode"] = "none", ["seed"] = "1" };
        var png = BinaryData.FromBytes(File.ReadAllBytes(CliRunner.Photo));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => blobs.UploadAsync(StoreContainer.Inputs, $"load/{i:D2}.png", png, metadata)));

        var watch = Stopwatch.StartNew();
        var worker = new ServeProcess(args);
        try
        {
            while (true)
            {
                var names = new List<string>();
                await foreach (var blob in blobs.ListAsync(StoreContainer.Outputs)) names.Add(blob.Name);
                if (names.FirstOrDefault(n => n.EndsWith(BlobNames.FailedName, StringComparison.Ordinal)) is { } failed)
                    Assert.Fail($"{failed}: {await blobs.DownloadAsync(StoreContainer.Outputs, failed)}\n{string.Join("\n", worker.Log)}");
                int done = names.Count(n => n.EndsWith(BlobNames.ManifestName, StringComparison.Ordinal));
                if (done == 50) return watch.Elapsed;
                if (killAfter is { } k && done >= k)
                {
                    worker.Kill();
                    worker.Dispose();
                    worker = new ServeProcess(args);
                    killAfter = null;
                }
                Assert.True(watch.Elapsed < TimeSpan.FromMinutes(4), $"only {done} of 50 jobs done after 4 minutes");
                await Task.Delay(250);
            }
        }
        finally
        {
            worker.Dispose();
        }
    }

    /// <remarks>
    /// Ten processes share this machine's cores: each one's own start-up (≈ 1 s of CPU for the .NET runtime, the
    /// sidecar and the storage client) is CPU the others wait for, whatever the workflow does. So the bound is twice
    /// the time alone plus the CPU all ten used spread over the cores — no run waits on another's work items (before,
    /// clients joined the hub as workers and runs took 2–4 minutes).
    /// </remarks>
    [Fact]
    public async Task Ten_concurrent_run_clients_on_one_hub_each_finish_within_twice_the_time_alone_plus_their_share_of_the_cpu()
    {
        var hub = new[] { "--durable", "azure-storage", "--task-hub", _id + "hub", "--container-prefix", _id, "--queue-poll-ms", "100" };
        var models = _models.Root;
        using var worker = new ServeProcess([.. hub, "--models", models, "--provider", "cpu", "--threads", "1"]);
        worker.WaitUntilServing();
        string[] Run(int i) => ["run", "--input", CliRunner.Photo, .. hub, "--models", models, "--resolution", "64", "--steps", "1",
            "--seed", "1", "--output-dir", Path.Combine(Path.GetTempPath(), _id, i.ToString())];

        (CliRunner.Result Result, TimeSpan Took) Timed(int i)
        {
            var watch = Stopwatch.StartNew();
            var result = CliRunner.RunMeasuringCpu(Run(i));
            return (result, watch.Elapsed);
        }
        Assert.Equal(0, Timed(100).Result.ExitCode); // warm-up: the hub's queues and tables exist, the worker's models are loaded
        var (aloneResult, alone) = Timed(101);
        Assert.True(aloneResult.ExitCode == 0, aloneResult.Stderr);

        var runs = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => Timed(i))));
        var cpuShare = TimeSpan.FromTicks(runs.Sum(r => r.Result.Cpu.Ticks) / Environment.ProcessorCount);
        _output.WriteLine($"one run alone: {alone.TotalSeconds:0.0} s; ten at once: {string.Join(", ", runs.Select(r => r.Took.TotalSeconds.ToString("0.0")))} s; " +
            $"their CPU over {Environment.ProcessorCount} cores: {cpuShare.TotalSeconds:0.0} s");
        Assert.All(runs, r => Assert.True(r.Result.ExitCode == 0, r.Result.Stderr));
        Assert.All(runs, r => Assert.True(r.Took < alone * 2 + cpuShare,
            $"{r.Took.TotalSeconds:0.0} s against {alone.TotalSeconds:0.0} s alone and {cpuShare.TotalSeconds:0.0} s of CPU share"));
        Directory.Delete(Path.Combine(Path.GetTempPath(), _id), recursive: true);
    }

    private static (string?, int?, int?, int?) Progress(JobStatus? status) =>
        (status?.Stage, status?.ImagesDone, status?.Step?.Image, status?.Step?.Step);

    private static async Task<(JobStatus? Status, bool Completed)> StatusAsync(PortableHost client, string jobId)
    {
        var state = await client.Client.GetInstanceAsync(jobId, getInputsAndOutputs: true);
        var status = state?.SerializedCustomStatus is { } json ? JsonSerializer.Deserialize<JobStatus>(json, JobRequest.JsonOptions) : null;
        return (status, state?.IsCompleted == true);
    }

    /// <summary>Polls the job's custom status every 50 ms until <paramref name="done"/> holds; returns the last status and the time.</summary>
    private static async Task<(JobStatus? Status, TimeSpan Elapsed)> WaitForAsync(PortableHost client, string jobId,
        Func<JobStatus?, Task<bool>> done, Stopwatch? since = null)
    {
        var watch = since ?? Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(2))
        {
            var (status, completed) = await StatusAsync(client, jobId);
            if (completed || await done(status)) return (status, watch.Elapsed);
            await Task.Delay(50);
        }
        throw new TimeoutException($"job {jobId} did not reach the expected point in 2 minutes");
    }
}
