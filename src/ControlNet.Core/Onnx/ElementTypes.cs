using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Onnx;

/// <summary>
/// Building tensors in whatever element type a model declares (fp32/fp16 floats, int32/int64 ids,
/// float/int64 timesteps) from the pipeline's float/int values, and reading float outputs back.
/// </summary>
public static class ElementTypes
{
    public static readonly TensorElementType[] Floats = [TensorElementType.Float, TensorElementType.Float16];
    public static readonly TensorElementType[] Ids = [TensorElementType.Int32, TensorElementType.Int64];
    public static readonly TensorElementType[] Timesteps = [TensorElementType.Float, TensorElementType.Float16, TensorElementType.Int64, TensorElementType.Int32];
    public static readonly TensorElementType[] Scales = [TensorElementType.Double, TensorElementType.Float, TensorElementType.Float16];

    public static string Name(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Float16 => "float16",
        TensorElementType.Double => "float64",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int64 => "int64",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>A new CPU tensor of <paramref name="type"/> holding <paramref name="values"/>.</summary>
    public static OrtValue CreateTensor(TensorElementType type, ReadOnlySpan<float> values, long[] shape)
    {
        var tensor = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        Write(tensor, values);
        return tensor;
    }

    public static OrtValue CreateTensor(TensorElementType type, ReadOnlySpan<long> values, long[] shape)
    {
        var tensor = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        switch (type)
        {
            case TensorElementType.Int64: values.CopyTo(tensor.GetTensorMutableDataAsSpan<long>()); break;
            case TensorElementType.Int32:
                var ints = tensor.GetTensorMutableDataAsSpan<int>();
                for (int i = 0; i < values.Length; i++) ints[i] = checked((int)values[i]);
                break;
            default:
                var floats = new float[values.Length];
                for (int i = 0; i < values.Length; i++) floats[i] = values[i];
                Write(tensor, floats);
                break;
        }
        return tensor;
    }

    /// <summary>Overwrites a tensor's contents (converting float → its element type) without reallocating.</summary>
    public static void Write(OrtValue tensor, ReadOnlySpan<float> values)
    {
        var type = tensor.GetTensorTypeAndShape().ElementDataType;
        switch (type)
        {
            case TensorElementType.Float: values.CopyTo(tensor.GetTensorMutableDataAsSpan<float>()); break;
            case TensorElementType.Float16: System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(values, AsHalf(tensor)); break;
            case TensorElementType.Double:
                var doubles = tensor.GetTensorMutableDataAsSpan<double>();
                for (int i = 0; i < values.Length; i++) doubles[i] = values[i];
                break;
            case TensorElementType.Int64:
                var longs = tensor.GetTensorMutableDataAsSpan<long>();
                for (int i = 0; i < values.Length; i++) longs[i] = (long)values[i];
                break;
            case TensorElementType.Int32:
                var ints = tensor.GetTensorMutableDataAsSpan<int>();
                for (int i = 0; i < values.Length; i++) ints[i] = (int)values[i];
                break;
            default: throw new NotSupportedException($"Element type {Name(type)} is not used by the pipeline.");
        }
    }

    /// <summary>Writes <paramref name="values"/> into a float/fp16 tensor from element <paramref name="offset"/> on.</summary>
    public static void WriteAt(OrtValue tensor, ReadOnlySpan<float> values, int offset)
    {
        var type = tensor.GetTensorTypeAndShape().ElementDataType;
        switch (type)
        {
            case TensorElementType.Float: values.CopyTo(tensor.GetTensorMutableDataAsSpan<float>()[offset..]); break;
            case TensorElementType.Float16: System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(values, AsHalf(tensor)[offset..]); break;
            default: throw new NotSupportedException($"Expected a float tensor, got {Name(type)}.");
        }
    }

    /// <summary>Copies a float/fp16 tensor's values into <paramref name="target"/> as float32.</summary>
    public static void Read(OrtValue tensor, Span<float> target)
    {
        var type = tensor.GetTensorTypeAndShape().ElementDataType;
        switch (type)
        {
            case TensorElementType.Float: tensor.GetTensorDataAsSpan<float>().CopyTo(target); break;
            case TensorElementType.Float16: System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(AsHalf(tensor), target); break;
            default: throw new NotSupportedException($"Expected a float tensor, got {Name(type)}.");
        }
    }

    /// <summary>ONNX Runtime's Float16 and System.Half share the IEEE binary16 layout; Half has the math.</summary>
    public static Span<Half> AsHalf(OrtValue tensor) =>
        MemoryMarshal.Cast<Float16, Half>(tensor.GetTensorMutableDataAsSpan<Float16>());

    public static long ElementCount(OrtValue tensor) => tensor.GetTensorTypeAndShape().ElementCount;

    public static long[] Shape(OrtValue tensor) => tensor.GetTensorTypeAndShape().Shape;
}
