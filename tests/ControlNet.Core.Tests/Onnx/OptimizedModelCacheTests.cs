using ControlNet.Core.Onnx;
using ControlNet.TinyModels;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Tests.Onnx;

/// <summary>The optimised-model cache on the tiny models: miss then hit with the same outputs, invalidation, corrupt and partial entries.</summary>
public sealed class OptimizedModelCacheTests : IDisposable
{
    private readonly string _models = Directory.CreateTempSubdirectory("ort-cache-models-").FullName;
    private readonly string _cacheRoot = Directory.CreateTempSubdirectory("ort-cache-").FullName;
    private readonly string _textEncoder;

    public OptimizedModelCacheTests()
    {
        var paths = TinyModelSet.Write(_models, new TinyModelOptions());
        _textEncoder = Path.Combine(paths.Sd15Directory, "text_encoder", "model.onnx");
    }

    private OnnxRuntimeOptions Options => new() { Provider = ExecutionProviderChoice.Cpu, IntraOpThreads = 1, OptimizedModelCache = _cacheRoot };

    private OptimizedModelCache Cache => SessionFactory.CacheFor(Options)!;

    private float[] Encode(InferenceSession session)
    {
        var ids = new DenseTensor<int>(Enumerable.Range(0, 77).Select(i => i % 50).ToArray(), [1, 77]);
        var input = session.InputMetadata["input_ids"].ElementDataType == TensorElementType.Int64
            ? NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids.Select(i => (long)i).ToArray(), [1, 77]))
            : NamedOnnxValue.CreateFromTensor("input_ids", ids);
        using var results = session.Run([input]);
        return results.First(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
    }

    private float[] Uncached()
    {
        using var session = SessionFactory.Create(_textEncoder, Options with { OptimizedModelCache = null }).Session;
        return Encode(session);
    }

    [Fact]
    public void First_load_builds_the_entry_and_the_next_opens_it_with_the_same_outputs()
    {
        float[] cold, warm;
        using (var session = SessionFactory.Create(_textEncoder, Options).Session) cold = Encode(session);
        Assert.Equal((0, 1), (Cache.Hits, Cache.Builds));
        using (var session = SessionFactory.Create(_textEncoder, Options).Session) warm = Encode(session);

        Assert.Equal((1, 1), (Cache.Hits, Cache.Builds));
        Assert.Equal(Uncached(), cold);
        Assert.Equal(cold, warm);
        var entry = Assert.Single(Directory.GetDirectories(_cacheRoot));
        Assert.True(File.Exists(Path.Combine(entry, "model.onnx")));
    }

    [Fact]
    public void A_changed_model_file_or_another_provider_is_another_entry()
    {
        var key = OptimizedModelCache.Key(_textEncoder, "cpu", Options);
        Assert.NotEqual(key, OptimizedModelCache.Key(_textEncoder, "cuda:0", Options));
        var bytes = File.ReadAllBytes(_textEncoder);
        bytes[bytes.Length / 2] ^= 0x01; // one bit of the weights
        File.WriteAllBytes(_textEncoder, bytes);
        Assert.NotEqual(key, OptimizedModelCache.Key(_textEncoder, "cpu", Options));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("no manifest")]
    public void A_damaged_entry_is_rebuilt_never_trusted(string damage)
    {
        using (SessionFactory.Create(_textEncoder, Options).Session) { }
        var entry = Assert.Single(Directory.GetDirectories(_cacheRoot));
        var graph = Path.Combine(entry, "model.onnx");
        switch (damage)
        {
            case "truncated": File.WriteAllBytes(graph, File.ReadAllBytes(graph)[..100]); break;
            case "garbage": File.WriteAllBytes(graph, new byte[new FileInfo(graph).Length]); break; // same size, not ONNX
            case "no manifest": File.Delete(Path.Combine(entry, "entry.json")); break;
        }

        float[] outputs;
        using (var session = SessionFactory.Create(_textEncoder, Options).Session) outputs = Encode(session);

        Assert.Equal(Uncached(), outputs);
        Assert.Equal((0, 2), (Cache.Hits, Cache.Builds));
        using (SessionFactory.Create(_textEncoder, Options).Session) { }
        Assert.Equal(1, Cache.Hits); // the rebuilt entry is used again
    }

    [Fact]
    public void A_half_written_entry_is_ignored()
    {
        var key = OptimizedModelCache.Key(_textEncoder, "cpu", Options);
        var leftover = Directory.CreateDirectory(Path.Combine(_cacheRoot, key + ".tmp-deadbeef")).FullName;
        File.WriteAllText(Path.Combine(leftover, "model.onnx"), "half");

        using (var session = SessionFactory.Create(_textEncoder, Options).Session) Assert.Equal(Uncached(), Encode(session));
        Assert.Equal((0, 1), (Cache.Hits, Cache.Builds));
    }

    public void Dispose()
    {
        Directory.Delete(_models, recursive: true);
        Directory.Delete(_cacheRoot, recursive: true);
    }
}
