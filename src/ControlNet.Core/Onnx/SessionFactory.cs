using Microsoft.ML.OnnxRuntime;

namespace ControlNet.Core.Onnx;

/// <summary>
/// Creates ONNX Runtime sessions on the chosen execution provider. CUDA needs CUDA 13 + cuDNN 9 next to
/// the provider library; when it cannot load, <see cref="ExecutionProviderChoice.Auto"/> falls back to the
/// CPU and reports why, while an explicit <see cref="ExecutionProviderChoice.Cuda"/> fails with that reason.
/// </summary>
public static class SessionFactory
{
    // Once CUDA failed to load in this process it will fail again: don't pay (or log) for it per model.
    private static string? _cudaFailure;

    static SessionFactory()
    {
        // ONNX Runtime logs a failed CUDA load as an error on stderr; we report the reason ourselves.
        OrtEnv.Instance().EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, OptimizedModelCache> Caches = new(StringComparer.Ordinal);

    /// <summary>The optimised-model cache of <paramref name="options"/> (one instance per folder per process), or null.</summary>
    public static OptimizedModelCache? CacheFor(OnnxRuntimeOptions options) =>
        options.OptimizedModelCache is { } root ? Caches.GetOrAdd(Path.GetFullPath(root), r => new OptimizedModelCache(r)) : null;

    public static (InferenceSession Session, string Provider) Create(string modelPath, OnnxRuntimeOptions options, Action<string>? log = null)
    {
        var cache = CacheFor(options);
        InferenceSession Open(string provider, Func<SessionOptions> createOptions)
        {
            if (cache is not null) return cache.Open(modelPath, provider, options, createOptions, log);
            using var sessionOptions = createOptions();
            return new InferenceSession(modelPath, sessionOptions);
        }

        if (options.Provider == ExecutionProviderChoice.Cuda && _cudaFailure is { } failure)
            throw CudaUnavailable(modelPath, failure, null);
        if (options.Provider == ExecutionProviderChoice.Cuda || (options.Provider == ExecutionProviderChoice.Auto && _cudaFailure is null))
        {
            Exception? cudaError = null;
            try
            {
                // The session copies its options: disposing them afterwards is safe.
                return (Open($"cuda:{options.DeviceId}", () =>
                {
                    var cudaOptions = BaseOptions(options);
                    try { cudaOptions.AppendExecutionProvider_CUDA(options.DeviceId); }
                    catch { cudaOptions.Dispose(); throw; }
                    return cudaOptions;
                }), $"cuda:{options.DeviceId}");
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException || (e is OnnxRuntimeException && IsCudaProblem(e)))
            {
                cudaError = e;
            }
            // Only a CUDA problem (libraries, driver, device) means "use the CPU"; a broken model file is
            // reported as such by the caller, and must not switch the whole process to the CPU.
            var reason = FirstLine(cudaError.Message);
            _cudaFailure = reason;
            if (options.Provider == ExecutionProviderChoice.Cuda) throw CudaUnavailable(modelPath, reason, cudaError);
            log?.Invoke($"CUDA unavailable, using CPU: {reason}");
        }
        return (Open("cpu", () => BaseOptions(options)), "cpu");
    }

    private static bool IsCudaProblem(Exception e) =>
        e.Message.Contains("Cuda", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("cublas", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("shared library", StringComparison.OrdinalIgnoreCase);

    private static InvalidInputException CudaUnavailable(string modelPath, string reason, Exception? inner) =>
        new($"CUDA execution provider could not be used for {modelPath}: {reason}. It needs CUDA 13 and cuDNN 9 (and an NVIDIA GPU); or use --provider cpu.", inner!);

    private static SessionOptions BaseOptions(OnnxRuntimeOptions options)
    {
        var session = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (options.IntraOpThreads > 0) session.IntraOpNumThreads = options.IntraOpThreads;
        if (options.InterOpThreads > 0) session.InterOpNumThreads = options.InterOpThreads;
        return session;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
