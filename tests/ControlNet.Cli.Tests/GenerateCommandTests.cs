using System.Text.Json;
using ControlNet.Core.Imaging;

namespace ControlNet.Cli.Tests;

/// <summary>`models tiny` → `generate` end to end, as the README tells a new user.</summary>
public class GenerateCommandTests : IClassFixture<GenerateCommandTests.TinyModels>, IDisposable
{
    public sealed class TinyModels : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("cli-models-").FullName;
        public string Model => Path.Combine(Root, "sd15");
        public string ControlNet => Path.Combine(Root, "controlnet", "canny");

        public TinyModels()
        {
            var result = CliRunner.Run("models", "tiny", "--output", Root);
            if (result.ExitCode != 0) throw new InvalidOperationException(result.Stderr);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    private readonly TinyModels _models;
    private readonly string _directory = Directory.CreateTempSubdirectory("cli-generate-").FullName;

    public GenerateCommandTests(TinyModels models) => _models = models;

    private string PathOf(string name) => Path.Combine(_directory, name);

    private CliRunner.Result Generate(params string[] extra) => CliRunner.Run(
        ["generate", "--model", _models.Model, "--controlnet", _models.ControlNet, "--provider", "cpu", .. extra]);

    [Fact]
    public void Generates_png_with_parameters_and_timings()
    {
        var output = PathOf("out.png");
        var result = Generate("--control-image", CliRunner.Photo, "--prompt", "a house", "--seed", "42", "--steps", "5", "--output", output);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var image = ImageDecoder.DecodeFile(output);
        Assert.Equal((512, 512), (image.Width, image.Height));
        using var stream = File.OpenRead(output);
        var parameters = PngFile.ReadText(stream)["parameters"];
        Assert.StartsWith("a house\n", parameters);
        Assert.Contains("Steps: 5, Sampler: DDIM, CFG scale: 9, Seed: 42, RNG: CPU, Size: 512x512", parameters);
        Assert.Matches("ControlNet 0: \"Module: canny, Model: canny \\[[0-9a-f]{8}\\], Weight: 1, Processor Res: 512, Threshold A: 100, Threshold B: 200, Guidance Start: 0, Guidance End: 1, Control Mode: Balanced\"", parameters);
        Assert.Contains("timings:", result.Stdout);
    }

    [Fact]
    public void Rng_picks_the_noise_source_and_is_recorded()
    {
        var cpu = PathOf("cpu.png");
        var nv = PathOf("nv.png");
        Assert.Equal(0, Generate("--control-image", CliRunner.Photo, "--seed", "7", "--steps", "2", "--output", cpu).ExitCode);
        var result = Generate("--control-image", CliRunner.Photo, "--seed", "7", "--steps", "2", "--rng", "nv", "--output", nv);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.NotEqual(ImageDecoder.DecodeFile(cpu).Data, ImageDecoder.DecodeFile(nv).Data);
        using var stream = File.OpenRead(nv);
        var text = PngFile.ReadText(stream);
        Assert.Contains("Seed: 7, RNG: NV,", text["parameters"]);
        Assert.Contains("\"rng\": \"nv\"", text["controlnet-job"]);
    }

    [Fact]
    public void Unknown_rng_is_a_one_line_error()
    {
        var result = Generate("--control-image", CliRunner.Photo, "--rng", "gpu", "--output", PathOf("x.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("rng must be one of cpu, nv, portable, got 'gpu'", result.Stderr);
        Assert.False(File.Exists(PathOf("x.png")));
    }

    [Fact]
    public void Same_seed_same_image()
    {
        var a = PathOf("a.png");
        var b = PathOf("b.png");
        Assert.Equal(0, Generate("--control-image", CliRunner.Photo, "--seed", "7", "--steps", "3", "--output", a).ExitCode);
        Assert.Equal(0, Generate("--control-image", CliRunner.Photo, "--seed", "7", "--steps", "3", "--output", b).ExitCode);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void Count_writes_numbered_files_with_consecutive_seeds()
    {
        var output = PathOf("many.png");
        var result = Generate("--control-image", CliRunner.Photo, "--seed", "10", "--count", "2", "--steps", "2", "--output", output);
        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(output));
        foreach (var (file, seed) in new[] { ("many-0.png", 10), ("many-1.png", 11) })
        {
            using var stream = File.OpenRead(PathOf(file));
            Assert.Contains($"Seed: {seed},", PngFile.ReadText(stream)["parameters"]);
        }
    }

    [Fact]
    public void Ready_made_map_is_sized_by_the_reference_resize_rule()
    {
        var map = PathOf("map.png");
        PngFile.WriteFile(new ByteImage(70, 45, 1), map);
        var output = PathOf("sized.png");
        var result = Generate("--control-image", map, "--preprocess", "none", "--steps", "2", "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var image = ImageDecoder.DecodeFile(output);
        // resize_image(img, 512): short side 45 → 512, long side 70·512/45 = 796 → rounded to a multiple of 64.
        Assert.Equal((768, 512), (image.Width, image.Height));
    }

    [Fact]
    public void Two_controlnets_each_with_its_own_scale()
    {
        var output = PathOf("two.png");
        var result = Generate("--controlnet", _models.ControlNet, "--control-image", CliRunner.Photo,
            "--control-scale", "0.5", "--control-scale", "1.5", "--control-mode", "control", "--steps", "2", "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var stream = File.OpenRead(output);
        var parameters = PngFile.ReadText(stream)["parameters"];
        Assert.Matches("ControlNet 0: \"Module: canny, Model: canny \\[[0-9a-f]{8}\\], Weight: 0.5,", parameters);
        Assert.Matches("ControlNet 1: \"Module: canny, Model: canny \\[[0-9a-f]{8}\\], Weight: 1.5,", parameters);
        Assert.Contains("Control Mode: ControlNet is more important", parameters);
    }

    [Theory]
    [InlineData("--steps", "0", "steps must be between 1 and 150, got 0")]
    [InlineData("--steps", "151", "steps must be between 1 and 150, got 151")]
    [InlineData("--guidance", "-1", "guidanceScale must be between 0 and 50, got -1")]
    [InlineData("--control-mode", "strong", "Unknown control mode 'strong'")]
    [InlineData("--prompt-mode", "auto", "needs BLIP captioning")]
    public void Bad_parameters_fail_before_any_output(string option, string value, string message)
    {
        var output = PathOf("bad.png");
        var result = Generate("--control-image", CliRunner.Photo, option, value, "--output", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Width_not_a_multiple_of_8_is_rejected()
    {
        var result = Generate("--control-image", CliRunner.Photo, "--width", "100", "--height", "64", "--output", PathOf("w.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("width must be a multiple of 8 between 64 and 2048, got 100", result.Stderr);
    }

    [Fact]
    public void Map_of_another_size_than_requested_is_fitted_to_it_as_the_workflow_does()
    {
        var output = PathOf("m.png");
        var result = Generate("--control-image", CliRunner.Photo, "--preprocess", "none", "--width", "256", "--height", "192", "--steps", "2", "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var image = ImageDecoder.DecodeFile(output);
        Assert.Equal((256, 192), (image.Width, image.Height));
    }

    [Fact]
    public void Missing_model_folder_is_named()
    {
        var result = CliRunner.Run("generate", "--model", PathOf("no-such-model"), "--controlnet", _models.ControlNet,
            "--control-image", CliRunner.Photo, "--output", PathOf("o.png"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-model", result.Stderr);
        Assert.Contains("does not exist", result.Stderr);
    }

    [Fact]
    public void Tokens_prints_77_ids_as_json_and_the_count()
    {
        var result = CliRunner.Run("tokens", "--tokenizer", Path.Combine(_models.Model, "tokenizer"), "--json", "hi!");
        Assert.Equal(0, result.ExitCode);
        var ids = JsonSerializer.Deserialize<int[]>(result.StdoutLines[0])!;
        Assert.Equal(77, ids.Length);
        Assert.Equal(512, ids[0]); // <|startoftext|> of the tiny byte-level vocabulary
        Assert.Equal("prompt_tokens=3 truncated=0", result.StdoutLines[1]);
    }

    [Fact]
    public void Bench_generate_reports_overhead_last()
    {
        var result = CliRunner.Run("bench", "generate", "--model", _models.Model, "--controlnet", _models.ControlNet,
            "--steps", "3", "--width", "64", "--height", "64", "--provider", "cpu");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(3, result.StdoutLines.Count(l => l.StartsWith("step ")));
        Assert.StartsWith("overhead_pct=", result.StdoutLines[^1]);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
