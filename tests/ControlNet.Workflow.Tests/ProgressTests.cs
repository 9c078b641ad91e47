using System.Text.Json;
using ControlNet.Hosting;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Generation;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Workflow.Tests;

/// <summary>The durable custom status carries stage, images done and the denoising step, for any client.</summary>
public sealed class ProgressTests
{
    /// <summary>Reports steps 1…3, then waits to be released (so the test can read the status mid-generation).</summary>
    private sealed class HeldGenerator : IImageGenerator
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ByteImage> GenerateAsync(GenerationSettings settings, IReadOnlyList<ByteImage> controlMaps, IProgress<int>? stepProgress, CancellationToken ct)
        {
            for (int step = 1; step <= 3; step++) stepProgress?.Report(step);
            await Release.Task;
            for (int step = 4; step <= settings.Steps; step++) stepProgress?.Report(step);
            return new ByteImage(settings.Width, settings.Height, 3);
        }
    }

    [Theory]
    [InlineData(DurableBackend.Memory)]
    [InlineData(DurableBackend.AzureStorage)]
    public async Task Custom_status_reports_the_denoising_step_while_generating(DurableBackend backend)
    {
        var harness = new WorkflowHarness(backend);
        harness.Workflow.StepProgressInterval = TimeSpan.Zero;
        var generator = new HeldGenerator();
        await using var host = await harness.StartHostAsync(generator);
        await WorkflowHarness.UploadInputAsync(host, "progress/house.png");
        var job = await host.Submitter.SubmitAsync(WorkflowHarness.Job("progress/house.png") with { Steps = 6 });

        var midway = await WaitForStatusAsync(host, job.JobId, s => s.Step?.Step == 3);
        generator.Release.SetResult();
        var done = await WorkflowHarness.WaitAsync(host, job.JobId);

        Assert.Equal((JobStages.Generating, 0, 1), (midway.Stage, midway.ImagesDone, midway.ImagesTotal));
        Assert.Equal(new StepProgress(0, 3, 6), midway.Step);
        WorkflowHarness.AssertCompleted(done);
        var final = JsonSerializer.Deserialize<JobStatus>(done.SerializedCustomStatus!)!;
        Assert.Equal((JobStages.Completed, 1), (final.Stage, final.ImagesDone));
    }

    private static async Task<JobStatus> WaitForStatusAsync(PortableHost host, string jobId, Func<JobStatus, bool> condition)
    {
        // Custom status has no wait API: poll it, bounded by the job timeout. It only comes back with inputs and outputs.
        using var timeout = new CancellationTokenSource(WorkflowHarness.JobTimeout);
        while (true)
        {
            var state = await host.Client.GetInstanceAsync(jobId, getInputsAndOutputs: true, timeout.Token);
            if (state?.SerializedCustomStatus is { } json && JsonSerializer.Deserialize<JobStatus>(json) is { } status && condition(status))
                return status;
            await Task.Delay(100, timeout.Token);
        }
    }
}
