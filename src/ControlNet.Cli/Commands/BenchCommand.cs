using ControlNet.Core;

namespace ControlNet.Cli.Commands;

/// <summary>`controlnet bench canny|rng|load|generate|workflow|api …`.</summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] raw, CancellationToken cancellation)
    {
        var rest = raw.Skip(1).ToArray();
        return raw.FirstOrDefault() switch
        {
            "canny" => BenchCannyCommand.Run(rest),
            "rng" => BenchRngCommand.Run(rest),
            "load" => BenchLoadCommand.Run(rest),
            "generate" => BenchGenerateCommand.Run(rest, cancellation),
            "workflow" => await BenchWorkflowCommand.RunAsync(rest, PipelineGeneratorOptions.Create, cancellation),
            "api" => await BenchApiCommand.RunAsync(rest, PipelineGeneratorOptions.Create, cancellation),
            _ => throw new InvalidInputException("bench needs a target: canny, rng, load, generate, workflow or api. Run 'controlnet help bench'."),
        };
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
