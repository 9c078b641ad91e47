using Google.Protobuf;

namespace ControlNet.TinyModels;

/// <summary>
/// Serialises an <see cref="OnnxGraph"/> as an ONNX <c>ModelProto</c>, field by field with
/// <see cref="CodedOutputStream"/>. Field numbers are those of onnx/onnx.proto; no generated classes are
/// involved. Repeated scalars are written unpacked, which every protobuf parser accepts.
/// </summary>
public static class OnnxModelWriter
{
    public const long IrVersion = 8;
    public const long OpsetVersion = 17;
    public const string ProducerName = "ControlNet.TinyModels";

    public static void WriteFile(OnnxGraph graph, string path)
    {
        using var file = File.Create(path);
        Write(graph, file);
    }

    public static void Write(OnnxGraph graph, Stream output)
    {
        using var stream = new CodedOutputStream(output, leaveOpen: true);
        WriteModel(stream, graph);
    }

    public static byte[] ToBytes(OnnxGraph graph) => Message(o => WriteModel(o, graph));

    // ModelProto
    private static void WriteModel(CodedOutputStream o, OnnxGraph graph)
    {
        WriteInt64(o, 1, IrVersion);
        WriteString(o, 2, ProducerName);
        WriteMessage(o, 7, g => WriteGraph(g, graph));
        WriteMessage(o, 8, opset =>
        {
            WriteString(opset, 1, "");
            WriteInt64(opset, 2, OpsetVersion);
        });
    }

    // GraphProto
    private static void WriteGraph(CodedOutputStream o, OnnxGraph graph)
    {
        foreach (var node in graph.Nodes) WriteMessage(o, 1, n => WriteNode(n, node));
        WriteString(o, 2, graph.Name);
        foreach (var tensor in graph.Initializers) WriteMessage(o, 5, t => WriteTensor(t, tensor));
        foreach (var input in graph.Inputs) WriteMessage(o, 11, v => WriteValueInfo(v, input));
        foreach (var output in graph.Outputs) WriteMessage(o, 12, v => WriteValueInfo(v, output));
    }

    // NodeProto
    private static void WriteNode(CodedOutputStream o, OnnxNode node)
    {
        foreach (var input in node.Inputs) WriteString(o, 1, input);
        foreach (var output in node.Outputs) WriteString(o, 2, output);
        WriteString(o, 3, node.Name);
        WriteString(o, 4, node.OpType);
        foreach (var attribute in node.Attributes) WriteMessage(o, 5, a => WriteAttribute(a, attribute));
    }

    // AttributeProto
    private static void WriteAttribute(CodedOutputStream o, OnnxAttribute attribute)
    {
        WriteString(o, 1, attribute.Name);
        switch (attribute.Type)
        {
            case OnnxAttributeType.Float:
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(attribute.FloatValue);
                break;
            case OnnxAttributeType.Int:
                WriteInt64(o, 3, attribute.IntValue);
                break;
            case OnnxAttributeType.String:
                WriteString(o, 4, attribute.StringValue!);
                break;
            case OnnxAttributeType.Tensor:
                WriteMessage(o, 5, t => WriteTensor(t, attribute.TensorValue!));
                break;
            case OnnxAttributeType.Floats:
                foreach (float value in attribute.FloatValues)
                {
                    o.WriteTag(7, WireFormat.WireType.Fixed32);
                    o.WriteFloat(value);
                }
                break;
            case OnnxAttributeType.Ints:
                foreach (long value in attribute.IntValues) WriteInt64(o, 8, value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(attribute), attribute.Type, "Unsupported attribute type.");
        }
        WriteInt64(o, 20, (long)attribute.Type);
    }

    // TensorProto
    private static void WriteTensor(CodedOutputStream o, OnnxTensor tensor)
    {
        foreach (long dim in tensor.Dims) WriteInt64(o, 1, dim);
        WriteInt64(o, 2, (long)tensor.ElementType);
        WriteString(o, 8, tensor.Name);
        o.WriteTag(9, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(tensor.RawData));
    }

    // ValueInfoProto { name = 1; type = 2: TypeProto { tensor_type = 1: Tensor { elem_type = 1; shape = 2 } } }
    private static void WriteValueInfo(CodedOutputStream o, OnnxValueInfo value)
    {
        WriteString(o, 1, value.Name);
        WriteMessage(o, 2, type => WriteMessage(type, 1, tensorType =>
        {
            WriteInt64(tensorType, 1, (long)value.ElementType);
            WriteMessage(tensorType, 2, shape =>
            {
                foreach (var dim in value.Shape)
                {
                    // TensorShapeProto.Dimension { dim_value = 1; dim_param = 2 }
                    WriteMessage(shape, 1, d =>
                    {
                        if (dim.Param is { } param) WriteString(d, 2, param);
                        else WriteInt64(d, 1, dim.Value ?? throw new InvalidOperationException($"Dimension of '{value.Name}' has neither size nor name."));
                    });
                }
            });
        }));
    }

    private static void WriteInt64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    private static void WriteString(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    /// <summary>Length-delimited sub-message: serialised to a buffer first, since its length comes first.</summary>
    private static void WriteMessage(CodedOutputStream o, int field, Action<CodedOutputStream> body)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(Message(body)));
    }

    private static byte[] Message(Action<CodedOutputStream> body)
    {
        using var buffer = new MemoryStream();
        using (var stream = new CodedOutputStream(buffer, leaveOpen: true)) body(stream);
        return buffer.ToArray();
    }
}
