using System.Runtime.InteropServices;

namespace ControlNet.TinyModels;

/// <summary>
/// Fluent builder for a small ONNX graph. Declare inputs, constants and nodes in data-flow order, then
/// <see cref="Build"/>. <see cref="Apply"/> adds a single-output node under a generated name and returns that
/// name, so a graph reads as a chain of calls:
/// <code>
/// var g = new OnnxGraphBuilder("tiny");
/// g.AddInput("x", OnnxElementType.Float, "batch", 4);
/// var y = g.Apply("Mul", "x", g.Scalar(0.5f));
/// g.AddNode("Identity", [y], ["out"]).AddOutput("out", OnnxElementType.Float, "batch", 4);
/// </code>
/// </summary>
public sealed class OnnxGraphBuilder(string name)
{
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxNode> _nodes = [];
    private int _nextId;

    public OnnxGraphBuilder AddInput(string name, OnnxElementType elementType, params OnnxDim[] shape)
    {
        _inputs.Add(new OnnxValueInfo(name, elementType, shape));
        return this;
    }

    public OnnxGraphBuilder AddOutput(string name, OnnxElementType elementType, params OnnxDim[] shape)
    {
        _outputs.Add(new OnnxValueInfo(name, elementType, shape));
        return this;
    }

    public OnnxGraphBuilder AddInitializer(string name, float[] values, params long[] dims) =>
        AddInitializer(name, OnnxElementType.Float, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), values.Length);

    public OnnxGraphBuilder AddInitializer(string name, long[] values, params long[] dims) =>
        AddInitializer(name, OnnxElementType.Int64, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), values.Length);

    public OnnxGraphBuilder AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        _nodes.Add(new OnnxNode($"{opType}_{_nodes.Count}", opType, inputs, outputs, attributes));
        return this;
    }

    /// <summary>Adds a single-output node and returns the generated name of its output.</summary>
    public string Apply(string opType, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = NewName(opType);
        AddNode(opType, inputs, [output], attributes);
        return output;
    }

    /// <inheritdoc cref="Apply(string, string[], OnnxAttribute[])"/>
    public string Apply(string opType, string input, params OnnxAttribute[] attributes) => Apply(opType, [input], attributes);

    /// <inheritdoc cref="Apply(string, string[], OnnxAttribute[])"/>
    public string Apply(string opType, string left, string right) => Apply(opType, [left, right]);

    /// <summary>Adds a float constant of shape [] and returns its name.</summary>
    public string Scalar(float value)
    {
        string name = NewName("scalar");
        AddInitializer(name, [value]);
        return name;
    }

    /// <summary>Adds a float constant of the given shape and returns its name.</summary>
    public string Constant(float[] values, params long[] dims)
    {
        string name = NewName("const");
        AddInitializer(name, values, dims);
        return name;
    }

    /// <summary>Adds a 1-D int64 constant (a shape, axes, starts…) and returns its name.</summary>
    public string Int64s(params long[] values)
    {
        string name = NewName("ints");
        AddInitializer(name, values, values.Length);
        return name;
    }

    public OnnxGraph Build() => new(name, _inputs.ToArray(), _outputs.ToArray(), _initializers.ToArray(), _nodes.ToArray());

    private OnnxGraphBuilder AddInitializer(string name, OnnxElementType type, long[] dims, byte[] raw, int count)
    {
        long expected = dims.Aggregate(1L, (product, d) => product * d);
        if (expected != count)
            throw new ArgumentException($"Initializer '{name}' has {count} values but shape [{string.Join(",", dims)}] needs {expected}.");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this writer copies memory as is.");
        _initializers.Add(new OnnxTensor(name, type, dims, raw));
        return this;
    }

    private string NewName(string prefix) => $"{prefix}_{_nextId++}";
}
