using System.Text;
using ControlNet.Cli.Commands;
using ControlNet.Core;
using ControlNet.Core.ControlMaps;

namespace ControlNet.Cli;

/// <summary>
/// `controlnet help [COMMAND]` and `COMMAND --help`: printed from the commands' own option tables
/// (<see cref="CommandSpec"/>), the very tables their parsers use.
/// </summary>
internal static class Help
{
    public static IReadOnlyList<CommandSpec> Commands { get; } =
    [
        GenerateCommand.Spec,
        RunCommand.Spec,
        BatchCommand.Spec,
        ServeCommand.Spec,
        .. ControlMapExtractors.All.Select(PreprocessCommand.Spec),
        TokensCommand.Spec,
        ModelsCommand.Spec,
        BenchCannyCommand.Spec,
        BenchRngCommand.Spec,
        BenchLoadCommand.Spec,
        BenchApiCommand.Spec,
        BenchGenerateCommand.Spec,
        BenchWorkflowCommand.Spec,
    ];

    public static string Overview()
    {
        var text = new StringBuilder("controlnet — ControlNet (Zhang & Agrawala 2023) for Stable Diffusion 1.5 on ONNX Runtime\n\ncommands:\n");
        var shown = Commands.Where(c => !c.Name.StartsWith("preprocess ", StringComparison.Ordinal)).ToList();
        var width = Math.Max(shown.Max(c => c.Name.Length), "preprocess TYPE".Length) + 2;
        foreach (var command in shown) text.AppendLine($"  {command.Name.PadRight(width)}{command.Summary}");
        text.AppendLine($"  {"preprocess TYPE".PadRight(width)}a control map; TYPE: {string.Join(", ", ControlMapExtractors.Names)}");
        text.AppendLine();
        text.AppendLine("'controlnet help COMMAND' or 'controlnet COMMAND --help' lists a command's options with their defaults.");
        text.AppendLine();
        text.Append(JobFieldsHelp.ExitCodes.TrimEnd());
        return text.ToString();
    }

    /// <summary>The help of the command named by <paramref name="words"/> ("run", "bench canny", "preprocess tile").</summary>
    public static string For(IReadOnlyList<string> words)
    {
        var name = string.Join(' ', words.TakeWhile(w => !w.StartsWith('-')).Take(2));
        if (Commands.FirstOrDefault(c => c.Name == name) is { } exact) return exact.Help();
        var first = name.Split(' ')[0];
        if (Commands.FirstOrDefault(c => c.Name == first) is { } single) return single.Help();
        var family = Commands.Where(c => c.Name.StartsWith(first + " ", StringComparison.Ordinal)).ToList();
        if (family.Count == 1) return family[0].Help();
        if (family.Count > 1)
            return $"controlnet {first} — one of:\n" + string.Join("\n", family.Select(c => $"  controlnet {c.Name}: {c.Summary}"))
                + $"\n\nRun 'controlnet help {family[0].Name}' for one of them.";
        throw new InvalidInputException($"Unknown command '{name}'. Run 'controlnet help' for the list.");
    }
}
