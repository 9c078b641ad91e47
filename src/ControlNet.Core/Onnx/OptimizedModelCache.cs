using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace ControlNet.Core.Onnx;

/// <summary>
/// ONNX Runtime spends most of a cold start optimising graphs (fusions, constant folding, layout changes) and
/// prepacking weights. On the first load of a model this cache saves the optimised graph (initializers and prepacked
/// weights in an external file, which later loads memory-map) under a key made of the
/// model folder's files (size, first and last MiB), the ONNX Runtime version, the execution provider and the options;
/// later loads open that graph with optimisations off. Any change of key is a different entry. An entry is written
/// under a temporary name and renamed when complete, and is trusted only if its recorded file sizes match and ONNX
/// Runtime opens it; otherwise it is deleted and rebuilt from the original model.
/// </summary>
public sealed class OptimizedModelCache(string root)
{
    private const string GraphFile = "model.onnx";
    private const string WeightsFile = "model.onnx.data";
    private const string Manifest = "entry.json";
    private const int Format = 1;
    // Saved fully optimised, with the kernels' prepacked weights written out too
    // (session.save_external_prepacked_constant_initializers), and reopened with optimisation off: measured on the
    // full-size UNet here, a graph saved without its prepacked weights ran ~40% slower per step once reopened, and
    // one saved at the extended level and re-optimised on load saved only 12% of the load time.
    private const GraphOptimizationLevel SavedLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public string Root { get; } = root;

    /// <summary>Loads served from the cache / built into it, in this process (diagnostics and tests).</summary>
    public int Hits => Volatile.Read(ref _hits);
    public int Builds => Volatile.Read(ref _builds);
    private int _hits, _builds;

    /// <summary>
    /// A session for <paramref name="modelPath"/> on <paramref name="provider"/>: from the cache when it holds a sound
    /// entry, else created with full optimisation while the optimised graph is saved for next time.
    /// </summary>
    public InferenceSession Open(string modelPath, string provider, OnnxRuntimeOptions options,
        Func<SessionOptions> createOptions, Action<string>? log)
    {
        var key = Key(modelPath, provider, options);
        var entry = Path.Combine(Root, key);
        if (Directory.Exists(entry) && !File.Exists(Path.Combine(entry, Manifest)))
            Discard(entry, $"cached optimised model for {modelPath} has no manifest; rebuilding it", log);
        if (File.Exists(Path.Combine(entry, Manifest)))
        {
            if (ReadSound(entry) is { } problem)
                Discard(entry, $"cached optimised model for {modelPath} is unusable ({problem}); rebuilding it", log);
            else
            {
                try
                {
                    var session = OpenSaved(entry, createOptions);
                    Interlocked.Increment(ref _hits);
                    return session;
                }
                catch (OnnxRuntimeException e)
                {
                    Discard(entry, $"cached optimised model for {modelPath} does not load ({e.Message.Split('\n')[0]}); rebuilding it", log);
                }
            }
        }
        return Build(modelPath, entry, createOptions, log);
    }

    private InferenceSession Build(string modelPath, string entry, Func<SessionOptions> createOptions, Action<string>? log)
    {
        var temp = entry + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(temp);
        try
        {
            // Optimise once and save; the session that runs is then opened from the saved graph, as a warm load is,
            // so cold and warm sessions run the same kernels.
            using (var cold = createOptions())
            {
                cold.GraphOptimizationLevel = SavedLevel;
                cold.OptimizedModelFilePath = Path.Combine(temp, GraphFile);
                cold.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", WeightsFile);
                cold.AddSessionConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
                cold.AddSessionConfigEntry("session.save_external_prepacked_constant_initializers", "1");
                using var saving = new InferenceSession(modelPath, cold);
            }
            var files = Directory.GetFiles(temp).ToDictionary(f => Path.GetFileName(f)!, f => new FileInfo(f).Length);
            File.WriteAllText(Path.Combine(temp, Manifest), JsonSerializer.Serialize(new EntryManifest(Format, modelPath, files)));
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        try
        {
            Directory.Move(temp, entry); // atomic publish; a concurrent builder that won first keeps its entry
            Interlocked.Increment(ref _builds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!Directory.Exists(entry))
            {
                log?.Invoke($"optimised model for {modelPath} not cached: {e.Message}");
                using var direct = createOptions();
                TryDelete(temp);
                return new InferenceSession(modelPath, direct);
            }
            TryDelete(temp); // another process published the same entry first: use theirs
        }
        return OpenSaved(entry, createOptions);
    }

    private static InferenceSession OpenSaved(string entry, Func<SessionOptions> createOptions)
    {
        using var warm = createOptions();
        warm.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        return new InferenceSession(Path.Combine(entry, GraphFile), warm);
    }

    private sealed record EntryManifest(int Format, string Source, Dictionary<string, long> Files);

    /// <summary>Null when the entry's files are all there with the sizes it recorded; else what is wrong.</summary>
    private static string? ReadSound(string entry)
    {
        EntryManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<EntryManifest>(File.ReadAllText(Path.Combine(entry, Manifest))); }
        catch (JsonException) { return "its manifest is unreadable"; }
        if (manifest is null || manifest.Format != Format || !manifest.Files.ContainsKey(GraphFile)) return "its manifest is incomplete";
        foreach (var (name, size) in manifest.Files)
        {
            var file = new FileInfo(Path.Combine(entry, name));
            if (!file.Exists) return $"{name} is missing";
            if (file.Length != size) return $"{name} is {file.Length} bytes, not {size}";
        }
        return null;
    }

    /// <summary>What the optimised graph depends on: the model folder's files, ONNX Runtime, the provider and the options.</summary>
    public static string Key(string modelPath, string provider, OnnxRuntimeOptions options)
    {
        var text = new StringBuilder()
            .Append("format=").Append(Format)
            .Append("|ort=").Append(OrtEnv.Instance().GetVersionString())
            .Append("|provider=").Append(provider)
            .Append("|arch=").Append(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture)
            .Append("|level=").Append(SavedLevel)
            .Append("|model=").Append(Path.GetFileName(modelPath));
        // Every file of the model's folder: the graph and its external weights.
        var folder = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        foreach (var file in folder.GetFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
            text.Append('|').Append(file.Name).Append('=').Append(FileFingerprint.Of(file).Sha256);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    private static void Discard(string entry, string message, Action<string>? log)
    {
        log?.Invoke(message);
        TryDelete(entry);
    }

    private static void TryDelete(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
