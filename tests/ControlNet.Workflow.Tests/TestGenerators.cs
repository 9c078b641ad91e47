using System.Collections.Concurrent;
using ControlNet.Core;
using ControlNet.Core.Imaging;
using ControlNet.Workflow.Generation;

namespace ControlNet.Workflow.Tests;

/// <summary>
/// A stand-in for the diffusion pipeline, used for fault injection only: the output is the first unit's control map
/// with its colours inverted (deterministic), and hooks let a test fail or hold a call. It knows the model "sd15" and
/// the ControlNets "canny" and "scribble", like a models folder with those would, and records which map each
/// ControlNet received.
/// </summary>
public sealed class ScriptedGenerator : IImageGenerator
{
    private int _calls;

    public ConcurrentQueue<long> CompletedSeeds { get; } = new();

    /// <summary>Runs before each call with the 1-based call number; throw to fail the call, await to hold it.</summary>
    public Func<GenerationSettings, int, Task>? BeforeGenerate { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Per call, each unit's ControlNet with the map it was given.</summary>
    public ConcurrentQueue<IReadOnlyList<(string ControlNet, ByteImage Map)>> ReceivedMaps { get; } = new();

    public async Task<ByteImage> GenerateAsync(GenerationSettings settings, IReadOnlyList<ByteImage> controlMaps, IProgress<int>? stepProgress, CancellationToken ct)
    {
        var call = Interlocked.Increment(ref _calls);
        if (settings.Model != "sd15") throw new InvalidInputException($"Model '{settings.Model}' is not in the models folder (known: sd15).");
        if (settings.Units.FirstOrDefault(u => u.ControlNet is not ("canny" or "scribble")) is { } unknown)
            throw new InvalidInputException($"ControlNet '{unknown.ControlNet}' is not in the models folder (known: canny, scribble).");
        ReceivedMaps.Enqueue(settings.Units.Select((u, k) => (u.ControlNet, controlMaps[k])).ToList());
        var controlMap = controlMaps[0];
        if (BeforeGenerate is not null) await BeforeGenerate(settings, call);
        for (int step = 1; step <= settings.Steps; step++) stepProgress?.Report(step);
        var image = new ByteImage(settings.Width, settings.Height, 3);
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
        for (int c = 0; c < 3; c++)
        {
            int sx = x * controlMap.Width / image.Width, sy = y * controlMap.Height / image.Height;
            image.Data[(y * image.Width + x) * 3 + c] = (byte)(255 - controlMap.Data[(sy * controlMap.Width + sx) * controlMap.Channels + Math.Min(c, controlMap.Channels - 1)]);
        }
        CompletedSeeds.Enqueue(settings.Seed);
        return image;
    }
}

/// <summary>Wraps a real generator to count calls and the most that ran at once; changes nothing else.</summary>
public sealed class CountingGenerator(IImageGenerator inner) : IImageGenerator
{
    private int _calls;
    private int _running;
    private int _peak;

    public int Calls => Volatile.Read(ref _calls);

    public int PeakConcurrency => Volatile.Read(ref _peak);

    public async Task<ByteImage> GenerateAsync(GenerationSettings settings, IReadOnlyList<ByteImage> controlMaps, IProgress<int>? stepProgress, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        int running = Interlocked.Increment(ref _running);
        int peak;
        while (running > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, running, peak) != peak) { }
        try { return await inner.GenerateAsync(settings, controlMaps, stepProgress, ct); }
        finally { Interlocked.Decrement(ref _running); }
    }
}
