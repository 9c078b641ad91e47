using ControlNet.Core.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace ControlNet.Core.Diffusion;

/// <summary>
/// The `timestep` input in the form a model declares: float32/float16/int64, shaped [] or [1] (one value
/// for the batch) or [batch]. Allocated once, rewritten each step.
/// </summary>
internal sealed class TimestepTensor : IDisposable
{
    private readonly float[] _values;

    public OrtValue Value { get; }

    public TimestepTensor(OnnxModel model, int batch)
    {
        var dims = model.InputDimensions("timestep");
        long[] shape = dims.Length switch
        {
            0 => [],
            1 when dims[0] == 1 => [1],
            _ => [batch],
        };
        _values = new float[shape.Length == 0 ? 1 : shape[0]];
        Value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, model.InputType("timestep"), shape);
    }

    public void Set(float timestep)
    {
        Array.Fill(_values, timestep);
        ElementTypes.Write(Value, _values);
    }

    public void Dispose() => Value.Dispose();
}
