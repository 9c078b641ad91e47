using System.Text.Json;
using System.Text.RegularExpressions;

namespace ControlNet.Functions.Tests;

/// <summary>
/// Infrastructure follows code: every app setting bicep/ gives either app is one the code or the Functions host
/// reads, every function it disables exists, and local.settings.sample.json documents the settings the code reads.
/// </summary>
public partial class SettingsTests
{
    private static readonly string Root = Repository.Root;

    [GeneratedRegex(@"\{\s*name:\s*'([^']+)',\s*value:")]
    private static partial Regex SettingPattern();

    [GeneratedRegex(@"var controlPlaneFunctions = \[(?<names>[^\]]*)\]")]
    private static partial Regex DisabledListPattern();

    private static IEnumerable<string> BicepFiles => Directory.GetFiles(Path.Combine(Root, "bicep"), "*.bicep", SearchOption.AllDirectories);

    private static IReadOnlySet<string> FunctionNames() =>
        Repository.FunctionsMetadata().EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToHashSet();

    private static bool IsKnown(string setting, IReadOnlySet<string> functions) =>
        FunctionsSettings.AppSettings.Contains(setting) || FunctionsSettings.HostSettings.Contains(setting)
        || setting.StartsWith("Workflow__", StringComparison.Ordinal)
        || (setting.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && setting.EndsWith(".Disabled", StringComparison.Ordinal)
            && functions.Contains(setting["AzureWebJobs.".Length..^".Disabled".Length]));

    /// <summary>The settings a bicep file sets; the GPU app's per-function switches are expanded from its list.</summary>
    private static IEnumerable<string> Settings(string bicep)
    {
        var functions = Regex.Matches(DisabledListPattern().Match(bicep).Groups["names"].Value, "'([^']+)'").Select(m => m.Groups[1].Value).ToList();
        foreach (Match match in SettingPattern().Matches(bicep))
        {
            var name = match.Groups[1].Value;
            if (name.Contains("${function}", StringComparison.Ordinal))
                foreach (var function in functions) yield return name.Replace("${function}", function, StringComparison.Ordinal);
            else yield return name;
        }
    }

    [Fact]
    public void Every_setting_bicep_sets_is_read_by_the_code_or_the_host()
    {
        var functions = FunctionNames();
        var set = BicepFiles.SelectMany(f => Settings(File.ReadAllText(f)).Select(name => (File: Path.GetFileName(f), Name: name))).ToList();
        Assert.NotEmpty(set);
        var unknown = set.Where(s => !IsKnown(s.Name, functions)).Select(s => $"{s.File}: {s.Name}").ToList();
        Assert.True(unknown.Count == 0, "settings no code reads: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Functions_the_gpu_app_disables_all_exist_and_leave_only_the_gpu_queue_functions()
    {
        var functions = FunctionNames();
        var gpu = File.ReadAllText(Path.Combine(Root, "bicep", "modules", "gpu-worker.bicep"));
        var disabled = Regex.Matches(DisabledListPattern().Match(gpu).Groups["names"].Value, "'([^']+)'").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Empty(disabled.Where(name => !functions.Contains(name)));
        Assert.Equal(new[] { Functions.GenerationQueueFunctions.GaveUpName, Functions.GenerationQueueFunctions.GenerateName }.Order(),
            functions.Except(disabled).Order());
    }

    [Fact]
    public void The_sample_local_settings_document_every_setting_the_code_reads_and_nothing_else()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")));
        var names = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();
        var functions = FunctionNames();
        Assert.All(names, name => Assert.True(IsKnown(name, functions), $"{name} is not read by anything"));
        var documented = names.ToHashSet();
        var identityForms = FunctionsSettings.AppSettings.Where(s => s.StartsWith("AzureWebJobsStorage__", StringComparison.Ordinal));
        Assert.Empty(FunctionsSettings.AppSettings.Except(identityForms).Where(s => !documented.Contains(s)));
    }
}
