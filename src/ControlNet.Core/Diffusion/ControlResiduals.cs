using System.Diagnostics;
using System.Numerics.Tensors;
using ControlNet.Core.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Diffusion;

/// <summary>
/// Runs the active ControlNets of a step and hands their 13 residuals to the UNet as native
/// <see cref="OrtValue"/>s: never copied into managed arrays. Each unit's output tensors are allocated by
/// ONNX Runtime on its first run and then reused as pre-bound outputs for every later step. Scaling, soft
/// weights, cond-only zeroing and the sum over several ControlNets happen in place on those buffers.
/// </summary>
internal sealed class ControlResiduals : IDisposable
{
    private readonly Unit[] _units;
    private readonly int _batch;
    private readonly int _unconditionalCount;
    private OrtValue[]? _zeros;

    /// <param name="unconditionalCount">Leading batch entries that are CFG's unconditional branch (0 without CFG).</param>
    public ControlResiduals(IReadOnlyList<ControlUnit> units, int batch, int unconditionalCount, OnnxModel unet)
    {
        _batch = batch;
        _unconditionalCount = unconditionalCount;
        _units = units.Select(u => new Unit(u, batch, unet)).ToArray();
    }

    /// <summary>The residual inputs for the UNet at <paramref name="step"/> (zeros when no unit is active).</summary>
    public OrtValue[] Compute(int step, int steps, OrtValue sample, OrtValue hidden, float timestep, RunOptions run, Stopwatch inference)
    {
        OrtValue[]? sum = null;
        foreach (var unit in _units)
        {
            if (!unit.Control.IsActiveAt(step, steps)) continue;
            var outputs = unit.Run(sample, hidden, timestep, run, inference);
            Adjust(unit, outputs);
            if (sum is null) sum = outputs;
            else for (int k = 0; k < ResidualNames.Count; k++) Add(sum[k], outputs[k]);
        }
        return sum ?? Zeros(sample, hidden, run, inference);
    }

    private void Adjust(Unit unit, OrtValue[] outputs)
    {
        var control = unit.Control;
        double scale = unit.Model.ConditioningScaleType is null ? control.ConditioningScale : 1.0;
        bool soft = control.Mode.IsSoft();
        for (int k = 0; k < ResidualNames.Count; k++)
        {
            double factor = scale * (soft ? ControlModes.SoftWeight(k) : 1.0);
            if (factor != 1.0) Multiply(outputs[k], (float)factor);
        }
        if (control.Mode.IsCondOnly() && _unconditionalCount > 0)
            foreach (var residual in outputs) ZeroLeadingBatch(residual, _unconditionalCount);
    }

    /// <summary>
    /// Zero residuals for steps outside every guidance window. Shapes come from a ControlNet's own output,
    /// so the first unit runs once if no unit has run yet (a window starting after step 0).
    /// </summary>
    private OrtValue[] Zeros(OrtValue sample, OrtValue hidden, RunOptions run, Stopwatch inference)
    {
        if (_zeros is not null) return _zeros;
        var template = _units.FirstOrDefault(u => u.Outputs is not null)?.Outputs
            ?? _units[0].Run(sample, hidden, 0f, run, inference);
        _zeros = template.Select(t =>
        {
            var zero = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, t.GetTensorTypeAndShape().ElementDataType, ElementTypes.Shape(t));
            zero.GetTensorMutableRawData().Clear();
            return zero;
        }).ToArray();
        return _zeros;
    }

    private static void Multiply(OrtValue tensor, float factor)
    {
        if (tensor.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float16)
        {
            var half = ElementTypes.AsHalf(tensor);
            TensorPrimitives.Multiply(half, (Half)factor, half);
        }
        else
        {
            var values = tensor.GetTensorMutableDataAsSpan<float>();
            TensorPrimitives.Multiply(values, factor, values);
        }
    }

    private static void Add(OrtValue sum, OrtValue addend)
    {
        if (sum.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float16)
        {
            var target = ElementTypes.AsHalf(sum);
            TensorPrimitives.Add(target, ElementTypes.AsHalf(addend), target);
        }
        else
        {
            var target = sum.GetTensorMutableDataAsSpan<float>();
            TensorPrimitives.Add(target, addend.GetTensorDataAsSpan<float>(), target);
        }
    }

    private void ZeroLeadingBatch(OrtValue tensor, int count)
    {
        var bytes = tensor.GetTensorMutableRawData();
        bytes[..(bytes.Length / _batch * count)].Clear();
    }

    public void Dispose()
    {
        foreach (var unit in _units) unit.Dispose();
        if (_zeros is not null) foreach (var zero in _zeros) zero.Dispose();
    }

    /// <summary>One ControlNet's fixed inputs (control image, scale) and its reusable output buffers.</summary>
    private sealed class Unit : IDisposable
    {
        private readonly string[] _inputNames;
        private readonly OrtValue[] _inputs;
        private readonly TimestepTensor _timestep;
        private readonly List<OrtValue> _owned = [];

        public ControlUnit Control { get; }
        public ControlNetModel Model => Control.ControlNet;
        public OrtValue[]? Outputs { get; private set; }

        public Unit(ControlUnit control, int batch, OnnxModel unet)
        {
            Control = control;
            var model = control.ControlNet.Model;
            foreach (var name in new[] { "sample", "encoder_hidden_states" })
                if (model.InputType(name) != unet.InputType(name))
                    throw new InvalidInputException(
                        $"{model.Path}: input '{name}' is {ElementTypes.Name(model.InputType(name))} but the UNet's is " +
                        $"{ElementTypes.Name(unet.InputType(name))}; use a ControlNet exported in the same precision.");
            foreach (var name in ResidualNames.All)
                if (model.OutputType(name) != unet.InputType(name))
                    throw new InvalidInputException(
                        $"{model.Path}: output '{name}' is {ElementTypes.Name(model.OutputType(name))} but the UNet takes " +
                        $"{ElementTypes.Name(unet.InputType(name))}; use a ControlNet exported in the same precision.");

            _timestep = new TimestepTensor(model, batch);
            var names = new List<string> { "sample", "timestep", "encoder_hidden_states", "controlnet_cond" };
            var cond = PipelineImages.ControlTensor(control.ControlMap, batch, model.InputType("controlnet_cond"));
            _owned.Add(cond);
            var inputs = new List<OrtValue> { null!, _timestep.Value, null!, cond };
            if (control.ControlNet.ConditioningScaleType is { } scaleType)
            {
                var scale = ElementTypes.CreateTensor(scaleType, [(float)control.ConditioningScale], [1]);
                _owned.Add(scale);
                names.Add("conditioning_scale");
                inputs.Add(scale);
            }
            _inputNames = names.ToArray();
            _inputs = inputs.ToArray();
        }

        public OrtValue[] Run(OrtValue sample, OrtValue hidden, float timestep, RunOptions run, Stopwatch inference)
        {
            _inputs[0] = sample;
            _inputs[2] = hidden;
            _timestep.Set(timestep);
            inference.Start();
            if (Outputs is null)
            {
                // Keep ONNX Runtime's own output tensors (not disposed here) as this unit's buffers from now on.
                Outputs = Model.Model.Session.Run(run, _inputNames, _inputs, ResidualNames.All).ToArray();
            }
            else
            {
                Model.Model.Session.Run(run, _inputNames, _inputs, ResidualNames.All, Outputs);
            }
            inference.Stop();
            return Outputs;
        }

        public void Dispose()
        {
            _timestep.Dispose();
            foreach (var value in _owned) value.Dispose();
            if (Outputs is not null) foreach (var output in Outputs) output.Dispose();
        }
    }
}
