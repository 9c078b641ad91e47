using ControlNet.TinyModels;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Tests.TinyModels;

/// <summary>A tensor as the tests think of it: values in double, whatever the model's element type.</summary>
internal sealed record TestTensor(double[] Values, long[] Shape)
{
    public static TestTensor Random(Random random, double min, double max, params long[] shape)
    {
        long count = shape.Aggregate(1L, (p, d) => p * d);
        return new(Enumerable.Range(0, (int)count).Select(_ => min + (max - min) * random.NextDouble()).ToArray(), shape);
    }

    /// <summary>The values the model actually receives once converted to <paramref name="type"/>.</summary>
    public TestTensor As(TensorElementType type) => type switch
    {
        TensorElementType.Float16 => this with { Values = Values.Select(v => (double)(float)(Float16)(float)v).ToArray() },
        TensorElementType.Float => this with { Values = Values.Select(v => (double)(float)v).ToArray() },
        _ => this,
    };
}

/// <summary>
/// Runs a generated model on ONNX Runtime's CPU provider, converting test tensors to and from the element
/// types the session declares, so one test covers fp32 and fp16 exports alike.
/// </summary>
internal sealed class OrtTestSession(string modelPath) : IDisposable
{
    public InferenceSession Session { get; } = new(modelPath);

    public TensorElementType InputType(string name) => Session.InputMetadata[name].ElementDataType;

    public IReadOnlyDictionary<string, TestTensor> Run(IReadOnlyDictionary<string, TestTensor> inputs)
    {
        var values = inputs.ToDictionary(kv => kv.Key, kv => ToOrtValue(kv.Value, InputType(kv.Key)));
        try
        {
            var names = Session.OutputMetadata.Keys.ToArray();
            using var runOptions = new RunOptions();
            using var outputs = Session.Run(runOptions, values, names);
            return names.Zip(outputs).ToDictionary(pair => pair.First, pair => FromOrtValue(pair.Second));
        }
        finally
        {
            foreach (var value in values.Values) value.Dispose();
        }
    }

    private static OrtValue ToOrtValue(TestTensor tensor, TensorElementType type) => type switch
    {
        TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(tensor.Values.Select(v => (float)v).ToArray(), tensor.Shape),
        TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(tensor.Values.Select(v => (Float16)(float)v).ToArray(), tensor.Shape),
        TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(tensor.Values.ToArray(), tensor.Shape),
        TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(tensor.Values.Select(v => (long)v).ToArray(), tensor.Shape),
        TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(tensor.Values.Select(v => (int)v).ToArray(), tensor.Shape),
        _ => throw new NotSupportedException($"Test inputs of type {type} are not supported."),
    };

    private static TestTensor FromOrtValue(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        double[] values = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(),
            TensorElementType.Float16 => value.GetTensorDataAsSpan<Float16>().ToArray().Select(v => (double)(float)v).ToArray(),
            _ => throw new NotSupportedException($"Test outputs of type {info.ElementDataType} are not supported."),
        };
        return new TestTensor(values, info.Shape);
    }

    public void Dispose() => Session.Dispose();
}
