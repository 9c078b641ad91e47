using System.Diagnostics;
using System.Globalization;
using ControlNet.Core.ControlMaps;
using ControlNet.Core.Imaging;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `controlnet bench canny --input IMG [--low L --high H] [--iterations 30]`: median milliseconds of the
/// edge detection alone (decode excluded), on this one thread; compare with
/// <c>cv2.setNumThreads(1); cv2.Canny(rgb, L, H)</c> on the same machine.
/// </summary>
internal static class BenchCannyCommand
{
    public static readonly CommandSpec Spec = new("bench canny", "--input IMG [--low L --high H] [--iterations N]",
        "median milliseconds of Canny alone on one thread; last line median_ms=",
        [
            new("input", "IMG", "the image to detect edges in"),
            new("low", "L", "hysteresis low threshold", "100"),
            new("high", "H", "hysteresis high threshold", "200"),
            new("iterations", "N", "timed runs", "30"),
        ]);

    public static int Run(string[] raw)
    {
        var args = new CommandLineArguments(raw, Spec);
        var input = args.Required("input");
        double low = args.Double("low", 100, 0, 100_000);
        double high = args.Double("high", 200, 0, 100_000);
        int iterations = args.Int("iterations", 30, 1, 100_000);
        args.RejectUnused();
        OutputPaths.RejectExtraWords(args);

        var image = ImageDecoder.DecodeFile(input);
        // Warm up for a second: .NET's tiered JIT reaches optimised (tier-1, AVX2) code only after a while.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(1)) CannyEdgeDetector.Detect(image, low, high);
        var samples = new List<double>(iterations);
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            CannyEdgeDetector.Detect(image, low, high);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        Console.WriteLine($"image={image.Width}x{image.Height} channels={image.Channels} low={low} high={high} iterations={iterations}");
        Console.WriteLine($"min_ms={samples.Min().ToString("0.###", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"median_ms={BenchCommand.Median(samples).ToString("0.###", CultureInfo.InvariantCulture)}");
        return 0;
    }
}
