namespace ControlNet.Core.Randomness;

/// <summary>
/// Where a seed's noise comes from (<c>--rng</c>, the job's <c>rng</c>). <see cref="Cpu"/> is the default because it
/// is what diffusers and A1111's "CPU" setting use, so a shared seed reproduces their images.
/// </summary>
public enum NoiseSource
{
    /// <summary>torch's CPU generator (diffusers with <c>torch.Generator("cpu")</c>; A1111 "CPU").</summary>
    Cpu,
    /// <summary>A1111's "NV": Philox4x32-10, imitating torch's CUDA randn.</summary>
    Nv,
    /// <summary>This project's own SplitMix64 generator, bit-identical on every OS; jobs made before <c>rng</c> existed.</summary>
    Portable,
}

public static class NoiseSources
{
    public const NoiseSource Default = NoiseSource.Cpu;

    public static readonly IReadOnlyList<string> Names = ["cpu", "nv", "portable"];

    public static string Name(NoiseSource source) => Names[(int)source];

    public static NoiseSource? TryParse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "cpu" => NoiseSource.Cpu,
        "nv" => NoiseSource.Nv,
        "portable" => NoiseSource.Portable,
        _ => null,
    };

    public static NoiseSource Parse(string text) => TryParse(text)
        ?? throw new InvalidInputException($"rng must be one of {string.Join(", ", Names)}, got '{text}'.");

    /// <summary>A fresh generator for one image's seed.</summary>
    public static INormalSource Create(NoiseSource source, long seed) => source switch
    {
        NoiseSource.Cpu => new TorchCpuGenerator(seed),
        NoiseSource.Nv => new PhiloxGenerator(seed),
        NoiseSource.Portable => new SeededRandom(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    /// <summary>A1111's infotext value for the "RNG" field.</summary>
    public static string InfotextName(NoiseSource source) => source switch
    {
        NoiseSource.Cpu => "CPU",
        NoiseSource.Nv => "NV",
        _ => "portable",
    };
}
