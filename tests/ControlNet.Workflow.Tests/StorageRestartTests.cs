using System.Diagnostics;
using ControlNet.Hosting;
using ControlNet.Workflow.Storage;
using Microsoft.DurableTask.Client;

namespace ControlNet.Workflow.Tests;

/// <summary>
/// Storage itself goes away mid-job: an Azurite of the test's own (own ports, own data folder) is stopped while a
/// job is generating and started again on the same data. The job completes, with nothing lost and nothing twice.
/// </summary>
public sealed class StorageRestartTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ControlNetFunctions.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private sealed class OwnAzurite(int basePort) : IDisposable
    {
        private readonly string _state = Directory.CreateTempSubdirectory("azurite-state-").FullName;
        private readonly string _data = Directory.CreateTempSubdirectory("azurite-data-").FullName;

        public string ConnectionString =>
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{basePort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{basePort + 1}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{basePort + 2}/devstoreaccount1;";

        public void Run(string verb)
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(RepoRoot(), "infra", "local", "azurite.sh"), verb])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["AZURITE_STATE_DIR"] = _state;
            start.Environment["AZURITE_DATA"] = _data; // kept across stop/start: the same storage comes back
            start.Environment["AZURITE_BLOB_PORT"] = basePort.ToString();
            start.Environment["AZURITE_QUEUE_PORT"] = (basePort + 1).ToString();
            start.Environment["AZURITE_TABLE_PORT"] = (basePort + 2).ToString();
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"azurite.sh {verb}: {output}");
        }

        public void Dispose()
        {
            Run("stop");
            Directory.Delete(_state, recursive: true);
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Job_survives_a_storage_restart_while_it_generates()
    {
        using var azurite = new OwnAzurite(20000 + Random.Shared.Next(0, 300) * 3);
        azurite.Run("start");
        var harness = new WorkflowHarness(DurableBackend.AzureStorage);
        var generating = new TaskCompletionSource();
        var restarted = new TaskCompletionSource();
        var generator = new ScriptedGenerator
        {
            BeforeGenerate = async (_, call) =>
            {
                if (call != 1) return;
                generating.TrySetResult();
                await restarted.Task; // image 0 is in the middle of its generation while storage is away
            },
        };
        await using var host = await harness.StartHostAsync(generator, options => options.StorageConnectionString = azurite.ConnectionString);
        await WorkflowHarness.UploadInputAsync(host, "restart/house.png");
        var job = WorkflowHarness.Job("restart/house.png", count: 2) with { JobId = "through-a-restart" };
        await host.Submitter.SubmitAsync(job);

        await generating.Task.WaitAsync(TimeSpan.FromMinutes(1));
        azurite.Run("stop");
        await Task.Delay(TimeSpan.FromSeconds(3)); // the host's polls, lease renewals and progress events fail meanwhile
        azurite.Run("start");
        restarted.SetResult();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var state = await host.Client.WaitForInstanceCompletionAsync(job.JobId!, getInputsAndOutputs: true, timeout.Token);
        WorkflowHarness.AssertCompleted(state);
        Assert.Equal(2, state.ReadOutputAs<Jobs.JobResult>()!.Images.Count);
        Assert.True(await host.Blobs.ExistsAsync(StoreContainer.Outputs, BlobNames.Manifest(job.JobId!)));
        Assert.Equal(2, generator.CompletedSeeds.Count); // each image generated once
    }
}
