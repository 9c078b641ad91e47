namespace ControlNet.TinyModels;

/// <summary>
/// UNet stand-in with SD1.5's input/output contract, the 13 ControlNet residuals included.
/// Linear kind: the closed form documented on <see cref="TinyModelSet.UnetResidualWeight"/>.
/// Bench kind: <see cref="BenchDownPath"/> with the residuals added, then a full-resolution trunk of
/// <see cref="BenchTrunkDepth"/> convolutions <see cref="BenchTrunkWidth"/> wide, which is where the time goes.
/// </summary>
internal static class UnetGraph
{
    public const int BenchTrunkWidth = 64;
    public const int BenchTrunkDepth = 14;

    public static OnnxGraph Build(TinyModelOptions options)
    {
        var graph = new OnnxGraphBuilder("tiny_unet");
        var floatType = options.FloatElementType;
        var sample = graph.FloatInput("sample", floatType, "batch", 4, "height", "width");
        var timestep = graph.TimestepInput(options);
        var text = graph.FloatInput("encoder_hidden_states", floatType, "batch", TinyModelSet.TokenCount, options.EmbeddingDim);
        var residuals = Sd15Residuals.Names
            .Select((name, k) => graph.FloatInput(name, floatType, Sd15Residuals.SymbolicShape(k, options.Channels)))
            .ToArray();

        // Shared by both kinds: a·sample + mean(encoder_hidden_states) + τ·timestep, per batch item.
        var conditioning = Conditioning(graph, text, timestep);
        var scaledSample = graph.Apply("Mul", sample, graph.Scalar((float)TinyModelSet.UnetSampleGain));

        var output = options.Kind == TinyModelKind.Bench
            ? Bench(graph, options, sample, conditioning, residuals)
            : Linear(graph, residuals);

        graph.FloatOutput(graph.Apply("Sum", [scaledSample, conditioning, output]), "out_sample", floatType, "batch", 4, "height", "width");
        return graph.Build();
    }

    /// <summary>mean(encoder_hidden_states[b]) + τ·timestep[b], as [batch,1,1,1].</summary>
    internal static string Conditioning(OnnxGraphBuilder graph, string text, string timestep)
    {
        var textMean = graph.Apply("Reshape", graph.MeanPerBatch(text, 3), graph.Int64s(-1, 1, 1, 1));
        return graph.Apply("Add", textMean, graph.Apply("Mul", timestep, graph.Scalar((float)TinyModelSet.UnetTimestepGain)));
    }

    /// <summary>Σ_k w_k·mean(residual_k[b]), as [batch,1,1,1].</summary>
    private static string Linear(OnnxGraphBuilder graph, string[] residuals) =>
        graph.Apply("Sum", residuals
            .Select((residual, k) => graph.Apply("Mul", graph.MeanPerBatch(residual, 4), graph.Scalar((float)TinyModelSet.UnetResidualWeight(k))))
            .ToArray());

    private static string Bench(OnnxGraphBuilder graph, TinyModelOptions options, string sample, string conditioning, string[] residuals)
    {
        var widths = options.Channels;
        var convs = new SeededConvolutions(graph, options.Seed);
        var input = graph.Apply("Add", convs.ConvRelu(sample, 4, widths.C0), conditioning);
        var features = BenchDownPath.Run(convs, input, widths, (k, block) => graph.Apply("Add", block, residuals[k]));

        // The deep features reach the output through their mean (up-sampling could not restore odd sizes).
        var deep = graph.MeanPerBatch(features[Sd15Residuals.MidIndex], 4);
        var trunk = convs.ConvRelu(features[2], widths.C0, BenchTrunkWidth);
        for (int i = 1; i < BenchTrunkDepth; i++) trunk = convs.ConvRelu(trunk, BenchTrunkWidth, BenchTrunkWidth);
        return graph.Apply("Add", convs.Conv(trunk, BenchTrunkWidth, 4, gain: 0.5), deep);
    }
}
