using ControlNet.Core.Onnx;
using ControlNet.TinyModels;

namespace ControlNet.Core.Tests.Onnx;

/// <summary>A model folder that breaks the contract is rejected at load time, naming the file and the input.</summary>
public class ModelFolderValidationTests : IDisposable
{
    private static readonly OnnxRuntimeOptions Cpu = new() { Provider = ExecutionProviderChoice.Cpu, IntraOpThreads = 1 };
    private readonly string _root = Directory.CreateTempSubdirectory("model-folder-").FullName;

    private TinyModelPaths Tiny(TinyModelOptions? options = null) => TinyModelSet.Write(Path.Combine(_root, Guid.NewGuid().ToString("N")), options ?? new());

    [Fact]
    public void Valid_tiny_folder_loads_with_its_element_types()
    {
        var paths = Tiny(new TinyModelOptions { FloatType = TinyFloatType.Float16 });
        using var models = StableDiffusionModels.Load(paths.Sd15Directory, Cpu);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16, models.FloatType);
        Assert.Equal("cpu", models.Unet.Provider);
    }

    [Fact]
    public void Missing_folder_says_how_to_get_models()
    {
        var error = Assert.Throws<InvalidInputException>(() => StableDiffusionModels.Load(Path.Combine(_root, "nope"), Cpu));
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("models tiny", error.Message);
    }

    [Fact]
    public void Empty_folder_names_the_first_missing_file()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        var error = Assert.Throws<InvalidInputException>(() => StableDiffusionModels.Load(empty, Cpu));
        Assert.Contains("tokenizer", error.Message);
        Assert.Contains("vocab.json", error.Message);
    }

    [Fact]
    public void Missing_unet_names_both_accepted_locations()
    {
        var paths = Tiny();
        File.Delete(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"));
        var error = Assert.Throws<InvalidInputException>(() => StableDiffusionModels.Load(paths.Sd15Directory, Cpu));
        Assert.Contains("unet/model.onnx", error.Message);
        Assert.Contains("controlnet/model.onnx", error.Message);
    }

    [Fact]
    public void OnnxStack_location_of_the_unet_is_accepted()
    {
        var paths = Tiny();
        Directory.Move(Path.Combine(paths.Sd15Directory, "unet"), Path.Combine(paths.Sd15Directory, "controlnet"));
        using var models = StableDiffusionModels.Load(paths.Sd15Directory, Cpu);
        Assert.EndsWith(Path.Combine("controlnet", "model.onnx"), models.Unet.Path);
    }

    [Fact]
    public void Missing_vae_decoder_file_is_named()
    {
        var paths = Tiny();
        File.Delete(Path.Combine(paths.Sd15Directory, "vae_decoder", "model.onnx"));
        var error = Assert.Throws<InvalidInputException>(() => StableDiffusionModels.Load(paths.Sd15Directory, Cpu));
        Assert.Contains(Path.Combine("vae_decoder", "model.onnx"), error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void Wrong_input_names_are_reported_with_the_file_and_the_input()
    {
        var paths = Tiny();
        // A UNet slot holding the VAE decoder: a real model, but not with the UNet's inputs.
        File.Copy(Path.Combine(paths.Sd15Directory, "vae_decoder", "model.onnx"), Path.Combine(paths.Sd15Directory, "unet", "model.onnx"), overwrite: true);
        var error = Assert.Throws<InvalidInputException>(() => StableDiffusionModels.Load(paths.Sd15Directory, Cpu));
        Assert.Contains(Path.Combine("unet", "model.onnx"), error.Message);
        Assert.Contains("required input 'sample' is missing", error.Message);
        Assert.Contains("latent_sample", error.Message); // what it has instead
    }

    [Fact]
    public void Wrong_element_type_is_reported()
    {
        var paths = Tiny();
        var graph = new OnnxGraphBuilder("float-ids")
            .AddInput("input_ids", OnnxElementType.Float, "batch", 77)
            .AddNode("Identity", ["input_ids"], ["last_hidden_state"])
            .AddOutput("last_hidden_state", OnnxElementType.Float, "batch", 77)
            .Build();
        OnnxModelWriter.WriteFile(graph, Path.Combine(paths.Sd15Directory, "text_encoder", "model.onnx"));
        var error = Assert.Throws<InvalidInputException>(() => StableDiffusionModels.Load(paths.Sd15Directory, Cpu));
        Assert.Contains("input 'input_ids' has element type float32, expected int32 or int64", error.Message);
    }

    [Fact]
    public void Text_encoder_of_another_width_than_the_unet_is_rejected()
    {
        var paths = Tiny();
        var narrow = Tiny(new TinyModelOptions { EmbeddingDim = 16 });
        File.Copy(Path.Combine(narrow.Sd15Directory, "text_encoder", "model.onnx"), Path.Combine(paths.Sd15Directory, "text_encoder", "model.onnx"), overwrite: true);
        var error = Assert.Throws<InvalidInputException>(() => StableDiffusionModels.Load(paths.Sd15Directory, Cpu));
        Assert.Contains("embeddings of width 16 but", error.Message);
        Assert.Contains("takes 32", error.Message);
    }

    [Fact]
    public void Corrupt_onnx_file_is_a_clear_error()
    {
        var paths = Tiny();
        File.WriteAllText(Path.Combine(paths.ControlNetDirectory, "model.onnx"), "not protobuf at all");
        var error = Assert.Throws<InvalidInputException>(() => ControlNetModel.Load(paths.ControlNetDirectory, Cpu));
        Assert.Contains("not a loadable ONNX model", error.Message);
    }

    [Fact]
    public void Controlnet_folder_without_model_is_named()
    {
        var error = Assert.Throws<InvalidInputException>(() => ControlNetModel.Load(Path.Combine(_root, "controlnet", "depth"), Cpu));
        Assert.Contains("has no model.onnx", error.Message);
    }

    [Fact]
    public void Controlnet_outputs_must_include_all_13_residuals()
    {
        var paths = Tiny();
        File.Copy(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"), Path.Combine(paths.ControlNetDirectory, "model.onnx"), overwrite: true);
        var error = Assert.Throws<InvalidInputException>(() => ControlNetModel.Load(paths.ControlNetDirectory, Cpu));
        Assert.Contains("controlnet_cond", error.Message);
    }

    [Fact]
    public void Cache_loads_each_folder_once_and_shares_the_sessions()
    {
        var paths = Tiny();
        using var cache = new ModelCache(Cpu);
        var first = cache.StableDiffusion(paths.Sd15Directory);
        var second = cache.StableDiffusion(paths.Sd15Directory + "/");
        var controlNet = cache.ControlNet(paths.ControlNetDirectory);
        Assert.Same(first, second);
        Assert.Same(controlNet, cache.ControlNet(paths.ControlNetDirectory));
        Assert.Equal(2, cache.LoadCount);
    }

    [Fact]
    public void Failed_load_is_not_cached_so_a_fixed_folder_loads()
    {
        var paths = Tiny();
        var vae = Path.Combine(paths.Sd15Directory, "vae_decoder", "model.onnx");
        var saved = File.ReadAllBytes(vae);
        File.Delete(vae);
        using var cache = new ModelCache(Cpu);
        Assert.Throws<InvalidInputException>(() => cache.StableDiffusion(paths.Sd15Directory));
        File.WriteAllBytes(vae, saved);
        Assert.NotNull(cache.StableDiffusion(paths.Sd15Directory));
    }

    [Fact]
    public void Explicit_cuda_without_cuda_libraries_fails_with_the_reason()
    {
        // This machine class has no CUDA 13 / cuDNN 9: an explicit request must say so, not silently use the CPU.
        var paths = Tiny();
        var options = new OnnxRuntimeOptions { Provider = ExecutionProviderChoice.Cuda };
        if (File.Exists("/usr/local/cuda/lib64/libcublasLt.so.13")) return; // a CUDA machine: nothing to check here
        var error = Assert.Throws<InvalidInputException>(() => ControlNetModel.Load(paths.ControlNetDirectory, options));
        Assert.Contains("CUDA", error.Message);
        Assert.Contains("--provider cpu", error.Message);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
