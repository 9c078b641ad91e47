using ControlNet.Core;

namespace ControlNet.Cli.Commands;

/// <summary>`controlnet bench canny|generate|workflow …`.</summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] raw, CancellationToken cancellation)
    {
        var what = raw.FirstOrDefault();
        var args = new CommandLineArguments(raw.Skip(1));
        return what switch
        {
            "canny" => BenchCannyCommand.Run(args),
            "generate" => BenchGenerateCommand.Run(args, cancellation),
            "workflow" => await BenchWorkflowCommand.RunAsync(args, PipelineGeneratorOptions.Create, cancellation),
            _ => throw new InvalidInputException("bench needs a target: canny, generate or workflow."),
        };
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
