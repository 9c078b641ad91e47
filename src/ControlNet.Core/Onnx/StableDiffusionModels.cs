using ControlNet.Core.Scheduling;
using ControlNet.Core.Text;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Onnx;

/// <summary>
/// A Stable Diffusion 1.5 ONNX folder (docs/architecture.md, "Model folders"): tokenizer, text encoder, residual-taking UNet
/// (<c>unet/</c>, or OnnxStack's <c>controlnet/</c> name for it), VAE decoder and optional scheduler config.
/// Loading validates every input the pipeline feeds, so a wrong export fails here — naming the file and
/// the input — instead of in the middle of a job.
/// </summary>
public sealed class StableDiffusionModels : IDisposable
{
    public string Directory { get; }
    public ClipTokenizer Tokenizer { get; }
    public OnnxModel TextEncoder { get; }
    public OnnxModel Unet { get; }
    public OnnxModel VaeDecoder { get; }
    public DdimSchedulerConfig SchedulerConfig { get; }

    private StableDiffusionModels(string directory, ClipTokenizer tokenizer, OnnxModel textEncoder, OnnxModel unet, OnnxModel vaeDecoder, DdimSchedulerConfig scheduler)
    {
        Directory = directory;
        Tokenizer = tokenizer;
        TextEncoder = textEncoder;
        Unet = unet;
        VaeDecoder = vaeDecoder;
        SchedulerConfig = scheduler;
    }

    public static StableDiffusionModels Load(string directory, OnnxRuntimeOptions options, Action<string>? log = null)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new InvalidInputException($"Model folder '{directory}' does not exist. Run 'controlnet models tiny --output models' or see the README for real weights.");
        var scheduler = DdimSchedulerConfig.Load(Path.Combine(directory, "scheduler", "scheduler_config.json"));
        var tokenizer = ClipTokenizer.FromDirectory(Path.Combine(directory, "tokenizer"));
        // The three sessions load at once (session creation is mostly single-threaded graph work); the UNet dominates.
        var files = new[] { ModelFile(directory, "text_encoder"), UnetFile(directory), ModelFile(directory, "vae_decoder") };
        var loading = files.Select(file => Task.Run(() => OnnxModel.Load(file, options, log))).ToArray();
        try
        {
            Task.WaitAll(loading);
        }
        catch (AggregateException)
        {
            foreach (var task in loading) if (task.IsCompletedSuccessfully) task.Result.Dispose();
            // The first file's problem in folder order (text encoder, UNet, VAE), as a sequential load would report it.
            var first = loading.First(t => t.IsFaulted).Exception!.InnerException!;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
        var (textEncoder, unet, vae) = (loading[0].Result, loading[1].Result, loading[2].Result);
        try
        {
            textEncoder.RequireInput("input_ids", ElementTypes.Ids);
            textEncoder.RequireOutput("last_hidden_state", ElementTypes.Floats);

            RequireDenoiserInputs(unet);
            foreach (var name in ResidualNames.All) unet.RequireInput(name, ElementTypes.Floats);
            unet.RequireOutput("out_sample", ElementTypes.Floats);

            RequireSameEmbeddingWidth(textEncoder, unet);

            vae.RequireInput("latent_sample", ElementTypes.Floats);
            vae.RequireOutput("sample", ElementTypes.Floats);

            return new StableDiffusionModels(directory, tokenizer, textEncoder, unet, vae, scheduler);
        }
        catch
        {
            textEncoder.Dispose();
            unet.Dispose();
            vae.Dispose();
            throw;
        }
    }

    /// <summary>Inputs the UNet and every ControlNet share.</summary>
    internal static void RequireDenoiserInputs(OnnxModel model)
    {
        model.RequireInput("sample", ElementTypes.Floats);
        model.RequireInput("timestep", ElementTypes.Timesteps);
        model.RequireInput("encoder_hidden_states", ElementTypes.Floats);
    }

    /// <summary>The text encoder's width D must be what the UNet cross-attends to (768 for SD1.5).</summary>
    private static void RequireSameEmbeddingWidth(OnnxModel textEncoder, OnnxModel unet)
    {
        var produced = textEncoder.Session.OutputMetadata["last_hidden_state"].Dimensions;
        var expected = unet.InputDimensions("encoder_hidden_states");
        if (produced.Length == 3 && expected.Length == 3 && produced[2] > 0 && expected[2] > 0 && produced[2] != expected[2])
            throw new InvalidInputException(
                $"{textEncoder.Path} produces embeddings of width {produced[2]} but {unet.Path} takes {expected[2]}; " +
                "the text encoder and UNet come from different models.");
    }

    private static string ModelFile(string directory, string part) => Path.Combine(directory, part, "model.onnx");

    private static string UnetFile(string directory)
    {
        var unet = ModelFile(directory, "unet");
        if (File.Exists(unet)) return unet;
        var onnxStack = ModelFile(directory, "controlnet");
        if (File.Exists(onnxStack)) return onnxStack;
        throw new InvalidInputException(
            $"Model folder '{directory}' has no UNet: expected unet/model.onnx (or OnnxStack's controlnet/model.onnx) " +
            "taking the 13 ControlNet residual inputs.");
    }

    public TensorElementType FloatType => Unet.InputType("sample");

    public void Dispose()
    {
        TextEncoder.Dispose();
        Unet.Dispose();
        VaeDecoder.Dispose();
    }
}
