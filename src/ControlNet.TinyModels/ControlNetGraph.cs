namespace ControlNet.TinyModels;

/// <summary>
/// ControlNet stand-in: SD1.5's ControlNet inputs (conditioning_scale optional) → the 13 residuals, whose
/// shapes follow the sample's size through real stride-2 operators.
/// Linear kind: the closed form documented on <see cref="TinyModelSet.ControlNetResidualGain"/>.
/// Bench kind: a hint encoder (8h → h through three stride-2 convolutions, as the real one), the
/// <see cref="BenchDownPath"/>, and a 1×1 convolution per residual, all times the conditioning scale.
/// </summary>
internal static class ControlNetGraph
{
    /// <summary>Widths of the Bench hint encoder at 4h, 2h and h (the real one: 16/32/96, then 256).</summary>
    private static readonly int[] BenchHintChannels = [16, 32, 64];

    public static OnnxGraph Build(TinyModelOptions options)
    {
        var graph = new OnnxGraphBuilder("tiny_controlnet");
        var floatType = options.FloatElementType;
        var sample = graph.FloatInput("sample", floatType, "batch", 4, "height", "width");
        var timestep = graph.TimestepInput(options);
        var text = graph.FloatInput("encoder_hidden_states", floatType, "batch", TinyModelSet.TokenCount, options.EmbeddingDim);
        var cond = graph.FloatInput("controlnet_cond", floatType, "batch", 3, "8*height", "8*width");
        var scale = options.ConditioningScaleInput switch
        {
            TinyConditioningScaleInput.Float64 => graph.FloatInput("conditioning_scale", OnnxElementType.Double, 1),
            TinyConditioningScaleInput.Float32 => graph.FloatInput("conditioning_scale", OnnxElementType.Float, 1),
            _ => null,
        };

        var residuals = options.Kind == TinyModelKind.Bench
            ? Bench(graph, options, sample, timestep, text, cond)
            : Linear(graph, options, sample, timestep, text, cond);

        for (int k = 0; k < Sd15Residuals.Count; k++)
        {
            var residual = scale is null ? residuals[k] : graph.Apply("Mul", residuals[k], scale);
            graph.FloatOutput(residual, Sd15Residuals.Name(k), floatType, Sd15Residuals.SymbolicShape(k, options.Channels));
        }
        return graph.Build();
    }

    /// <summary>
    /// residual_k = q_k·(mean(controlnet_cond[b]) + κ·(mean(encoder_hidden_states[b]) + τ·timestep[b]) + μ·mean(sample[b]))
    /// broadcast onto zeros shaped by a zero-weight 1×1 convolution of the sample, stride-2 pooled once per level
    /// (kernel 1, stride 2: ceil(size / 2), like the real downsamplers). Every input shows in the output, so a
    /// pipeline that feeds the ControlNet the wrong latents, timestep or prompt half cannot match the closed form.
    /// </summary>
    private static string[] Linear(OnnxGraphBuilder graph, TinyModelOptions options, string sample, string timestep, string text, string cond)
    {
        var inputs = graph.Apply("Sum", [
            graph.MeanPerBatch(cond, 4),
            graph.Apply("Mul", UnetGraph.Conditioning(graph, text, timestep), graph.Scalar((float)TinyModelSet.ControlNetConditioningGain)),
            graph.Apply("Mul", graph.MeanPerBatch(sample, 4), graph.Scalar((float)TinyModelSet.ControlNetSampleGain)),
        ]);
        var levels = new string[4];
        levels[0] = sample;
        for (int level = 1; level < levels.Length; level++)
            levels[level] = graph.Apply("AveragePool", levels[level - 1], OnnxAttribute.Ints("kernel_shape", 1, 1), OnnxAttribute.Ints("strides", 2, 2));

        return Enumerable.Range(0, Sd15Residuals.Count).Select(k =>
        {
            int channels = Sd15Residuals.Channels(k, options.Channels);
            var zeros = graph.Apply("Conv", [levels[Sd15Residuals.Level(k)], graph.Constant(new float[channels * 4], channels, 4, 1, 1)]);
            var value = graph.Apply("Mul", inputs, graph.Scalar((float)TinyModelSet.ControlNetResidualGain(k)));
            return graph.Apply("Add", zeros, value);
        }).ToArray();
    }

    private static string[] Bench(OnnxGraphBuilder graph, TinyModelOptions options, string sample, string timestep, string text, string cond)
    {
        var widths = options.Channels;
        var convs = new SeededConvolutions(graph, options.Seed + 1);

        // As ControlNet's input hint block: a stride-2 and a plain 3×3 convolution per halving, then to c0.
        var hint = cond;
        int hintChannels = 3;
        foreach (int channels in BenchHintChannels)
        {
            hint = convs.ConvRelu(hint, hintChannels, channels, stride: 2);
            hint = convs.ConvRelu(hint, channels, channels);
            hintChannels = channels;
        }
        hint = convs.Conv(hint, hintChannels, widths.C0, kernel: 1);

        var input = graph.Apply("Sum", [convs.ConvRelu(sample, 4, widths.C0), hint, UnetGraph.Conditioning(graph, text, timestep)]);

        var features = BenchDownPath.Run(convs, input, widths, (_, block) => block);
        return features.Select((feature, k) =>
        {
            int channels = Sd15Residuals.Channels(k, widths);
            return convs.Conv(feature, channels, channels, kernel: 1, gain: 0.1);
        }).ToArray();
    }
}
