using System.Text.Json;

namespace ControlNet.Functions.Tests;

/// <summary>Files of this checkout the tests read: the repository root, and the Functions app's build output.</summary>
internal static class Repository
{
    /// <summary>The folder holding ControlNetFunctions.sln, found upwards from the test binaries.</summary>
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ControlNetFunctions.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    /// <summary>src/ControlNet.Functions/bin/&lt;configuration&gt;/net10.0/functions.metadata, built with these tests.</summary>
    public static JsonElement FunctionsMetadata()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // tests/…/bin/<config>/net10.0/
        var path = Path.Combine(Root, "src", "ControlNet.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/ControlNet.Functions");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    }
}
