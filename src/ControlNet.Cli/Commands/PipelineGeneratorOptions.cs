using ControlNet.Core.Onnx;
using ControlNet.Workflow.Generation;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `--models DIR` (default: env CONTROLNET_MODELS, else ./models), `--provider`, `--device-id`, `--threads`:
/// the real generator for the durable commands. One model cache per process, so every job reuses the sessions.
/// </summary>
internal static class PipelineGeneratorOptions
{
    private static ModelCache? _cache;

    public static IImageGenerator Create(CommandLineArguments args)
    {
        var root = args.Optional("models") ?? Environment.GetEnvironmentVariable("CONTROLNET_MODELS") ?? "models";
        var runtime = ReadRuntime(args);
        // Each command creates its generator once per process; the cache outlives it for the process's life.
        var cache = LazyInitializer.EnsureInitialized(ref _cache, () => new ModelCache(runtime, message => Console.Error.WriteLine($"note: {message}")));
        return new PipelineImageGenerator(root, cache);
    }

    /// <summary>`--provider auto|cuda|cpu`, `--device-id N`, `--threads N`: how ONNX Runtime sessions are created.</summary>
    public static OnnxRuntimeOptions ReadRuntime(CommandLineArguments args) => new OnnxRuntimeOptions
    {
        Provider = OnnxRuntimeOptions.ParseProvider(args.Optional("provider") ?? "auto"),
        DeviceId = args.Int("device-id", 0, 0, 64),
        IntraOpThreads = args.Int("threads", 0, 0, 1024),
    }.Validated();
}
