using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Onnx;

/// <summary>
/// A ControlNet ONNX export: <c>&lt;dir&gt;/model.onnx</c> taking sample, timestep, encoder_hidden_states,
/// controlnet_cond [B,3,8h,8w] in [0,1] and, in some exports, conditioning_scale; returning the 13 residuals.
/// </summary>
public sealed class ControlNetModel : IDisposable
{
    public string Name { get; }
    public OnnxModel Model { get; }

    /// <summary>The export multiplies residuals by this input itself; null when it has no such input.</summary>
    public TensorElementType? ConditioningScaleType { get; }

    private ControlNetModel(string name, OnnxModel model, TensorElementType? scaleType)
    {
        Name = name;
        Model = model;
        ConditioningScaleType = scaleType;
    }

    public static ControlNetModel Load(string directory, OnnxRuntimeOptions options, Action<string>? log = null)
    {
        var path = File.Exists(directory) && directory.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
            ? directory
            : Path.Combine(directory, "model.onnx");
        if (!File.Exists(path))
            throw new InvalidInputException($"ControlNet '{directory}' has no model.onnx. Expected a folder like models/controlnet/canny/ holding model.onnx.");
        var model = OnnxModel.Load(path, options, log);
        try
        {
            StableDiffusionModels.RequireDenoiserInputs(model);
            model.RequireInput("controlnet_cond", ElementTypes.Floats);
            foreach (var name in ResidualNames.All) model.RequireOutput(name, ElementTypes.Floats);
            TensorElementType? scaleType = model.HasInput("conditioning_scale")
                ? model.RequireInput("conditioning_scale", ElementTypes.Scales)
                : null;
            var folderName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "controlnet";
            return new ControlNetModel(folderName, model, scaleType);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public void Dispose() => Model.Dispose();
}
