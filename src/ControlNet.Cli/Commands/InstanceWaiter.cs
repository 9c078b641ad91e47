using ControlNet.Hosting;
using Microsoft.DurableTask.Client;

namespace ControlNet.Cli.Commands;

/// <summary>
/// Waits for a job or batch instance by polling it, showing one status line (from its custom status) whenever
/// it changes: redrawn in place on a terminal, a line each otherwise. Polling rather than the completion API:
/// DTFx's Azure Storage backend answers that one on a 2-second status poll, adding up to 2 s to every wait.
/// </summary>
internal static class InstanceWaiter
{
    private static readonly TimeSpan WorkerHintAfter = TimeSpan.FromSeconds(10);

    /// <param name="describe">Status line from the serialized custom status (null before the first one); null shows nothing.</param>
    /// <param name="clientOnly">This process runs no worker: say so if nobody picks the instance up.</param>
    public static async Task<OrchestrationMetadata> WaitAsync(
        PortableHost host, string instanceId, Func<string?, string>? describe, CancellationToken ct, int pollMilliseconds = 250,
        bool clientOnly = false)
    {
        var interactive = describe is not null && !Console.IsErrorRedirected;
        string last = "";
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        bool hinted = false;
        while (true)
        {
            // Custom status only comes back with inputs and outputs (small here: blob names, not images).
            var state = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
            if (state is { IsCompleted: true })
            {
                if (interactive && last.Length > 0) Console.Error.WriteLine();
                return state;
            }
            if (clientOnly && !hinted && state?.RuntimeStatus == OrchestrationRuntimeStatus.Pending && waiting.Elapsed > WorkerHintAfter)
            {
                hinted = true;
                if (interactive && last.Length > 0) Console.Error.WriteLine();
                Console.Error.WriteLine($"note: no worker has picked up '{instanceId}' in {WorkerHintAfter.TotalSeconds:0} s; start one with " +
                    "'controlnet serve --durable azure-storage' on the same storage, or run this command with --work.");
                last = "";
            }
            if (describe?.Invoke(state?.SerializedCustomStatus) is { } line && line != last)
            {
                last = line;
                if (interactive) Console.Error.Write($"\r\u001b[2K{line}");
                else Console.Error.WriteLine(line);
            }
            await Task.Delay(pollMilliseconds, ct);
        }
    }
}
