using System.Text;

namespace ControlNet.Cli;

/// <summary>One option of a command: the parser accepts exactly these, and the help prints them.</summary>
/// <param name="Value">What the value looks like ("N", "DIR"); null for a switch that takes none.</param>
/// <param name="Default">Shown in the help; null when there is none worth printing.</param>
public sealed record CliOption(string Name, string? Value, string Description, string? Default = null, bool Repeatable = false)
{
    public bool IsSwitch => Value is null;
}

/// <summary>
/// A command as the user sees it: its name, usage line, summary, options and notes. The same table drives the
/// parser (<see cref="CommandLineArguments"/> rejects any other option, and a command cannot read an option the
/// table lacks) and `controlnet help COMMAND` / `COMMAND --help`, so the two cannot drift.
/// </summary>
public sealed record CommandSpec(string Name, string Usage, string Summary, IReadOnlyList<CliOption> Options, string? Notes = null)
{
    public CliOption? Find(string name) => Options.FirstOrDefault(o => o.Name == name);

    public string Help()
    {
        var text = new StringBuilder();
        text.AppendLine($"controlnet {Name} — {Summary}");
        text.AppendLine();
        text.AppendLine($"usage: controlnet {Name} {Usage}");
        if (Options.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("options:");
            var width = Options.Max(o => Left(o).Length) + 2;
            foreach (var option in Options)
            {
                var line = $"  {Left(option).PadRight(width)}{option.Description}";
                if (option.Default is not null) line += $" (default: {option.Default})";
                if (option.Repeatable) line += " [repeatable]";
                text.AppendLine(line);
            }
        }
        if (Notes is not null)
        {
            text.AppendLine();
            text.AppendLine(Notes.TrimEnd());
        }
        return text.ToString().TrimEnd();
    }

    private static string Left(CliOption option) => option.IsSwitch ? $"--{option.Name}" : $"--{option.Name} {option.Value}";
}
