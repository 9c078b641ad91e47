namespace ControlNet.TinyModels;

/// <summary>
/// Tensor element types, numbered as <c>TensorProto.DataType</c> in onnx.proto (only those the tiny models use).
/// </summary>
public enum OnnxElementType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Float16 = 10,
    Double = 11,
}
