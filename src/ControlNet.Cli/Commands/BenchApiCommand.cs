using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ControlNet.Hosting;
using ControlNet.Hosting.Http;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Storage;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet bench api [--posts 100] [--durable memory|azure-storage]`: the HTTP API's answer time for
/// <c>POST /api/jobs</c> (validate, check the input exists, claim and schedule → 202) over loopback, one post after
/// another while the worker runs the jobs already posted; reports p50 and p90.
/// </summary>
internal static class BenchApiCommand
{
    public static readonly CommandSpec Spec = new("bench api", "[--posts N] [--durable memory|azure-storage]",
        "POST /api/jobs answer time (202) over loopback, p50 and p90; last line p50_ms= p90_ms=",
        [
            new("posts", "N", "jobs posted one after another (after 5 warm-up posts)", "100"),
            .. DurableArguments.Options,
            .. ModelArguments.Options,
            .. PipelineGeneratorOptions.RuntimeOptions,
        ]);

    public static async Task<int> RunAsync(string[] raw, Func<CommandLineArguments, ModelFolders, IImageGenerator> createGenerator, CancellationToken ct)
    {
        var args = new CommandLineArguments(raw, Spec);
        int posts = args.Int("posts", 100, 1, 100_000);
        var backend = args.Has("durable") ? DurableArguments.Backend(args) : DurableBackend.Memory;
        var polling = DurableArguments.QueuePolling(args);
        var generator = createGenerator(args, ModelArguments.Read(args).Folders);
        args.RejectUnused();

        await using var host = await BenchWorkflowCommand.StartBenchHostAsync(backend, generator, polling, Guid.NewGuid().ToString("N")[..8], ct);
        await using var server = await HttpApiServer.StartAsync(host, "127.0.0.1:0", null, null, ct);
        using var http = new HttpClient { BaseAddress = server.Address };
        const string job = """{"input": "bench.png", "control": "none", "resolution": 64, "steps": 1, "seed": 1, "promptMode": "none"}""";

        var samples = new List<double>(posts);
        for (int i = -5; i < posts; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync("/api/jobs", new StringContent(job, Encoding.UTF8, "application/json"), ct);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.Accepted)
                throw new InvalidOperationException($"POST /api/jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            if (i >= 0) samples.Add(ms);
        }
        string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine($"backend={backend.ToString().ToLowerInvariant()} posts={posts} min_ms={F(samples.Min())} max_ms={F(samples.Max())}");
        Console.WriteLine($"p50_ms={F(BenchWorkflowCommand.Percentile(samples, 0.5))} p90_ms={F(BenchWorkflowCommand.Percentile(samples, 0.9))}");
        return 0;
    }
}
