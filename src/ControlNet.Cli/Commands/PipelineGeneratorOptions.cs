using ControlNet.Core.Onnx;
using ControlNet.Workflow.Generation;

namespace ControlNet.Cli.Commands;

/// <summary>
/// `--provider`, `--device-id`, `--threads`: how ONNX Runtime sessions are created, and the real generator for the
/// durable commands over the models that <see cref="ModelArguments"/> name. One model cache per process, so every
/// job reuses the sessions.
/// </summary>
internal static class PipelineGeneratorOptions
{
    private static ModelCache? _cache;

    public static readonly CliOption[] RuntimeOptions =
    [
        new("provider", "auto|cuda|cpu", "ONNX Runtime execution provider; auto tries CUDA and falls back to CPU", "auto"),
        new("device-id", "N", "CUDA device", "0"),
        new("threads", "N", "intra-op threads; 0 lets ONNX Runtime choose", "0"),
        new("ort-cache", "DIR|off", "optimised-model cache: warm starts open saved optimised graphs", "$CONTROLNET_ORT_CACHE, else <temp>/controlnet-ort-cache"),
    ];

    public static PipelineImageGenerator Create(CommandLineArguments args, ModelFolders folders)
    {
        var runtime = ReadRuntime(args);
        // Each command creates its generator once per process; the cache outlives it for the process's life.
        var cache = LazyInitializer.EnsureInitialized(ref _cache, () => new ModelCache(runtime, message => Console.Error.WriteLine($"note: {message}")));
        return new PipelineImageGenerator(folders, cache);
    }

    public static OnnxRuntimeOptions ReadRuntime(CommandLineArguments args) => new OnnxRuntimeOptions
    {
        Provider = OnnxRuntimeOptions.ParseProvider(args.Optional("provider") ?? "auto"),
        DeviceId = args.Int("device-id", 0, 0, 64),
        IntraOpThreads = args.Int("threads", 0, 0, 1024),
        OptimizedModelCache = args.Optional("ort-cache") switch
        {
            null => OnnxRuntimeOptions.DefaultOptimizedModelCache(),
            "off" => null,
            var folder => folder,
        },
    }.Validated();
}
