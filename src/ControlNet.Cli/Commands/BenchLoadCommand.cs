using System.Diagnostics;
using System.Globalization;
using ControlNet.Core;
using ControlNet.Core.Onnx;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet bench load --model DIR --controlnet DIR`: cold start of the four sessions, each phase in a fresh
/// process so its peak RSS is its own — plain ONNX Runtime session creation (the baseline), a cold load that fills
/// the optimised-model cache, and a warm load from it. Reports per-session milliseconds, peak RSS and its ratio to
/// the model files' bytes; last line <c>load_s=… plain_s=… cold_s=… warm_ratio=… rss_ratio=…</c>.
/// </summary>
internal static class BenchLoadCommand
{
    public static readonly CommandSpec Spec = new("bench load", "--model DIR --controlnet DIR [--ort-cache DIR (emptied first)]",
        "model load time (plain ONNX Runtime, cold and warm optimised-model cache) and peak RSS; last line load_s= rss_ratio=",
        [
            new("model", "DIR", "a Stable Diffusion model folder"),
            new("controlnet", "DIR", "a ControlNet folder"),
            new("phase", "plain|cold|warm", "run one phase in this process (the parent runs each in its own)"),
            .. PipelineGeneratorOptions.RuntimeOptions,
        ]);

    private static readonly string[] Parts = ["text_encoder", "unet", "vae_decoder"];

    public static int Run(string[] raw)
    {
        var args = new CommandLineArguments(raw, Spec);
        var model = Path.GetFullPath(args.Required("model"));
        var controlNet = Path.GetFullPath(args.Required("controlnet"));
        var cache = args.Has("ort-cache") ? args.Optional("ort-cache") : null;
        var phase = args.Optional("phase");
        var runtime = PipelineGeneratorOptions.ReadRuntime(args);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);
        if (!Directory.Exists(model)) throw new InvalidInputException($"Model folder '{model}' does not exist.");
        if (!Directory.Exists(controlNet)) throw new InvalidInputException($"ControlNet folder '{controlNet}' does not exist.");

        if (phase is not null) return RunPhase(phase, model, controlNet, runtime with { OptimizedModelCache = cache });

        cache ??= Directory.CreateTempSubdirectory("controlnet-bench-ort-cache-").FullName;
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        long bytes = ModelBytes(model) + ModelBytes(controlNet);
        var results = new Dictionary<string, PhaseResult>();
        Console.WriteLine($"models: {bytes / 1e9:0.000} GB of files; cache: {cache}");
        Console.WriteLine($"{"phase",-6} {"text_encoder",13} {"unet",10} {"vae_decoder",12} {"controlnet",11} {"total ms",10} {"peak RSS GB",12} {"RSS/bytes",10}");
        foreach (var name in new[] { "plain", "cold", "warm" })
        {
            var result = results[name] = RunChild(name, raw, cache);
            Console.WriteLine($"{name,-6} {F(result.Ms["text_encoder"]),13} {F(result.Ms["unet"]),10} {F(result.Ms["vae_decoder"]),12} {F(result.Ms["controlnet"]),11} " +
                $"{F(result.TotalMs),10} {result.PeakRss / 1e9,12:0.000} {(double)result.PeakRss / bytes,10:0.00}");
        }
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"load_s={results["warm"].TotalMs / 1000:0.00} plain_s={results["plain"].TotalMs / 1000:0.00} cold_s={results["cold"].TotalMs / 1000:0.00} " +
            $"warm_ratio={results["warm"].TotalMs / results["plain"].TotalMs:0.00} rss_ratio={(double)results["warm"].PeakRss / bytes:0.00}"));
        return 0;
    }

    private sealed record PhaseResult(Dictionary<string, double> Ms, double TotalMs, long PeakRss);

    private static PhaseResult RunChild(string phase, string[] raw, string cache)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(BenchLoadCommand).Assembly.Location);
        var own = new List<string>();
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == "--ort-cache") { i++; continue; } // the parent's choice is passed below
            if (!raw[i].StartsWith("--ort-cache=", StringComparison.Ordinal)) own.Add(raw[i]);
        }
        foreach (var arg in new[] { "bench", "load" }.Concat(own).Concat(["--phase", phase, "--ort-cache", cache])) start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var line = child.StandardOutput.ReadToEnd().Split('\n').LastOrDefault(l => l.StartsWith("phase=", StringComparison.Ordinal));
        child.WaitForExit();
        if (child.ExitCode != 0 || line is null) throw new InvalidOperationException($"bench load --phase {phase} failed: {stderr.Result}");
        var fields = line.Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        var ms = Parts.Append("controlnet").ToDictionary(p => p, p => double.Parse(fields[p], CultureInfo.InvariantCulture));
        return new PhaseResult(ms, double.Parse(fields["total_ms"], CultureInfo.InvariantCulture), long.Parse(fields["peak_rss"], CultureInfo.InvariantCulture));
    }

    private static int RunPhase(string phase, string model, string controlNet, OnnxRuntimeOptions runtime)
    {
        var ms = new Dictionary<string, double>();
        var watch = Stopwatch.StartNew();
        var sessions = new List<IDisposable>();
        if (phase == "plain")
        {
            // The baseline: sessions created one after another, full optimisation, no cache.
            var plain = runtime with { OptimizedModelCache = null };
            foreach (var (name, file) in Parts.Select(p => (p, Path.Combine(model, p, "model.onnx"))).Append(("controlnet", Path.Combine(controlNet, "model.onnx"))))
            {
                var loaded = OnnxModel.Load(name == "unet" && !File.Exists(file) ? Path.Combine(model, "controlnet", "model.onnx") : file, plain);
                ms[name] = loaded.LoadMs;
                sessions.Add(loaded);
            }
        }
        else if (phase is "cold" or "warm")
        {
            var sd = StableDiffusionModels.Load(model, runtime);
            var net = ControlNetModel.Load(controlNet, runtime);
            (ms["text_encoder"], ms["unet"], ms["vae_decoder"], ms["controlnet"]) = (sd.TextEncoder.LoadMs, sd.Unet.LoadMs, sd.VaeDecoder.LoadMs, net.Model.LoadMs);
            sessions.Add(sd);
            sessions.Add(net);
        }
        else throw new InvalidInputException($"--phase takes plain, cold or warm, got '{phase}'.");
        watch.Stop();
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"phase={phase} {string.Join(" ", ms.Select(p => $"{p.Key}={p.Value:0.0}"))} total_ms={watch.Elapsed.TotalMilliseconds:0.0} peak_rss={PeakRss()}"));
        foreach (var session in sessions) session.Dispose();
        return 0;
    }

    /// <summary>Peak resident set of this process (VmHWM), in bytes.</summary>
    private static long PeakRss()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static long ModelBytes(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => f.Contains(".onnx", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);

    private static string F(double ms) => ms.ToString("0", CultureInfo.InvariantCulture);
}
