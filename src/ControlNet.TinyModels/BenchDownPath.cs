namespace ControlNet.TinyModels;

/// <summary>
/// SD1.5's down path in miniature, shared by the Bench UNet and ControlNet: block 0 is the input feature map,
/// blocks 3, 6 and 9 are stride-2 downsamplers, the others 3×3 conv + ReLU, block 12 the mid block. Each
/// block's output is what residual k is added to (UNet) or read from (ControlNet), so the shapes are
/// <see cref="Sd15Residuals.Shape"/> by construction.
/// </summary>
internal static class BenchDownPath
{
    /// <param name="input">[batch, c0, h, w] feature map: block 0's output.</param>
    /// <param name="afterBlock">Maps block k's output to what block k+1 reads (the UNet adds residual k there).</param>
    /// <returns>The 13 block outputs after <paramref name="afterBlock"/>.</returns>
    public static string[] Run(SeededConvolutions convs, string input, ChannelWidths widths, Func<int, string, string> afterBlock)
    {
        var features = new string[Sd15Residuals.Count];
        features[0] = afterBlock(0, input);
        for (int k = 1; k < Sd15Residuals.Count; k++)
        {
            int inChannels = Sd15Residuals.Channels(k - 1, widths), outChannels = Sd15Residuals.Channels(k, widths);
            string block = k is 3 or 6 or 9
                ? convs.Conv(features[k - 1], inChannels, outChannels, stride: 2)
                : convs.ConvRelu(features[k - 1], inChannels, outChannels);
            features[k] = afterBlock(k, block);
        }
        return features;
    }
}
