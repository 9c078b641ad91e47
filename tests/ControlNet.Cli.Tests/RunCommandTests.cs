using System.Text.Json;
using ControlNet.Core.Imaging;

namespace ControlNet.Cli.Tests;

/// <summary>
/// `controlnet run` as the quick start uses it: a local file through the durable workflow (embedded memory
/// backend) with blobs on Azurite, which scripts/test starts.
/// </summary>
public class RunCommandTests : IClassFixture<GenerateCommandTests.TinyModels>, IDisposable
{
    private readonly GenerateCommandTests.TinyModels _models;
    private readonly string _directory = Directory.CreateTempSubdirectory("cli-run-").FullName;

    public RunCommandTests(GenerateCommandTests.TinyModels models) => _models = models;

    [Fact]
    public void Runs_one_job_through_the_durable_workflow_and_downloads_its_outputs()
    {
        var outputs = Path.Combine(_directory, "out");
        var result = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", _models.Root, "--prompt", "a house",
            "--seed", "3", "--count", "2", "--steps", "3", "--durable", "memory", "--provider", "cpu", "--output-dir", outputs);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["control-0.png", "image-000.png", "image-001.png", "manifest.json"], Directory.GetFiles(outputs).Select(Path.GetFileName).Order());
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outputs, "manifest.json")));
        Assert.Equal("completed", manifest.RootElement.GetProperty("status").GetString());
        Assert.Equal([3L, 4L], manifest.RootElement.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("seed").GetInt64()));
        Assert.Equal(512, ImageDecoder.DecodeFile(Path.Combine(outputs, "image-001.png")).Width);
        Assert.Contains("manifest.json", result.Stdout);
    }

    [Fact]
    public void Corrupt_input_ends_as_a_failed_job_with_its_reason()
    {
        var input = Path.Combine(_directory, "broken.png");
        File.WriteAllBytes(input, File.ReadAllBytes(CliRunner.Photo)[..5000]);
        var result = CliRunner.Run("run", "--input", input, "--models", _models.Root, "--durable", "memory", "--provider", "cpu",
            "--output-dir", Path.Combine(_directory, "none"));

        Assert.Equal(2, result.ExitCode); // the user's to fix: exit 2, with the reason from failed.json
        Assert.Contains("corrupt or truncated", result.Stderr);
        Assert.Contains("failed.json", result.Stdout);
        Assert.False(Directory.Exists(Path.Combine(_directory, "none")));
    }

    [Fact]
    public void On_the_azure_storage_backend_too_a_failed_job_prints_its_reason_and_exits_2()
    {
        var input = Path.Combine(_directory, "empty.png");
        File.WriteAllBytes(input, []);
        var id = "r" + Guid.NewGuid().ToString("N")[..10];
        var result = CliRunner.Run("run", "--input", input, "--models", _models.Root, "--durable", "azure-storage", "--work",
            "--task-hub", id + "hub", "--container-prefix", id, "--queue-poll-ms", "100", "--provider", "cpu");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("failed while extracting-control-map", result.Stderr);
        Assert.Contains("empty", result.Stderr);
    }

    [Fact]
    public void Invalid_job_options_are_rejected_before_anything_is_uploaded()
    {
        var result = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", _models.Root, "--count", "500", "--steps", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("count", result.Stderr);
        Assert.Contains("steps", result.Stderr);
        Assert.DoesNotContain("uploaded", result.Stderr);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

/// <summary>`controlnet batch`: a manifest through the batch orchestrator, one outcome per job in the result file.</summary>
public class BatchCommandTests : IClassFixture<GenerateCommandTests.TinyModels>, IDisposable
{
    private readonly GenerateCommandTests.TinyModels _models;
    private readonly string _directory = Directory.CreateTempSubdirectory("cli-batch-").FullName;

    public BatchCommandTests(GenerateCommandTests.TinyModels models) => _models = models;

    [Fact]
    public void Batch_runs_every_job_and_records_each_outcome()
    {
        // Put an input in blob storage the way a user would: `run` uploads it (and says where).
        var upload = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", _models.Root, "--steps", "1", "--provider", "cpu",
            "--output-dir", Path.Combine(_directory, "seed-run"));
        Assert.True(upload.ExitCode == 0, upload.Stderr);
        var blob = upload.Stderr.Split('\n').First(l => l.StartsWith("uploaded ")).Split(" -> inputs/")[1].Trim();

        var manifest = Path.Combine(_directory, "batch.json");
        File.WriteAllText(manifest, JsonSerializer.Serialize(new
        {
            jobs = new object[]
            {
                new { input = blob, prompt = "a house", steps = 2, seed = 1 },
                new { input = blob, promptMode = "none", steps = 2, seed = 2, controlMode = "control" },
                new { input = "missing/nothing.png", steps = 2 },
            },
        }));
        var outputs = Path.Combine(_directory, "out");
        var result = CliRunner.Run("batch", "--manifest", manifest, "--batch-id", "clibatch" + Guid.NewGuid().ToString("N")[..8],
            "--models", _models.Root, "--provider", "cpu", "--output-dir", outputs);

        Assert.Equal(1, result.ExitCode); // one job failed
        Assert.Contains("2 job(s) completed, 1 failed", result.Stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(outputs, "*.result.json").Single()));
        var jobs = document.RootElement.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(3, jobs.Count);
        Assert.Contains(jobs, j => j.GetProperty("status").GetString() == "failed" && j.GetProperty("reason").GetString()!.Contains("missing/nothing.png"));
    }

    [Fact]
    public void Broken_manifest_is_rejected_before_anything_starts()
    {
        var manifest = Path.Combine(_directory, "broken.json");
        File.WriteAllText(manifest, "{ \"jobs\": [ ");
        var result = CliRunner.Run("batch", "--manifest", manifest, "--models", _models.Root);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not valid JSON", result.Stderr);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

/// <summary>`controlnet serve` stops cleanly when a container runtime or process manager sends SIGTERM.</summary>
public class ServeCommandTests
{
    [Fact]
    public void Sigterm_stops_serve_gracefully()
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "controlnet.dll"), "serve", "--durable", "memory", "--watch", "inputs", "--provider", "cpu" })
            start.ArgumentList.Add(arg);
        using var serve = System.Diagnostics.Process.Start(start)!;
        var ready = new ManualResetEventSlim();
        serve.ErrorDataReceived += (_, e) => { if (e.Data?.StartsWith("serving") == true) ready.Set(); };
        serve.BeginErrorReadLine();
        serve.BeginOutputReadLine();
        try
        {
            Assert.True(ready.Wait(TimeSpan.FromMinutes(1)), "serve did not start");
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", serve.Id.ToString()])) kill.WaitForExit();
            Assert.True(serve.WaitForExit(TimeSpan.FromSeconds(30)), "serve ignored SIGTERM");
            Assert.Equal(0, serve.ExitCode);
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
        }
    }
}
