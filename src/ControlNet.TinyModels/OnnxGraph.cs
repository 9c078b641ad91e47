namespace ControlNet.TinyModels;

/// <summary>One dimension of a declared shape: a fixed size, or a symbolic name such as "batch".</summary>
public readonly record struct OnnxDim(long? Value, string? Param)
{
    public static implicit operator OnnxDim(int value) => new(value, null);
    public static implicit operator OnnxDim(long value) => new(value, null);
    public static implicit operator OnnxDim(string param) => new(null, param);
}

/// <summary>A graph input or output: <c>ValueInfoProto</c> with a tensor type.</summary>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDim> Shape);

/// <summary>A constant tensor (<c>TensorProto</c>), stored as little-endian <c>raw_data</c>.</summary>
public sealed record OnnxTensor(string Name, OnnxElementType ElementType, IReadOnlyList<long> Dims, ReadOnlyMemory<byte> RawData);

/// <summary>An operator application (<c>NodeProto</c>) in the default ONNX domain.</summary>
public sealed record OnnxNode(
    string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<OnnxAttribute> Attributes);

/// <summary>A complete graph, ready for <see cref="OnnxModelWriter"/>.</summary>
public sealed record OnnxGraph(
    string Name,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs,
    IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<OnnxNode> Nodes);
