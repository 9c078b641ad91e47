using System.Text;
using ControlNet.Workflow.Jobs;

namespace ControlNet.Cli.Commands;

/// <summary>Help text printed from the contract's own tables: the job fields with their limits, and the exit codes.</summary>
internal static class JobFieldsHelp
{
    public const string ExitCodes = """
        exit codes: 0 done; 2 something you can fix (bad flag or value, bad or unwritable path, unknown or missing
        model, bad input image, storage not reachable) with a one-line reason; 1 a fault of ours; 130 cancelled.
        """;

    /// <summary>The job document's fields (JSON names; blob metadata uses the same names), from <see cref="JobLimits"/>.</summary>
    public static string Fields()
    {
        var fields = new JobLimits().Fields();
        var width = fields.Max(f => f.Name.Length) + 2;
        var text = new StringBuilder("job fields (job JSON, batch manifests, blob metadata; defaults and accepted values):\n");
        foreach (var field in fields)
            text.AppendLine($"  {field.Name.PadRight(width)}{field.Description}; default {field.Default}; {field.Accepts}");
        return text.ToString();
    }

    public static string WithFields => Fields() + "\n" + ExitCodes;
}
