using System.Text.Json;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Jobs;
using ControlNet.Workflow.Storage;

namespace ControlNet.Cli.Tests;

/// <summary>One contract: the flags of `generate` and `run`, a job document and blob metadata meet one validator.</summary>
public class ContractTests : IClassFixture<ContractTests.TwoNetModels>, IDisposable
{
    /// <summary>Tiny models with two ControlNet folders, "canny" and "scribble" (the same tiny net twice).</summary>
    public sealed class TwoNetModels : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("cli-two-nets-").FullName;

        public TwoNetModels()
        {
            var result = CliRunner.Run("models", "tiny", "--output", Root);
            if (result.ExitCode != 0) throw new InvalidOperationException(result.Stderr);
            var scribble = Directory.CreateDirectory(Path.Combine(Root, "controlnet", "scribble")).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(Root, "controlnet", "canny")))
                File.Copy(file, Path.Combine(scribble, Path.GetFileName(file)));
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private readonly TwoNetModels _models;
    private readonly string _directory = Directory.CreateTempSubdirectory("cli-contract-").FullName;

    public ContractTests(TwoNetModels models) => _models = models;

    // Values that parse but break the limits table: each way in must report them in the same words.
    private static readonly (string Flag, string Field, string Value)[] Invalid =
    [
        ("--steps", "steps", "0"),
        ("--guidance", "guidanceScale", "51"),
        ("--count", "count", "17"),
        ("--eta", "eta", "2"),
        ("--control-mode", "controlMode", "wild"),
        ("--resolution", "resolution", "32"),
    ];

    private static IReadOnlyList<string> ErrorLines(string stderr) =>
        stderr.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- ")).Select(l => l[2..]).Order().ToList();

    [Fact]
    public void Same_invalid_values_get_the_same_messages_from_generate_run_job_json_and_blob_metadata()
    {
        var flags = Invalid.SelectMany(i => new[] { i.Flag, i.Value }).ToArray();
        var generate = CliRunner.Run(["generate", "--models", _models.Root, "--control-image", CliRunner.Photo, "--output", Path.Combine(_directory, "x.png"), .. flags]);
        var run = CliRunner.Run(["run", "--input", CliRunner.Photo, "--models", _models.Root, .. flags]);

        var json = "{" + string.Join(", ", Invalid.Select(i => $"\"{i.Field}\": {(double.TryParse(i.Value, out _) ? i.Value : $"\"{i.Value}\"")}")) + ", \"input\": \"a.png\"}";
        var fromJson = Assert.Throws<JobValidationException>(() => JobValidator.Validate(JobRequest.Parse(json), new JobLimits()));
        var blob = new StoredBlob("a.png", "\"0x1\"", "image/png", Invalid.ToDictionary(i => i.Field, i => i.Value, StringComparer.OrdinalIgnoreCase));
        var fromMetadata = Assert.Throws<JobValidationException>(() => JobValidator.Validate(BlobJobParameters.FromMetadata(blob), new JobLimits()));

        var expected = fromJson.Errors.Order().ToList();
        Assert.Equal(Invalid.Length, expected.Count);
        Assert.Equal(expected, fromMetadata.Errors.Order().ToList());
        Assert.Equal(2, generate.ExitCode);
        Assert.Equal(expected, ErrorLines(generate.Stderr));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(expected, ErrorLines(run.Stderr));
    }

    [Fact]
    public void Two_unit_job_through_the_workflow_makes_exactly_the_image_generate_makes()
    {
        // canny on one photo, scribble on another: each unit its own input, net, scale and mode.
        var scribbleSource = Path.Combine(_directory, "sketch.png");
        var sketch = new ByteImage(512, 512, 3);
        sketch.Data.AsSpan().Fill(255);
        for (int i = 100; i < 400; i++) sketch.Data.AsSpan((i * 512 + i) * 3, 3).Clear();
        PngFile.WriteFile(sketch, scribbleSource);
        string[] units =
        [
            "--controlnet", "canny", "--controlnet", "scribble", "--control", "canny", "--control", "scribble",
            "--control-image", CliRunner.Photo, "--control-image", scribbleSource,
            "--control-scale", "0.8", "--control-scale", "1.2", "--control-mode", "balanced", "--control-mode", "prompt",
            "--prompt", "a house", "--seed", "5", "--steps", "3", "--provider", "cpu", "--models", _models.Root,
        ];
        var generated = Path.Combine(_directory, "generate.png");
        var generate = CliRunner.Run(["generate", .. units, "--output", generated]);
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        var outputs = Path.Combine(_directory, "run");
        var run = CliRunner.Run(["run", "--input", CliRunner.Photo, .. units, "--durable", "memory", "--output-dir", outputs]);
        Assert.True(run.ExitCode == 0, run.Stderr);

        Assert.Equal(["control-0.png", "control-1.png", "image-000.png", "manifest.json"], Directory.GetFiles(outputs).Select(Path.GetFileName).Order());
        var fromGenerate = ImageDecoder.DecodeFile(generated);
        var fromWorkflow = ImageDecoder.DecodeFile(Path.Combine(outputs, "image-000.png"));
        Assert.Equal((fromGenerate.Width, fromGenerate.Height), (fromWorkflow.Width, fromWorkflow.Height));
        Assert.Equal(fromGenerate.Data, fromWorkflow.Data);

        // Both record the same job (the workflow's input is a blob name where generate's is a file name).
        using var a = File.OpenRead(generated);
        using var b = File.OpenRead(Path.Combine(outputs, "image-000.png"));
        var textA = PngFile.ReadText(a);
        var textB = PngFile.ReadText(b);
        Assert.Equal(textA["parameters"], textB["parameters"]);
        var job = JobRequest.Parse(textB[PngParameters.JobKey]);
        Assert.Equal(2, job.SchemaVersion);
        Assert.Equal(["canny", "scribble"], job.Controls!.Select(u => u.Extractor));
        Assert.Equal(["balanced", "prompt"], job.Controls!.Select(u => u.Mode));
        Assert.Equal(5, job.Seed);
    }

    [Fact]
    public void Workflow_outputs_carry_the_infotext_the_job_and_a_manifest_naming_the_models()
    {
        var outputs = Path.Combine(_directory, "meta");
        var run = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", _models.Root, "--prompt", "a house", "--negative-prompt", "blurry",
            "--steps", "2", "--count", "2", "--control-param", "low=50", "--durable", "memory", "--provider", "cpu", "--output-dir", outputs);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("seed ", run.Stderr); // no seed given: the random one is reported

        using (var image = File.OpenRead(Path.Combine(outputs, "image-001.png")))
        {
            var text = PngFile.ReadText(image);
            var lines = text["parameters"].Split('\n');
            Assert.Equal("a house", lines[0]);
            Assert.Equal("Negative prompt: blurry", lines[1]);
            Assert.Matches(@"^Steps: 2, Sampler: DDIM, CFG scale: 9, Seed: \d+, RNG: CPU, Size: 512x512, Model hash: [0-9a-f]{10}, Model: sd15, Prompt mode: user, " +
                "ControlNet 0: \"Module: canny, Model: canny \\[[0-9a-f]{8}\\], Weight: 1, Processor Res: 512, Threshold A: 50, Threshold B: 200, ", lines[2]);
            Assert.Contains("\"mode\": \"balanced\"", text[PngParameters.JobKey]);
            Assert.Contains("\"rng\": \"cpu\"", text[PngParameters.JobKey]);
        }
        using (var map = File.OpenRead(Path.Combine(outputs, "control-0.png")))
        {
            var text = PngFile.ReadText(map);
            Assert.DoesNotContain("Seed:", text["parameters"]);
            Assert.Contains("\"extractor\": \"canny\"", text[PngParameters.JobKey]);
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outputs, "manifest.json")));
        var root = manifest.RootElement;
        var model = root.GetProperty("model");
        Assert.True(model.GetProperty("isTinyTestModel").GetBoolean());
        Assert.Equal("sd15", model.GetProperty("stableDiffusion").GetProperty("name").GetString());
        var files = model.GetProperty("stableDiffusion").GetProperty("files").EnumerateArray().ToList();
        Assert.Contains(files, f => f.GetProperty("path").GetString() == "unet/model.onnx" && f.GetProperty("sha256").GetString()!.Length == 64);
        Assert.Equal("canny", model.GetProperty("controlNets")[0].GetProperty("name").GetString());
        Assert.Equal("leading", root.GetProperty("scheduler").GetProperty("timestep_spacing").GetString());
        Assert.True(root.GetProperty("seeds").GetProperty("random").GetBoolean());
        Assert.Equal("cpu", root.GetProperty("rng").GetString());
        var seeds = root.GetProperty("seeds").GetProperty("perImage").EnumerateArray().Select(s => s.GetInt64()).ToList();
        Assert.Equal(seeds[0] + 1, seeds[1]);
        var timings = root.GetProperty("timingsMs");
        Assert.Equal(1, timings.GetProperty("extract").GetProperty("perUnit").GetArrayLength());
        Assert.Equal(2, timings.GetProperty("generate").GetProperty("perImage").GetArrayLength());
        Assert.Equal("balanced", root.GetProperty("request").GetProperty("controlMode").GetString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
