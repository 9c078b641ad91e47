using ControlNet.Core;

namespace ControlNet.Cli.Commands;

/// <summary>Checks on output paths, made before any work so a bad path never costs a generation.</summary>
internal static class OutputPaths
{
    public static string RequirePng(string path)
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new InvalidInputException($"Output '{path}' must be a .png file.");
        return path;
    }

    /// <summary>A .png path whose folder exists (or can be made) and takes a file.</summary>
    public static string RequireWritablePng(string path)
    {
        RequirePng(path);
        if (Directory.Exists(path)) throw new InvalidInputException($"Output '{path}' is a folder; give a file name ending in .png.");
        RequireWritableFolder(Path.GetDirectoryName(Path.GetFullPath(path))!, $"--output '{path}'");
        return path;
    }

    /// <summary>A folder that exists (or can be made) and takes a new file: probed by writing one.</summary>
    public static string RequireWritableFolder(string folder, string what)
    {
        if (File.Exists(folder)) throw new InvalidInputException($"{what}: '{folder}' is a file, not a folder; give a folder to write into.");
        var probe = Path.Combine(folder, $".controlnet-write-test-{Environment.ProcessId}");
        // Made only to probe: removed again, so a job that fails leaves no empty output folder behind.
        var created = !Directory.Exists(folder) ? Path.GetFullPath(folder) : null;
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            if (created is not null) Directory.Delete(created);
            return folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidInputException($"{what}: cannot write into '{folder}' ({e.Message}); choose a folder you can write to.");
        }
    }

    public static void RejectExtraWords(CommandLineArguments args, int allowed = 0)
    {
        if (args.Positional.Count > allowed)
            throw new InvalidInputException($"Unexpected argument(s): {string.Join(" ", args.Positional.Skip(allowed))}.");
    }
}
