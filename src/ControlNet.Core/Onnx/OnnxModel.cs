using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Onnx;

/// <summary>
/// One loaded ONNX model: its session (thread-safe for concurrent Run calls) and the element types and
/// shapes of its inputs/outputs as the file declares them — never assumed (docs/architecture.md, "Model folders").
/// </summary>
public sealed class OnnxModel : IDisposable
{
    public string Path { get; }
    public InferenceSession Session { get; }
    public string Provider { get; }

    /// <summary>Wall time of the session's creation (from the optimised-model cache or not).</summary>
    public double LoadMs { get; }

    public OnnxModel(string path, InferenceSession session, string provider, double loadMs = 0)
    {
        Path = path;
        Session = session;
        Provider = provider;
        LoadMs = loadMs;
    }

    public static OnnxModel Load(string path, OnnxRuntimeOptions options, Action<string>? log = null)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"Model file '{path}' is missing.");
        try
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            var (session, provider) = SessionFactory.Create(path, options, log);
            return new OnnxModel(path, session, provider, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidInputException($"'{path}' is not a loadable ONNX model: {e.Message.Split('\n')[0]}", e);
        }
    }

    public bool HasInput(string name) => Session.InputMetadata.ContainsKey(name);

    public TensorElementType InputType(string name) => Session.InputMetadata[name].ElementDataType;

    public TensorElementType OutputType(string name) => Session.OutputMetadata[name].ElementDataType;

    public int[] InputDimensions(string name) => Session.InputMetadata[name].Dimensions;

    /// <summary>Fails, naming the file and the input, unless the model has it with one of the allowed types.</summary>
    public TensorElementType RequireInput(string name, params TensorElementType[] allowed) =>
        Require(Session.InputMetadata, "input", name, allowed);

    public TensorElementType RequireOutput(string name, params TensorElementType[] allowed) =>
        Require(Session.OutputMetadata, "output", name, allowed);

    private TensorElementType Require(IReadOnlyDictionary<string, NodeMetadata> metadata, string kind, string name, TensorElementType[] allowed)
    {
        if (!metadata.TryGetValue(name, out var node))
            throw new InvalidInputException(
                $"{Path}: required {kind} '{name}' is missing (it has: {string.Join(", ", metadata.Keys)}). " +
                "Export the model with the names in the README's 'Real models' section (diffusers/OnnxStack convention).");
        if (!node.IsTensor || !allowed.Contains(node.ElementDataType))
            throw new InvalidInputException(
                $"{Path}: {kind} '{name}' has element type {Describe(node)}, expected {string.Join(" or ", allowed.Select(ElementTypes.Name))}.");
        return node.ElementDataType;
    }

    private static string Describe(NodeMetadata node) => node.IsTensor ? ElementTypes.Name(node.ElementDataType) : node.OnnxValueType.ToString();

    public void Dispose() => Session.Dispose();
}
