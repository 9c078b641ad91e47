namespace ControlNet.Core.Onnx;

public enum ExecutionProviderChoice
{
    /// <summary>CUDA when it loads, else CPU (the reason is logged).</summary>
    Auto,
    Cuda,
    Cpu,
}

/// <summary>How sessions are created; bound from CLI flags or configuration and validated once.</summary>
public sealed record OnnxRuntimeOptions
{
    public ExecutionProviderChoice Provider { get; init; } = ExecutionProviderChoice.Auto;

    /// <summary>CUDA device ordinal.</summary>
    public int DeviceId { get; init; }

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads across independent operators; 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// Folder of the optimised-model cache (<see cref="OptimizedModelCache"/>), null to load without it. Default:
    /// <c>$CONTROLNET_ORT_CACHE</c> (<c>off</c> disables), else the temp folder's <c>controlnet-ort-cache</c>.
    /// </summary>
    public string? OptimizedModelCache { get; init; } = DefaultOptimizedModelCache();

    public static string? DefaultOptimizedModelCache() => Environment.GetEnvironmentVariable("CONTROLNET_ORT_CACHE") switch
    {
        "off" => null,
        { Length: > 0 } folder => folder,
        _ => Path.Combine(Path.GetTempPath(), "controlnet-ort-cache"),
    };

    public static ExecutionProviderChoice ParseProvider(string text) => text.ToLowerInvariant() switch
    {
        "auto" => ExecutionProviderChoice.Auto,
        "cuda" => ExecutionProviderChoice.Cuda,
        "cpu" => ExecutionProviderChoice.Cpu,
        _ => throw new InvalidInputException($"Unknown provider '{text}'; use auto, cuda or cpu."),
    };

    public OnnxRuntimeOptions Validated()
    {
        if (DeviceId < 0) throw new InvalidInputException($"CUDA device id must be ≥ 0, got {DeviceId}.");
        if (IntraOpThreads < 0 || InterOpThreads < 0) throw new InvalidInputException("ONNX Runtime thread counts must be ≥ 0 (0 = automatic).");
        return this;
    }
}
