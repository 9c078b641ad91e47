using System.Collections.Concurrent;

namespace ControlNet.Core.Onnx;

/// <summary>
/// Sessions are expensive (seconds to minutes for real SD weights): one load per folder and options per
/// process, shared by every generation. A failed load is not cached, so a fixed folder loads next time.
/// </summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<StableDiffusionModels>> _diffusion = new();
    private readonly ConcurrentDictionary<string, Lazy<ControlNetModel>> _controlNets = new();
    private int _loads;

    public OnnxRuntimeOptions Options { get; }
    public Action<string>? Log { get; }

    /// <summary>How many model folders were actually loaded (for tests and diagnostics).</summary>
    public int LoadCount => Volatile.Read(ref _loads);

    public ModelCache(OnnxRuntimeOptions options, Action<string>? log = null)
    {
        Options = options.Validated();
        Log = log;
    }

    public StableDiffusionModels StableDiffusion(string directory) =>
        GetOrLoad(_diffusion, directory, d => StableDiffusionModels.Load(d, Options, Log));

    public ControlNetModel ControlNet(string directory) =>
        GetOrLoad(_controlNets, directory, d => ControlNetModel.Load(d, Options, Log));

    private T GetOrLoad<T>(ConcurrentDictionary<string, Lazy<T>> cache, string directory, Func<string, T> load)
    {
        var key = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var lazy = cache.GetOrAdd(key, k => new Lazy<T>(() =>
        {
            Interlocked.Increment(ref _loads);
            return load(k);
        }));
        try
        {
            return lazy.Value;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<T>>(key, lazy));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _diffusion.Values) if (lazy.IsValueCreated) lazy.Value.Dispose();
        foreach (var lazy in _controlNets.Values) if (lazy.IsValueCreated) lazy.Value.Dispose();
    }
}
