namespace ControlNet.Cli.Tests;

/// <summary>
/// Every mistake a user can make ends with exit 2 and one line naming the fix — before anything is uploaded or
/// generated — and `--help` explains a command. Each case is a mistake a new user made.
/// </summary>
public class UserErrorTests : IClassFixture<GenerateCommandTests.TinyModels>, IDisposable
{
    private readonly GenerateCommandTests.TinyModels _models;
    private readonly string _directory = Directory.CreateTempSubdirectory("cli-errors-").FullName;

    public UserErrorTests(GenerateCommandTests.TinyModels models) => _models = models;

    private static void AssertUserError(CliRunner.Result result, string fix)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains(fix, result.Stderr);
        Assert.DoesNotContain("unexpected", result.Stderr);
        Assert.DoesNotContain("uploaded", result.Stderr);
    }

    [Fact]
    public void Generate_help_lists_every_option_with_its_description_and_default()
    {
        var result = CliRunner.Run("generate", "--help");
        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (var option in new[] { "--control-image IMG", "--output OUT.png", "--model NAME|DIR", "--steps N", "--seed N", "--control-param K=V", "--provider auto|cuda|cpu" })
            Assert.Contains(option, result.Stdout);
        Assert.Contains("DDIM steps (default: 20)", result.Stdout);
        Assert.Contains("classifier-free guidance scale (the job's guidanceScale) (default: 9)", result.Stdout);
    }

    [Fact]
    public void Help_command_and_help_flag_print_the_same_text()
    {
        var viaCommand = CliRunner.Run("help", "run");
        var viaFlag = CliRunner.Run("run", "--help");
        Assert.Equal(0, viaCommand.ExitCode);
        Assert.Equal(viaCommand.Stdout, viaFlag.Stdout);
        // run, batch and serve list the job's fields with their limits.
        Assert.Contains("job fields", viaCommand.Stdout);
        Assert.Contains("steps", viaCommand.Stdout);
        Assert.Contains("1 to 150", viaCommand.Stdout);
        Assert.Contains("job fields", CliRunner.Run("serve", "--help").Stdout);
        Assert.Contains("job fields", CliRunner.Run("help", "batch").Stdout);
    }

    [Fact]
    public void Unwritable_output_file_is_refused_before_generating()
    {
        var result = CliRunner.Run("generate", "--models", _models.Root, "--control-image", CliRunner.Photo, "--output", "/proc/a.png");
        AssertUserError(result, "choose a folder you can write to");
        Assert.DoesNotContain("wrote", result.Stdout);
    }

    [Fact]
    public void Output_dir_that_is_a_file_is_refused_before_the_job_runs()
    {
        var file = Path.Combine(_directory, "a-file");
        File.WriteAllText(file, "x");
        var result = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", _models.Root, "--output-dir", file);
        AssertUserError(result, "is a file, not a folder");
    }

    [Fact]
    public void Storage_not_reachable_names_the_fix_at_once()
    {
        // Azurite's well-known development account, on a port nothing listens on.
        var unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = CliRunner.RunWith(new Dictionary<string, string> { ["AzureWebJobsStorage"] = unreachable },
            ["run", "--input", CliRunner.Photo, "--models", _models.Root, "--output-dir", Path.Combine(_directory, "out")]);
        AssertUserError(result, "Blob storage is not reachable at http://127.0.0.1:9/");
        Assert.Contains("Start Azurite: infra/local/azurite.sh start", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("--model", "sdxl", "Unknown model 'sdxl'", "Available: sd15")]
    [InlineData("--controlnet", "depth", "Unknown ControlNet 'depth'", "Available: canny")]
    [InlineData("--control-param", "low=abc", "Parameter 'low' must be a number, got 'abc'", "controls[0].parameters")]
    [InlineData("--control-param", "lw=50", "--control-param lw: no unit's extractor (canny) reads it", "--control-param lw")]
    public void Run_finds_model_and_parameter_mistakes_before_uploading(string option, string value, string message, string fix)
    {
        var result = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", _models.Root, option, value,
            "--output-dir", Path.Combine(_directory, "out"));
        AssertUserError(result, message);
        Assert.Contains(fix, result.Stderr);
    }

    [Fact]
    public void Missing_local_input_file_is_named_as_a_file()
    {
        var missing = Path.Combine(_directory, "no-such-photo.png");
        var result = CliRunner.Run("run", "--input", missing, "--models", _models.Root, "--output-dir", Path.Combine(_directory, "out"));
        AssertUserError(result, $"Local file '{missing}' does not exist.");
    }

    [Fact]
    public void A_single_invalid_value_is_one_line()
    {
        var result = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", _models.Root, "--steps", "0");
        AssertUserError(result, "The job is invalid: steps must be between 1 and 150, got 0.");
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Missing_models_folder_names_the_fix()
    {
        var result = CliRunner.Run("run", "--input", CliRunner.Photo, "--models", "/nope", "--output-dir", Path.Combine(_directory, "out"));
        AssertUserError(result, "The models folder /nope does not exist: give --models DIR");
        Assert.Contains("controlnet models tiny", result.Stderr);
    }

    [Fact]
    public void Unknown_option_names_the_command_and_its_help()
    {
        var result = CliRunner.Run("generate", "--stepz", "20");
        AssertUserError(result, "Unknown option --stepz for 'controlnet generate'. Run 'controlnet generate --help'");
    }

    [Fact]
    public void Seed_minus_one_picks_a_random_seed_and_reports_it()
    {
        var output = Path.Combine(_directory, "random.png");
        var result = CliRunner.Run("generate", "--models", _models.Root, "--control-image", CliRunner.Photo, "--seed", "-1",
            "--steps", "2", "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var reported = System.Text.RegularExpressions.Regex.Match(result.Stderr, @"seed (\d+) \(random\)");
        Assert.True(reported.Success, result.Stderr);
        using var png = File.OpenRead(output);
        Assert.Contains($"Seed: {reported.Groups[1].Value},", ControlNet.Core.Imaging.PngFile.ReadText(png)["parameters"]);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
