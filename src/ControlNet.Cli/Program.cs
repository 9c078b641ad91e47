using ControlNet.Cli;
using ControlNet.Cli.Commands;
using ControlNet.Core;

// `controlnet <command> …`: each command lives in Commands/ and returns its exit code.
// Something the user can fix (InvalidInputException) prints one line and exits 2; a fault of ours exits 1.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };
// Containers and process managers stop with SIGTERM: shut down as for Ctrl+C (finish or hand back work, release
// leases, exit) instead of waiting to be killed.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, signal => { signal.Cancel = true; cancellation.Cancel(); });

try
{
    return await Dispatch(args, cancellation.Token);
}
catch (InvalidInputException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message} (a fault of ours; please report it with the command line)");
    return 1;
}

static async Task<int> Dispatch(string[] args, CancellationToken cancellation)
{
    if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
    {
        Console.WriteLine(args.Length > 1 ? Help.For(args[1..]) : Help.Overview());
        return 0;
    }
    if (args.Any(a => a is "--help" or "-h"))
    {
        Console.WriteLine(Help.For(args));
        return 0;
    }
    var rest = args.Skip(1).ToArray();
    return args[0] switch
    {
        "preprocess" => PreprocessCommand.Run(rest),
        "tokens" => TokensCommand.Run(rest),
        "generate" => GenerateCommand.Run(rest, cancellation),
        "models" => ModelsCommand.Run(rest),
        "bench" => await BenchCommand.RunAsync(rest, cancellation),
        "run" => await RunCommand.RunAsync(rest, PipelineGeneratorOptions.Create, cancellation),
        "serve" => await ServeCommand.RunAsync(rest, PipelineGeneratorOptions.Create, cancellation),
        "batch" => await BatchCommand.RunAsync(rest, PipelineGeneratorOptions.Create, cancellation),
        _ => throw new InvalidInputException($"Unknown command '{args[0]}'. Run 'controlnet help'."),
    };
}
