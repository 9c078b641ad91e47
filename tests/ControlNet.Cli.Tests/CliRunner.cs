using System.Diagnostics;

namespace ControlNet.Cli.Tests;

/// <summary>Runs the real `controlnet` program (the built controlnet.dll) as a user would.</summary>
internal static class CliRunner
{
    /// <param name="Cpu">CPU time the process used (user + system).</param>
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Cpu = default)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Result Run(params string[] args) => RunWith(null, args);

    /// <summary>
    /// Runs it under bash, whose <c>times</c> builtin then reports the CPU the program used: .NET cannot read an
    /// exited process's CPU time on Linux.
    /// </summary>
    public static Result RunMeasuringCpu(params string[] args)
    {
        var result = RunWith(null, ["-c", "\"$@\"; rc=$?; times >&2; exit $rc", "bash", "dotnet", Path.Combine(AppContext.BaseDirectory, "controlnet.dll"), .. args], program: "bash");
        // `times` prints the shell's user/system time, then its children's: "0m0.912s 0m0.104s".
        var children = result.Stderr.TrimEnd().Split('\n')[^1].Split(' ');
        static TimeSpan Parse(string t) => TimeSpan.FromMinutes(int.Parse(t[..t.IndexOf('m')])) +
            TimeSpan.FromSeconds(double.Parse(t[(t.IndexOf('m') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture));
        return result with { Cpu = Parse(children[0]) + Parse(children[1]) };
    }

    /// <param name="environment">Extra environment variables for the process (e.g. a storage connection string).</param>
    /// <param name="program">null: the controlnet program itself; else the program the arguments are for.</param>
    public static Result RunWith(IReadOnlyDictionary<string, string>? environment, string[] args, string? program = null)
    {
        var start = new ProcessStartInfo(program ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (program is null) start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "controlnet.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"controlnet {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string Photo => Path.Combine(AppContext.BaseDirectory, "Fixtures", "astronaut_512.png");
}
