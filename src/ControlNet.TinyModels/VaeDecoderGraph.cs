namespace ControlNet.TinyModels;

/// <summary>
/// VAE decoder stand-in: sample = γ·latent_sample[:, 0..3], each latent pixel repeated 8×8
/// (nearest, asymmetric/floor, so pixel (y, x) reads latent (y/8, x/8) exactly).
/// </summary>
internal static class VaeDecoderGraph
{
    public static OnnxGraph Build(TinyModelOptions options)
    {
        var graph = new OnnxGraphBuilder("tiny_vae_decoder");
        var latent = graph.FloatInput("latent_sample", options.FloatElementType, "batch", 4, "height", "width");

        var rgb = graph.Apply("Slice", [latent, graph.Int64s(0), graph.Int64s(3), graph.Int64s(1)]);
        var scaled = graph.Apply("Mul", rgb, graph.Scalar((float)TinyModelSet.VaeDecoderGain));
        int f = TinyModelSet.VaeScaleFactor;
        var upsampled = graph.Apply("Resize", [scaled, "", graph.Constant([1, 1, f, f], 4)],
            OnnxAttribute.String("mode", "nearest"),
            OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"),
            OnnxAttribute.String("nearest_mode", "floor"));

        graph.FloatOutput(upsampled, "sample", options.FloatElementType, "batch", 3, "8*height", "8*width");
        return graph.Build();
    }
}
