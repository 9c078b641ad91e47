namespace ControlNet.TinyModels;

/// <summary>
/// Convolutions with seeded random weights for the <see cref="TinyModelKind.Bench"/> models: real compute,
/// reproducible files. Weights are uniform with He variance (2 / fan-in) times <c>gain²</c>, so activations
/// neither vanish nor blow up through a dozen layers.
/// </summary>
internal sealed class SeededConvolutions(OnnxGraphBuilder graph, int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>k×k convolution, "same" padding; stride 2 gives ceil(size / 2), as SD's downsamplers.</summary>
    public string Conv(string input, int inChannels, int outChannels, int kernel = 3, int stride = 1, double gain = 1.0)
    {
        int fanIn = inChannels * kernel * kernel;
        double bound = gain * Math.Sqrt(6.0 / fanIn);
        var weights = new float[outChannels * fanIn];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)((_random.NextDouble() * 2 - 1) * bound);
        var bias = new float[outChannels];
        for (int i = 0; i < bias.Length; i++) bias[i] = (float)((_random.NextDouble() * 2 - 1) * 0.05);

        int pad = kernel / 2;
        return graph.Apply("Conv", [input, graph.Constant(weights, outChannels, inChannels, kernel, kernel), graph.Constant(bias, outChannels)],
            OnnxAttribute.Ints("kernel_shape", kernel, kernel),
            OnnxAttribute.Ints("pads", pad, pad, pad, pad),
            OnnxAttribute.Ints("strides", stride, stride));
    }

    public string ConvRelu(string input, int inChannels, int outChannels, int stride = 1) =>
        graph.Apply("Relu", Conv(input, inChannels, outChannels, stride: stride));
}
