using System.Diagnostics;
using System.Globalization;
using ControlNet.Core;
using ControlNet.Core.Randomness;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet bench rng [--rng cpu|nv|portable] [--shape 1x4x64x64] [--iterations 200]`: median milliseconds to
/// make one image's initial latents — a fresh generator at a seed and one tensor of normals — on one thread.
/// </summary>
internal static class BenchRngCommand
{
    public static readonly CommandSpec Spec = new("bench rng", "[--rng cpu|nv|portable] [--shape 1x4x64x64] [--iterations N]",
        "median milliseconds to seed a generator and draw one latent tensor; last line median_ms=",
        [
            new("rng", "cpu|nv|portable", "noise source", "cpu"),
            new("shape", "AxBxCxD", "tensor shape (1x4x64x64 is a 512x512 image's latents)", "1x4x64x64"),
            new("iterations", "N", "timed runs", "200"),
        ]);

    public static int Run(string[] raw)
    {
        var args = new CommandLineArguments(raw, Spec);
        var source = NoiseSources.Parse(args.Optional("rng") ?? "cpu");
        var shapeText = args.Optional("shape") ?? "1x4x64x64";
        int iterations = args.Int("iterations", 200, 1, 1_000_000);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);
        long elements = 1;
        foreach (var part in shapeText.Split('x'))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int side) || side < 1)
                throw new InvalidInputException($"--shape must be sides joined by 'x' (e.g. 1x4x64x64), got '{shapeText}'.");
            elements *= side;
            if (elements > 1 << 28) throw new InvalidInputException($"--shape {shapeText} is too large to benchmark.");
        }

        var latents = new float[elements];
        var warmUp = Stopwatch.StartNew();
        for (long seed = 0; warmUp.Elapsed < TimeSpan.FromSeconds(1); seed++) NoiseSources.Create(source, seed).FillNormal(latents);
        var samples = new List<double>(iterations);
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            NoiseSources.Create(source, i).FillNormal(latents);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        Console.WriteLine($"rng={NoiseSources.Name(source)} shape={shapeText} elements={elements} iterations={iterations}");
        Console.WriteLine($"min_ms={samples.Min().ToString("0.###", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"median_ms={BenchCommand.Median(samples).ToString("0.###", CultureInfo.InvariantCulture)}");
        return 0;
    }
}
