using System.Runtime.InteropServices;
using ControlNet.TinyModels;
using Microsoft.ML.OnnxRuntime;

namespace ControlNet.Core.Tests.TinyModels;

public sealed class OnnxModelWriterTests
{
    [Fact]
    public void Written_model_loads_in_onnx_runtime_with_declared_inputs_and_outputs()
    {
        var graph = new OnnxGraphBuilder("declared")
            .AddInput("x", OnnxElementType.Float, "batch", 3)
            .AddNode("Identity", ["x"], ["y"])
            .AddOutput("y", OnnxElementType.Float, "batch", 3)
            .Build();

        using var session = new InferenceSession(OnnxModelWriter.ToBytes(graph));

        Assert.Equal(OnnxModelWriter.ProducerName, session.ModelMetadata.ProducerName);
        Assert.Equal(["batch", ""], session.InputMetadata["x"].SymbolicDimensions);
        Assert.Equal([-1, 3], session.InputMetadata["x"].Dimensions);
        Assert.Equal([-1, 3], session.OutputMetadata["y"].Dimensions);
    }

    [Fact]
    public void Model_proto_starts_with_ir_version_8()
    {
        var graph = new OnnxGraphBuilder("empty").Build();

        // Field 1 (ir_version), wire type 0 (varint): tag byte 0x08, then the value.
        Assert.Equal([0x08, (byte)OnnxModelWriter.IrVersion], OnnxModelWriter.ToBytes(graph).Take(2));
    }

    [Fact]
    public void Attributes_and_initializers_reach_the_operators()
    {
        var graph = new OnnxGraphBuilder("attributes");
        graph.AddInput("x", OnnxElementType.Float, 2, 3);
        var transposed = graph.Apply("Transpose", "x", OnnxAttribute.Ints("perm", 1, 0));                 // ints
        var leaky = graph.Apply("LeakyRelu", transposed, OnnxAttribute.Float("alpha", 0.25f));          // float
        var shifted = graph.Apply("Add", leaky, graph.Constant([10f, 20f], 1, 2));                      // float initializer
        var offset = graph.Apply("Constant", [], OnnxAttribute.Tensor("value",
            new OnnxTensor("offset", OnnxElementType.Float, [], MemoryMarshal.AsBytes<float>([100f]).ToArray())));  // tensor
        var reshaped = graph.Apply("Reshape", graph.Apply("Add", shifted, offset), graph.Int64s(6));    // int64 initializer
        graph.AddNode("Cast", [reshaped], ["y"], OnnxAttribute.Int("to", (long)OnnxElementType.Double)) // int
            .AddOutput("y", OnnxElementType.Double, 6);
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(graph.Build()));
        using var x = OrtValue.CreateTensorValueFromMemory(new float[] { 1, -2, 3, -4, 5, -6 }, [2, 3]);

        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new Dictionary<string, OrtValue> { ["x"] = x }, ["y"]);

        // xᵀ = [[1, -4], [-2, 5], [3, -6]] → LeakyRelu(0.25) → + [10, 20] → + 100 → flattened.
        Assert.Equal([111, 119, 109.5, 125, 113, 118.5], outputs[0].GetTensorDataAsSpan<double>().ToArray());
    }

    [Fact]
    public void Initializer_size_must_match_its_shape()
    {
        var graph = new OnnxGraphBuilder("bad");

        var error = Assert.Throws<ArgumentException>(() => graph.AddInitializer("w", new float[5], 2, 3));
        Assert.Contains("'w' has 5 values but shape [2,3] needs 6", error.Message);
    }
}
