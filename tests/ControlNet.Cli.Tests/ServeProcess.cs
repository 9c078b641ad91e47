using System.Collections.Concurrent;
using System.Diagnostics;

namespace ControlNet.Cli.Tests;

/// <summary>A `controlnet serve` worker as a separate process, as production runs it — so a test can SIGKILL it.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ManualResetEventSlim _ready = new();

    public ConcurrentQueue<string> Log { get; } = new();

    public ServeProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "controlnet.dll"));
        start.ArgumentList.Add("serve");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Log.Enqueue(e.Data);
            if (e.Data.StartsWith("serving", StringComparison.Ordinal)) _ready.Set();
        };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Log.Enqueue(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public void WaitUntilServing()
    {
        if (!_ready.Wait(TimeSpan.FromMinutes(1))) throw new TimeoutException("serve did not start:\n" + string.Join("\n", Log));
    }

    /// <summary>SIGKILL: no shutdown, no lease release, work items left as they are.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
