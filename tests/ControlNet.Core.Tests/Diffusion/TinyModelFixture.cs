using ControlNet.Core.Onnx;
using ControlNet.TinyModels;

namespace ControlNet.Core.Tests.Diffusion;

/// <summary>Tiny model sets written once per test class into a temp folder, loaded through one cache.</summary>
public sealed class TinyModelFixture : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tiny-models-").FullName;
    private readonly Dictionary<string, TinyModelPaths> _sets = new();

    public ModelCache Cache { get; } = new(new OnnxRuntimeOptions { Provider = ExecutionProviderChoice.Cpu, IntraOpThreads = 1 });

    public TinyModelPaths Set(string name, TinyModelOptions options)
    {
        lock (_sets)
        {
            if (!_sets.TryGetValue(name, out var paths))
                _sets[name] = paths = TinyModelSet.Write(Path.Combine(_root, name), options);
            return paths;
        }
    }

    public TinyModelPaths Linear => Set("linear", new TinyModelOptions());

    public void Dispose()
    {
        Cache.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
