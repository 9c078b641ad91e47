namespace ControlNet.TinyModels;

/// <summary>
/// The edges every tiny graph shares: inputs are declared in the export's element type and cast to float32
/// for the computation; results are cast back on the way out. So an fp16 model is the fp32 model with casts
/// at its boundary, as far as its caller can tell.
/// </summary>
internal static class TinyGraphEdges
{
    /// <summary>Declares an input and returns the name of its float32 view.</summary>
    public static string FloatInput(this OnnxGraphBuilder graph, string name, OnnxElementType elementType, params OnnxDim[] shape)
    {
        graph.AddInput(name, elementType, shape);
        return elementType == OnnxElementType.Float ? name : graph.Apply("Cast", name, OnnxAttribute.Int("to", (long)OnnxElementType.Float));
    }

    /// <summary>Publishes a float32 value as an output of the given element type.</summary>
    public static void FloatOutput(this OnnxGraphBuilder graph, string value, string name, OnnxElementType elementType, params OnnxDim[] shape)
    {
        graph.AddNode("Cast", [value], [name], OnnxAttribute.Int("to", (long)elementType));
        graph.AddOutput(name, elementType, shape);
    }

    /// <summary>
    /// The <c>timestep</c> input, [batch], as float32 shaped [batch,1,1,1] so it broadcasts over a feature map.
    /// </summary>
    public static string TimestepInput(this OnnxGraphBuilder graph, TinyModelOptions options) =>
        graph.Apply("Reshape", graph.FloatInput("timestep", options.TimestepElementType, "batch"), graph.Int64s(-1, 1, 1, 1));

    /// <summary>Mean over every axis but the batch axis, kept as [batch,1,1,…] for broadcasting.</summary>
    public static string MeanPerBatch(this OnnxGraphBuilder graph, string value, int rank) =>
        graph.Apply("ReduceMean", value, OnnxAttribute.Ints("axes", Enumerable.Range(1, rank - 1).Select(a => (long)a).ToArray()), OnnxAttribute.Int("keepdims", 1));
}
