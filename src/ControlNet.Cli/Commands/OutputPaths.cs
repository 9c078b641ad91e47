using ControlNet.Core;

namespace ControlNet.Cli.Commands;

/// <summary>Checks every command makes on its output path and leftover words.</summary>
internal static class OutputPaths
{
    public static string RequirePng(string path)
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new InvalidInputException($"Output '{path}' must be a .png file.");
        return path;
    }

    public static void RejectExtraWords(CommandLineArguments args, int allowed = 0)
    {
        if (args.Positional.Count > allowed)
            throw new InvalidInputException($"Unexpected argument(s): {string.Join(" ", args.Positional.Skip(allowed))}.");
    }
}
