using System.Diagnostics;
using System.Globalization;
using ControlNet.Hosting;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet bench workflow --jobs N [--durable memory|azure-storage] [--count N]`: runs N one-image jobs one after
/// another on each backend (both unless --durable names one) and reports orchestration overhead per job = job wall
/// time (submit → completion seen by the client) minus the time spent inside activities.
/// </summary>
internal static class BenchWorkflowCommand
{
    public static readonly CommandSpec Spec = new("bench workflow", "--jobs N [--durable memory|azure-storage]",
        "orchestration overhead per one-image job (wall time minus time inside activities), per backend",
        [
            new("jobs", "N", "jobs run one after another", "10"),
            .. DurableArguments.Options,
            .. ModelArguments.Options,
            .. PipelineGeneratorOptions.RuntimeOptions,
        ]);

    public static async Task<int> RunAsync(string[] raw, Func<CommandLineArguments, ModelFolders, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var args = new CommandLineArguments(raw, Spec);
        var jobs = args.Int("jobs", 10, 1, 10_000);
        var backends = args.Has("durable") ? [DurableArguments.Backend(args)] : new[] { DurableBackend.Memory, DurableBackend.AzureStorage };
        var polling = DurableArguments.QueuePolling(args);
        var generator = createGenerator(args, ModelArguments.Read(args).Folders);
        args.RejectUnused();

        // Two walls: what the client waits (submit → completion seen by a 10 ms status poll)
        // and the orchestration's own created → completed timestamps.
        Console.WriteLine($"{"backend",-14} {"jobs",5} {"wall/job ms",12} {"activities/job ms",18} {"overhead/job ms (median)",25} {"p90",8} {"server overhead ms (median)",28}");
        foreach (var backend in backends)
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            await using var host = await StartBenchHostAsync(backend, generator, polling, run, ct);
            var walls = new List<double>();
            var inside = new List<double>();
            var overheads = new List<double>();
            var serverOverheads = new List<double>();
            // One warm-up job: first-call costs (JIT, queue creation) are not orchestration overhead.
            for (int i = -1; i < jobs; i++)
            {
                var job = new JobRequest { JobId = $"bench-{run}-{i + 1:D4}", Input = "bench.png", Control = "none", Resolution = 64, Steps = 1, Seed = 1, PromptMode = "none" };
                var watch = Stopwatch.StartNew();
                var submitted = await host.Submitter.SubmitAsync(job, ct);
                var state = await InstanceWaiter.WaitAsync(host, submitted.JobId, describe: null, ct, pollMilliseconds: 10);
                watch.Stop();
                if (state.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                    throw new InvalidOperationException($"bench job {submitted.JobId} ended {state.RuntimeStatus}: {state.FailureDetails?.ErrorMessage}");
                if (i < 0) continue;
                var activities = state.ReadOutputAs<JobResult>()!.ActivityMs;
                walls.Add(watch.Elapsed.TotalMilliseconds);
                inside.Add(activities);
                overheads.Add(watch.Elapsed.TotalMilliseconds - activities);
                serverOverheads.Add((state.LastUpdatedAt - state.CreatedAt).TotalMilliseconds - activities);
            }
            string F(double v) => v.ToString("F0", CultureInfo.InvariantCulture);
            Console.WriteLine($"{backend.ToString().ToLowerInvariant(),-14} {jobs,5} {F(walls.Average()),12} {F(inside.Average()),18} {F(Percentile(overheads, 0.5)),25} {F(Percentile(overheads, 0.9)),8} {F(Percentile(serverOverheads, 0.5)),28}");
        }
        return 0;
    }

    /// <summary>A host with containers and a task hub of its own for one bench run, and bench.png (<see cref="SampleImage"/>) uploaded.</summary>
    internal static async Task<PortableHost> StartBenchHostAsync(DurableBackend backend, IImageGenerator generator, TimeSpan polling, string run, CancellationToken ct)
    {
        var host = await PortableHost.StartAsync(new PortableHostOptions
        {
            Backend = backend,
            CreateGenerator = _ => generator,
            MaxQueuePollingInterval = polling,
            Containers = BlobContainerNames.WithPrefix("bench" + run),
            TaskHubName = "bench" + run,
        }, ct);
        await host.Blobs.UploadAsync(StoreContainer.Inputs, "bench.png", BinaryData.FromBytes(SampleImage()), ct: ct);
        return host;
    }

    internal static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>A 64×64 control map (a square outline), so bench needs no files.</summary>
    internal static byte[] SampleImage()
    {
        var image = new ControlNet.Core.Imaging.ByteImage(64, 64, 3);
        for (int y = 16; y < 48; y++)
        for (int x = 16; x < 48; x++)
            if (x is 16 or 47 || y is 16 or 47) image.Data.AsSpan((y * 64 + x) * 3, 3).Fill(255);
        return ControlNet.Core.Imaging.PngFile.Encode(image);
    }
}
