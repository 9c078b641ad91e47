using System.Diagnostics;
using ControlNet.Hosting;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;
using Xunit.Abstractions;

namespace ControlNet.Cli.Tests;

/// <summary>
/// The production topology run locally: one `serve --role control` process and three `serve --role gpu` processes on
/// Azurite queues. Thirty jobs and one long one: none lost, none generated twice, every GPU worker works, and a GPU
/// worker killed mid-image has its image redone by another.
/// </summary>
public class RoleSplitTests(ITestOutputHelper output, CrashRecoveryTests.BenchModels models) : IClassFixture<CrashRecoveryTests.BenchModels>
{
    private readonly string _id = "r" + Guid.NewGuid().ToString("N")[..10];

    private string[] Args(string role) =>
        ["--role", role, "--durable", "azure-storage", "--task-hub", _id + "hub", "--container-prefix", _id, "--queue-prefix", _id,
         "--models", models.Root, "--provider", "cpu", "--queue-poll-ms", "100", "--threads", "1"];

    [Fact]
    public async Task Control_and_three_gpu_workers_finish_every_job_once_and_survive_a_gpu_kill()
    {
        await using var client = await CrashRecoveryTests.ClientAsync(_id);
        await client.Blobs.UploadAsync(StoreContainer.Inputs, "split.png", BinaryData.FromBytes(File.ReadAllBytes(CliRunner.Photo)));
        using var control = new ServeProcess(Args("control"));
        var gpus = Enumerable.Range(0, 3).Select(_ => new ServeProcess(Args("gpu"))).ToList();
        try
        {
            control.WaitUntilServing();
            gpus.ForEach(g => g.WaitUntilServing());
            var watch = Stopwatch.StartNew();

            var jobs = Enumerable.Range(0, 30).Select(i => new JobRequest
                { JobId = $"split-{i:D2}", Input = "split.png", Resolution = 128, Steps = 3, Seed = i, PromptMode = "none" }).ToList();
            foreach (var job in jobs) await client.Submitter.SubmitAsync(job);
            // The long one comes last, so the short ones are spread over all three workers first.
            var longJob = new JobRequest { JobId = "split-long", Input = "split.png", Resolution = 512, Steps = 60, Seed = 99, PromptMode = "none" };
            await client.Submitter.SubmitAsync(longJob);

            // Kill the worker that is denoising the long image, a few steps in.
            ServeProcess? victim = null;
            using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                while (victim is null)
                {
                    var state = await client.Client.GetInstanceAsync(longJob.JobId, getInputsAndOutputs: true, deadline.Token);
                    var status = state?.SerializedCustomStatus is { } text ? System.Text.Json.JsonSerializer.Deserialize<JobStatus>(text, JobRequest.JsonOptions) : null;
                    if (deadline.Token.IsCancellationRequested || watch.Elapsed > TimeSpan.FromSeconds(170))
                        throw new TimeoutException($"the long job never reached step 3 (status {state?.RuntimeStatus} {state?.SerializedCustomStatus})\n" +
                            string.Join("\n", control.Log.TakeLast(15)) + "\n" + string.Join("\n---\n", gpus.Select(g => string.Join("\n", g.Log.TakeLast(8)))));
                    if (status?.Step is { Step: >= 3 })
                        victim = gpus.Single(g => g.Log.Any(line => line.Contains($"Taking job {longJob.JobId} image 0")));
                    else await Task.Delay(50, deadline.Token);
                }
            }
            victim.Kill();
            output.WriteLine($"killed a GPU worker mid-image after {watch.Elapsed.TotalSeconds:0.0} s");

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var finished = new List<OrchestrationMetadata>();
            foreach (var job in jobs.Append(longJob))
                finished.Add(await client.Client.WaitForInstanceCompletionAsync(job.JobId!, getInputsAndOutputs: false, timeout.Token));
            output.WriteLine($"31 jobs done in {watch.Elapsed.TotalSeconds:0.0} s");

            Assert.All(finished, state => Assert.Equal(OrchestrationRuntimeStatus.Completed, state.RuntimeStatus)); // none lost
            var logs = gpus.Select(g => g.Log.ToList()).ToList();
            foreach (var (log, k) in logs.Select((l, k) => (l, k)))
                output.WriteLine($"GPU worker {k}: {log.Count(l => l.Contains(": generated in"))} images{(gpus[k] == victim ? " (killed)" : "")}");
            Assert.All(logs, log => Assert.Contains(log, line => line.Contains(": generated in"))); // every worker worked
            foreach (var job in jobs.Append(longJob))
            {
                // Generated exactly once over all workers (the killed one never finished the long image).
                var generated = logs.Sum(log => log.Count(line => line.Contains($"Job {job.JobId} image 0: generated in")));
                Assert.True(generated == 1, $"{job.JobId} image 0 was generated {generated} times");
            }
            var survivorsLog = gpus.Where(g => g != victim).SelectMany(g => g.Log);
            Assert.Contains(survivorsLog, line => line.Contains($"Job {longJob.JobId} image 0: generated in")); // redone elsewhere
            Assert.DoesNotContain(victim.Log, line => line.Contains($"Job {longJob.JobId} image 0: generated in"));
        }
        finally
        {
            gpus.ForEach(g => g.Dispose());
        }
    }
}
